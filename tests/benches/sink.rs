//! The `metadata-rest` sink's speed (not a test; never run in CI): `bash scripts/bench-sink.sh`,
//! or `cargo bench -p e2e --bench sink -- [TABLES...] [VERSION...]` after `scripts/build.sh`.
//!
//! For each OpenMetadata version the stand-in can be (1.3.4, 1.6, 1.9, 2.0.7) and each table
//! count (1,000 and 10,000 by default), the release `ddb-catalog ingest` writes a generated
//! catalog (`e2e::catalog`, loopback speed, so that the sink is what is measured) into a fresh
//! stand-in that answers every call after 20 ms, as a remote server would; then again over the
//! unchanged tables. It reports the wall time of each run, the calls the stand-in answered and
//! the most it had in flight at once, as a Markdown table on stdout.

use e2e::catalog::GeneratedCatalog;
use e2e::host;
use e2e::openmetadata::{OpenMetadata, SERVER_VERSIONS};
use e2e::workflow::Workflow;
use std::time::{Duration, Instant};

const LATENCY: Duration = Duration::from_millis(20);

fn main() {
    // Table counts, and server versions (`2.0.7`) to measure only those.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let versions: Vec<&str> = SERVER_VERSIONS
        .into_iter()
        .filter(|v| !args.iter().any(|a| a.contains('.')) || args.iter().any(|a| a == v))
        .collect();
    let counts: Vec<u64> = args
        .iter()
        .filter(|a| !a.contains('.'))
        .map(|a| a.parse().expect("a table count or a server version"))
        .collect();
    let counts = if counts.is_empty() {
        vec![1_000, 10_000]
    } else {
        counts
    };
    println!(
        "| server | tables | first run | calls | most in flight | rerun | calls | one call at a time would take |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for &tables in &counts {
        let catalog = GeneratedCatalog::start(tables);
        for &version in &versions {
            let om = OpenMetadata::builder()
                .version(version)
                .latency(LATENCY)
                .start();
            host::register_secret(&om.token());
            let mut workflow =
                Workflow::new("bench_sink", &catalog.endpoint(), "AKIDBENCHSINK").without_tags();
            workflow.sink = "sink:\n  type: metadata-rest\n  config: {}\n".into();
            workflow.workflow_config = format!(
                "  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    securityConfig:\n      jwtToken: {}\n",
                om.host_port(),
                om.token()
            );
            let dir = tempfile::tempdir().expect("a scratch directory");
            let path = workflow.write(dir.path(), "workflow.yaml");
            let path = path.to_str().expect("a UTF-8 path");
            let timed = |om: &OpenMetadata| {
                om.reset_calls();
                let started = Instant::now();
                let run = host::run(&["ingest", "-c", path, "-q"]);
                let took = started.elapsed();
                assert_eq!(run.code(), 0, "{version}, {tables} tables: {}", run.stderr);
                (took, om.calls().len())
            };
            let (first, first_calls) = timed(&om);
            let in_flight = om.max_in_flight();
            let (rerun, rerun_calls) = timed(&om);
            let serial = LATENCY * first_calls as u32;
            println!(
                "| {version} | {tables} | {:.1} s | {first_calls} | {in_flight} | {:.1} s | {rerun_calls} | {:.0} s |",
                first.as_secs_f64(),
                rerun.as_secs_f64(),
                serial.as_secs_f64()
            );
        }
    }
}
