//! Local DynamoDB servers (installed by `scripts/setup.sh` into `.tools/`), each started on a
//! free loopback port and stopped when dropped, or at the latest when the test process exits
//! (a watchdog shell kills a server whose test process is gone).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    pub kind: Kind,
    pub port: u16,
    child: Child,
    pub log: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// AWS's DynamoDB Local (Java): the most faithful.
    DynamoDbLocal,
    /// moto: verifies SigV4 signatures once auth is switched on; also serves IAM and STS.
    /// Started with the calls it lacks added in botocore's shapes
    /// (`tests/servers/moto_with_extras.py`: Kinesis destinations, Contributor Insights).
    Moto,
    /// dynalite (Node): fast with many tables.
    Dynalite,
}

impl Server {
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn start(kind: Kind) -> Server {
        Server::start_with_env(kind, &[])
    }

    pub fn start_with_env(kind: Kind, env: &[(&str, &str)]) -> Server {
        let tools = crate::workspace_root().join(".tools");
        let port = free_port();
        let (program, args, dir): (PathBuf, Vec<String>, PathBuf) = match kind {
            Kind::DynamoDbLocal => {
                let dir = tools.join("node/node_modules/amplify-dynamodb-simulator/emulator");
                (
                    PathBuf::from("java"),
                    vec![
                        "-Djava.library.path=./DynamoDBLocal_lib".into(),
                        "-jar".into(),
                        "DynamoDBLocal.jar".into(),
                        "-inMemory".into(),
                        "-disableTelemetry".into(),
                        "-port".into(),
                        port.to_string(),
                    ],
                    dir,
                )
            }
            Kind::Moto => (
                tools.join("venv/bin/python"),
                vec![
                    crate::workspace_root()
                        .join("tests/servers/moto_with_extras.py")
                        .display()
                        .to_string(),
                    "-H".into(),
                    "127.0.0.1".into(),
                    "-p".into(),
                    port.to_string(),
                ],
                tools.clone(),
            ),
            Kind::Dynalite => (
                PathBuf::from("node"),
                vec![
                    tools
                        .join("node/node_modules/dynalite/cli.js")
                        .display()
                        .to_string(),
                    "--host".into(),
                    "127.0.0.1".into(),
                    "--port".into(),
                    port.to_string(),
                    "--createTableMs".into(),
                    "0".into(),
                    "--deleteTableMs".into(),
                    "0".into(),
                    "--updateTableMs".into(),
                    "0".into(),
                ],
                tools.clone(),
            ),
        };
        assert!(
            dir.exists(),
            "{} is missing: run scripts/setup.sh first",
            dir.display()
        );
        let log = std::env::temp_dir().join(format!("e2e-{kind:?}-{port}.log"));
        let child = spawn_with_watchdog(&program, &args, &dir, env, &log);
        let mut server = Server {
            kind,
            port,
            child,
            log,
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{:?} exited ({status}) before it was ready; log: {}",
                    self.kind,
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok()
                && crate::admin::Admin::new(&self.endpoint(), "AKIDREADY")
                    .list_tables()
                    .is_ok()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{:?} did not become ready on port {}", self.kind, self.port);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // TERM (not KILL) so that the watchdog shell's trap stops the server too.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Runs `program` under a shell that kills it once this test process is gone, so that a
/// server held in a `static` never outlives the tests.
fn spawn_with_watchdog(
    program: &Path,
    args: &[String],
    dir: &Path,
    env: &[(&str, &str)],
    log: &Path,
) -> Child {
    let script = r#"
        "$@" &
        child=$!
        trap 'kill $child 2>/dev/null' EXIT TERM INT
        while kill -0 "$WATCH_PID" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done
    "#;
    let log_file = std::fs::File::create(log).expect("server log file");
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(script)
        .arg("server")
        .arg(program)
        .args(args)
        .current_dir(dir)
        .env("WATCH_PID", std::process::id().to_string())
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().expect("log handle"))
        .stderr(log_file);
    for (k, v) in env {
        command.env(k, v);
    }
    command.spawn().expect("start the server")
}
