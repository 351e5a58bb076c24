//! A run that makes more requests than the sandbox holds handles (4,096): nothing a request
//! uses may outlive it. (wasmtime 48 leaks each request's `request-options`, which is why the
//! component passes none; this test keeps it that way.)

use e2e::admin::Admin;
use e2e::host;
use e2e::servers::{Kind, Server};
use e2e::workflow::Workflow;

const TABLES: usize = 4_200;

#[test]
fn thousands_of_tables_in_one_run() {
    let server = Server::start(Kind::Dynalite);
    let key = "AKIDSCALE";
    std::thread::scope(|scope| {
        for worker in 0..8 {
            let endpoint = server.endpoint();
            scope.spawn(move || {
                let admin = Admin::new(&endpoint, key);
                for i in (worker..TABLES).step_by(8) {
                    admin.create_table(&format!("t{i:05}"), &[("id", "S", "HASH")]);
                }
            });
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("entities.json");
    let path = Workflow::new("scale", &server.endpoint(), key)
        .without_tags()
        .file_sink(&output)
        .write(dir.path(), "workflow.yaml");
    let run = host::run(&["ingest", "-c", path.to_str().unwrap(), "--quiet"]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "Tables listed: {TABLES} (ingested {TABLES}, filtered 0, failed 0)"
        )),
        "{}",
        run.stderr
    );
    let entities = host::read_entities(&output);
    assert_eq!(entities.len(), 3 + TABLES);
}
