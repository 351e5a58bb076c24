//! A run streams out of the sandbox: the sink gets each batch as it is ready, the host holds a
//! bounded window whatever the account's size, and a run that stops (its time limit, a listing
//! that goes round in circles) keeps every table it finished, says why it stopped and what it
//! left undone, exits 1, and never marks a table deleted.

use e2e::catalog::GeneratedCatalog;
use e2e::host;
use e2e::openmetadata::OpenMetadata;
use e2e::summary::{figure, table_counts};
use e2e::workflow::Workflow;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

fn tables_in(path: &Path) -> Vec<Value> {
    host::read_entities(path)
        .into_iter()
        .filter(|e| e.get("columns").is_some())
        .collect()
}

#[test]
fn a_run_stopped_by_its_time_limit_keeps_the_tables_it_finished() {
    // 2,000 tables answered in 50 ms each, 16 at a time: about 6 s of work for a 3 s limit.
    let catalog = GeneratedCatalog::with_latency(2_000, Duration::from_millis(50));
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("entities.json");
    let workflow = Workflow::new("stopped", &catalog.endpoint(), "AKIDSTOPPED")
        .without_tags()
        .file_sink(&output)
        .write(dir.path(), "workflow.yaml");
    let run = host::run(&[
        "ingest",
        "-c",
        workflow.to_str().unwrap(),
        "--timeout",
        "3",
        "--quiet",
    ]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Stopped: stopped: the run took longer than its limit of 3s"),
        "{}",
        run.stderr
    );
    let [listed, ingested, filtered, failed] = table_counts(&run.stderr);
    assert!(ingested > 0 && ingested < 2_000, "{}", run.stderr);
    assert_eq!((filtered, failed), (0, 0));
    // Every table counted is in the sink, and the file is one valid array.
    let tables = tables_in(&output);
    assert_eq!(tables.len() as u64, ingested, "{}", run.stderr);
    assert_eq!(
        figure(&run.stderr, "Left undone: ") as u64,
        listed - ingested,
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Workflow finished with failures"));
}

#[test]
fn a_stopped_run_never_marks_a_table_deleted() {
    let om = OpenMetadata::start();
    host::register_secret(&om.token());
    let rest = |workflow: Workflow| {
        let mut w = workflow.without_tags();
        w.sink = "sink:\n  type: metadata-rest\n  config: {}\n".into();
        w.workflow_config = format!(
            "  loggerLevel: INFO\n  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    securityConfig:\n      jwtToken: {}\n",
            om.host_port(),
            om.token()
        );
        w
    };
    let dir = tempfile::tempdir().unwrap();
    // A complete run puts 300 tables in OpenMetadata.
    let quick = GeneratedCatalog::start(300);
    let first = rest(Workflow::new("keepers", &quick.endpoint(), "AKIDKEEP"));
    let run = host::run(&[
        "ingest",
        "-c",
        first.write(dir.path(), "first.yaml").to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(run.stderr.contains("Tables: 300 created"), "{}", run.stderr);
    // The same account, slow: the run stops long before it has listed them all again.
    let slow = GeneratedCatalog::with_latency(300, Duration::from_millis(200));
    let second = rest(Workflow::new("keepers", &slow.endpoint(), "AKIDKEEP"));
    let run = host::run(&[
        "ingest",
        "-c",
        second.write(dir.path(), "second.yaml").to_str().unwrap(),
        "--timeout",
        "2",
        "-q",
    ]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("Stopped: "), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("No table marked deleted: the listing did not run to its end"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(" 0 marked deleted;"), "{}", run.stderr);
    assert!(om.deleted_tables().is_empty());
    assert!(
        om.schema_violations().is_empty(),
        "{:?}",
        om.schema_violations()
    );
}

#[test]
fn a_listing_that_cycles_over_three_pages_stops_and_keeps_what_it_listed() {
    let catalog = GeneratedCatalog::cycling(300);
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("entities.json");
    let workflow = Workflow::new("cycle", &catalog.endpoint(), "AKIDCYCLE")
        .without_tags()
        .file_sink(&output)
        .write(dir.path(), "workflow.yaml");
    let run = host::run(&["ingest", "-c", workflow.to_str().unwrap(), "-q"]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "Stopped: the service answered something unreadable: ListTables: InvalidResponse: \
             ListTables page 4 returned LastEvaluatedTableName `t000099`, a position the listing \
             has already been at"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(
        table_counts(&run.stderr),
        [300, 300, 0, 0],
        "{}",
        run.stderr
    );
    assert_eq!(figure(&run.stderr, "Left undone: ") as u64, 0);
    assert_eq!(tables_in(&output).len(), 300);
    // Four pages and 300 describes; the listing stopped at the repeated position.
    assert_eq!(catalog.requests(), 304);
}

#[test]
fn the_host_holds_a_bounded_window_on_twenty_thousand_tables() {
    const TABLES: u64 = 20_000;
    let catalog = GeneratedCatalog::start(TABLES);
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("entities.json");
    let workflow = Workflow::new("large", &catalog.endpoint(), "AKIDLARGE")
        .without_tags()
        .file_sink(&output)
        .write(dir.path(), "workflow.yaml");
    // A cold compile cache makes the first run compile the component (about 70 MiB on its
    // own, docs/benchmarks.md), and other tests fill the shared cache meanwhile: a cache of
    // this test's own, warmed by a small run, so that the measured one loads the component.
    let cache = dir.path().join("compile-cache");
    let cache_env = [("DDB_CATALOG_CACHE_DIR", cache.to_str().unwrap())];
    let warm = GeneratedCatalog::start(1);
    let warm_workflow = Workflow::new("warm", &warm.endpoint(), "AKIDWARM")
        .without_tags()
        .file_sink(&dir.path().join("warm.json"))
        .write(dir.path(), "warm.yaml");
    let warmed = host::run_with_env(
        &["ingest", "-c", warm_workflow.to_str().unwrap(), "-q"],
        &cache_env,
    );
    assert_eq!(warmed.code(), 0, "{}", warmed.stderr);
    let (run, peak) = host::run_measured_with_env(
        &["ingest", "-c", workflow.to_str().unwrap(), "-q"],
        &cache_env,
    );
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert_eq!(
        table_counts(&run.stderr),
        [TABLES, TABLES, 0, 0],
        "{}",
        run.stderr
    );
    assert_eq!(tables_in(&output).len() as u64, TABLES);
    // Measured from outside too (GNU time, tests/src/host.rs): the whole process, not only what
    // the host counts. 16 MiB here (docs/benchmarks.md); holding the 20,000 tables' requests
    // (about 20 MB of JSON, several times that as values) would take far more.
    eprintln!("20,000 tables: peak RSS {} MiB", peak >> 20);
    assert!(peak >> 20 <= 32, "the host peaked at {} MiB", peak >> 20);
    // `Sandbox: ... N batches, the largest T tables (B KiB), at most H KiB held at once`
    let sandbox = run
        .stderr
        .lines()
        .find(|l| l.starts_with("Sandbox: "))
        .unwrap_or_else(|| panic!("no `Sandbox:` line:\n{}", run.stderr));
    let numbers: Vec<f64> = sandbox
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|s| s.trim_matches('.').parse().ok())
        .collect();
    let [batches, largest_tables, largest_kib, held_kib] = numbers[numbers.len() - 4..] else {
        panic!("{sandbox}")
    };
    assert!(batches >= TABLES as f64 / 100.0, "{sandbox}");
    assert!(largest_tables <= 100.0, "{sandbox}");
    // The host held at most the batches on their way to the sink (two queued, one being
    // written, one just copied out), whatever the account's size.
    assert!(held_kib <= 4.0 * largest_kib, "{sandbox}");
    assert!(held_kib < 2048.0, "{sandbox}");
}

/// Runs the hostile guest in `mode`, which hands over one table and then misbehaves in its next
/// `next-batch`, and checks that the run stops with `reason` and keeps that table.
fn a_run_stopped_after_a_batch_keeps_it(mode: &str, limits: &[&str], reason: &str) {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("entities.json");
    let workflow = Workflow::new("stopped", "http://127.0.0.1:9", "AKIDSTOPPED")
        .connection(&format!(
            "      connectionOptions:\n        hostile.mode: {mode}\n        hostile.tenant: stopped\n"
        ))
        .file_sink(&output)
        .write(dir.path(), "workflow.yaml");
    let component = e2e::hostile::component();
    let mut args = vec![
        "ingest",
        "-c",
        workflow.to_str().unwrap(),
        "--component",
        component.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(limits);
    let run = host::run(&args);
    assert_eq!(run.code(), 1, "{mode}: {}", run.stderr);
    assert!(run.stderr.contains(reason), "{mode}: {}", run.stderr);
    assert_eq!(
        table_counts(&run.stderr),
        [1, 1, 0, 0],
        "{mode}: {}",
        run.stderr
    );
    let tables = tables_in(&output);
    assert_eq!(tables.len(), 1, "{mode}");
    assert_eq!(tables[0]["name"], "stopped_table", "{mode}");
}

#[test]
fn a_run_that_traps_after_a_batch_keeps_that_batch() {
    a_run_stopped_after_a_batch_keeps_it(
        "trap-after-batch",
        &[],
        "Stopped: the connector crashed: ",
    );
}

#[test]
fn a_run_stopped_by_its_cpu_limit_keeps_the_batch_before() {
    a_run_stopped_after_a_batch_keeps_it(
        "spin-after-batch",
        &["--cpu-time", "1"],
        "the connector computed for longer than its CPU limit of 1s",
    );
}

#[test]
fn a_run_stopped_by_its_memory_limit_keeps_the_batch_before() {
    a_run_stopped_after_a_batch_keeps_it(
        "grow-after-batch",
        &["--memory-mb", "64"],
        "the connector needed more memory than its limit of 64 MiB",
    );
}

/// The CPU limit counts the time the guest computes, not the time the host waits on its sink:
/// a run whose stdout is read slowly goes on for several seconds of wall time under a 1 s CPU
/// limit, and completes (before `guest_clock.rs` left the time between calls into the guest
/// out, it was stopped "for computing longer than its CPU limit").
#[test]
fn a_slowly_read_stdout_does_not_count_against_the_cpu_limit() {
    use std::io::Read;
    let catalog = GeneratedCatalog::start(1_000);
    let dir = tempfile::tempdir().unwrap();
    let workflow =
        Workflow::new("slow_reader", &catalog.endpoint(), "AKIDSLOWREADER").without_tags();
    let path = workflow.write(dir.path(), "workflow.yaml");
    let stderr = dir.path().join("stderr");
    let mut child = host::spawn_piped(
        &[
            "ingest",
            "-c",
            path.to_str().unwrap(),
            "-o",
            "-",
            "--cpu-time",
            "1",
        ],
        &stderr,
    );
    let mut stdout = child.stdout.take().unwrap();
    // 4 KiB every 20 ms: at most 200 KiB/s, so 1,000 tables' requests (over 900 KiB) take the
    // reader more than 4 s, four times the CPU limit.
    let mut read = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stdout.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        read.extend_from_slice(&chunk[..n]);
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = child.wait().unwrap();
    let stderr = std::fs::read_to_string(&stderr).unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        read.len() > 900 * 1024,
        "only {} bytes: the reader was not held back\n{stderr}",
        read.len()
    );
    let entities: Vec<Value> = serde_json::from_slice(&read).unwrap();
    assert_eq!(
        entities
            .iter()
            .filter(|e| e.get("columns").is_some())
            .count(),
        1_000
    );
    assert!(!stderr.contains("CPU limit"), "{stderr}");
}

/// The same for a slow OpenMetadata server: 300 ms an answer, several seconds of PUTs under a
/// 1 s CPU limit.
#[test]
fn a_slow_openmetadata_server_does_not_count_against_the_cpu_limit() {
    let catalog = GeneratedCatalog::start(200);
    let om = OpenMetadata::builder()
        .latency(Duration::from_millis(300))
        .start();
    host::register_secret(&om.token());
    let dir = tempfile::tempdir().unwrap();
    let mut workflow =
        Workflow::new("slow_server", &catalog.endpoint(), "AKIDSLOWSERVER").without_tags();
    workflow.sink = "sink:\n  type: metadata-rest\n  config: {}\n".into();
    workflow.workflow_config = format!(
        "  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    securityConfig:\n      jwtToken: {}\n",
        om.host_port(),
        om.token()
    );
    let path = workflow.write(dir.path(), "workflow.yaml");
    let run = host::run(&["ingest", "-c", path.to_str().unwrap(), "--cpu-time", "1"]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    // At least the version, service, database, schema and listing calls, then 400 table and
    // profile calls 32 at a time: over 15 answers in a row at 300 ms, more than 4 s.
    let calls = om.calls().len();
    assert!(calls >= 405, "{calls} calls");
    assert_eq!(
        table_counts(&run.stderr),
        [200, 200, 0, 0],
        "{}",
        run.stderr
    );
}
