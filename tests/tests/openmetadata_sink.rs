//! The `metadata-rest` sink against the OpenMetadata stand-in (`e2e::openmetadata`): the docs'
//! YAML runs unchanged; calls come in OpenMetadata's order with the bot's token; every body
//! validates against OpenMetadata's schemas; a rerun over unchanged tables sends no table; a
//! change is sent; a dropped table is soft-deleted; tags become classifications; retries,
//! per-entity errors, TLS and the version check.

use e2e::admin::Admin;
use e2e::host;
use e2e::openmetadata::{Auth, Fault, OpenMetadata, RequestMatch};
use e2e::servers::{Kind, Server};
use e2e::workflow::Workflow;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn dynamodb_local() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| Server::start(Kind::DynamoDbLocal))
}

/// A workflow writing to `om` (over `verify_ssl` when given) with the bot's token.
fn rest_workflow(workflow: Workflow, om: &OpenMetadata, tls: &str) -> Workflow {
    host::register_secret(&om.token());
    let mut w = workflow;
    w.sink = "sink:\n  type: metadata-rest\n  config: {}\n".into();
    w.workflow_config = format!(
        "  loggerLevel: INFO\n  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    securityConfig:\n      jwtToken: {}\n{tls}",
        om.host_port(),
        om.token()
    );
    w
}

fn run(workflow: &Workflow, dir: &Path) -> host::Run {
    let path = workflow.write(dir, "workflow.yaml");
    host::run(&["ingest", "-c", path.to_str().unwrap()])
}

/// `METHOD path` of each call, with table and profile ids replaced by `{id}`.
fn sequence(om: &OpenMetadata) -> Vec<String> {
    om.calls()
        .iter()
        .map(|c| {
            let path = c.decoded_path();
            let path = match path.strip_prefix("/api/v1/tables/") {
                Some(rest) if rest.ends_with("/tableProfile") => {
                    "/api/v1/tables/{id}/tableProfile".into()
                }
                Some(_) => "/api/v1/tables/{id}".into(),
                None => path,
            };
            format!("{} {path}", c.method)
        })
        .collect()
}

/// `calls` are `count` table PUTs and their profiles, a profile never before its table.
fn assert_tables_then_profiles(calls: &[String], count: usize) {
    let mut tables = 0;
    let mut profiles = 0;
    for call in calls {
        match call.as_str() {
            "PUT /api/v1/tables" => tables += 1,
            "PUT /api/v1/tables/{id}/tableProfile" => profiles += 1,
            other => panic!("unexpected {other} in {calls:#?}"),
        }
        assert!(profiles <= tables, "a profile before its table: {calls:#?}");
    }
    assert_eq!((tables, profiles), (count, count), "{calls:#?}");
}

#[test]
fn the_docs_yaml_runs_unchanged_into_openmetadata() {
    let key = "AKIDDOCSSAMPLE";
    let admin = Admin::new(&dynamodb_local().endpoint(), key);
    admin.create_table("orders", &[("customer", "S", "HASH"), ("at", "N", "RANGE")]);
    admin.create_table("users.v2", &[("id", "B", "HASH")]);
    let om = OpenMetadata::start();
    host::register_secret(&om.token());
    host::register_secret("docs-sample-secret-key");
    let yaml = std::fs::read_to_string(
        e2e::workspace_root().join("tests/fixtures/openmetadata-docs-dynamodb.yaml"),
    )
    .unwrap()
    .replace("ENDPOINT", &dynamodb_local().endpoint())
    .replace("HOST_PORT", om.host_port())
    .replace("JWT_TOKEN", &om.token());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docs.yaml");
    std::fs::write(&path, yaml).unwrap();

    let run = host::run(&["ingest", "-c", path.to_str().unwrap()]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("`source.serviceConnection.config.database` is not an OpenMetadata key; read as `databaseName: custom_database_name`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Workflow OpenMetadata Summary:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Tables: 2 created, 0 updated, 0 unchanged (same sourceHash), 0 marked deleted; 2 profiles stored"), "{}", run.stderr);

    let calls = sequence(&om);
    assert_eq!(
        calls[..6],
        [
            "GET /api/v1/system/version",
            "GET /api/v1/services/databaseServices/name/local_dynamodb",
            "PUT /api/v1/services/databaseServices",
            "PUT /api/v1/databases",
            "PUT /api/v1/databaseSchemas",
            "GET /api/v1/tables",
        ]
    );
    // Then each batch's tables as they arrive, each table's profile after it.
    assert_tables_then_profiles(&calls[6..], 2);
    for call in om.calls() {
        assert_eq!(call.auth, Auth::Valid, "{}", call.summary());
        // the service did not exist yet: its GET is the one 404
        let expected_404 =
            call.method == "GET" && call.decoded_path().contains("/databaseServices/name/");
        assert!(call.status < 300 || expected_404, "{}", call.summary());
    }
    assert!(
        om.schema_violations().is_empty(),
        "{:?}",
        om.schema_violations()
    );

    let service = om.service("local_dynamodb").unwrap();
    assert_eq!(service["serviceType"], "DynamoDB");
    let stored = service["connection"]["config"].to_string();
    assert!(
        !stored.contains("docs-sample-secret-key") && !stored.contains("AWS Session Token"),
        "secrets stored: {stored}"
    );
    assert!(om.database("local_dynamodb.custom_database_name").is_some());
    let orders = om
        .table("local_dynamodb.custom_database_name.default.orders")
        .unwrap();
    assert_eq!(orders["tableType"], "Regular");
    assert_eq!(orders["columns"][0]["name"], "customer");
    assert!(
        om.table("local_dynamodb.custom_database_name.default.\"users.v2\"")
            .is_some()
    );
    let profiles = om.profiles("local_dynamodb.custom_database_name.default.orders");
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0]["tableProfile"]["rowCount"], 0);
    assert_eq!(profiles[0]["tableProfile"]["columnCount"], 2);
}

#[test]
fn a_rerun_sends_no_unchanged_table_a_change_is_sent_and_a_dropped_table_is_soft_deleted() {
    // moto: tags, and item counts that follow the data at once
    let moto = Server::start(Kind::Moto);
    let key = "AKIDRERUN";
    let admin = Admin::new(&moto.endpoint(), key);
    for name in ["keep", "grow", "drop_me", "tmp_filtered"] {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    let arn = admin.describe("keep")["TableArn"]
        .as_str()
        .unwrap()
        .to_string();
    admin.tag(
        &arn,
        &[
            ("env", "prod"),
            ("team.name", "data"),
            ("aws:cloudformation:stack-name", "s"),
        ],
    );
    let om = OpenMetadata::start();
    let workflow = rest_workflow(
        Workflow::new("moto_svc", &moto.endpoint(), key)
            .source_config("      tableFilterPattern:\n        excludes: ['^tmp_']\n"),
        &om,
        "",
    );
    let dir = tempfile::tempdir().unwrap();

    let first = run(&workflow, dir.path());
    assert_eq!(first.code(), 0, "{}", first.stderr);
    assert!(
        first
            .stderr
            .contains("Tables: 3 created, 0 updated, 0 unchanged"),
        "{}",
        first.stderr
    );
    assert!(
        om.schema_violations().is_empty(),
        "{:?}",
        om.schema_violations()
    );
    // tag keys are classifications, values their tags; aws: keys are AWS's own
    assert!(om.classification("env").is_some());
    assert!(om.tag("env.prod").is_some());
    assert!(om.tag("\"team.name\".data").is_some());
    assert!(om.classification("aws:cloudformation:stack-name").is_none());
    let keep = om.table("moto_svc.default.default.keep").unwrap();
    let tag_fqns: Vec<&str> = keep["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tagFQN"].as_str().unwrap())
        .collect();
    assert_eq!(tag_fqns, ["env.prod", "\"team.name\".data"]);

    // nothing changed: no table is sent again, the profiles are
    om.reset_calls();
    let second = run(&workflow, dir.path());
    assert_eq!(second.code(), 0, "{}", second.stderr);
    assert!(second.stderr.contains("Tables: 0 created, 0 updated, 3 unchanged (same sourceHash), 0 marked deleted; 3 profiles stored"), "{}", second.stderr);
    assert!(
        !sequence(&om).contains(&"PUT /api/v1/tables".to_string()),
        "{:?}",
        sequence(&om)
    );

    // an item makes `grow` change; `drop_me` goes away; the filtered table stays on neither side
    admin.put_item("grow", json!({"id": {"S": "1"}}));
    admin.delete_table("drop_me");
    om.reset_calls();
    let third = run(&workflow, dir.path());
    assert_eq!(third.code(), 0, "{}", third.stderr);
    assert!(third.stderr.contains("Tables: 0 created, 1 updated, 1 unchanged (same sourceHash), 1 marked deleted; 2 profiles stored"), "{}", third.stderr);
    let puts: Vec<String> = om
        .calls()
        .iter()
        .filter(|c| c.method == "PUT" && c.decoded_path() == "/api/v1/tables")
        .map(|c| {
            c.body.as_ref().unwrap()["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(puts, ["grow"]);
    let deleted: Vec<String> = om
        .deleted_tables()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(deleted, ["drop_me"]);
    let delete = om
        .calls()
        .into_iter()
        .find(|c| c.method == "DELETE")
        .unwrap();
    assert_eq!(delete.query("hardDelete"), Some("false"));
    assert_eq!(delete.query("recursive"), Some("true"));
    assert_eq!(
        om.table("moto_svc.default.default.grow").unwrap()["version"],
        0.2
    );

    // and again: all quiet
    om.reset_calls();
    let fourth = run(&workflow, dir.path());
    assert!(
        fourth.stderr.contains(
            "Tables: 0 created, 0 updated, 2 unchanged (same sourceHash), 0 marked deleted"
        ),
        "{}",
        fourth.stderr
    );
    assert!(
        om.schema_violations().is_empty(),
        "{:?}",
        om.schema_violations()
    );
}

#[test]
fn throttled_and_failing_calls_are_retried_and_a_refused_table_is_named() {
    let key = "AKIDSINKFAULTS";
    let admin = Admin::new(&dynamodb_local().endpoint(), key);
    for name in ["fine", "refused"] {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    let om = OpenMetadata::start();
    om.fail_next(
        RequestMatch::path("/api/v1/tables").method("PUT"),
        2,
        Fault::TooManyRequests,
    );
    om.fail_next(
        RequestMatch::path("/api/v1/databases"),
        1,
        Fault::ServiceUnavailable,
    );
    om.reject_table("refused", "Invalid request: column name is reserved");
    let workflow = rest_workflow(
        Workflow::new("sink_faults", &dynamodb_local().endpoint(), key).without_tags(),
        &om,
        "",
    );
    let dir = tempfile::tempdir().unwrap();
    let run = run(&workflow, dir.path());
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert!(om.table("sink_faults.default.default.fine").is_some());
    assert!(
        run.stderr
            .contains("refused  HTTP 400: Invalid request: column name is reserved"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Workflow finished with failures"));
}

#[test]
fn a_wrong_token_or_an_incompatible_server_stops_the_run_clearly() {
    let key = "AKIDSINKAUTH";
    Admin::new(&dynamodb_local().endpoint(), key).create_table("t_auth", &[("id", "S", "HASH")]);
    let om = OpenMetadata::start();
    let mut workflow = rest_workflow(
        Workflow::new("auth", &dynamodb_local().endpoint(), key).without_tags(),
        &om,
        "",
    );
    workflow.workflow_config = workflow
        .workflow_config
        .replace(&om.token(), "not-the-token");
    let dir = tempfile::tempdir().unwrap();
    let run1 = run(&workflow, dir.path());
    assert_eq!(run1.code(), 1);
    assert!(run1.stderr.contains("HTTP 401"), "{}", run1.stderr);

    let old = OpenMetadata::builder().version("0.13.2").start();
    let workflow = rest_workflow(
        Workflow::new("auth", &dynamodb_local().endpoint(), key).without_tags(),
        &old,
        "",
    );
    let run2 = run(&workflow, dir.path());
    assert_eq!(run2.code(), 1);
    assert!(
        run2.stderr
            .contains("OpenMetadata server version `0.13.2` is not 1.x"),
        "{}",
        run2.stderr
    );
}

#[test]
fn tls_is_validated_with_the_configured_certificate_or_ignored_when_asked() {
    let key = "AKIDSINKTLS";
    Admin::new(&dynamodb_local().endpoint(), key).create_table("t_tls", &[("id", "S", "HASH")]);
    let om = OpenMetadata::builder().tls().start();
    let ca: PathBuf = om.ca_certificate().unwrap().to_path_buf();
    let dir = tempfile::tempdir().unwrap();
    let base = || Workflow::new("tls", &dynamodb_local().endpoint(), key).without_tags();

    let validate = rest_workflow(
        base(),
        &om,
        &format!(
            "    verifySSL: validate\n    sslConfig:\n      certificatePath: {}\n",
            ca.display()
        ),
    );
    let ok = run(&validate, dir.path());
    assert_eq!(ok.code(), 0, "{}", ok.stderr);

    let unknown_ca = rest_workflow(base(), &om, "    verifySSL: validate\n");
    let refused = run(&unknown_ca, dir.path());
    assert_eq!(refused.code(), 1);
    assert!(
        refused.stderr.contains("UnknownIssuer"),
        "{}",
        refused.stderr
    );

    let ignore = rest_workflow(base(), &om, "    verifySSL: ignore\n");
    let ignored = run(&ignore, dir.path());
    assert_eq!(ignored.code(), 0, "{}", ignored.stderr);
}

#[test]
fn optional_server_settings_are_honoured() {
    let key = "AKIDSINKOPTIONS";
    let admin = Admin::new(&dynamodb_local().endpoint(), key);
    for name in ["stays", "goes"] {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    let om = OpenMetadata::start();
    let workflow = rest_workflow(
        Workflow::new("options", &dynamodb_local().endpoint(), key)
            .source_config("      markDeletedTables: false\n")
            .without_tags(),
        &om,
        "    enableVersionValidation: false\n    storeServiceConnection: false\n    extraHeaders:\n      X-Tenant: acme\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let first = run(&workflow, dir.path());
    assert_eq!(first.code(), 0, "{}", first.stderr);
    // no version check; the extra header on every call; the service without its connection
    assert!(
        !sequence(&om).iter().any(|c| c.contains("/system/version")),
        "{:?}",
        sequence(&om)
    );
    for call in om.calls() {
        assert_eq!(call.header("x-tenant"), Some("acme"), "{}", call.summary());
    }
    assert!(om.service("options").unwrap().get("connection").is_none());

    // markDeletedTables: false keeps a table that is gone from DynamoDB
    admin.delete_table("goes");
    let second = run(&workflow, dir.path());
    assert_eq!(second.code(), 0, "{}", second.stderr);
    assert!(om.deleted_tables().is_empty());
    assert!(!om.calls().iter().any(|c| c.method == "DELETE"));
}

/// `markDeletedTables` deletes only what the listing no longer returns: a table that is on
/// the server and in DynamoDB stays, whether a filter leaves it out of this run or its
/// DescribeTable fails. (Each of these assertions fails if its guard is removed from the sink.)
#[test]
fn filtered_and_failed_tables_are_never_marked_deleted() {
    use e2e::faults::{Fault as DynamoDbFault, FaultProxy, Plan, Rule};
    let key = "AKIDGUARDS";
    let admin = Admin::new(&dynamodb_local().endpoint(), key);
    for name in ["steady", "filtered_later", "failing_later", "dropped_later"] {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    let om = OpenMetadata::start();
    let dir = tempfile::tempdir().unwrap();
    let first = rest_workflow(
        Workflow::new("guards", &dynamodb_local().endpoint(), key).without_tags(),
        &om,
        "",
    );
    let run1 = run(&first, dir.path());
    assert_eq!(run1.code(), 0, "{}", run1.stderr);
    assert!(run1.stderr.contains("Tables: 4 created"), "{}", run1.stderr);

    // Next run: one table is left out by a filter, one fails to describe, one is gone.
    admin.delete_table("dropped_later");
    let proxy = FaultProxy::start(
        &dynamodb_local().endpoint(),
        Plan::seeded(9).rule(
            Rule::on("DescribeTable")
                .table("failing_later")
                .always(DynamoDbFault::InternalServerError),
        ),
    );
    let second = rest_workflow(
        Workflow::new("guards", &proxy.endpoint(), key)
            .without_tags()
            .connection("      connectionOptions:\n        maxAttempts: 1\n")
            .source_config("      tableFilterPattern:\n        excludes: ['^filtered_']\n"),
        &om,
        "",
    );
    let run2 = run(&second, dir.path());
    assert_eq!(run2.code(), 1, "{}", run2.stderr);
    assert!(
        run2.stderr.contains(" 1 marked deleted;"),
        "{}",
        run2.stderr
    );
    let deleted: Vec<String> = om
        .deleted_tables()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(deleted, ["dropped_later"]);
    for kept in ["steady", "filtered_later", "failing_later"] {
        assert!(
            om.table(&format!("guards.default.default.{kept}"))
                .is_some_and(|t| t["deleted"] != true),
            "{kept} was marked deleted"
        );
    }
}

#[test]
fn tables_reach_openmetadata_while_the_describes_go_on() {
    // 1,000 tables answered in 40 ms each, 16 DescribeTable calls in flight (the default): the
    // describes alone take at least 1000 / 16 × 40 ms = 2.5 s. A sink that waited for the last
    // DescribeTable could not PUT a table sooner than that after the run started.
    let catalog = e2e::catalog::GeneratedCatalog::with_latency(1_000, Duration::from_millis(40));
    let om = OpenMetadata::start();
    let workflow = rest_workflow(
        Workflow::new("overlap", &catalog.endpoint(), "AKIDOVERLAP").without_tags(),
        &om,
        "",
    );
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let run = run(&workflow, dir.path());
    assert_eq!(run.code(), 0, "{}", run.stderr);
    let table_puts: Vec<Instant> = om
        .arrivals()
        .into_iter()
        .filter(|(_, method, path)| method == "PUT" && path == "/api/v1/tables")
        .map(|(at, _, _)| at)
        .collect();
    assert_eq!(table_puts.len(), 1_000);
    let first = table_puts[0].duration_since(started);
    assert!(
        first < Duration::from_millis(2_500),
        "the first table reached OpenMetadata {first:?} after the start\n{}",
        run.stderr
    );
}
