//! Many workflows in one host process (`ingest -c DIR`): each runs in its own sandbox with its
//! own credentials, allowlist, log and sink; one tenant failing does not disturb the others;
//! each gets its own summary, and the exit status is the worst of them.

use e2e::admin::Admin;
use e2e::host;
use e2e::servers::{Kind, Server, free_port};
use e2e::workflow::Workflow;
use serde_json::Value;

#[test]
fn tenants_run_side_by_side_and_fail_alone() {
    let server = Server::start(Kind::DynamoDbLocal);
    let dir = tempfile::tempdir().unwrap();
    let workflows = dir.path().join("workflows");
    std::fs::create_dir(&workflows).unwrap();
    let tenants = [("acme", "AKIDTENANTACME"), ("globex", "AKIDTENANTGLOBEX")];
    for (name, key) in tenants {
        let admin = Admin::new(&server.endpoint(), key);
        admin.create_table(&format!("{name}_orders"), &[("id", "S", "HASH")]);
        admin.create_table(&format!("{name}_users"), &[("id", "S", "HASH")]);
        let output = dir.path().join(format!("{name}.json"));
        Workflow::new(name, &server.endpoint(), key)
            .without_tags()
            .file_sink(&output)
            .write(&workflows, &format!("{name}.yaml"));
    }
    // a third tenant whose endpoint is down
    let down = format!("http://127.0.0.1:{}", free_port());
    Workflow::new("initech", &down, "AKIDTENANTINITECH")
        .connection("      connectionOptions:\n        maxAttempts: 2\n")
        .file_sink(&dir.path().join("initech.json"))
        .write(&workflows, "initech.yaml");

    let run = host::run(&[
        "ingest",
        "-c",
        workflows.to_str().unwrap(),
        "--parallel",
        "3",
    ]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    for (name, _) in tenants {
        let entities: Vec<Value> = host::read_entities(&dir.path().join(format!("{name}.json")));
        let mut tables: Vec<&str> = entities[3..]
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        tables.sort_unstable();
        // each tenant sees its own namespace only
        assert_eq!(tables, [format!("{name}_orders"), format!("{name}_users")]);
        assert!(
            run.stderr.contains(&format!("Workflow DynamoDB Summary ({name}):\n  Tables listed: 2 (ingested 2, filtered 0, failed 0)")),
            "{}",
            run.stderr
        );
        // live log lines carry the tenant's label
        assert!(
            run.stderr
                .contains(&format!("[{name}] INFO listed 2 tables")),
            "{}",
            run.stderr
        );
    }
    assert!(
        run.stderr.contains("Workflow DynamoDB Summary (initech):"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("Stopped: cannot reach the endpoint: ListTables: ConnectionRefused"),
        "{}",
        run.stderr
    );
    // The failed tenant's file sink holds what it had when it stopped: its scope, no table.
    let initech = host::read_entities(&dir.path().join("initech.json"));
    assert!(
        initech.iter().all(|e| e.get("columns").is_none()),
        "{initech:?}"
    );
    assert_eq!(
        run.stderr.matches("Workflow finished successfully").count(),
        2
    );
    assert_eq!(
        run.stderr
            .matches("Workflow finished with failures")
            .count(),
        1
    );
}

#[test]
fn one_output_for_many_workflows_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        Workflow::new(name, "http://127.0.0.1:9", "AKIDX")
            .write(dir.path(), &format!("{name}.yaml"));
    }
    let run = host::run(&[
        "ingest",
        "-c",
        dir.path().to_str().unwrap(),
        "--output",
        "-",
    ]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr.contains("--output takes one workflow"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_invalid_workflow_is_a_usage_error_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut workflow = Workflow::new("bad", "http://127.0.0.1:9", "AKIDX");
    workflow.connection_extra = "      databaseNmae: typo\n".into();
    let path = workflow.write(dir.path(), "bad.yaml");
    let run = host::run(&["ingest", "-c", path.to_str().unwrap()]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr.contains("`source.serviceConnection.config.databaseNmae`: unknown field `databaseNmae`, expected one of"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("(did you mean `databaseName`?)"),
        "{}",
        run.stderr
    );
}
