//! `--log-format json`: everything the host says on stderr is one JSON object per line, with a
//! timestamp, a level and a message; the connector's log lines carry the run and their source;
//! a failed table carries its table, operation, attempts and error code; progress and the
//! summary carry their numbers; nothing carries a secret, even when a server's error message
//! quotes one.

use e2e::admin::{Admin, SECRET};
use e2e::faults::{Fault, FaultProxy, Plan, Rule};
use e2e::host;
use e2e::servers::{Kind, Server};
use e2e::workflow::Workflow;
use serde_json::Value;

/// Every stderr line as a JSON object with a timestamp, a known level and a message.
fn records(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}\n{stderr}"));
            assert!(record.is_object(), "{line}");
            let timestamp = record["timestamp"].as_str().unwrap_or_default();
            assert!(
                timestamp.len() >= 20 && timestamp.ends_with('Z') && timestamp.contains('T'),
                "{line}"
            );
            assert!(
                ["DEBUG", "INFO", "WARN", "ERROR"]
                    .contains(&record["level"].as_str().unwrap_or("")),
                "{line}"
            );
            assert!(record["message"].is_string(), "{line}");
            // The host's records and the connector's, nothing of the libraries' own.
            assert!(
                ["host", "connector"].contains(&record["source"].as_str().unwrap_or("")),
                "{line}"
            );
            record
        })
        .collect()
}

/// The four table counts of a progress or summary record.
fn counts(record: &Value) -> [Option<u64>; 4] {
    ["listed", "described", "filtered", "failed"].map(|k| record[k].as_u64())
}

fn find<'a>(records: &'a [Value], what: &str, test: impl Fn(&Value) -> bool) -> &'a Value {
    records
        .iter()
        .find(|r| test(r))
        .unwrap_or_else(|| panic!("no record {what} in {records:#?}"))
}

#[test]
fn every_line_is_a_json_record_with_its_fields_and_no_secret() {
    let server = Server::start(Kind::DynamoDbLocal);
    let key = "AKIDJSONLOGS";
    let admin = Admin::new(&server.endpoint(), key);
    for name in ["orders", "users", "broken", "tmp_scratch"] {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    // The server's error message quotes the secret key: it must not come out anywhere.
    let proxy = FaultProxy::start(
        &server.endpoint(),
        Plan::seeded(3).rule(Rule::on("DescribeTable").table("broken").always(
            Fault::client_error(
                "ValidationException",
                &format!("the signature of {SECRET} does not match"),
            ),
        )),
    );
    let dir = tempfile::tempdir().unwrap();
    let workflow = Workflow::new("jsonlogs", &proxy.endpoint(), key)
        .without_tags()
        // The docs' spelling: a warning about the workflow.
        .connection("      database: custom_db\n")
        .source_config("      tableFilterPattern:\n        excludes: ['^tmp_']\n")
        .file_sink(&dir.path().join("out.json"))
        .write(dir.path(), "workflow.yaml");
    let run = host::run(&[
        "ingest",
        "-c",
        workflow.to_str().unwrap(),
        "--log-format",
        "json",
        "--progress-interval",
        "0",
    ]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert!(!run.stderr.contains(SECRET));
    let records = records(&run.stderr);

    let warning = find(&records, "about the workflow", |r| {
        r["workflow"].is_string()
    });
    assert_eq!(warning["level"], "WARN");
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("`source.serviceConnection.config.database` is not an OpenMetadata key"),
        "{warning}"
    );
    let component = find(&records, "naming the component", |r| {
        r["component"].is_string()
    });
    assert!(
        component["component"].as_str().unwrap().contains("sha256:"),
        "{component}"
    );
    // The connector's own log lines, by run, with their level.
    let listed = find(&records, "of the connector's listing", |r| {
        r["source"] == "connector"
            && r["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("listed 4 tables:"))
    });
    assert_eq!(listed["level"], "INFO");
    assert_eq!(listed["run"], "jsonlogs");
    // The failed table, with its fields; the secret struck out of the message.
    let failed = find(&records, "of the failed table", |r| r["table"] == "broken");
    assert_eq!(failed["level"], "WARN");
    assert_eq!(failed["run"], "jsonlogs");
    assert_eq!(failed["operation"], "DescribeTable");
    assert_eq!(failed["attempt"], 1);
    assert_eq!(failed["error_code"], "ValidationException");
    assert_eq!(failed["http_status"], 400);
    assert!(
        failed["message"]
            .as_str()
            .unwrap()
            .contains("the signature of **** does not match"),
        "{failed}"
    );
    // Progress, ending with the run's totals.
    let progress: Vec<&Value> = records
        .iter()
        .filter(|r| r["message"] == "progress")
        .collect();
    assert!(progress.len() >= 2, "{records:#?}");
    assert_eq!(progress[0]["phase"], "starting");
    let last = progress.last().unwrap();
    assert_eq!(last["phase"], "done");
    assert_eq!(counts(last), [Some(4), Some(2), Some(1), Some(1)], "{last}");
    // The summary: 9 of 10 records went through.
    let summary = find(&records, "of the summary", |r| {
        r["message"] == "Workflow finished with failures"
    });
    assert_eq!(summary["level"], "ERROR");
    assert_eq!(summary["status"], "partialSuccess");
    assert_eq!(summary["success_percent"], 90.0);
    assert_eq!(
        counts(summary),
        [Some(4), Some(2), Some(1), Some(1)],
        "{summary}"
    );
    // ListTables, and DescribeTable for the three tables the filter kept (none retried).
    assert_eq!(summary["requests"], 4, "{summary}");
    assert!(summary["run_id"].as_str().unwrap().len() == 36, "{summary}");
    // Nothing in the text format.
    assert!(!run.stderr.contains("Workflow DynamoDB Summary"));
}

#[test]
fn an_error_before_any_run_is_a_json_record_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    let yaml = Workflow::new("bad", "http://127.0.0.1:9", "AKIDJSONBAD")
        .yaml()
        .replace("awsRegion:", "awsRegon:");
    std::fs::write(&path, yaml).unwrap();
    let run = host::run(&[
        "ingest",
        "-c",
        path.to_str().unwrap(),
        "--log-format",
        "json",
    ]);
    assert_eq!(run.code(), 2, "{}", run.stderr);
    // The component is loaded first (its manifest says which keys the workflow may have), then
    // the one error.
    let records = records(&run.stderr);
    let errors: Vec<&Value> = records.iter().filter(|r| r["level"] == "ERROR").collect();
    assert_eq!(errors.len(), 1, "{records:#?}");
    assert_eq!(records.last(), Some(errors[0]), "{records:#?}");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `awsRegion`?"),
        "{records:#?}"
    );
}

#[test]
fn the_environment_variable_asks_for_json_logs_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    let yaml = Workflow::new("bad", "http://127.0.0.1:9", "AKIDJSONENV")
        .yaml()
        .replace("awsRegion:", "awsRegon:");
    std::fs::write(&path, yaml).unwrap();
    let run = host::run_with_env(
        &["ingest", "-c", path.to_str().unwrap()],
        &[("DDB_CATALOG_LOG_FORMAT", "json")],
    );
    assert_eq!(run.code(), 2, "{}", run.stderr);
    let records = records(&run.stderr);
    assert!(!records.is_empty(), "{}", run.stderr);
    assert_eq!(records.last().unwrap()["level"], "ERROR", "{records:#?}");
}
