//! A real OCI registry for the distribution tests: CNCF Distribution 2.8 (Debian's
//! `docker-registry`, installed by `scripts/setup.sh`), started on a free loopback port with its
//! storage in a temporary directory, optionally behind HTTP basic auth, and stopped when
//! dropped (or, like the DynamoDB servers, once the test process is gone).

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The user and password of a registry started with [`Registry::start_with_auth`].
pub const USER: &str = "e2e";
pub const PASSWORD: &str = "e2e-registry-pw-7Hq2";
/// bcrypt (cost 4) of [`PASSWORD`]: Distribution's htpasswd takes only bcrypt.
const PASSWORD_BCRYPT: &str = "$2b$04$tDeITzbRtibaRjNeC623v.DNvAOB.o/dN4h6rPtn21mdfmYyrGGpa";

pub struct Registry {
    pub ip: IpAddr,
    pub port: u16,
    child: Option<Child>,
    dir: tempfile::TempDir,
    pub log: PathBuf,
    /// For a registry started with [`Registry::start_tls_on`]: the CA certificate (PEM) that
    /// verifies it, made for this registry and trusted by nothing else.
    pub ca_certificate: Option<PathBuf>,
}

impl Registry {
    /// An anonymous registry.
    pub fn start() -> Registry {
        Registry::launch(IpAddr::V4(Ipv4Addr::LOCALHOST), false)
    }

    /// An anonymous registry listening on `ip` (plain HTTP, like the others).
    pub fn start_on(ip: IpAddr) -> Registry {
        Registry::launch(ip, false)
    }

    /// A registry that takes only [`USER`] and [`PASSWORD`] (basic auth).
    pub fn start_with_auth() -> Registry {
        crate::host::register_secret(PASSWORD);
        Registry::launch(IpAddr::V4(Ipv4Addr::LOCALHOST), true)
    }

    /// An anonymous registry listening on `ip` over HTTPS, with a certificate for that address
    /// signed by a CA made for it ([`Registry::ca_certificate`]).
    pub fn start_tls_on(ip: IpAddr) -> Registry {
        Registry::launch_with(ip, false, true)
    }

    fn launch(ip: IpAddr, auth: bool) -> Registry {
        Registry::launch_with(ip, auth, false)
    }

    fn launch_with(ip: IpAddr, auth: bool, tls: bool) -> Registry {
        let program = which("docker-registry").unwrap_or_else(|| {
            panic!("docker-registry is missing: run scripts/setup.sh (it installs Debian's docker-registry)")
        });
        let dir = tempfile::tempdir().expect("a registry directory");
        let storage = dir.path().join("storage");
        std::fs::create_dir_all(&storage).unwrap();
        let port = std::net::TcpListener::bind((ip, 0))
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut config = format!(
            "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {addr}\n  secret: e2e-registry-http-secret\n",
            storage.display(),
            addr = std::net::SocketAddr::new(ip, port)
        );
        if auth {
            let htpasswd = dir.path().join("htpasswd");
            std::fs::write(&htpasswd, format!("{USER}:{PASSWORD_BCRYPT}\n")).unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: e2e\n    path: {}\n",
                htpasswd.display()
            ));
        }
        let ca_certificate = tls.then(|| {
            let (ca, certificate, key) = certificates(ip);
            let paths = ["ca.pem", "cert.pem", "key.pem"].map(|name| dir.path().join(name));
            for (path, pem) in paths.iter().zip([ca, certificate, key]) {
                std::fs::write(path, pem).unwrap();
            }
            config.push_str(&format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                paths[1].display(),
                paths[2].display()
            ));
            paths[0].clone()
        });
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap();
        let log = dir.path().join("registry.log");
        let child = spawn_with_watchdog(&program, &config_path, &log);
        let mut registry = Registry {
            ip,
            port,
            child: Some(child),
            dir,
            log,
            ca_certificate,
        };
        if tls {
            registry.wait_listening();
        } else {
            registry.wait_ready(auth);
        }
        registry
    }

    /// A TLS registry is ready once it accepts connections (a plain GET cannot ask it).
    fn wait_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!(
                    "docker-registry exited ({status}) before it was ready; log:\n{}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            if std::net::TcpStream::connect((self.ip, self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "docker-registry did not listen on {}; log:\n{}",
            self.host(),
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }

    fn wait_ready(&mut self, auth: bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = format!("http://{}/v2/", self.host());
        // With auth, an anonymous /v2/ is refused (401): that is ready too.
        let ready = if auth { 401 } else { 200 };
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!(
                    "docker-registry exited ({status}) before it was ready; log:\n{}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            let status = match ureq::get(&url).call() {
                Ok(response) => response.status().as_u16(),
                Err(ureq::Error::StatusCode(code)) => code,
                Err(_) => 0,
            };
            if status == ready {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "docker-registry did not answer GET /v2/ with {ready} on port {}; log:\n{}",
            self.port,
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }

    /// `IP:PORT` (`127.0.0.1:PORT` unless started elsewhere).
    pub fn host(&self) -> String {
        std::net::SocketAddr::new(self.ip, self.port).to_string()
    }

    /// `oci://IP:PORT/<path>`, e.g. `reference("connectors/dynamodb:1")`.
    pub fn reference(&self, path: &str) -> String {
        format!("oci://{}/{path}", self.host())
    }

    /// Where the registry keeps the blob (layer, config or manifest) of `digest`
    /// (`sha256:<hex>`).
    pub fn blob_path(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").expect("a sha256 digest");
        self.dir
            .path()
            .join("storage/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    /// Stops the registry now (e.g. to show that a run needs it no more).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // TERM (not KILL) so that the watchdog shell's trap stops the registry too.
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let _ = child.wait();
            // Until nothing answers on the port any more.
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline
                && std::net::TcpStream::connect((self.ip, self.port)).is_ok()
            {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}

/// Runs the registry under a shell that stops it once this test process is gone
/// (`servers.rs` does the same for the DynamoDB servers).
fn spawn_with_watchdog(program: &Path, config: &Path, log: &Path) -> Child {
    let script = r#"
        "$@" &
        child=$!
        trap 'kill $child 2>/dev/null' EXIT TERM INT
        while kill -0 "$WATCH_PID" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done
    "#;
    let log_file = std::fs::File::create(log).expect("registry log file");
    Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg("registry")
        .arg(program)
        .arg("serve")
        .arg(config)
        .env("WATCH_PID", std::process::id().to_string())
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().expect("log handle"))
        .stderr(log_file)
        .spawn()
        .expect("start docker-registry")
}

/// A throwaway CA and a server certificate for `ip` signed by it: (CA, certificate, key), PEM.
fn certificates(ip: IpAddr) -> (String, String, String) {
    let ip = ip.to_string();
    let (ca, certificate, key) = crate::openmetadata::tls::certificates(&[&ip], "e2e registry CA");
    (ca.pem(), certificate.pem(), key.serialize_pem())
}
