//! The same `dynamodb_connector.wasm` under the stock `wasmtime` CLI (48.0.8, installed into
//! `.tools/wasmtime` by scripts/install-wasmtime-cli.sh): no ddb-catalog, only wasmtime's own
//! `-S http` and `-S config`, the settings as `-S config-var=KEY=VALUE`, and `--invoke` of the
//! exports, whose results wasmtime prints as WAVE text.

use e2e::admin::Admin;
use e2e::servers::{Kind, Server};
use e2e::workflow::Workflow;
use e2e::{host, workspace_root};
use std::path::PathBuf;
use std::process::Command;

fn wasmtime() -> PathBuf {
    let path = workspace_root().join(".tools/wasmtime/bin/wasmtime");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/install-wasmtime-cli.sh (scripts/test.sh does)",
        path.display()
    );
    path
}

/// `wasmtime run` of the component with the workflow's config keys, calling `export`.
fn invoke(config: &[String], export: &str) -> (i32, String, String) {
    let mut command = Command::new(wasmtime());
    command.args(["run", "-S", "http", "-S", "config", "-W", "timeout=120s"]);
    for pair in config {
        command.arg("-S").arg(format!("config-var={pair}"));
    }
    command
        .arg("--invoke")
        .arg(format!("{export}()"))
        .arg(host::component());
    let output = command.output().expect("run wasmtime");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    host::assert_no_secrets("wasmtime's stdout", &stdout);
    host::assert_no_secrets("wasmtime's stderr", &stderr);
    (output.status.code().unwrap_or(-1), stdout, stderr)
}

#[test]
fn the_component_runs_under_the_stock_wasmtime_cli() {
    let server = Server::start(Kind::DynamoDbLocal);
    let key = "AKIDPORTABLE";
    let admin = Admin::new(&server.endpoint(), key);
    admin.create_table(
        "portable_orders",
        &[("id", "S", "HASH"), ("at", "N", "RANGE")],
    );
    admin.create_table("portable.users", &[("id", "B", "HASH")]);
    let dir = tempfile::tempdir().unwrap();
    let path = Workflow::new("portable", &server.endpoint(), key)
        .without_tags()
        .write(dir.path(), "workflow.yaml");
    // the keys the host would hand the component, as ddb-catalog prints them (the secret
    // masked: it is put back here, where nothing prints it)
    let keys = host::run(&["config-keys", "-c", path.to_str().unwrap()]);
    assert_eq!(keys.code(), 0, "{}", keys.stderr);
    let masked = "awsConfig.awsSecretAccessKey=****";
    assert!(keys.stdout.lines().any(|l| l == masked), "{}", keys.stdout);
    let config: Vec<String> = keys
        .stdout
        .lines()
        .map(|line| {
            if line == masked {
                format!("awsConfig.awsSecretAccessKey={}", e2e::admin::SECRET)
            } else {
                line.to_string()
            }
        })
        .collect();
    assert!(
        config.contains(&"serviceName=portable".to_string()),
        "{config:?}"
    );

    let (code, stdout, stderr) = invoke(&config, "ingest");
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("ok({service: {name: \"portable\""),
        "{stdout}"
    );
    assert!(stdout.contains("name: \"portable_orders\""), "{stdout}");
    assert!(
        stdout
            .contains("fully-qualified-name: \"portable.default.default.\\\"portable.users\\\"\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("table-constraints: [{constraint-type: primary-key, columns: [\"id\", \"at\"]}, {constraint-type: sort-key, columns: [\"at\"]}]"),
        "{stdout}"
    );
    assert!(stdout.contains("listing-complete: true"), "{stdout}");
    assert!(
        stderr.contains("INFO listed 2 tables: 2 ingested"),
        "{stderr}"
    );

    let (code, stdout, _) = invoke(&config, "test-connection");
    assert_eq!(code, 0);
    assert!(stdout.contains("tables-on-first-page: 2"), "{stdout}");

    // a setting error comes back as the typed error, not a trap
    let mut bad = config.clone();
    bad.push("awsConfig.awsRegoin=x".into());
    let (code, stdout, _) = invoke(&bad, "ingest");
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("err(invalid-config({key: \"awsConfig.awsRegoin\""),
        "{stdout}"
    );
}

#[test]
fn without_wasi_config_the_cli_names_the_missing_import() {
    let output = Command::new(wasmtime())
        .args(["run", "-S", "http", "--invoke", "ingest()"])
        .arg(host::component())
        .output()
        .expect("run wasmtime");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("wasi:config/store@0.2.0-rc.1"), "{stderr}");
}
