//! The `metadata-rest` sink against the OpenMetadata stand-in (`e2e::openmetadata`): the docs'
//! YAML runs unchanged; calls come in OpenMetadata's order with the bot's token; every body
//! validates against OpenMetadata's schemas; a rerun over unchanged tables sends no table; a
//! change is sent; a dropped table is soft-deleted; tags become classifications; retries,
//! per-entity errors, TLS and the version check.

use e2e::admin::Admin;
use e2e::host;
use e2e::openmetadata::{Auth, Fault, OpenMetadata, RequestMatch, SERVER_VERSIONS};
use e2e::servers::{Kind, Server};
use e2e::workflow::Workflow;
use serde_json::{Value, json};
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

/// Everything an endpoint sends is hostile: an answer larger than the client holds (64 MiB)
/// is not read to its end, fails its call once (no retry), and the run says why.
#[test]
fn an_oversized_answer_is_not_held_and_not_asked_again() {
    let om = OpenMetadata::start();
    om.fail_next(
        RequestMatch::path("/api/v1/system/version"),
        5,
        Fault::Oversized,
    );
    let workflow = rest_workflow(
        Workflow::new("oversized", &dynamodb_local().endpoint(), "AKIDOVERSIZED").without_tags(),
        &om,
        "",
    );
    let dir = tempfile::tempdir().unwrap();
    let run = run(&workflow, dir.path());
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("the answer is larger than 64 MiB"),
        "{}",
        run.stderr
    );
    let asked = om
        .calls()
        .iter()
        .filter(|c| c.path == "/api/v1/system/version")
        .count();
    assert_eq!(asked, 1, "not asked again");
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

    // Only a major this sink does not know is refused, with what to do about it.
    for version in ["0.13.2", "3.0.0"] {
        let unknown = OpenMetadata::builder().version(version).start();
        let workflow = rest_workflow(
            Workflow::new("auth", &dynamodb_local().endpoint(), key).without_tags(),
            &unknown,
            "",
        );
        let refused = run(&workflow, dir.path());
        assert_eq!(refused.code(), 1);
        assert!(
            refused.stderr.contains(&format!(
                "OpenMetadata server version `{version}` is not one this sink speaks (1.x or 2.x) (set enableVersionValidation: false to try anyway)"
            )),
            "{}",
            refused.stderr
        );
        assert!(unknown.calls().len() == 1, "{:?}", unknown.calls());
    }
    // `enableVersionValidation: false` skips the check.
    let unchecked = OpenMetadata::builder().version("0.13.2").start();
    let workflow = rest_workflow(
        Workflow::new("auth", &dynamodb_local().endpoint(), key).without_tags(),
        &unchecked,
        "    enableVersionValidation: false\n",
    );
    let skipped = run(&workflow, dir.path());
    assert_eq!(skipped.code(), 0, "{}", skipped.stderr);
    assert!(unchecked.table("auth.default.default.t_auth").is_some());
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
    // The version is still read, to shape the requests (an unknown major would not stop the
    // run: `a_wrong_token_or_an_incompatible_server_stops_the_run_clearly`); the extra header
    // on every call; the service without its connection.
    assert_eq!(sequence(&om)[0], "GET /api/v1/system/version");
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
    // describes take at least 2.5 s. A sink that waited for the last DescribeTable could not PUT
    // a table before the catalog answered it: the order of the two tells, not a time.
    let catalog = e2e::catalog::GeneratedCatalog::with_latency(1_000, Duration::from_millis(40));
    let om = OpenMetadata::start();
    let workflow = rest_workflow(
        Workflow::new("overlap", &catalog.endpoint(), "AKIDOVERLAP").without_tags(),
        &om,
        "",
    );
    let dir = tempfile::tempdir().unwrap();
    let run = run(&workflow, dir.path());
    assert_eq!(run.code(), 0, "{}", run.stderr);
    let table_puts: Vec<Instant> = om
        .arrivals()
        .into_iter()
        .filter(|(_, method, path)| method == "PUT" && path == "/api/v1/tables")
        .map(|(at, _, _)| at)
        .collect();
    assert_eq!(table_puts.len(), 1_000);
    let last_describe = catalog
        .last_describe_at()
        .expect("the catalog was described");
    assert!(
        table_puts[0] < last_describe,
        "the first table reached OpenMetadata {:?} after the last DescribeTable\n{}",
        table_puts[0].duration_since(last_describe),
        run.stderr
    );
    // Most of them, in fact: the sink keeps up with the describes.
    let before = table_puts.iter().filter(|&&at| at < last_describe).count();
    assert!(
        before > 500,
        "only {before} of 1,000 tables before the last DescribeTable"
    );
}

/// The zoo of key shapes, indexes, tags and sampled columns that every server version must take.
fn seed_zoo(admin: &Admin) {
    admin.create_table("hash_only", &[("id", "S", "HASH")]);
    admin.create_table(
        "hash_range",
        &[("customer", "S", "HASH"), ("at", "N", "RANGE")],
    );
    admin.create_table("binary_key", &[("digest", "B", "HASH")]);
    admin.create_table("number_binary", &[("n", "N", "HASH"), ("b", "B", "RANGE")]);
    admin.create_table_with(
        "indexed",
        &[("pk", "S", "HASH"), ("sk", "S", "RANGE")],
        &[("email", "S"), ("created", "N")],
        json!({
            "GlobalSecondaryIndexes": [{"IndexName": "by_email",
                "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}],
            "LocalSecondaryIndexes": [{"IndexName": "by_created",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "created", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        }),
    );
    let arn = admin.describe("hash_only")["TableArn"]
        .as_str()
        .unwrap()
        .to_string();
    admin.tag(
        &arn,
        &[
            ("env", "prod"),
            ("team/owner", "data"),
            ("cost:center", "42"),
        ],
    );
    for i in 0..20 {
        admin.put_item(
            "hash_range",
            json!({
                "customer": {"S": format!("c{i}")}, "at": {"N": i.to_string()},
                "email": {"S": format!("user{i}@example.com")},
                "address": {"M": {"city": {"S": "Paris"}, "zip": {"S": "75001"}}},
            }),
        );
    }
}

fn column<'a>(table: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    table["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no column {name} in {table}"))
}

fn tag_fqns(value: &serde_json::Value) -> Vec<String> {
    value["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| t["tagFQN"].as_str().unwrap().to_string())
        .collect()
}

/// Calls the server answered with an error, but the lookups that are expected to miss on a
/// first run (a service, classification or tag looked up before it is created).
fn refused(om: &OpenMetadata) -> Vec<String> {
    om.calls()
        .iter()
        .filter(|c| c.status >= 300)
        .filter(|c| !(c.method == "GET" && c.status == 404 && c.decoded_path().contains("/name/")))
        .map(|c| c.summary())
        .collect()
}

#[test]
fn every_server_version_takes_every_table_as_openmetadata_shapes_it() {
    let moto = Server::start(Kind::Moto);
    for (i, version) in SERVER_VERSIONS.iter().enumerate() {
        let key = format!("AKIDVERSION{i}");
        let admin = Admin::new(&moto.endpoint(), &key);
        seed_zoo(&admin);
        let om = OpenMetadata::builder().version(version).start();
        let service = format!("zoo{i}");
        let workflow = rest_workflow(
            Workflow::new(&service, &moto.endpoint(), &key).connection(
                "      connectionOptions:\n        sampleSize: 50\n        sampleConvergenceItems: 0\n",
            ),
            &om,
            "",
        );
        let dir = tempfile::tempdir().unwrap();
        // With its ingestion pipeline, so that the run's status is written too.
        let pipeline = format!("{service}.zoo_metadata");
        let run = |workflow: &Workflow, dir: &Path| {
            let path = dir.join("workflow.yaml");
            std::fs::write(
                &path,
                format!("{}ingestionPipelineFQN: {pipeline}\n", workflow.yaml()),
            )
            .unwrap();
            host::run(&["ingest", "-c", path.to_str().unwrap()])
        };
        let first = run(&workflow, dir.path());
        assert_eq!(first.code(), 0, "{version}: {}", first.stderr);
        let states: Vec<Value> = om
            .pipeline_statuses(&pipeline)
            .iter()
            .map(|s| s["pipelineState"].clone())
            .collect();
        assert_eq!(
            states.last(),
            Some(&json!("success")),
            "{version}: {states:?}"
        );
        assert_eq!(refused(&om), Vec::<String>::new(), "{version}");
        assert!(
            om.schema_violations().is_empty(),
            "{version}: {:?}",
            om.schema_violations()
        );
        assert!(
            first.stderr.contains("Tables: 5 created, 0 updated, 0 unchanged (same sourceHash), 0 marked deleted; 5 profiles stored"),
            "{version}: {}",
            first.stderr
        );
        let table = |name: &str| {
            om.table(&format!("{service}.default.default.{name}"))
                .unwrap_or_else(|| panic!("{version}: no table {name}"))
        };

        // Keys as OpenMetadata 2.0.7's connector shapes them.
        let hash_only = table("hash_only");
        assert_eq!(
            column(&hash_only, "id")["constraint"],
            "PRIMARY_KEY",
            "{version}"
        );
        assert!(
            hash_only["tableConstraints"]
                .as_array()
                .is_none_or(|c| c.is_empty()),
            "{version}: {hash_only}"
        );
        for (name, hash, range) in [
            ("hash_range", "customer", "at"),
            ("number_binary", "n", "b"),
            ("indexed", "pk", "sk"),
        ] {
            let t = table(name);
            assert_eq!(
                t["tableConstraints"],
                json!([
                    {"constraintType": "PRIMARY_KEY", "columns": [hash, range]},
                    {"constraintType": "SORT_KEY", "columns": [range]}
                ]),
                "{version}: {name}"
            );
            for key in [hash, range] {
                assert!(
                    column(&t, key)
                        .get("constraint")
                        .is_none_or(|c| c.is_null()),
                    "{version}: {name}.{key}"
                );
            }
        }
        let binary = table("binary_key");
        assert_eq!(column(&binary, "digest")["dataType"], "BINARY");
        assert_eq!(column(&binary, "digest")["constraint"], "PRIMARY_KEY");

        // Sampled columns with children, PII, profiles.
        let hash_range = table("hash_range");
        assert_eq!(
            tag_fqns(column(&hash_range, "email")),
            ["PII.Sensitive"],
            "{version}"
        );
        let mut children: Vec<&str> = column(&hash_range, "address")["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        children.sort();
        assert_eq!(children, ["city", "zip"], "{version}");
        assert_eq!(
            om.profiles(&format!("{service}.default.default.hash_range"))
                .len(),
            1
        );

        // Tags: `env` everywhere; keys with `/` and `:` only where the version takes them.
        let tags = tag_fqns(&hash_only);
        if version.starts_with("1.3") {
            assert_eq!(tags, ["env.prod"], "{version}");
            assert!(om.classification("team/owner").is_none());
            for name in ["team/owner", "cost:center"] {
                assert!(
                    first.stderr.contains(&format!("tag `{name}` left out: OpenMetadata 1.3.4 takes classification and tag names of 2 to 64")),
                    "{version}: {}",
                    first.stderr
                );
            }
        } else {
            assert_eq!(
                tags,
                ["env.prod", "team/owner.data", "cost:center.42"],
                "{version}"
            );
            assert!(om.tag("team/owner.data").is_some(), "{version}");
        }

        // 2.x gets the bulk API, by at most 100 rows; 1.x one PUT per table.
        let single_puts = om
            .calls()
            .iter()
            .filter(|c| c.method == "PUT" && c.decoded_path() == "/api/v1/tables")
            .count();
        if version.starts_with('2') {
            assert_eq!(single_puts, 0, "{version}");
            assert!(
                om.bulk_sizes().iter().all(|&n| (1..=100).contains(&n)),
                "{:?}",
                om.bulk_sizes()
            );
        } else {
            assert_eq!(single_puts, 5, "{version}");
            assert!(om.bulk_sizes().is_empty(), "{version}");
        }

        // A rerun sends no table; a dropped table is soft-deleted.
        admin.delete_table("binary_key");
        om.reset_calls();
        let second = run(&workflow, dir.path());
        assert_eq!(second.code(), 0, "{version}: {}", second.stderr);
        assert!(
            second.stderr.contains(
                "Tables: 0 created, 0 updated, 4 unchanged (same sourceHash), 1 marked deleted"
            ),
            "{version}: {}",
            second.stderr
        );
        assert_eq!(refused(&om), Vec::<String>::new(), "{version}");
        let table_writes: Vec<String> = om
            .calls()
            .iter()
            .filter(|c| {
                c.method == "PUT"
                    && c.decoded_path().starts_with("/api/v1/tables")
                    && !c.decoded_path().ends_with("/tableProfile")
            })
            .map(|c| c.summary())
            .collect();
        assert_eq!(table_writes, Vec::<String>::new(), "{version}");
        let deleted: Vec<String> = om
            .deleted_tables()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(deleted, ["binary_key"], "{version}");
        assert!(
            om.schema_violations().is_empty(),
            "{version}: {:?}",
            om.schema_violations()
        );
        for table in ["hash_only", "hash_range", "number_binary", "indexed"] {
            admin.delete_table(table);
        }
    }
}

/// Writes overlap, within the sink's bound: the stand-in sees several calls at once, never more
/// than 32; the service, database and schema are stored before any table; and a table the server
/// refuses fails alone, every other one arriving (on 1.x one PUT each, on 2.x in bulk rows).
#[test]
fn writes_overlap_within_their_bound_parents_first_and_a_refused_table_fails_alone() {
    use e2e::openmetadata::EntityType;
    let catalog = e2e::catalog::GeneratedCatalog::start(300);
    for version in ["1.3.4", "2.0.7"] {
        let om = OpenMetadata::builder()
            .version(version)
            .latency(Duration::from_millis(20))
            .start();
        let refused = ["t000007", "t000150", "t000299"];
        for name in refused {
            om.reject_table(name, "Invalid request: refused by the test");
        }
        let workflow = rest_workflow(
            Workflow::new("overlap", &catalog.endpoint(), "AKIDOVERLAPS").without_tags(),
            &om,
            "",
        );
        let dir = tempfile::tempdir().unwrap();
        let run = run(&workflow, dir.path());
        assert_eq!(run.code(), 1, "{version}: {}", run.stderr);
        for name in refused {
            assert!(
                run.stderr.contains(name) && run.stderr.contains("refused by the test"),
                "{version}: {}",
                run.stderr
            );
            assert!(
                om.table(&format!("overlap.default.default.{name}"))
                    .is_none()
            );
        }
        let stored = om
            .creation_order()
            .into_iter()
            .filter(|(kind, _)| *kind == EntityType::Table)
            .count();
        assert_eq!(stored, 297, "{version}");
        assert!(
            run.stderr.contains("Tables: 297 created"),
            "{version}: {}",
            run.stderr
        );

        let in_flight = om.max_in_flight();
        assert!(
            (2..=32).contains(&in_flight),
            "{version}: {in_flight} calls in flight"
        );

        let order: Vec<EntityType> = om.creation_order().into_iter().map(|(k, _)| k).collect();
        let first_table = order.iter().position(|k| *k == EntityType::Table).unwrap();
        assert_eq!(
            order[..first_table],
            [
                EntityType::DatabaseService,
                EntityType::Database,
                EntityType::DatabaseSchema
            ],
            "{version}"
        );
        if version.starts_with('2') {
            let rows: usize = om.bulk_sizes().iter().sum();
            assert!(rows >= 300, "{version}: {:?}", om.bulk_sizes());
            assert!(
                om.bulk_sizes().iter().all(|&n| n <= 100),
                "{:?}",
                om.bulk_sizes()
            );
        }
    }
}
