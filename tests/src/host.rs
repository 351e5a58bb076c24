//! Running the real `ddb-catalog` binary (built by `scripts/test.sh`, or
//! `cargo build --release -p ddb-catalog` plus the component) and checking that nothing it
//! prints or writes holds a secret.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;

/// Every secret value the tests use: no output of any run may contain one.
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

pub fn register_secret(secret: &str) {
    let mut secrets = SECRETS.lock().unwrap();
    if !secrets.iter().any(|s| s == secret) {
        secrets.push(secret.to_string());
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::workspace_root().join("target"))
}

/// What each artefact is built from besides its own crate (its build script included): the
/// contract, the lock file, the workspace's profiles (root `Cargo.toml`), the build flags
/// (`.cargo/config.toml`) and the compiler (`rust-toolchain.toml`).
const BUILD_INPUTS_OF_THE_HOST: [&str; 6] = [
    "host",
    "wit",
    "Cargo.lock",
    "Cargo.toml",
    ".cargo",
    "rust-toolchain.toml",
];
const BUILD_INPUTS_OF_THE_COMPONENT: [&str; 6] = [
    "component",
    "wit",
    "Cargo.lock",
    "Cargo.toml",
    ".cargo",
    "rust-toolchain.toml",
];

/// The release `ddb-catalog`, refused if it is older than its sources.
pub fn binary() -> PathBuf {
    let path = target_dir().join("release/ddb-catalog");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/build.sh (scripts/test.sh does)",
        path.display()
    );
    refuse_stale_build(&path, &BUILD_INPUTS_OF_THE_HOST);
    path
}

/// The component as `scripts/build.sh` builds it, refused if it is older than its sources.
pub fn component() -> PathBuf {
    let path = target_dir().join("component/dynamodb_connector.wasm");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/build.sh (scripts/test.sh does)",
        path.display()
    );
    refuse_stale_build(&path, &BUILD_INPUTS_OF_THE_COMPONENT);
    path
}

/// `cargo test` builds the tests, not the binary and the component they run: a change since
/// the last `scripts/build.sh` would otherwise be tested against the old build.
fn refuse_stale_build(artifact: &Path, sources: &[&str]) {
    refuse_stale(artifact, sources, "scripts/build.sh (scripts/test.sh does)");
}

/// Panics when a file under one of `sources` (relative to the workspace) is newer than
/// `artifact`, saying which and that `remedy` rebuilds it.
pub fn refuse_stale(artifact: &Path, sources: &[&str], remedy: &str) {
    let built = modified(artifact);
    let root = crate::workspace_root();
    for source in sources {
        if let Some((newest, file)) = newest_file(&root.join(source))
            && newest > built
        {
            panic!(
                "{} is older than {}: run {remedy} before the tests",
                artifact.display(),
                file.display()
            );
        }
    }
}

fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or(std::time::UNIX_EPOCH)
}

/// The most recently modified file under `path` (or `path` itself), skipping build output,
/// Python's bytecode caches and the record of what host/hot-code.txt was measured with
/// (scripts/hot-code.sh writes it after its last build; nothing is built from it).
fn newest_file(path: &Path) -> Option<(std::time::SystemTime, PathBuf)> {
    if path.is_file() {
        return Some((modified(path), path.to_path_buf()));
    }
    let mut newest: Option<(std::time::SystemTime, PathBuf)> = None;
    for entry in std::fs::read_dir(path).ok()?.flatten() {
        let child = entry.path();
        if child.file_name().is_some_and(|n| {
            n == "target" || n == "tests" || n == "__pycache__" || n == "hot-code.inputs"
        }) {
            continue;
        }
        if let Some(found) = newest_file(&child)
            && newest.as_ref().is_none_or(|(time, _)| found.0 > *time)
        {
            newest = Some(found);
        }
    }
    newest
}

#[derive(Debug)]
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.status.code().unwrap_or(-1)
    }

    /// The entities a run printed with `--output -`, each checked against OpenMetadata's
    /// schema of its create request.
    pub fn entities(&self) -> Vec<Value> {
        let entities: Vec<Value> = serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not a JSON array ({e}):\n{}\n{}",
                self.stdout, self.stderr
            )
        });
        validate_all(&entities);
        entities
    }
}

/// Runs the binary with `args`, without any AWS settings from the environment, with a compile
/// cache shared by the tests. Panics if any output holds a registered secret.
pub fn run(args: &[&str]) -> Run {
    run_with_env(args, &[])
}

pub fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = command(args, env).output().expect("run ddb-catalog");
    let run = Run {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert_no_secrets("stdout", &run.stdout);
    assert_no_secrets("stderr", &run.stderr);
    run
}

/// [`run`], and the process's peak resident memory in bytes. Its output goes to files, so that
/// nothing but the process itself is measured.
pub fn run_measured(args: &[&str]) -> (Run, u64) {
    run_measured_with_env(args, &[])
}

/// GNU time (Debian's `time`, installed by scripts/setup.sh), which forks the measured process
/// from its own small one.
const GNU_TIME: &str = "/usr/bin/time";

/// [`run_measured`] with environment variables set (e.g. a compile cache of its own).
///
/// The peak is read by GNU time, not by our own `wait4`: a process started from this one (by
/// vfork, or fork, then exec) starts its peak at this process's own (Linux keeps the larger of
/// the two across exec), and the tests, linked into one binary, hold large catalogs and
/// servers. GNU time's process is a few hundred KiB.
pub fn run_measured_with_env(args: &[&str], env: &[(&str, &str)]) -> (Run, u64) {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let (out, err) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let peak_file = dir.path().join("peak");
    assert!(
        Path::new(GNU_TIME).is_file(),
        "{GNU_TIME} is missing: run scripts/setup.sh"
    );
    let mut command = Command::new(GNU_TIME);
    command
        .arg("--quiet")
        .args(["--format", "%M", "--output"])
        .arg(&peak_file)
        .arg(binary())
        .args(args);
    configure(&mut command, env);
    let status = command
        .stdout(std::fs::File::create(&out).expect("stdout file"))
        .stderr(std::fs::File::create(&err).expect("stderr file"))
        .status()
        .expect("run ddb-catalog under GNU time");
    let run = Run {
        status,
        stdout: String::from_utf8_lossy(&std::fs::read(&out).unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&std::fs::read(&err).unwrap()).into_owned(),
    };
    assert_no_secrets("stdout", &run.stdout);
    assert_no_secrets("stderr", &run.stderr);
    let peak = std::fs::read_to_string(&peak_file).unwrap_or_default();
    let kib: u64 = peak
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("GNU time wrote no peak: {peak:?}; stderr: {}", run.stderr));
    (run, kib * 1024)
}

/// Starts the binary with `args` as [`run`] would, its stdout a pipe the caller reads (at its
/// own pace) and its stderr the file `stderr`.
pub fn spawn_piped(args: &[&str], stderr: &Path) -> std::process::Child {
    command(args, &[])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(stderr).expect("stderr file"))
        .spawn()
        .expect("run ddb-catalog")
}

fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(binary());
    command.args(args);
    configure(&mut command, env);
    command
}

/// The environment of every run: the component just built, no AWS identity of this machine, a
/// compile cache under target/, and `env` on top.
fn configure(command: &mut Command, env: &[(&str, &str)]) {
    register_secret(crate::admin::SECRET);
    command
        // The component just built, not a copy next to the binary (`--component` wins).
        .env("DDB_CATALOG_COMPONENT", component())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .env(
            "DDB_CATALOG_CACHE_DIR",
            target_dir().join("e2e-compile-cache"),
        )
        .stdin(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
}

/// Every secret registered so far.
pub fn secrets() -> Vec<String> {
    SECRETS.lock().unwrap().clone()
}

/// Panics if `text` contains any registered secret.
pub fn assert_no_secrets(what: &str, text: &str) {
    for secret in SECRETS.lock().unwrap().iter() {
        assert!(
            !text.contains(secret.as_str()),
            "a secret appears in {what}:\n{text}"
        );
    }
}

/// Panics unless every entity validates against the schema of its create request.
pub fn validate_all(entities: &[Value]) {
    for entity in entities {
        crate::schema::validate(crate::schema::kind_of(entity), entity)
            .unwrap_or_else(|e| panic!("{e}\n{entity}"));
    }
}

/// Runs `workflow` with its entities to stdout; it must succeed. The run, and its entities
/// (each checked against the schema of its create request).
pub fn ingest_to_stdout(workflow: &crate::workflow::Workflow) -> (Run, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let path = workflow.write(dir.path(), "workflow.yaml");
    let run = run(&["ingest", "-c", path.to_str().unwrap(), "--output", "-"]);
    assert_eq!(run.code(), 0, "ingest failed:\n{}", run.stderr);
    let entities = run.entities();
    (run, entities)
}

/// Runs the workflow at `path` with the connector's own records to stdout
/// (`--output-format ingestion`); it must succeed. The run, and its records: the scope, each
/// batch, the end.
pub fn ingest_records(path: &Path) -> (Run, Vec<Value>) {
    let run = run(&[
        "ingest",
        "-c",
        path.to_str().unwrap(),
        "-o",
        "-",
        "--output-format",
        "ingestion",
    ]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    let records: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    (run, records)
}

/// The table `name` as a batch of `records` ([`ingest_records`]) carried it.
pub fn record_table<'a>(records: &'a [Value], name: &str) -> &'a Value {
    records
        .iter()
        .filter_map(|r| r["batch"]["tables"].as_array())
        .flatten()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no table {name} in a batch"))
}

/// Reads a file sink's entities, checking the file for secrets and each entity against the
/// schema of its create request.
pub fn read_entities(path: &Path) -> Vec<Value> {
    let entities: Vec<Value> = serde_json::from_str(&read_output(path))
        .unwrap_or_else(|e| panic!("{} is not one JSON array: {e}", path.display()));
    validate_all(&entities);
    entities
}

/// Reads a file the run wrote, checking it for secrets.
pub fn read_output(path: &Path) -> String {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    assert_no_secrets(&path.display().to_string(), &text);
    text
}
