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

pub fn binary() -> PathBuf {
    let path = target_dir().join("release/ddb-catalog");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/test.sh (or `cargo build --release -p ddb-catalog` and \
         `cargo build -p dynamodb-connector --target wasm32-wasip2 --profile component`)",
        path.display()
    );
    path
}

pub fn component() -> PathBuf {
    let path = target_dir().join("wasm32-wasip2/component/dynamodb_connector.wasm");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/test.sh",
        path.display()
    );
    path
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

    /// The entities a run printed with `--output -`.
    pub fn entities(&self) -> Vec<Value> {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not a JSON array ({e}):\n{}\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Runs the binary with `args`, without any AWS settings from the environment, with a compile
/// cache shared by the tests. Panics if any output holds a registered secret.
pub fn run(args: &[&str]) -> Run {
    run_with_env(args, &[])
}

pub fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    register_secret(crate::admin::SECRET);
    let mut command = Command::new(binary());
    command
        .args(args)
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
    let output = command.output().expect("run ddb-catalog");
    let run = Run {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert_no_secrets("stdout", &run.stdout);
    assert_no_secrets("stderr", &run.stderr);
    run
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

/// Reads a file the run wrote, checking it for secrets.
pub fn read_output(path: &Path) -> String {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    assert_no_secrets(&path.display().to_string(), &text);
    text
}
