//! The host as a sandbox, attacked from inside. The hostile guest (tests/hostile-guest) tries
//! every way out (other hosts, forged headers, files, environment, sockets) and every way to
//! wear the host down (memory, CPU, time, log, result size, host-side allocations, requests);
//! each attempt must be denied, or stopped with a clear error. Meanwhile a well-behaved tenant
//! running the real connector against DynamoDB Local, in the same process at the same time,
//! finishes normally, and every tenant gets its own outcome and its own log.
//!
//! A test marked `#[ignore = "host gap: ..."]` shows a hole the host does not close yet; run
//! those with `cargo test --release -p e2e --test all sandbox:: -- --ignored`.

use ddb_catalog::runtime::bindings::types::{ConnectorError, Ingestion, TableStatus};
use ddb_catalog::runtime::limits::Limits;
use ddb_catalog::runtime::outbound::{Allowlist, Destination};
use ddb_catalog::runtime::{RunFailure, RunRequest, Runtime};
use e2e::admin::{self, Admin};
use e2e::collect::{self, Answer, Call};
use e2e::hostile::{self, Setup, observations, observed};
use e2e::servers::{Kind, Server};
use recorder::Recorder;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

/// Small limits, so that every stop comes quickly.
fn limits() -> Limits {
    Limits {
        memory_bytes: 32 << 20,
        run_timeout: Duration::from_secs(3),
        cpu_time: Duration::from_secs(1),
        max_concurrent_requests: 4,
        max_response_bytes: 1 << 20,
        log_bytes: 64 << 10,
        ..Limits::default()
    }
}

fn hostile_runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        // the pooling allocator, as the CLI uses it, with room for every test at once
        Runtime::new(
            hostile::component(),
            Some(&compile_cache()),
            limits(),
            Some(64),
        )
        .expect("the hostile guest fits the host")
    })
}

/// The compile cache the other end-to-end tests use, next to the hostile guest's build.
fn compile_cache() -> PathBuf {
    hostile::target_dir().with_file_name("e2e-compile-cache")
}

fn allow(recorder: &Recorder) -> Allowlist {
    Allowlist::new(vec![recorder.destination()])
}

type RunOutcome = ddb_catalog::runtime::RunOutcome<Answer>;

fn request(setup: &Setup, allowlist: Allowlist) -> RunRequest {
    RunRequest {
        tenant: setup.tenant.clone(),
        config: setup.config(),
        allowlist,
        secrets: Vec::new(),
        echo_log: None,
    }
}

async fn ingest(setup: &Setup, allowlist: Allowlist) -> RunOutcome {
    collect::run(hostile_runtime(), request(setup, allowlist), Call::Ingest).await
}

/// What a run produced, in a line, and its log: for assertion messages.
fn summary(outcome: &RunOutcome) -> String {
    let answer = match &outcome.answer {
        Ok(Answer::Ingest(Ok(i))) => format!(
            "an ingestion of {} tables with {} warnings",
            i.tables.len(),
            i.warnings.len()
        ),
        Ok(Answer::Ingest(Err(e))) | Ok(Answer::TestConnection(Err(e))) => {
            format!("the connector error {e:?}")
        }
        Ok(Answer::TestConnection(Ok(check))) => format!("the connection check {check:?}"),
        Err(failure) => format!("the failure {failure:?}"),
    };
    let mut log = outcome.log.clone();
    for line in &mut log {
        if let Some((cut, _)) = line.char_indices().nth(200) {
            line.truncate(cut);
        }
    }
    let shown = log.len().min(40);
    format!(
        "tenant {} got {answer} after {:?}; log ({} lines):\n{}",
        outcome.tenant,
        outcome.elapsed,
        log.len(),
        log[..shown].join("\n")
    )
}

fn ingestion(outcome: &RunOutcome) -> &Ingestion {
    match &outcome.answer {
        Ok(Answer::Ingest(Ok(ingestion))) => ingestion,
        _ => panic!("expected an ingestion: {}", summary(outcome)),
    }
}

fn failure(outcome: &RunOutcome) -> &RunFailure {
    match &outcome.answer {
        Err(failure) => failure,
        Ok(_) => panic!("expected the host to stop the run: {}", summary(outcome)),
    }
}

fn seen(outcome: &RunOutcome) -> Vec<(String, String)> {
    observations(&ingestion(outcome).warnings)
}

fn logged(outcome: &RunOutcome, text: &str) -> bool {
    outcome.log.iter().any(|line| line.contains(text))
}

/// The host's line about a request it denied, as it names the destination.
fn denial(url: &str) -> String {
    let destination = Destination::from_url(url).expect("a valid URL");
    format!("HTTP request to {destination} denied")
}

// ---------------------------------------------------------------------------------------
// The one door out: HTTP

#[tokio::test]
async fn http_to_destinations_off_the_allowlist_is_denied_and_logged() {
    let allowed = Recorder::start();
    let forbidden = Recorder::start();
    let setup = Setup::new("http-destinations", "tenant-http")
        .allowed(&allowed.url())
        .forbidden(&forbidden.url());
    let outcome = ingest(&setup, allow(&allowed)).await;
    let seen = seen(&outcome);
    let port = allowed.port();

    // The allowed destination answers, so every refusal below is the sandbox's.
    assert_eq!(observed(&seen, "allowed"), "status 200, 2 body bytes");
    for (probe, url) in [
        ("metadata-service", "http://169.254.169.254".to_string()),
        (
            "metadata-service-https",
            "https://169.254.169.254".to_string(),
        ),
        (
            "allowed-port-other-scheme",
            format!("https://127.0.0.1:{port}"),
        ),
        (
            "allowed-host-other-port",
            format!("http://127.0.0.1:{}", port.wrapping_add(1)),
        ),
        ("localhost-alias", format!("http://localhost:{port}")),
        ("decimal-ip", format!("http://2130706433:{port}")),
        ("ipv6-loopback", format!("http://[::1]:{port}")),
        (
            "userinfo-then-metadata",
            "http://169.254.169.254".to_string(),
        ),
        ("other-loopback-port", forbidden.url()),
    ] {
        assert_eq!(observed(&seen, probe), "HttpRequestDenied", "{probe}");
        assert!(
            logged(&outcome, &denial(&url)),
            "{probe}: no line saying `{}`: {}",
            denial(&url),
            summary(&outcome)
        );
    }
    assert_eq!(observed(&seen, "other-scheme"), "HttpProtocolError");

    assert_eq!(forbidden.connections(), 0, "{:?}", forbidden.requests());
    let reached: Vec<String> = allowed
        .requests()
        .iter()
        .filter_map(|r| r.probe().map(String::from))
        .collect();
    assert!(
        reached
            .iter()
            .all(|p| p == "allowed" || p.contains("userinfo")),
        "{reached:?}"
    );
}

/// The denial line names the destination; a reader of a shared log also needs the tenant.
#[tokio::test]
async fn denial_lines_name_the_tenant() {
    let allowed = Recorder::start();
    let setup = Setup::new("http-destinations", "tenant-named").allowed(&allowed.url());
    let outcome = ingest(&setup, allow(&allowed)).await;
    let line = outcome
        .log
        .iter()
        .find(|line| line.contains(&denial("http://169.254.169.254")))
        .unwrap_or_else(|| panic!("no denial line: {}", summary(&outcome)));
    assert!(line.contains("tenant-named"), "{line}");
}

/// `user@host` authorities: the allowlist checks the host part, so the userinfo must neither
/// pick the destination nor end up in the `Host` header the allowed server sees.
#[tokio::test]
async fn userinfo_in_the_authority_neither_reroutes_nor_forges_the_host_header() {
    let allowed = Recorder::start();
    let forbidden = Recorder::start();
    let setup = Setup::new("http-destinations", "tenant-userinfo")
        .allowed(&allowed.url())
        .forbidden(&forbidden.url());
    let outcome = ingest(&setup, allow(&allowed)).await;
    let seen = seen(&outcome);
    assert_eq!(forbidden.connections(), 0, "{:?}", forbidden.requests());
    let what = observed(&seen, "forbidden-userinfo-then-allowed");
    for request in allowed.requests() {
        assert_eq!(
            request.header("host"),
            Some(allowed.authority().as_str()),
            "{request:?} (the guest saw: {what})"
        );
    }
}

#[tokio::test]
async fn forged_host_and_hop_by_hop_headers_are_refused() {
    let allowed = Recorder::start();
    let setup = Setup::new("http-headers", "tenant-headers").allowed(&allowed.url());
    let outcome = ingest(&setup, allow(&allowed)).await;
    let seen = seen(&outcome);

    for name in [
        "host",
        "HOST",
        "connection",
        "keep-alive",
        "proxy-authorization",
        "proxy-connection",
        "transfer-encoding",
        "upgrade",
        "http2-settings",
    ] {
        let probe = format!("header {name}");
        assert_eq!(observed(&seen, &probe), "refused: Forbidden", "{probe}");
    }
    assert_eq!(observed(&seen, "append host"), "refused: Forbidden");
    assert_eq!(observed(&seen, "set host"), "refused: Forbidden");
    assert_eq!(
        observed(&seen, "header value with CRLF"),
        "refused: InvalidSyntax"
    );
    for probe in [
        "absolute-form path",
        "path without slash",
        "authority with path",
        "authority with CRLF",
    ] {
        assert_eq!(observed(&seen, probe), "refused", "{probe}");
    }
    assert_eq!(
        observed(&seen, "content-length without body"),
        "HttpRequestBodySize(Some(0))"
    );

    // What went out: only the last request, with the real authority as its Host.
    assert_eq!(
        observed(&seen, "forged-headers"),
        "status 200, 2 body bytes"
    );
    let requests = allowed.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let sent = &requests[0];
    assert_eq!(sent.probe(), Some("forged-headers"));
    assert_eq!(sent.request_line, "GET / HTTP/1.1");
    assert_eq!(sent.header("host"), Some(allowed.authority().as_str()));
    for name in [
        "proxy-authorization",
        "proxy-connection",
        "transfer-encoding",
        "upgrade",
        "http2-settings",
        "keep-alive",
    ] {
        assert_eq!(
            sent.header(name),
            None,
            "{name} reached the server: {sent:?}"
        );
    }
    assert_ne!(sent.header("connection"), Some("upgrade"), "{sent:?}");
}

#[tokio::test]
async fn requests_in_flight_are_bounded() {
    let allowed = Recorder::start();
    let max = limits().max_concurrent_requests;
    // The server answers only once all of them wait at once, which a bounded host never
    // allows: the run waits out its time limit with exactly `max` requests held.
    let setup = Setup::new("many-requests", "tenant-many")
        .allowed(&allowed.url())
        .count(4 * max as u64);
    let outcome = ingest(&setup, allow(&allowed)).await;
    assert_eq!(allowed.peak_held(), max, "{}", summary(&outcome));
    assert_eq!(
        failure(&outcome),
        &RunFailure::Timeout(limits().run_timeout)
    );
}

#[tokio::test]
async fn response_bodies_are_bounded() {
    let allowed = Recorder::start();
    let max = limits().max_response_bytes as u64;
    let setup = Setup::new("large-response", "tenant-large")
        .allowed(&allowed.url())
        .count(8 * max);
    let outcome = ingest(&setup, allow(&allowed)).await;
    let seen = seen(&outcome);
    assert_eq!(
        observed(&seen, "large response"),
        format!("HttpResponseBodySize(Some({}))", 8 * max)
    );
    // Without a content-length the body is cut, and the guest never gets past the limit.
    let unannounced = observed(&seen, "large unannounced response");
    let received: u64 = unannounced
        .strip_prefix("status 200, ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected: {unannounced}"));
    assert!(received <= max, "{unannounced}");
    assert!(unannounced.contains(" body bytes, then "), "{unannounced}");
}

/// The guest learns why a body broke off from `http-error-code`, as from any other failure.
#[tokio::test]
#[ignore = "upstream gap, not ours to close: wasmtime-wasi-http 48.0.8 (and its main branch, read on 2026-11-29) stores a response body's error as its embedder `Error` (crates/wasi-http/src/p2/body.rs, HostIncomingBodyStream::read: `LastOperationFailed(e.into())`), while `http-error-code` only downcasts to `ErrorCode` (p2/types_impl.rs), so it is `none` for every body error; no upstream issue found, and none can be filed from this sandbox (docs/sandbox.md says what to file). The connector classifies these errors by their message (component/src/guest/http.rs `body_error`), and the host never puts a backtrace in that message (RUST_LIB_BACKTRACE=0, host/src/main.rs)"]
async fn a_cut_body_says_why_in_its_error_code() {
    let allowed = Recorder::start();
    let max = limits().max_response_bytes as u64;
    let setup = Setup::new("large-response", "tenant-cut")
        .allowed(&allowed.url())
        .count(8 * max);
    let outcome = ingest(&setup, allow(&allowed)).await;
    let unannounced = observed(&seen(&outcome), "large unannounced response").to_string();
    assert!(
        unannounced.contains(", then HttpResponseBodySize("),
        "{unannounced}"
    );
}

#[tokio::test]
async fn test_connection_reports_the_same_denials() {
    let allowed = Recorder::start();
    let setup = Setup::new("http-destinations", "tenant-check").allowed(&allowed.url());
    let outcome = collect::run(
        hostile_runtime(),
        request(&setup, allow(&allowed)),
        Call::TestConnection,
    )
    .await;
    let Ok(Answer::TestConnection(Err(ConnectorError::Service(failure)))) = &outcome.answer else {
        panic!("expected the observations: {}", summary(&outcome));
    };
    assert!(
        failure
            .message
            .lines()
            .any(|l| l == "metadata-service: HttpRequestDenied"),
        "{}",
        failure.message
    );
    assert!(logged(&outcome, &denial("http://169.254.169.254")));
}

// ---------------------------------------------------------------------------------------
// Everything else the guest could reach: files, sockets, environment

/// The host links no filesystem and no sockets: a component that imports them is refused
/// when it is loaded, before it runs, and the error lists what it asked for.
#[test]
fn a_component_that_imports_files_or_sockets_is_refused_at_load() {
    let Err(error) = Runtime::new(
        hostile::component_with_forbidden_imports(),
        None,
        limits(),
        None,
    ) else {
        panic!("a component importing wasi:filesystem and wasi:sockets was accepted");
    };
    let text = format!("{error:#}");
    assert!(
        text.contains("imports what a connector may not use: "),
        "{text}"
    );
    for import in [
        "wasi:filesystem/types@0.2",
        "wasi:filesystem/preopens@0.2",
        "wasi:sockets/tcp@0.2",
        "wasi:sockets/udp@0.2",
        "wasi:sockets/ip-name-lookup@0.2",
    ] {
        assert!(text.contains(import), "{import} is not listed: {text}");
    }
    assert!(!text.contains("wasi:http/"), "{text}");
    assert!(!text.contains("wasi:config/"), "{text}");
}

#[tokio::test]
async fn the_environment_is_empty() {
    let outcome = ingest(
        &Setup::new("environment", "tenant-environment"),
        Allowlist::default(),
    )
    .await;
    let seen = seen(&outcome);
    assert_eq!(observed(&seen, "std variables"), "0 variables");
    assert_eq!(observed(&seen, "wasi variables"), "0 variables");
    assert_eq!(observed(&seen, "std arguments"), "0 arguments");
    assert_eq!(observed(&seen, "wasi arguments"), "0 arguments");
    assert_eq!(observed(&seen, "initial directory"), "None");
    assert_eq!(observed(&seen, "stdin"), "closed");
}

// ---------------------------------------------------------------------------------------
// Exhaustion: memory, CPU, time, stack

#[tokio::test]
async fn memory_growth_stops_at_the_memory_limit() {
    let outcome = ingest(
        &Setup::new("grow-memory", "tenant-memory"),
        Allowlist::default(),
    )
    .await;
    let stopped = failure(&outcome);
    assert_eq!(stopped, &RunFailure::MemoryLimit(limits().memory_bytes));
    assert_eq!(
        outcome.log.last().map(String::as_str),
        Some(
            "ERROR [host] tenant `tenant-memory`: stopped: the connector needed more memory than its limit of 32 MiB"
        )
    );
}

#[tokio::test]
async fn one_huge_allocation_stops_at_the_memory_limit() {
    let outcome = ingest(
        &Setup::new("allocate-huge", "tenant-allocate"),
        Allowlist::default(),
    )
    .await;
    assert_eq!(
        failure(&outcome),
        &RunFailure::MemoryLimit(limits().memory_bytes)
    );
}

#[tokio::test]
async fn spinning_stops_at_the_cpu_limit() {
    let outcome = ingest(&Setup::new("spin", "tenant-spin"), Allowlist::default()).await;
    assert_eq!(failure(&outcome), &RunFailure::CpuLimit(limits().cpu_time));
    assert!(logged(
        &outcome,
        "ERROR [host] tenant `tenant-spin`: stopped: the connector computed for longer than its CPU limit of 1s"
    ));
}

#[tokio::test]
async fn sleeping_stops_at_the_wall_clock_limit() {
    let outcome = ingest(&Setup::new("sleep", "tenant-sleep"), Allowlist::default()).await;
    assert_eq!(
        failure(&outcome),
        &RunFailure::Timeout(limits().run_timeout)
    );
    assert!(logged(
        &outcome,
        "ERROR [host] tenant `tenant-sleep`: stopped: the run took longer than its limit of 3s"
    ));
}

#[tokio::test]
async fn unbounded_recursion_is_stopped_as_a_crash() {
    let outcome = ingest(
        &Setup::new("recurse", "tenant-recurse"),
        Allowlist::default(),
    )
    .await;
    let RunFailure::Trap(message) = failure(&outcome) else {
        panic!("expected a trap: {}", summary(&outcome));
    };
    assert!(message.contains("call stack exhausted"), "{message}");
}

#[tokio::test]
async fn exiting_mid_call_is_a_failure_not_an_answer() {
    let outcome = ingest(&Setup::new("exit", "tenant-exit"), Allowlist::default()).await;
    let RunFailure::Trap(message) = failure(&outcome) else {
        panic!("expected a trap: {}", summary(&outcome));
    };
    assert!(message.contains("exit status 0"), "{message}");
}

// ---------------------------------------------------------------------------------------
// The tenant log

#[tokio::test]
async fn a_flooded_log_stays_bounded() {
    let setup = Setup::new("flood-log", "tenant-flood").count(8);
    let outcome = ingest(&setup, Allowlist::default()).await;
    let eight_mib = (8 << 20).to_string();
    assert_eq!(
        observed(&seen(&outcome), "flood"),
        format!(
            "wrote {eight_mib} bytes of lines to stdout, {eight_mib} to stderr, {eight_mib} without a newline"
        )
    );
    let capacity = limits().log_bytes;
    let (kept, note) = outcome.log.split_at(outcome.log.len() - 1);
    assert_eq!(kept[0], setup.log_marker());
    assert!(kept.iter().map(String::len).sum::<usize>() <= capacity);
    assert!(
        note[0].ends_with(&format!(
            "more log lines dropped: the connector's log is limited to {capacity} bytes"
        )),
        "{}",
        note[0]
    );
}

/// Empty lines cost the host a `String` each, whatever their length.
#[tokio::test]
async fn blank_lines_count_against_the_log_bound() {
    let setup = Setup::new("flood-blank-lines", "tenant-blank").count(1);
    let outcome = ingest(&setup, Allowlist::default()).await;
    assert!(
        outcome.log.len() <= limits().log_bytes,
        "{} lines kept for a log of {} bytes",
        outcome.log.len(),
        limits().log_bytes
    );
}

/// A guest that fills its log first must not hide the host's lines about what it did next.
#[tokio::test]
async fn the_host_keeps_its_own_lines_in_a_full_log() {
    let setup = Setup::new("hide-denial", "tenant-hide").count(1);
    let outcome = ingest(&setup, Allowlist::default()).await;
    assert_eq!(
        observed(&seen(&outcome), "metadata-service"),
        "HttpRequestDenied"
    );
    assert!(
        logged(&outcome, &denial("http://169.254.169.254")),
        "the denial is not in the log: {}",
        summary(&outcome)
    );
}

#[tokio::test]
async fn the_log_strips_terminal_control_characters() {
    let outcome = ingest(
        &Setup::new("forge-log", "tenant-forge"),
        Allowlist::default(),
    )
    .await;
    ingestion(&outcome);
    for line in &outcome.log {
        assert!(!line.chars().any(char::is_control), "{line:?}");
    }
}

/// A line the guest writes must not read as one of the host's.
#[tokio::test]
async fn guest_lines_cannot_pass_for_host_lines() {
    let outcome = ingest(
        &Setup::new("forge-log", "tenant-forge-host"),
        Allowlist::default(),
    )
    .await;
    ingestion(&outcome);
    let posing: Vec<&String> = outcome
        .log
        .iter()
        .filter(|line| line.starts_with("WARN [host]") || line.starts_with("ERROR [host]"))
        .collect();
    assert!(
        posing.is_empty(),
        "the run was denied nothing and stopped by nothing, yet the log says:\n{posing:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// What the guest hands back, and what the host holds for it

#[tokio::test]
async fn an_absurd_result_stops_at_the_memory_limit() {
    // 20 million warnings: 480 MB in the guest, under wasm32's 2 GiB allocation ceiling.
    let setup = Setup::new("huge-result", "tenant-absurd").count(20_000_000);
    let outcome = ingest(&setup, Allowlist::default()).await;
    assert_eq!(
        failure(&outcome),
        &RunFailure::MemoryLimit(limits().memory_bytes)
    );
}

/// The host asks for at most `BATCH_WARNINGS` warnings a batch; a guest that hands over more
/// is stopped with the reason, not believed.
#[tokio::test]
async fn a_batch_over_the_limits_the_host_asked_for_is_refused() {
    let setup = Setup::new("huge-result", "tenant-large-result").count(5_000);
    let outcome = ingest(&setup, Allowlist::default()).await;
    assert_eq!(
        failure(&outcome),
        &RunFailure::BatchOverLimits(format!(
            "5001 warnings, more than the {} asked for",
            ddb_catalog::runtime::BATCH_WARNINGS
        )),
        "{}",
        summary(&outcome)
    );
}

/// What a batch costs the host to copy counts against the run's memory: half a million
/// warnings take more than the room the guest's own memory leaves, and the copy stops there.
#[tokio::test]
async fn a_batch_larger_than_the_memory_left_is_refused_before_it_is_copied() {
    let setup = Setup::new("huge-result", "tenant-larger-result").count(500_000);
    let outcome = ingest(&setup, Allowlist::default()).await;
    assert_eq!(
        failure(&outcome),
        &RunFailure::AnswerTooLarge(ddb_catalog::runtime::budget::MAX_BATCH_BYTES),
        "{}",
        summary(&outcome)
    );
}

/// Strings in a result are pointer and length: one buffer in the guest can stand for many
/// strings, each of which the host copies out when it reads the result. The host copies no
/// more than the run's memory has room for (96 aliases of 1 MiB, against 32 MiB).
#[tokio::test]
async fn aliased_strings_cannot_make_the_host_copy_more_than_the_memory_left() {
    for count in [96, 160] {
        let setup = Setup::new("aliased-result", "tenant-aliased").count(count);
        let outcome = ingest(&setup, Allowlist::default()).await;
        assert_eq!(
            failure(&outcome),
            &RunFailure::AnswerTooLarge(ddb_catalog::runtime::budget::MAX_BATCH_BYTES),
            "{}",
            summary(&outcome)
        );
    }
}

/// Every handle the guest holds (a header field set, a request, a stream, a pollable) is an
/// entry in the host's resource table, which holds 4,096 at most: past that the guest is
/// stopped.
#[tokio::test]
async fn handles_are_bounded() {
    let setup = Setup::new("handles", "tenant-handles").count(10_000);
    let outcome = ingest(&setup, Allowlist::default()).await;
    let RunFailure::Trap(message) = failure(&outcome) else {
        panic!("expected a stop: {}", summary(&outcome))
    };
    assert!(
        message.contains("resource table has no free keys"),
        "{message}"
    );
    let small = ingest(
        &Setup::new("handles", "tenant-handles-ok").count(1_000),
        Allowlist::default(),
    )
    .await;
    assert_eq!(
        observed(&seen(&small), "handles"),
        "the host gave 1000 handles"
    );
}

/// The configuration handed to the guest is bounded (1 MiB of keys and values).
#[tokio::test]
async fn a_configuration_over_its_limit_is_refused_before_the_run() {
    let mut setup = Setup::new("well-behaved", "tenant-config");
    setup.tenant = "x".repeat(2 << 20);
    let outcome = ingest(&setup, Allowlist::default()).await;
    assert!(
        matches!(failure(&outcome), RunFailure::ConfigTooLarge { limit, .. } if *limit == Limits::default().max_config_bytes),
        "{:?}",
        outcome.answer
    );
    assert_eq!(outcome.instantiate, Duration::ZERO);
}

/// Header fields live in the host's resource table, outside the guest's linear memory.
#[tokio::test]
async fn host_side_resources_count_against_the_memory_limit() {
    let setup = Setup::new("host-memory", "tenant-host-memory").count(128);
    let outcome = ingest(&setup, Allowlist::default()).await;
    // The host refuses header fields past its bound: the guest is stopped there.
    match &outcome.answer {
        Err(RunFailure::MemoryLimit(_)) => return,
        Err(RunFailure::Trap(message))
            if message.starts_with("total size of fields exceeds limit") =>
        {
            return;
        }
        _ => {}
    }
    let what = observed(&seen(&outcome), "host memory").to_string();
    let held: usize = what
        .strip_prefix("the host holds ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected: {what}"));
    assert!(
        held <= limits().memory_bytes,
        "{what}, for a guest limited to {} bytes",
        limits().memory_bytes
    );
}

// ---------------------------------------------------------------------------------------
// Tenants side by side

const GOOD_KEY: &str = "AKIDSANDBOXGOOD";
const GOOD_TABLES: [&str; 2] = ["sandbox_customers", "sandbox_orders"];

/// DynamoDB Local with the good tenant's tables.
fn dynamodb() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let server = Server::start(Kind::DynamoDbLocal);
        let admin = Admin::new(&server.endpoint(), GOOD_KEY);
        admin.create_table(
            GOOD_TABLES[0],
            &[("customer", "S", "HASH"), ("since", "N", "RANGE")],
        );
        admin.create_table(GOOD_TABLES[1], &[("id", "S", "HASH")]);
        server
    })
}

/// The real connector, with the host's default limits but a run timeout fit for a test.
fn connector_runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let limits = Limits {
            run_timeout: Duration::from_secs(120),
            ..Limits::default()
        };
        Runtime::new(
            &e2e::host::component(),
            Some(&compile_cache()),
            limits,
            None,
        )
        .expect("the connector fits the host")
    })
}

/// The good tenant's run, from an OpenMetadata workflow as the CLI reads it.
fn connector_request(server: &Server) -> RunRequest {
    let yaml = e2e::workflow::Workflow::new("sandbox_good", &server.endpoint(), GOOD_KEY).yaml();
    let (config, secrets) = e2e::workflow::keys(&yaml);
    RunRequest {
        tenant: "good".to_string(),
        secrets,
        config,
        allowlist: Allowlist::new(vec![
            Destination::from_url(&server.endpoint()).expect("a valid endpoint"),
        ]),
        echo_log: None,
    }
}

/// Limits for neighbours of the good tenant: small, but long enough in time that the
/// spinning neighbour is still computing while the good tenant runs.
fn neighbour_limits() -> Limits {
    Limits {
        cpu_time: Duration::from_secs(3),
        run_timeout: Duration::from_secs(60),
        ..limits()
    }
}

fn neighbour_runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Runtime::new(
            hostile::component(),
            Some(&compile_cache()),
            neighbour_limits(),
            Some(16),
        )
        .expect("the hostile guest fits the host")
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_well_behaved_tenant_is_undisturbed_by_hostile_neighbours() {
    let server = dynamodb();
    let allowed = Recorder::start();
    let forbidden = Recorder::start();
    // Holds its tenant's request until released: proof that the good tenant ran while a
    // hostile one was in the middle of its run.
    let held = Recorder::holding();
    let neighbours = [
        Setup::new("many-requests", "n-held")
            .allowed(&held.url())
            .count(1),
        Setup::new("spin", "n-spin"),
        Setup::new("grow-memory", "n-memory"),
        Setup::new("recurse", "n-recurse"),
        Setup::new("flood-log", "n-flood").count(4),
        Setup::new("http-destinations", "n-http")
            .allowed(&allowed.url())
            .forbidden(&forbidden.url()),
        Setup::new("sockets", "n-sockets").allowed(&allowed.url()),
        Setup::new("files", "n-files"),
        Setup::new("huge-result", "n-result").count(200_000),
        Setup::new("well-behaved", "n-quiet-1"),
        Setup::new("well-behaved", "n-quiet-2"),
    ];
    let runs: Vec<_> = neighbours
        .iter()
        .map(|setup| {
            let allowlist = match setup.mode.as_str() {
                "many-requests" => allow(&held),
                _ => allow(&allowed),
            };
            let request = request(setup, allowlist);
            tokio::spawn(collect::run(neighbour_runtime(), request, Call::Ingest))
        })
        .collect();
    while held.held() == 0 {
        assert!(
            !runs[0].is_finished(),
            "the held neighbour ended before its request arrived"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let good = tokio::spawn(collect::run(
        connector_runtime(),
        connector_request(server),
        Call::Ingest,
    ))
    .await
    .expect("the good tenant's task");
    assert_eq!(held.held(), 1, "the held neighbour ended early");
    held.release();
    let mut outcomes = Vec::new();
    for run in runs {
        outcomes.push(run.await.expect("a neighbour's task"));
    }

    // The good tenant: all its tables, nothing in its log from anyone else.
    let result = ingestion(&good);
    let mut names: Vec<&str> = result.tables.iter().map(|t| t.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, GOOD_TABLES, "{}", summary(&good));
    assert!(
        result
            .outcomes
            .iter()
            .all(|o| matches!(o.status, TableStatus::Ingested)),
        "{:?}",
        result.outcomes
    );
    assert!(
        !good
            .log
            .iter()
            .any(|l| l.contains("hostile") || l.contains("[host]")),
        "{}",
        summary(&good)
    );

    // Each neighbour: its own outcome and its own log.
    let limits = neighbour_limits();
    for (setup, outcome) in neighbours.iter().zip(&outcomes) {
        assert_eq!(outcome.tenant, setup.tenant);
        assert!(logged(outcome, &setup.log_marker()), "{}", summary(outcome));
        for other in neighbours.iter().filter(|o| o.tenant != setup.tenant) {
            assert!(
                !logged(outcome, &format!("hostile guest {}:", other.tenant)),
                "{} has {}'s lines: {}",
                setup.tenant,
                other.tenant,
                summary(outcome)
            );
        }
        assert!(
            !logged(outcome, GOOD_TABLES[0]) && !logged(outcome, admin::SECRET),
            "{}",
            summary(outcome)
        );
        match setup.mode.as_str() {
            "spin" => assert_eq!(failure(outcome), &RunFailure::CpuLimit(limits.cpu_time)),
            "grow-memory" => assert_eq!(
                failure(outcome),
                &RunFailure::MemoryLimit(limits.memory_bytes)
            ),
            "recurse" => assert!(matches!(failure(outcome), RunFailure::Trap(_))),
            "huge-result" => assert!(matches!(
                failure(outcome),
                RunFailure::AnswerTooLarge(_) | RunFailure::BatchOverLimits(_)
            )),
            "many-requests" => assert_eq!(
                observed(&seen(outcome), "many requests"),
                "1 of 1 answered; failures: "
            ),
            "http-destinations" => assert_eq!(
                observed(&seen(outcome), "metadata-service"),
                "HttpRequestDenied"
            ),
            "well-behaved" => {
                let result = ingestion(outcome);
                assert_eq!(result.tables[0].name, format!("{}_table", setup.tenant));
                assert_eq!(
                    observed(&seen(outcome), "configuration"),
                    format!("hostile.mode=well-behaved hostile.tenant={}", setup.tenant)
                );
            }
            _ => {
                ingestion(outcome);
            }
        }
    }
}

mod recorder {
    //! A test HTTP/1.1 server on a loopback port that records every connection and request
    //! reaching it. `/gate/<n>` holds a request until `n` are held at once; `/large/<n>`
    //! answers `n` bytes with a `content-length`, `/large-unannounced/<n>` the same without
    //! one; any other path answers `ok`. A holding recorder holds every request until
    //! released.

    use ddb_catalog::runtime::outbound::Destination;
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpListener, TcpStream};
    use std::sync::{Arc, Condvar, Mutex, MutexGuard};

    /// A request as it arrived: its request line and its headers, names in lower case.
    #[derive(Debug, Clone)]
    pub struct Recorded {
        pub request_line: String,
        pub headers: Vec<(String, String)>,
    }

    impl Recorded {
        pub fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        }

        /// Which of the hostile guest's probes sent it.
        pub fn probe(&self) -> Option<&str> {
            self.header("x-hostile-probe")
        }

        fn path(&self) -> &str {
            self.request_line.split(' ').nth(1).unwrap_or("/")
        }
    }

    #[derive(Default)]
    struct State {
        connections: usize,
        requests: Vec<Recorded>,
        held: usize,
        peak_held: usize,
        gate_open: bool,
        hold_all: bool,
        released: bool,
        stopped: bool,
    }

    #[derive(Default)]
    struct Shared {
        state: Mutex<State>,
        changed: Condvar,
    }

    impl Shared {
        fn lock(&self) -> MutexGuard<'_, State> {
            self.state.lock().unwrap_or_else(|p| p.into_inner())
        }

        /// Holds the calling connection until `gate` requests are held at once, or, without a
        /// gate, until the recorder is released.
        fn hold(&self, gate: Option<usize>) {
            let mut state = self.lock();
            state.held += 1;
            state.peak_held = state.peak_held.max(state.held);
            if gate.is_some_and(|n| state.held >= n) {
                state.gate_open = true;
            }
            self.changed.notify_all();
            let free = |s: &State| s.released || (gate.is_some() && s.gate_open);
            while !free(&state) {
                state = self.changed.wait(state).unwrap_or_else(|p| p.into_inner());
            }
            state.held -= 1;
        }
    }

    pub struct Recorder {
        address: SocketAddr,
        shared: Arc<Shared>,
    }

    impl Recorder {
        pub fn start() -> Recorder {
            Recorder::serving(false)
        }

        pub fn holding() -> Recorder {
            Recorder::serving(true)
        }

        fn serving(hold_all: bool) -> Recorder {
            let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
            let address = listener.local_addr().expect("the listener's address");
            let shared = Arc::new(Shared::default());
            shared.lock().hold_all = hold_all;
            let accepting = shared.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let mut state = accepting.lock();
                    if state.stopped {
                        return;
                    }
                    state.connections += 1;
                    drop(state);
                    if let Ok(stream) = stream {
                        let serving = accepting.clone();
                        std::thread::spawn(move || serve(stream, &serving));
                    }
                }
            });
            Recorder { address, shared }
        }

        pub fn url(&self) -> String {
            format!("http://{}", self.address)
        }

        pub fn authority(&self) -> String {
            self.address.to_string()
        }

        pub fn port(&self) -> u16 {
            self.address.port()
        }

        pub fn destination(&self) -> Destination {
            Destination::from_url(&self.url()).expect("a valid URL")
        }

        /// TCP connections accepted, whether or not a request followed.
        pub fn connections(&self) -> usize {
            self.shared.lock().connections
        }

        pub fn requests(&self) -> Vec<Recorded> {
            self.shared.lock().requests.clone()
        }

        /// Requests held right now.
        pub fn held(&self) -> usize {
            self.shared.lock().held
        }

        /// The most requests held at once.
        pub fn peak_held(&self) -> usize {
            self.shared.lock().peak_held
        }

        /// Answers every held request, and every later one at once.
        pub fn release(&self) {
            self.shared.lock().released = true;
            self.shared.changed.notify_all();
        }
    }

    impl Drop for Recorder {
        fn drop(&mut self) {
            self.shared.lock().stopped = true;
            self.release();
            // Wakes the accepting thread, which then sees that it is stopped.
            let _ = TcpStream::connect(self.address);
        }
    }

    fn serve(mut stream: TcpStream, shared: &Shared) {
        let Some(request) = read_head(&mut stream) else {
            return;
        };
        shared.lock().requests.push(request.clone());
        let path = request.path();
        let gate = path.strip_prefix("/gate/").and_then(|n| n.parse().ok());
        if shared.lock().hold_all {
            shared.hold(None);
        } else if gate.is_some() {
            shared.hold(gate);
        }
        let large = |prefix: &str| path.strip_prefix(prefix).and_then(|n| n.parse().ok());
        let _ = match (large("/large/"), large("/large-unannounced/")) {
            (Some(n), _) => respond(&mut stream, n, true),
            (_, Some(n)) => respond(&mut stream, n, false),
            _ => stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"),
        };
    }

    /// `length` bytes of dots, announced with a `content-length` or ended by closing.
    fn respond(stream: &mut TcpStream, length: usize, announced: bool) -> std::io::Result<()> {
        let head = if announced {
            format!("HTTP/1.1 200 OK\r\ncontent-length: {length}\r\nconnection: close\r\n\r\n")
        } else {
            "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".to_string()
        };
        stream.write_all(head.as_bytes())?;
        let chunk = vec![b'.'; 64 << 10];
        let mut left = length;
        while left > 0 {
            let n = left.min(chunk.len());
            stream.write_all(&chunk[..n])?;
            left -= n;
        }
        Ok(())
    }

    fn read_head(stream: &mut TcpStream) -> Option<Recorded> {
        let mut head = Vec::new();
        let mut buffer = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buffer).ok().filter(|&n| n > 0)?;
            head.extend_from_slice(&buffer[..n]);
            if head.len() > 64 << 10 {
                return None;
            }
        }
        let text = String::from_utf8_lossy(&head);
        let mut lines = text.split("\r\n");
        let request_line = lines.next()?.to_string();
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
            .collect();
        Some(Recorded {
            request_line,
            headers,
        })
    }
}
