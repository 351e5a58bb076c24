//! `ingest --report FILE`: one JSON document with an entry per run that follows
//! `docs/run-report.schema.json`, holds no secret, and says what the printed summary says: the
//! same tables, records, warnings, errors, requests and success percentage, the status, the
//! failures by table, and the component that ran.

use e2e::admin::Admin;
use e2e::faults::{Fault, FaultProxy, Plan, Rule};
use e2e::host;
use e2e::servers::{Kind, Server, free_port};
use e2e::summary::figures;
use e2e::workflow::Workflow;
use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;

fn dynamodb_local() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| Server::start(Kind::DynamoDbLocal))
}

/// The report, checked for secrets and against its JSON Schema.
fn read_report(path: &Path) -> Value {
    let text = host::read_output(path);
    let report: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON ({e}):\n{text}", path.display()));
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(e2e::workspace_root().join("docs/run-report.schema.json"))
            .unwrap(),
    )
    .expect("the schema is JSON");
    let validator = e2e::schema::compile("run-report", &schema);
    e2e::schema::check("run-report", &validator, &report)
        .unwrap_or_else(|e| panic!("{e}\n{report:#}"));
    report
}

/// One run's block of the printed summary: from `Workflow DynamoDB Summary (label):` to its
/// last line, `Workflow finished successfully` (or `with ...`).
fn summary_of<'a>(stderr: &'a str, label: &str) -> &'a str {
    let start = stderr
        .find(&format!("Workflow DynamoDB Summary ({label}):"))
        .unwrap_or_else(|| panic!("no summary for {label}:\n{stderr}"));
    let rest = &stderr[start..];
    let mut end = 0;
    for line in rest.split_inclusive('\n') {
        end += line.len();
        if line.starts_with("Workflow finished ") && !line.starts_with("Workflow finished in ") {
            return rest[..end].trim_end();
        }
    }
    panic!("no end to the summary of {label}:\n{rest}")
}

/// The numbers on the first line of `block` that starts with `prefix` (after trimming).
fn numbers(block: &str, prefix: &str) -> Vec<f64> {
    let line = block
        .lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` line:\n{block}"));
    line.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|s| s.trim_matches('.').parse().ok())
        .collect()
}

fn n(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

/// The report's run says what the summary block says.
fn assert_matches_summary(run: &Value, block: &str) {
    let tables = numbers(block, "Tables listed: ");
    assert_eq!(
        tables,
        [
            n(&run["tables"]["listed"]),
            n(&run["tables"]["ingested"]),
            n(&run["tables"]["filtered"]),
            n(&run["tables"]["failed"]),
        ],
        "{block}\n{run:#}"
    );
    let source = &run["steps"][0];
    assert_eq!(source["name"], "DynamoDB");
    let processed = figures(block, "Processed records: ");
    assert_eq!(processed[0], n(&source["records"]), "{block}");
    assert_eq!(
        figures(block, "Warnings: ")[0],
        n(&source["warnings"]),
        "{block}"
    );
    assert_eq!(
        figures(block, "Filtered: ")[0],
        n(&source["filtered"]),
        "{block}"
    );
    let errors = figures(block, "Errors: ");
    assert_eq!(errors[0], n(&source["errors"]), "{block}");
    let sink = &run["steps"][1];
    assert_eq!(processed[1], n(&sink["records"]), "{block}");
    assert_eq!(errors[1], n(&sink["errors"]), "{block}");
    let requests = numbers(block, "Requests: ");
    assert_eq!(
        requests,
        [
            n(&run["requests"]["requests"]),
            n(&run["requests"]["retries"]),
            n(&run["requests"]["throttled"]),
        ],
        "{block}"
    );
    assert_eq!(
        numbers(block, "Success %: "),
        [n(&run["successPercent"])],
        "{block}"
    );
    let finished = block.lines().last().unwrap();
    let expected = match run["status"].as_str().unwrap() {
        "success" if run["warnings"]["total"] == 0 => "Workflow finished successfully",
        "success" => "Workflow finished with warnings",
        _ => "Workflow finished with failures",
    };
    assert_eq!(finished, expected, "{block}\n{run:#}");
    // Each failure in the summary's table is in the report, by table, with its reason.
    for row in run["failures"]["shown"].as_array().unwrap() {
        let line = format!(
            "{}  {}",
            row["name"].as_str().unwrap(),
            row["reason"].as_str().unwrap()
        );
        assert!(
            block
                .lines()
                .any(|l| l.trim().starts_with(row["name"].as_str().unwrap())
                    && l.trim().ends_with(row["reason"].as_str().unwrap())),
            "`{line}` not in:\n{block}"
        );
    }
}

#[test]
fn a_report_of_several_runs_matches_their_summaries_and_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    let workflows = dir.path().join("workflows");
    std::fs::create_dir(&workflows).unwrap();

    // `alpha`: 5 tables, one left out by a filter, one whose DescribeTable fails.
    let alpha_key = "AKIDREPORTALPHA";
    let admin = Admin::new(&dynamodb_local().endpoint(), alpha_key);
    for name in ["orders", "users", "events", "broken", "tmp_scratch"] {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    let proxy = FaultProxy::start(
        &dynamodb_local().endpoint(),
        Plan::seeded(5).rule(Rule::on("DescribeTable").table("broken").always(
            Fault::client_error("ValidationException", "broken on purpose"),
        )),
    );
    Workflow::new("alpha_svc", &proxy.endpoint(), alpha_key)
        .without_tags()
        .source_config("      tableFilterPattern:\n        excludes: ['^tmp_']\n")
        .file_sink(&dir.path().join("alpha.json"))
        .write(&workflows, "alpha.yaml");
    // `beta`: 2 tables, all fine.
    let beta_key = "AKIDREPORTBETA";
    let admin = Admin::new(&dynamodb_local().endpoint(), beta_key);
    for name in ["one", "two"] {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    Workflow::new("beta_svc", &dynamodb_local().endpoint(), beta_key)
        .without_tags()
        .file_sink(&dir.path().join("beta.json"))
        .write(&workflows, "beta.yaml");

    let report_path = dir.path().join("report.json");
    let run = host::run(&[
        "ingest",
        "-c",
        workflows.to_str().unwrap(),
        "--parallel",
        "2",
        "--report",
        report_path.to_str().unwrap(),
    ]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    let report = read_report(&report_path);
    assert_eq!(report["reportVersion"], 1);
    assert_eq!(report["tool"]["name"], "ddb-catalog");
    // The component that ran, as printed.
    let component = report["component"]["label"].as_str().unwrap();
    assert!(
        run.stderr.contains(&format!("Component: {component}\n")),
        "{component}\n{}",
        run.stderr
    );
    assert!(component.ends_with(report["component"]["digest"].as_str().unwrap()));
    assert!(report["startedAt"].as_str() <= report["endedAt"].as_str());

    let runs = report["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    let (alpha, beta) = (&runs[0], &runs[1]);
    assert_eq!(alpha["label"], "alpha");
    assert_eq!(alpha["service"], "alpha_svc");
    assert!(alpha["workflow"].as_str().unwrap().ends_with("alpha.yaml"));
    assert_eq!(beta["label"], "beta");
    for run_entry in runs {
        let id = run_entry["runId"].as_str().unwrap();
        assert_eq!(id.len(), 36, "{id}");
        assert!(run_entry["startedAt"].as_str() <= run_entry["endedAt"].as_str());
        assert_eq!(run_entry["steps"][1]["name"], "File");
        assert_eq!(run_entry["ingestionPipelineFQN"], Value::Null);
        assert_eq!(run_entry["pipelineStatus"], Value::Null);
    }
    assert_ne!(alpha["runId"], beta["runId"]);

    assert_matches_summary(alpha, summary_of(&run.stderr, "alpha"));
    assert_matches_summary(beta, summary_of(&run.stderr, "beta"));

    // alpha: 2 + 3 records from the source, 6 in the file, 1 failure: 11 of 12.
    assert_eq!(alpha["status"], "partialSuccess");
    assert_eq!(alpha["successPercent"], 91.67);
    assert_eq!(alpha["tables"]["listed"], 5);
    assert_eq!(alpha["failures"]["total"], 1);
    let failure = &alpha["failures"]["shown"][0];
    assert_eq!(failure["name"], "broken");
    assert_eq!(failure["step"], "DynamoDB");
    assert!(
        failure["reason"]
            .as_str()
            .unwrap()
            .contains("ValidationException: broken on purpose"),
        "{failure}"
    );
    assert_eq!(alpha["filtered"]["shown"][0]["name"], "tmp_scratch");
    assert_eq!(beta["status"], "success");
    assert_eq!(beta["successPercent"], 100.0);
    assert_eq!(beta["failures"]["total"], 0);
}

#[test]
fn a_stopped_run_is_reported_stopped_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let down = format!("http://127.0.0.1:{}", free_port());
    let workflow = Workflow::new("down_svc", &down, "AKIDREPORTDOWN")
        .connection("      connectionOptions:\n        maxAttempts: 1\n")
        .file_sink(&dir.path().join("down.json"))
        .write(dir.path(), "workflow.yaml");
    let report_path = dir.path().join("report.json");
    let run = host::run(&[
        "ingest",
        "-c",
        workflow.to_str().unwrap(),
        "--report",
        report_path.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    let report = read_report(&report_path);
    let entry = &report["runs"][0];
    assert_eq!(entry["status"], "stopped");
    let reason = entry["stop"]["reason"].as_str().unwrap();
    assert!(
        run.stderr.contains(&format!("  Stopped: {reason}\n")),
        "{reason}\n{}",
        run.stderr
    );
    assert!(reason.starts_with("cannot reach the endpoint"), "{reason}");
    assert_eq!(entry["requests"], Value::Null);
    assert_eq!(entry["steps"][0]["errors"], 1);
}

#[test]
fn a_report_that_cannot_be_written_is_refused_before_any_run() {
    let dir = tempfile::tempdir().unwrap();
    let workflow = Workflow::new("never", "http://127.0.0.1:9", "AKIDREPORTNEVER")
        .file_sink(&dir.path().join("never.json"))
        .write(dir.path(), "workflow.yaml");
    let missing = dir.path().join("no/such/dir/report.json");
    let run = host::run(&[
        "ingest",
        "-c",
        workflow.to_str().unwrap(),
        "--report",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(run.code(), 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: --report: cannot write the run report")
            && run.stderr.contains("does not exist"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Component:"), "{}", run.stderr);
}
