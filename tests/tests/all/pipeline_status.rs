//! A run with the `metadata-rest` sink and `ingestionPipelineFQN` shows up under its ingestion
//! pipeline in OpenMetadata (the stand-in), in the calls and the order of OpenMetadata 1.3's own
//! workflow: the pipeline read, created when absent (in a service that exists), `running` at the
//! start, read back and completed at the end with `endDate`, the StepSummary list and the
//! state: `success`, `partialSuccess` (at least 90 %), `failed`, or `failed` with the reason
//! for a stopped run. A status that cannot be written is a warning; the run goes on. Every
//! body validates against the vendored `createIngestionPipeline` and `pipelineStatus` schemas.

use e2e::admin::Admin;
use e2e::faults::{Fault, FaultProxy, Plan, Rule};
use e2e::host;
use e2e::openmetadata::{EntityType, OpenMetadata};
use e2e::servers::{Kind, Server, free_port};
use e2e::summary::figures;
use e2e::workflow::Workflow;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::OnceLock;

fn dynamodb_local() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| Server::start(Kind::DynamoDbLocal))
}

/// A workflow writing to `om` with the bot's token.
fn rest_workflow(workflow: Workflow, om: &OpenMetadata) -> Workflow {
    host::register_secret(&om.token());
    let mut w = workflow.without_tags();
    w.sink = "sink:\n  type: metadata-rest\n  config: {}\n".into();
    w.workflow_config = format!(
        "  loggerLevel: INFO\n  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    securityConfig:\n      jwtToken: {}\n",
        om.host_port(),
        om.token()
    );
    w
}

/// Runs `workflow` with `top_level` YAML lines (the pipeline's keys) added.
fn run(workflow: &Workflow, top_level: &str, dir: &Path) -> host::Run {
    let path = dir.join("workflow.yaml");
    std::fs::write(&path, format!("{}{top_level}", workflow.yaml())).unwrap();
    host::run(&["ingest", "-c", path.to_str().unwrap(), "-q"])
}

/// `METHOD decoded-path status` of every call.
fn calls(om: &OpenMetadata) -> Vec<String> {
    om.calls()
        .iter()
        .map(|c| format!("{} {} {}", c.method, c.decoded_path(), c.status))
        .collect()
}

/// The bodies of the pipeline status PUTs, in order.
fn status_puts(om: &OpenMetadata) -> Vec<Value> {
    om.calls()
        .into_iter()
        .filter(|c| c.method == "PUT" && c.decoded_path().ends_with("/pipelineStatus"))
        .map(|c| c.body.expect("a JSON body"))
        .collect()
}

fn assert_no_violations(om: &OpenMetadata) {
    let violations = om.schema_violations();
    assert!(violations.is_empty(), "{violations:#?}");
}

fn is_uuid_v4(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
        && &text[14..15] == "4"
}

#[test]
fn a_run_shows_up_under_its_pipeline_created_when_absent_running_then_final() {
    let key = "AKIDPIPELINE";
    let admin = Admin::new(&dynamodb_local().endpoint(), key);
    for name in ["orders", "users"] {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    let om = OpenMetadata::start();
    om.seed(
        EntityType::DatabaseService,
        &json!({"name": "pipes", "serviceType": "DynamoDB"}),
    );
    let workflow = rest_workflow(
        Workflow::new("pipes", &dynamodb_local().endpoint(), key),
        &om,
    );
    let dir = tempfile::tempdir().unwrap();
    let fqn = "pipes.metadata_ingestion";
    let run_id = "0f5c6f2e-7d4b-4a7e-9b1c-3e2d1a0b9c8d";
    let first = run(
        &workflow,
        &format!("ingestionPipelineFQN: {fqn}\npipelineRunId: {run_id}\n"),
        dir.path(),
    );
    assert_eq!(first.code(), 0, "{}", first.stderr);
    assert!(
        first.stderr.contains(&format!(
            "Pipeline status: success written to OpenMetadata for {fqn} (run {run_id}, pipeline created)"
        )),
        "{}",
        first.stderr
    );
    assert!(first.stderr.contains("Workflow finished successfully"));

    // OpenMetadata's order: the pipeline (absent), its service, the pipeline created,
    // `running`; then the sink's calls; then the run read back and its final state.
    let calls = calls(&om);
    let base = "/api/v1/services/ingestionPipelines";
    assert_eq!(
        calls[..5],
        [
            format!("GET {base}/name/{fqn} 404"),
            "GET /api/v1/services/databaseServices/name/pipes 200".to_string(),
            format!("PUT {base} 201"),
            format!("PUT {base}/{fqn}/pipelineStatus 200"),
            "GET /api/v1/system/version 200".to_string(),
        ],
        "{calls:#?}"
    );
    assert_eq!(
        calls[calls.len() - 2..],
        [
            format!("GET {base}/{fqn}/pipelineStatus/{run_id} 200"),
            format!("PUT {base}/{fqn}/pipelineStatus 200"),
        ],
        "{calls:#?}"
    );
    assert!(
        !calls[5..calls.len() - 2]
            .iter()
            .any(|c| c.contains("ingestionPipelines")),
        "{calls:#?}"
    );
    assert_no_violations(&om);

    let pipeline = om
        .ingestion_pipeline(fqn)
        .expect("the pipeline was created");
    assert_eq!(pipeline["name"], "metadata_ingestion");
    assert_eq!(pipeline["pipelineType"], "metadata");
    assert_eq!(pipeline["service"]["name"], "pipes");
    assert_eq!(
        pipeline["sourceConfig"]["config"]["type"],
        "DatabaseMetadata"
    );
    assert_eq!(pipeline["sourceConfig"]["config"]["includeTags"], false);
    assert_eq!(pipeline["airflowConfig"], json!({}));

    let puts = status_puts(&om);
    assert_eq!(puts.len(), 2, "{puts:#?}");
    let running = &puts[0];
    assert_eq!(running["runId"], run_id);
    assert_eq!(running["pipelineState"], "running");
    let start = running["startDate"].as_u64().unwrap();
    assert_eq!(running["timestamp"].as_u64(), Some(start));
    assert!(running.get("endDate").is_none());
    let done = &puts[1];
    assert_eq!(done["runId"], run_id);
    assert_eq!(done["pipelineState"], "success");
    assert_eq!(done["startDate"].as_u64(), Some(start));
    assert!(done["endDate"].as_u64().unwrap() >= start);
    // The steps are the summary's numbers: source, then sink.
    let processed = figures(&first.stderr, "Processed records: ");
    assert_eq!(processed, [4.0, 5.0], "{}", first.stderr);
    assert_eq!(
        done["status"],
        json!([
            {"name": "DynamoDB", "records": 4, "updated_records": 0, "warnings": 0, "errors": 0,
             "filtered": 0, "failures": []},
            {"name": "OpenMetadata", "records": 5, "updated_records": 0, "warnings": 0,
             "errors": 0, "filtered": 0, "failures": []},
        ])
    );
    let stored = om.pipeline_statuses(fqn);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0], *done);

    // The next run: the pipeline exists (no create), and without `pipelineRunId` the run gets
    // a new UUID.
    om.reset_calls();
    let second = run(
        &workflow,
        &format!("ingestionPipelineFQN: {fqn}\n"),
        dir.path(),
    );
    assert_eq!(second.code(), 0, "{}", second.stderr);
    let calls = self::calls(&om);
    assert_eq!(
        calls[..2],
        [
            format!("GET {base}/name/{fqn} 200"),
            format!("PUT {base}/{fqn}/pipelineStatus 200"),
        ],
        "{calls:#?}"
    );
    assert!(!calls.contains(&format!("PUT {base} 201")), "{calls:#?}");
    let stored = om.pipeline_statuses(fqn);
    assert_eq!(stored.len(), 2, "{stored:#?}");
    let new_id = stored[1]["runId"].as_str().unwrap();
    assert!(is_uuid_v4(new_id), "{new_id}");
    assert_ne!(new_id, run_id);
    assert_eq!(stored[1]["pipelineState"], "success");
    assert!(
        second.stderr.contains(&format!("(run {new_id})")),
        "{}",
        second.stderr
    );
    assert_no_violations(&om);
}

#[test]
fn a_first_run_creates_its_service_then_the_pipeline_and_its_final_status() {
    let key = "AKIDPIPEFIRST";
    Admin::new(&dynamodb_local().endpoint(), key).create_table("only", &[("id", "S", "HASH")]);
    let om = OpenMetadata::start();
    let workflow = rest_workflow(
        Workflow::new("fresh", &dynamodb_local().endpoint(), key),
        &om,
    );
    let dir = tempfile::tempdir().unwrap();
    let run = run(&workflow, "ingestionPipelineFQN: fresh.first\n", dir.path());
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("Workflow finished successfully"),
        "{}",
        run.stderr
    );
    let calls = calls(&om);
    let base = "/api/v1/services/ingestionPipelines";
    // No service yet: nothing to create the pipeline in, no `running`...
    assert_eq!(
        calls[..3],
        [
            format!("GET {base}/name/fresh.first 404"),
            "GET /api/v1/services/databaseServices/name/fresh 404".to_string(),
            "GET /api/v1/system/version 200".to_string(),
        ],
        "{calls:#?}"
    );
    // ...until the sink has created the service: then the pipeline and its final status.
    assert_eq!(
        calls[calls.len() - 4..],
        [
            format!("GET {base}/name/fresh.first 404"),
            "GET /api/v1/services/databaseServices/name/fresh 200".to_string(),
            format!("PUT {base} 201"),
            format!("PUT {base}/fresh.first/pipelineStatus 200"),
        ],
        "{calls:#?}"
    );
    let stored = om.pipeline_statuses("fresh.first");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["pipelineState"], "success");
    assert!(stored[0]["endDate"].as_u64() >= stored[0]["startDate"].as_u64());
    assert_no_violations(&om);
}

/// Eight tables, of which DescribeTable fails for `failing` (a 500, not retried): the run's
/// final pipeline state and the summary's success percentage.
fn run_with_failures(service: &str, key: &str, failing: &[&str]) -> (host::Run, Value) {
    let admin = Admin::new(&dynamodb_local().endpoint(), key);
    let names: Vec<String> = (0..8).map(|i| format!("tbl_{i}")).collect();
    for name in &names {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    let mut plan = Plan::seeded(13);
    for table in failing {
        plan = plan.rule(
            Rule::on("DescribeTable")
                .table(table)
                .always(Fault::InternalServerError),
        );
    }
    let proxy = FaultProxy::start(&dynamodb_local().endpoint(), plan);
    let om = OpenMetadata::start();
    om.seed(
        EntityType::DatabaseService,
        &json!({"name": service, "serviceType": "DynamoDB"}),
    );
    let workflow = rest_workflow(
        Workflow::new(service, &proxy.endpoint(), key)
            .connection("      connectionOptions:\n        maxAttempts: 1\n"),
        &om,
    );
    let dir = tempfile::tempdir().unwrap();
    let fqn = format!("{service}.metadata");
    let run = run(
        &workflow,
        &format!("ingestionPipelineFQN: {fqn}\n"),
        dir.path(),
    );
    let stored = om.pipeline_statuses(&fqn);
    assert_eq!(stored.len(), 1, "{stored:#?}\n{}", run.stderr);
    assert_no_violations(&om);
    (run, stored[0].clone())
}

#[test]
fn partial_success_at_95_percent() {
    // 19 records went through (2 + 7 from the source, 3 + 7 in the sink), 1 failed.
    let (run, status) = run_with_failures("partial", "AKIDPIPE95", &["tbl_3"]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert_eq!(
        figures(&run.stderr, "Success %: "),
        [95.0],
        "{}",
        run.stderr
    );
    assert_eq!(status["pipelineState"], "partialSuccess");
    let source = &status["status"][0];
    assert_eq!(source["name"], "DynamoDB");
    assert_eq!(
        (source["records"].as_u64(), source["errors"].as_u64()),
        (Some(9), Some(1))
    );
    assert_eq!(source["failures"][0]["name"], "tbl_3");
    assert!(
        source["failures"][0]["error"]
            .as_str()
            .unwrap()
            .starts_with("DescribeTable: InternalServerError"),
        "{status:#}"
    );
    assert_eq!(status["status"][1]["records"], 10);
    assert!(
        run.stderr
            .contains("Pipeline status: partialSuccess written"),
        "{}",
        run.stderr
    );
}

#[test]
fn failed_at_50_percent() {
    // 7 records went through (2 + 1 from the source, 3 + 1 in the sink), 7 failed.
    let failing = [
        "tbl_0", "tbl_1", "tbl_2", "tbl_4", "tbl_5", "tbl_6", "tbl_7",
    ];
    let (run, status) = run_with_failures("half", "AKIDPIPE50", &failing);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert_eq!(
        figures(&run.stderr, "Success %: "),
        [50.0],
        "{}",
        run.stderr
    );
    assert_eq!(status["pipelineState"], "failed");
    assert_eq!(status["status"][0]["errors"], 7);
    assert_eq!(status["status"][0]["failures"].as_array().unwrap().len(), 7);
}

#[test]
fn a_stopped_run_ends_failed_with_its_reason() {
    let om = OpenMetadata::start();
    om.seed(
        EntityType::DatabaseService,
        &json!({"name": "stops", "serviceType": "DynamoDB"}),
    );
    // Nothing listens there: the listing cannot start.
    let down = format!("http://127.0.0.1:{}", free_port());
    let workflow = rest_workflow(
        Workflow::new("stops", &down, "AKIDPIPESTOP")
            .connection("      connectionOptions:\n        maxAttempts: 1\n"),
        &om,
    );
    let dir = tempfile::tempdir().unwrap();
    let run = run(
        &workflow,
        "ingestionPipelineFQN: stops.metadata\n",
        dir.path(),
    );
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("  Stopped: "), "{}", run.stderr);
    let puts = status_puts(&om);
    assert_eq!(puts.len(), 2, "{puts:#?}");
    assert_eq!(puts[0]["pipelineState"], "running");
    let done = &puts[1];
    assert_eq!(done["pipelineState"], "failed");
    let source = &done["status"][0];
    assert_eq!(source["errors"], 1);
    let reason = source["failures"][0]["error"].as_str().unwrap();
    assert!(
        reason.starts_with("the run stopped: ") && reason.contains("ListTables"),
        "{reason}"
    );
    assert!(
        run.stderr.contains("Pipeline status: failed written"),
        "{}",
        run.stderr
    );
    assert_no_violations(&om);
}

#[test]
fn a_status_that_cannot_be_written_is_a_warning_and_the_run_goes_on() {
    let key = "AKIDPIPEWARN";
    let admin = Admin::new(&dynamodb_local().endpoint(), key);
    for name in ["first", "second"] {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    let om = OpenMetadata::start();
    om.seed(
        EntityType::DatabaseService,
        &json!({"name": "warns", "serviceType": "DynamoDB"}),
    );
    let workflow = rest_workflow(
        Workflow::new("warns", &dynamodb_local().endpoint(), key),
        &om,
    );
    let dir = tempfile::tempdir().unwrap();
    // OpenMetadata refuses a pipeline name with `::` (its EntityName pattern).
    let run = run(
        &workflow,
        "ingestionPipelineFQN: 'warns.bad::name'\n",
        dir.path(),
    );
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(run.stderr.contains("Tables: 2 created"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Pipeline status: not written to OpenMetadata for warns.bad::name (run ")
            && run
                .stderr
                .contains("creating the ingestion pipeline: HTTP 400"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "  pipeline status not written to OpenMetadata: creating the ingestion pipeline"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Workflow finished with warnings"),
        "{}",
        run.stderr
    );
    assert!(om.pipeline_statuses("warns.bad::name").is_empty());
    // Tried at the start and once more at the end; refused both times by the schema.
    let violations = om.schema_violations();
    assert_eq!(violations.len(), 2, "{violations:#?}");
    assert!(
        violations
            .iter()
            .all(|v| v.schema == "createIngestionPipeline")
    );
}
