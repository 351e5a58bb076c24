//! A second connector through the same `ddb-catalog` binary: the test-only JSON connector
//! (`tests/json-connector/`), which catalogs a JSON document served over HTTP. Nothing in the
//! host names it: its workflow's types, its keys and their secrets, its destinations and its
//! step's name all come from its own manifest. And what a component may not declare: a key
//! reading the OpenMetadata server's token, destinations that are not plain, too many of them.

use e2e::host;
use e2e::hostile;
use e2e::json_connector;
use e2e::json_document::DocumentServer;
use e2e::openmetadata::{OpenMetadata, SERVER_VERSIONS};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const TOKEN: &str = "json-doc-bearer-7f3c1a";

fn document() -> String {
    json!({"tables": [
        {"name": "orders", "description": "Orders, one per checkout.", "columns": [
            {"name": "id", "type": "number", "primaryKey": true},
            {"name": "customer", "type": "string", "description": "Who ordered."},
            {"name": "paid", "type": "boolean"},
        ]},
        {"name": "order.lines", "columns": [
            {"name": "order_id", "type": "number", "primaryKey": true},
            {"name": "line", "type": "number", "primaryKey": true},
            {"name": "sku", "type": "string"},
        ]},
        {"name": "tmp_scratch", "columns": [{"name": "x", "type": "string"}]},
    ]})
    .to_string()
}

/// The connector's workflow: OpenMetadata's `CustomDatabase` connection, the document's address
/// and token under `connectionOptions`.
fn workflow(service: &str, url: &str, token: &str, sink: &str, server: &str) -> String {
    host::register_secret(token);
    format!(
        "source:\n  type: json-catalog\n  serviceName: {service}\n  serviceConnection:\n    config:\n      type: CustomDatabase\n      connectionOptions:\n        documentUrl: {url}\n        bearerToken: {token}\n  sourceConfig:\n    config:\n      type: DatabaseMetadata\n      tableFilterPattern:\n        excludes: [\"^tmp_\"]\n{sink}workflowConfig:\n  loggerLevel: DEBUG\n{server}"
    )
}

fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("workflow.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn component() -> String {
    json_connector::component().display().to_string()
}

/// `ddb-catalog <command> -c <path> --component <the JSON connector> <extra>`.
fn run_json(command: &str, path: &Path, extra: &[&str]) -> host::Run {
    let component = component();
    let mut args = vec![
        command,
        "-c",
        path.to_str().unwrap(),
        "--component",
        &component,
    ];
    args.extend_from_slice(extra);
    host::run(&args)
}

#[test]
fn test_connection_runs_the_second_connector_and_names_its_own_call() {
    let server = DocumentServer::start_with_token(&document(), TOKEN);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &workflow("docs", &server.url(), TOKEN, "", ""));
    let run = run_json("test-connection", &path, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        format!(
            "Connection OK: GET answered at {}: 3 tables on the first page",
            server.url()
        )
    );
    assert_eq!(server.requests(), 1);
}

#[test]
fn ingest_to_a_file_takes_its_types_keys_and_step_from_its_manifest() {
    let server = DocumentServer::start_with_token(&document(), TOKEN);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("entities.json");
    let sink = format!(
        "sink:\n  type: file\n  config:\n    filename: {}\n",
        out.display()
    );
    let path = write(
        dir.path(),
        &workflow("docs", &server.url(), TOKEN, &sink, ""),
    );
    let run = run_json("ingest", &path, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("Workflow JSON catalog Summary (docs):"),
        "{}",
        run.stderr
    );
    let port = server.port();
    assert!(
        run.stderr.contains(&format!(
            "May reach: http://127.0.0.1:{port} (the JSON document)"
        )),
        "{}",
        run.stderr
    );
    let entities = host::read_entities(&out);
    host::validate_all(&entities);
    let service = &entities[0];
    assert_eq!(service["serviceType"], "CustomDatabase");
    // The stored connection: the declared keys, the secret one left out.
    assert_eq!(
        service["connection"],
        json!({"config": {
            "type": "CustomDatabase",
            "connectionOptions": {"documentUrl": server.url()},
        }})
    );
    let tables: Vec<&Value> = entities
        .iter()
        .filter(|e| e.get("columns").is_some())
        .collect();
    let names: Vec<&str> = tables.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["orders", "order.lines"], "tmp_scratch is filtered");
    assert_eq!(tables[0]["databaseSchema"], "docs.default.default");
    assert_eq!(tables[0]["columns"][0]["constraint"], "PRIMARY_KEY");
    assert_eq!(
        tables[1]["tableConstraints"],
        json!([{"constraintType": "PRIMARY_KEY", "columns": ["order_id", "line"]}])
    );
    assert!(run.stderr.contains("filtered 1"), "{}", run.stderr);
}

#[test]
fn into_the_openmetadata_stand_in_at_every_version_with_nothing_refused() {
    let server = DocumentServer::start_with_token(&document(), TOKEN);
    for version in SERVER_VERSIONS {
        let om = OpenMetadata::builder().version(version).start();
        host::register_secret(&om.token());
        let dir = tempfile::tempdir().unwrap();
        let sink = "sink:\n  type: metadata-rest\n  config: {}\n";
        let openmetadata = format!(
            "  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    securityConfig:\n      jwtToken: {}\n",
            om.host_port(),
            om.token()
        );
        let path = write(
            dir.path(),
            &workflow("docs", &server.url(), TOKEN, sink, &openmetadata),
        );
        let run = run_json("ingest", &path, &[]);
        assert_eq!(run.code(), 0, "{version}: {}", run.stderr);
        let refused: Vec<String> = om
            .calls()
            .iter()
            .filter(|c| c.status >= 400 && c.status != 404)
            .map(|c| format!("{} {} -> {}", c.method, c.path, c.status))
            .collect();
        assert!(refused.is_empty(), "{version}: {refused:#?}");
        assert!(om.schema_violations().is_empty(), "{version}");
        assert!(
            om.secret_leaks().is_empty(),
            "{version}: {:?}",
            om.secret_leaks()
        );
        let service = om.service("docs").expect("the service");
        assert_eq!(service["serviceType"], "CustomDatabase", "{version}");
        assert!(
            !service.to_string().contains(TOKEN),
            "{version}: the token is stored: {service}"
        );
        assert!(
            om.table("docs.default.default.orders").is_some(),
            "{version}"
        );
        assert!(
            om.table("docs.default.default.\"order.lines\"").is_some(),
            "{version}"
        );
    }
}

#[test]
fn a_secret_the_document_server_echoes_is_struck_from_every_output() {
    // The server answers a wrong token with `invalid token: <token>`; the connector passes the
    // server's words on; the host must strike the declared secret from them.
    let server = DocumentServer::start_with_token(&document(), "the-right-token-91");
    let wrong = "wrong-bearer-token-5d2e";
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let path = write(dir.path(), &workflow("docs", &server.url(), wrong, "", ""));
    let run = run_json("ingest", &path, &["--report", report.to_str().unwrap()]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("invalid token: "), "{}", run.stderr);
    let written = std::fs::read_to_string(&report).unwrap();
    host::assert_no_secrets("the run report", &written);
    // And `config-keys` masks it.
    let keys = run_json("config-keys", &path, &[]);
    assert_eq!(keys.code(), 0, "{}", keys.stderr);
    assert!(
        keys.stdout.lines().any(|l| l == "bearerToken=****"),
        "{}",
        keys.stdout
    );
}

#[test]
fn a_dynamodb_workflow_is_not_this_connectors() {
    let dir = tempfile::tempdir().unwrap();
    let path = e2e::workflow::Workflow::new("ddb", "http://127.0.0.1:9", "AKIDSECOND")
        .write(dir.path(), "w.yaml");
    let run = run_json("ingest", &path, &[]);
    assert_eq!(run.code(), 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`source.type`: the component runs `json-catalog` workflows; `dynamodb` is not `json-catalog`"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------
// What a component may not declare

#[test]
fn a_manifest_reading_the_servers_token_is_refused_before_any_run() {
    let dir = tempfile::tempdir().unwrap();
    let jwt = "jwt-the-guest-wants-3b9f";
    host::register_secret(jwt);
    let mut workflow = e2e::workflow::Workflow::new("hostile", "http://127.0.0.1:9", "AKIDSTEAL");
    workflow.workflow_config = format!(
        "  openMetadataServerConfig:\n    hostPort: http://127.0.0.1:9/api\n    authProvider: openmetadata\n    securityConfig:\n      jwtToken: {jwt}\n"
    );
    let path = workflow.write(dir.path(), "w.yaml");
    let component = hostile::component_with_stolen_manifest()
        .display()
        .to_string();
    let run = host::run(&[
        "ingest",
        "-c",
        path.to_str().unwrap(),
        "--component",
        &component,
    ]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "the component's manifest is refused: key `stolen` reads \
             `workflowConfig.openMetadataServerConfig.securityConfig.jwtToken`, outside the \
             source's configuration"
        ),
        "{}",
        run.stderr
    );
    // The same guest without that key runs the same workflow.
    let plain = hostile::component().display().to_string();
    let run = host::run(&[
        "config-keys",
        "-c",
        path.to_str().unwrap(),
        "--component",
        &plain,
    ]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
}

#[test]
fn destinations_that_are_not_plain_or_too_many_stop_the_run_before_it_starts() {
    let component = hostile::component().display().to_string();
    // A million destinations are not even copied out of the guest: what a call's answer may
    // cost the host is bounded before it is lifted. Five thousand are, and are too many.
    for (mode, count, expected) in [
        (
            "bad-destinations",
            "1",
            "with scheme `ftp`; only http and https are allowed",
        ),
        (
            "many-destinations",
            "5000",
            "the component declares 5000 destinations; at most 16 are allowed",
        ),
        (
            "many-destinations",
            "1000000",
            "the component's destinations:",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = crate::hostile_output::workflow(
            dir.path(),
            mode,
            &format!("        hostile.count: \"{count}\"\n"),
        );
        let (run, peak) = host::run_measured(&[
            "ingest",
            "-c",
            path.to_str().unwrap(),
            "--component",
            &component,
            "--memory-mb",
            "64",
        ]);
        assert_eq!(run.code(), 1, "{mode}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{mode}: {}", run.stderr);
        assert!(!run.stderr.contains('\u{1b}'), "{mode}: {}", run.stderr);
        // The run's memory limit and the host's own.
        assert!(
            peak < (64 + crate::hostile_output::OVERHEAD_MIB) << 20,
            "{mode}: peak {peak} bytes"
        );
    }
}

#[test]
fn the_allowlist_is_what_the_component_declares_for_its_configuration() {
    // The hostile guest declares `hostile.endpoint` and probes `hostile.allowed` (the same
    // address) and `hostile.forbidden` (another): only the declared one is reached.
    let allowed = DocumentServer::start(&document());
    let forbidden = DocumentServer::start(&document());
    let allowed_url = format!("http://127.0.0.1:{}", allowed.port());
    let forbidden_url = format!("http://127.0.0.1:{}", forbidden.port());
    let dir = tempfile::tempdir().unwrap();
    let path = crate::hostile_output::workflow(
        dir.path(),
        "http-destinations",
        &format!(
            "        hostile.endpoint: {allowed_url}\n        hostile.allowed: {allowed_url}/\n        hostile.forbidden: {forbidden_url}/\n"
        ),
    );
    let component = hostile::component().display().to_string();
    let run = host::run(&[
        "ingest",
        "-c",
        path.to_str().unwrap(),
        "--component",
        &component,
        "--output",
        "-",
    ]);
    assert!(
        run.stderr.contains(&format!(
            "May reach: {allowed_url} (the hostile guest's endpoint)"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("HTTP request to {forbidden_url} denied")),
        "{}",
        run.stderr
    );
    assert!(
        allowed.requests() > 0,
        "the declared destination is reached"
    );
    assert_eq!(forbidden.requests(), 0);
}
