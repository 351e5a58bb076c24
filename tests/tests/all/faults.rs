//! The real host runs the real component against DynamoDB Local through a fault-injecting
//! proxy: transient faults are retried until every table is ingested; permanent faults fail
//! exactly the tables they hit, each with a reason that says what the server did; a failing
//! listing stops the run; slow answers time out per table; nothing traps or panics.
//!
//! Every plan is seeded, and every assertion is about counts and texts, never about time.

use e2e::admin::Admin;
use e2e::faults::{Fault, FaultProxy, Plan, Rule, Stats};
use e2e::host;
use e2e::servers::{Kind, Server};
use e2e::workflow::Workflow;
use serde_json::Value;
use std::sync::OnceLock;
use std::time::Duration;

/// One DynamoDB Local for this file; each test works in its own namespace (access key id).
fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| Server::start(Kind::DynamoDbLocal))
}

const ACCESS_DENIED: &str = "User: arn:aws:iam::123456789012:user/e2e is not authorized to perform: dynamodb:DescribeTable on resource: arn:aws:dynamodb:us-east-1:123456789012:table/denied because no identity-based policy allows the dynamodb:DescribeTable action";

/// Runs `ingest --output -`. With `RUST_BACKTRACE=1`, as operators often set it: what the
/// tenant sees must not depend on it.
fn ingest(workflow: &Workflow) -> host::Run {
    let dir = tempfile::tempdir().unwrap();
    let path = workflow.write(dir.path(), "workflow.yaml");
    let run = host::run_with_env(
        &["ingest", "-c", path.to_str().unwrap(), "--output", "-"],
        &[("RUST_BACKTRACE", "1")],
    );
    assert_no_crash(&run);
    run
}

/// Whatever the server did, the connector answered: no trap, no panic.
fn assert_no_crash(run: &host::Run) {
    for sign in ["the connector crashed", "panicked"] {
        assert!(!run.stderr.contains(sign), "`{sign}`:\n{}", run.stderr);
    }
}

/// What the tenant sees holds nothing of the host's internals: no backtrace of the host.
fn leaks(run: &host::Run) -> Vec<String> {
    let lines = run
        .stderr
        .lines()
        .filter(|l| l.to_lowercase().contains("backtrace"))
        .count();
    if lines == 0 {
        return Vec::new();
    }
    vec![format!(
        "{lines} line(s) of the output mention a host backtrace (`Stack backtrace:` inside failure reasons)"
    )]
}

/// The tables' names, sorted (tables are written as they finish).
fn table_names(entities: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = entities
        .iter()
        .filter(|e| e.get("columns").is_some())
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

/// The entities, tables sorted by name.
fn sorted(mut entities: Vec<Value>) -> Vec<Value> {
    entities.sort_by_key(|e| {
        (
            e.get("columns").is_some(),
            e["name"].as_str().unwrap_or_default().to_string(),
        )
    });
    entities
}

/// `Tables listed: N (ingested I, filtered F, failed X)` as numbers, checking that they add up.
fn table_counts(stderr: &str) -> [usize; 4] {
    let [listed, ingested, filtered, failed] = e2e::summary::table_counts(stderr);
    assert_eq!(listed, ingested + filtered + failed, "{stderr}");
    [listed, ingested, filtered, failed].map(|n| n as usize)
}

/// The summary's line about requests, as the proxy's counts say it must read when every fault
/// it injected cost one retry.
fn requests_line(stats: &Stats) -> String {
    format!(
        "Requests: {} (retries {}, throttled {})",
        stats.total_requests(),
        stats.total_faults(),
        stats.throttles
    )
}

/// The rows of the summary's table of failed tables, as (name, reason).
fn failures(stderr: &str) -> Vec<(String, String)> {
    let Some(block) = stderr.split("  Failures:\n").nth(1) else {
        return Vec::new();
    };
    // Rows are indented by exactly four spaces; a reason that spans lines (it should not)
    // keeps only its first line here, and the block ends at the next summary.
    block
        .lines()
        .skip(1) // the "Name  Reason" heading
        .take_while(|line| !line.starts_with("Workflow ") && *line != "  Warnings:")
        .filter(|line| is_indented_by(line, 4))
        .filter_map(|line| {
            let (name, reason) = line.trim().split_once("  ")?;
            Some((name.to_string(), reason.trim().to_string()))
        })
        .collect()
}

/// Whether `line` starts with exactly `n` spaces and then something else.
fn is_indented_by(line: &str, n: usize) -> bool {
    line.len() > n && line[..n].bytes().all(|b| b == b' ') && line.as_bytes()[n] != b' '
}

fn failure_reason(stderr: &str, table: &str) -> String {
    failures(stderr)
        .into_iter()
        .find(|(name, _)| name == table)
        .map(|(_, reason)| reason)
        .unwrap_or_else(|| panic!("no failure for `{table}` in the summary:\n{stderr}"))
}

/// Creates `count` tables named `t00`, `t01`... of alternating key shapes.
fn create_numbered_tables(admin: &Admin, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let name = format!("t{i:02}");
            if i % 2 == 0 {
                admin.create_table(&name, &[("id", "S", "HASH")]);
            } else {
                admin.create_table(&name, &[("pk", "S", "HASH"), ("sk", "N", "RANGE")]);
            }
            name
        })
        .collect()
}

fn max_attempts(n: u32) -> String {
    format!("      connectionOptions:\n        maxAttempts: {n}\n")
}

#[test]
fn transient_describe_failures_are_retried_until_every_table_is_ingested() {
    transient_faults_are_retried(server(), "AKIDFAULTSTRANSIENT");
}

#[test]
fn transient_faults_in_front_of_dynalite_are_retried_too() {
    let dynalite = Server::start(Kind::Dynalite);
    transient_faults_are_retried(&dynalite, "AKIDFAULTSDYNALITE");
}

/// With 30% of DescribeTable calls failing transiently over 60 tables, the run ingests every
/// table, and the same entities as without faults.
fn transient_faults_are_retried(server: &Server, key: &str) {
    let admin = Admin::new(&server.endpoint(), key);
    let names = create_numbered_tables(&admin, 60);
    let proxy = FaultProxy::start(&server.endpoint(), Plan::seeded(1));
    // The defaults: 10 attempts per call.
    let workflow = Workflow::new("transient", &proxy.endpoint(), key).without_tags();

    let clean = ingest(&workflow);
    assert_eq!(clean.code(), 0, "{}", clean.stderr);
    let clean_entities = clean.entities();
    assert_eq!(table_names(&clean_entities), names);
    assert!(
        clean
            .stderr
            .contains("Requests: 61 (retries 0, throttled 0)"),
        "{}",
        clean.stderr
    );

    proxy.set_plan(
        Plan::seeded(20240611).rule(Rule::on("DescribeTable").at_rate(0.3, Fault::transient_mix())),
    );
    proxy.reset_stats();
    let faulty = ingest(&workflow);
    let stats = proxy.stats();
    assert_eq!(faulty.code(), 0, "{}", faulty.stderr);
    assert_eq!(
        table_counts(&faulty.stderr),
        [60, 60, 0, 0],
        "{}",
        faulty.stderr
    );
    assert!(
        faulty.stderr.contains("Workflow finished successfully"),
        "{}",
        faulty.stderr
    );
    // Every fault cost exactly one retry, and the throttles were counted as such.
    assert!(
        stats.total_faults() > 0 && stats.throttles > 0,
        "{stats:#?}"
    );
    for fault in Fault::transient_mix() {
        assert!(stats.faults_of(&fault.name()) > 0, "{fault:?}: {stats:#?}");
    }
    assert!(
        faulty.stderr.contains(&requests_line(&stats)),
        "{stats:#?}\n{}",
        faulty.stderr
    );
    // The same tables as the same entities.
    assert_eq!(sorted(faulty.entities()), sorted(clean_entities));
    assert_eq!(leaks(&faulty), Vec::<String>::new());
}

#[test]
fn tables_that_always_fail_are_reported_by_name_with_what_the_server_did() {
    let key = "AKIDFAULTSPERMANENT";
    let admin = Admin::new(&server().endpoint(), key);
    let healthy = ["alpha", "beta", "gamma"];
    let failing: [(&str, Fault); 10] = [
        ("always_500", Fault::InternalServerError),
        ("always_503", Fault::ServiceUnavailable),
        (
            "denied",
            Fault::client_error("AccessDeniedException", ACCESS_DENIED),
        ),
        ("malformed", Fault::MalformedJson),
        ("truncated", Fault::TruncatedBody),
        ("huge", Fault::HugeBody(20 << 20)),
        ("wrongly_typed", Fault::wrongly_typed()),
        ("throttled", Fault::Throttling),
        ("reset", Fault::ConnectionReset),
        ("not_http", Fault::NotHttp),
    ];
    for name in healthy
        .iter()
        .chain(failing.iter().map(|(n, _)| n))
        .chain(&["scratch_tmp"])
    {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    let plan = failing
        .iter()
        .fold(Plan::seeded(2), |plan, (table, fault)| {
            plan.rule(Rule::on("DescribeTable").table(table).always(fault.clone()))
        });
    let proxy = FaultProxy::start(&server().endpoint(), plan);
    let workflow = Workflow::new("permanent", &proxy.endpoint(), key)
        .connection(&max_attempts(3))
        .source_config("      tableFilterPattern:\n        excludes: ['^scratch']\n")
        .without_tags();

    let run = ingest(&workflow);
    let stats = proxy.stats();
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert_eq!(table_counts(&run.stderr), [14, 3, 1, 10], "{}", run.stderr);
    assert!(run.stderr.contains("Workflow finished with failures"));
    let mut ingested = table_names(&run.entities());
    ingested.sort();
    assert_eq!(ingested, healthy);

    // Retryable faults (throttling, 5xx, resets, cut bodies) were tried three times; refusals,
    // answers that are not HTTP and other 4xx once; filtered tables never.
    for table in healthy {
        assert_eq!(stats.requests_on("DescribeTable", table), 1, "{table}");
    }
    assert_eq!(stats.requests_on("DescribeTable", "scratch_tmp"), 0);
    for (table, attempts) in [
        ("always_500", 3),
        ("always_503", 3),
        ("throttled", 3),
        ("reset", 3),
        ("truncated", 3),
        ("denied", 1),
        ("malformed", 1),
        ("wrongly_typed", 1),
        ("huge", 1),
        ("not_http", 1),
    ] {
        assert_eq!(
            stats.requests_on("DescribeTable", table),
            attempts,
            "{table}: {stats:#?}"
        );
    }

    let mut problems = leaks(&run);
    let mut expect = |table: &str, ok: &dyn Fn(&str) -> bool, wanted: &str| {
        let reason = failure_reason(&run.stderr, table);
        if !ok(&reason) {
            problems.push(format!("{table}: wanted {wanted}, got `{reason}`"));
        }
    };
    expect(
        "always_500",
        &|r| {
            r == "DescribeTable: InternalServerError: The server encountered an internal error trying to fulfill the request. (HTTP 500, 3 attempts)"
        },
        "the 500 and its message",
    );
    expect(
        "always_503",
        &|r| {
            r == "DescribeTable: ServiceUnavailable: DynamoDB is currently unavailable. (This should be a temporary state.) (HTTP 503, 3 attempts)"
        },
        "the 503 and its message",
    );
    expect(
        "denied",
        &|r| r == format!("DescribeTable: AccessDeniedException: {ACCESS_DENIED} (HTTP 400)"),
        "the AccessDeniedException and its message",
    );
    expect(
        "throttled",
        &|r| {
            r == "DescribeTable: ThrottlingException: Rate of requests exceeds the allowed throughput. (HTTP 400, 3 attempts)"
        },
        "the throttling and its message",
    );
    expect(
        "malformed",
        &|r| {
            r.starts_with("DescribeTable: InvalidResponse: the DescribeTable response cannot be read: EOF while parsing")
        },
        "an unreadable answer",
    );
    expect(
        "wrongly_typed",
        &|r| {
            r.starts_with("DescribeTable: InvalidResponse:")
                && r.contains("KeySchema")
                && r.contains("many")
        },
        "an unreadable answer naming the field `KeySchema` and its value",
    );
    expect(
        "not_http",
        &|r| r.starts_with("DescribeTable: HttpProtocolError:") && !r.contains("attempts"),
        "an answer that is not HTTP, tried once",
    );
    expect(
        "huge",
        &|r| r.starts_with("DescribeTable: ResponseTooLarge:") && r.contains("20971520 bytes"),
        "a response too large, with its size",
    );
    expect(
        "truncated",
        &|r| {
            r.starts_with("DescribeTable: ConnectionReset:")
                && r.contains("cut short")
                && r.ends_with("(3 attempts)")
        },
        "a body cut short, after 3 attempts",
    );
    expect(
        "reset",
        &|r| {
            let lower = r.to_lowercase();
            r.starts_with("DescribeTable: ConnectionReset:")
                && (lower.contains("reset") || lower.contains("closed"))
                && r.ends_with("(3 attempts)")
        },
        "a connection reset (or closed) without an answer, after 3 attempts",
    );
    assert!(
        problems.is_empty(),
        "{}\n{}",
        problems.join("\n"),
        run.stderr
    );
}

#[test]
fn a_listing_that_always_fails_stops_the_run_with_a_clear_error() {
    let key = "AKIDFAULTSLISTING";
    let admin = Admin::new(&server().endpoint(), key);
    admin.create_table("present", &[("id", "S", "HASH")]);
    let cases: [(Fault, u64, &str); 4] = [
        (
            Fault::InternalServerError,
            3,
            "Stopped: the service failed: ListTables: InternalServerError: The server encountered an internal error trying to fulfill the request. (HTTP 500, 3 attempts)",
        ),
        (
            Fault::client_error("AccessDeniedException", "not allowed to list"),
            1,
            "Stopped: access denied, check the credentials and the IAM policy: ListTables: AccessDeniedException: not allowed to list (HTTP 400)",
        ),
        (
            Fault::MalformedJson,
            1,
            "Stopped: the service answered something unreadable: ListTables: InvalidResponse: the ListTables response cannot be read: EOF while parsing",
        ),
        (
            Fault::ConnectionReset,
            3,
            "Stopped: the service failed: ListTables: ConnectionReset:",
        ),
    ];
    let mut problems = Vec::new();
    for (fault, attempts, stopped) in cases {
        let proxy = FaultProxy::start(
            &server().endpoint(),
            Plan::seeded(3).rule(Rule::on("ListTables").always(fault.clone())),
        );
        let workflow = Workflow::new("listing", &proxy.endpoint(), key)
            .without_tags()
            .connection(&max_attempts(3));
        let run = ingest(&workflow);
        let stats = proxy.stats();
        assert_eq!(run.code(), 1, "{fault:?}:\n{}", run.stderr);
        assert!(run.stderr.contains("Workflow finished with failures"));
        assert_eq!(table_counts(&run.stderr), [0, 0, 0, 0]);
        assert_eq!(stats.requests_for("ListTables"), attempts, "{fault:?}");
        assert_eq!(stats.requests_for("DescribeTable"), 0, "{fault:?}");
        assert!(
            !run.stdout.contains("\"columns\""),
            "{fault:?}: a stopped run emitted tables:\n{}",
            run.stdout
        );
        if !run.stderr.contains(stopped) {
            let got = run
                .stderr
                .lines()
                .find(|l| l.trim().starts_with("Stopped:"))
                .unwrap_or("no `Stopped:` line")
                .trim();
            problems.push(format!("{}: wanted `{stopped}`, got `{got}`", fault.name()));
        }
        // A run stopped before its first batch has no counters: the summary prints none rather
        // than zeros, and the `Stopped:` reason says how many attempts were made.
        if run.stderr.contains("Requests:") {
            problems.push(format!(
                "{}: a stopped run printed a `Requests:` line",
                fault.name()
            ));
        }
        if attempts > 1 && !run.stderr.contains(&format!("{attempts} attempts")) {
            problems.push(format!(
                "{}: the reason does not say `{attempts} attempts`",
                fault.name()
            ));
        }
        problems.extend(leaks(&run));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_describe_slower_than_the_request_timeout_is_retried_then_reported_as_a_timeout() {
    let key = "AKIDFAULTSTIMEOUT";
    let admin = Admin::new(&server().endpoint(), key);
    for name in ["prompt", "slow_head", "stalled_body"] {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    let proxy = FaultProxy::start(
        &server().endpoint(),
        Plan::seeded(4)
            .rule(
                Rule::on("DescribeTable")
                    .table("slow_head")
                    .always(Fault::SlowHead(Duration::from_secs(3))),
            )
            .rule(
                Rule::on("DescribeTable")
                    .table("stalled_body")
                    .always(Fault::SlowBody(Duration::from_secs(3))),
            ),
    );
    let workflow = Workflow::new("timeout", &proxy.endpoint(), key)
        .without_tags()
        .connection(
            "      connectionOptions:\n        maxAttempts: 2\n        requestTimeoutSeconds: 1\n",
        );
    let run = ingest(&workflow);
    let stats = proxy.stats();
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert_eq!(table_counts(&run.stderr), [3, 1, 0, 2], "{}", run.stderr);
    assert_eq!(table_names(&run.entities()), ["prompt"]);
    assert!(
        run.stderr.contains("Requests: 6 (retries 2, throttled 0)"),
        "{}",
        run.stderr
    );
    assert_eq!(stats.requests_on("DescribeTable", "slow_head"), 2);
    assert_eq!(stats.requests_on("DescribeTable", "stalled_body"), 2);
    let mut problems = leaks(&run);
    for (table, wanted) in [
        (
            "slow_head",
            "DescribeTable: Timeout: no complete answer within 1 s (requestTimeoutSeconds) (2 attempts)",
        ),
        (
            "stalled_body",
            "DescribeTable: Timeout: no complete answer within 1 s (requestTimeoutSeconds) (2 attempts)",
        ),
    ] {
        let reason = failure_reason(&run.stderr, table);
        if reason != wanted {
            problems.push(format!(
                "{table}: wanted a timeout after 2 attempts, got `{reason}`"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{}\n{}",
        problems.join("\n"),
        run.stderr
    );
}

#[test]
fn slow_but_steady_answers_within_the_request_timeout_are_not_failures() {
    let key = "AKIDFAULTSSTEADY";
    let admin = Admin::new(&server().endpoint(), key);
    for name in ["late_head", "dribbled_body"] {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    // A DescribeTable answer is several hundred bytes: dribbled at 2 ms a byte it takes about
    // a second in all, within the 5 s timeout.
    let proxy = FaultProxy::start(
        &server().endpoint(),
        Plan::seeded(5)
            .rule(
                Rule::on("DescribeTable")
                    .table("late_head")
                    .always(Fault::SlowHead(Duration::from_millis(300))),
            )
            .rule(
                Rule::on("DescribeTable")
                    .table("dribbled_body")
                    .always(Fault::SlowBody(Duration::from_millis(2))),
            ),
    );
    let workflow = Workflow::new("steady", &proxy.endpoint(), key)
        .without_tags()
        .connection(
            "      connectionOptions:\n        maxAttempts: 1\n        requestTimeoutSeconds: 5\n",
        );
    let run = ingest(&workflow);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert_eq!(table_counts(&run.stderr), [2, 2, 0, 0], "{}", run.stderr);
    assert!(
        run.stderr.contains("Requests: 3 (retries 0, throttled 0)"),
        "{}",
        run.stderr
    );
    assert_eq!(proxy.stats().faults_of("SlowBody"), 1);
    assert_eq!(leaks(&run), Vec::<String>::new());
}

/// `requestTimeoutSeconds` bounds a whole request, not each wait for a byte: an endpoint that
/// drips one table's answer, a byte every 500 ms, fails that table alone, by name, when the
/// timeout is up, and the other tables are ingested.
#[test]
fn a_dripping_endpoint_fails_one_table_and_not_the_run() {
    let key = "AKIDFAULTSDRIP";
    let admin = Admin::new(&server().endpoint(), key);
    for name in ["drip", "dry_a", "dry_b", "dry_c"] {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    let proxy = FaultProxy::start(
        &server().endpoint(),
        Plan::seeded(7).rule(
            Rule::on("DescribeTable")
                .table("drip")
                .always(Fault::SlowBody(Duration::from_millis(500))),
        ),
    );
    let workflow = Workflow::new("drip", &proxy.endpoint(), key)
        .without_tags()
        .connection(
            "      connectionOptions:\n        maxAttempts: 1\n        requestTimeoutSeconds: 2\n",
        );
    let run = ingest(&workflow);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert_eq!(table_counts(&run.stderr), [4, 3, 0, 1], "{}", run.stderr);
    assert_eq!(table_names(&run.entities()), ["dry_a", "dry_b", "dry_c"]);
    assert_eq!(
        failure_reason(&run.stderr, "drip"),
        "DescribeTable: Timeout: no complete answer within 2 s (requestTimeoutSeconds)"
    );
    // The answer would take minutes to drip out: the timeout is what ended it (had the run
    // waited for the whole answer, `drip` would have been ingested, not failed).
    assert_eq!(leaks(&run), Vec::<String>::new());
}

/// Statistics that are not counts (a negative `ItemCount`, a size beyond 64 bits, a capacity
/// that is a string) are left out with a warning; the table is still ingested.
#[test]
fn bad_statistics_drop_the_statistic_not_the_table() {
    let key = "AKIDFAULTSSTATS";
    let admin = Admin::new(&server().endpoint(), key);
    admin.create_table("odd_stats", &[("id", "S", "HASH")]);
    let proxy = FaultProxy::start(
        &server().endpoint(),
        Plan::seeded(8).rule(
            Rule::on("DescribeTable")
                .table("odd_stats")
                .always(Fault::bad_statistics("odd_stats")),
        ),
    );
    let workflow = Workflow::new("stats", &proxy.endpoint(), key).without_tags();
    let run = ingest(&workflow);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert_eq!(table_counts(&run.stderr), [1, 1, 0, 0], "{}", run.stderr);
    assert!(
        run.stderr.contains("Workflow finished with warnings"),
        "{}",
        run.stderr
    );
    for warning in [
        "odd_stats: DescribeTable's ItemCount -7 is negative; the statistic is left out",
        "odd_stats: DescribeTable's TableSizeBytes 1e+30 is beyond 64 bits; the statistic is left out",
        "odd_stats: DescribeTable's ProvisionedThroughput.ReadCapacityUnits \"five\" is not a number; the statistic is left out",
    ] {
        assert!(run.stderr.contains(warning), "{warning}\n{}", run.stderr);
    }
    let entities = run.entities();
    let table = entities.iter().find(|e| e["name"] == "odd_stats").unwrap();
    assert!(
        table["description"]
            .as_str()
            .unwrap()
            .contains("partition key"),
        "{table}"
    );
}

#[test]
fn the_proxy_is_transparent_keeps_connections_alive_and_counts_requests_in_flight() {
    let key = "AKIDFAULTSPROXY";
    let latency = Duration::from_millis(10);
    let proxy = FaultProxy::start(&server().endpoint(), Plan::seeded(6).latency(latency));

    // A keep-alive client (ureq's pool) through the proxy: one connection for every call.
    let admin = Admin::new(&proxy.endpoint(), key);
    let names = create_numbered_tables(&admin, 30);
    assert_eq!(admin.list_tables().unwrap(), names);
    let stats = proxy.stats();
    assert_eq!(stats.requests_for("CreateTable"), 30);
    assert_eq!(stats.requests_for("ListTables"), 1);
    assert_eq!(stats.connections, 1, "{stats:#?}");
    assert_eq!(stats.total_faults(), 0);

    // The connector through the proxy, four describes at a time.
    proxy.reset_stats();
    let workflow = Workflow::new("proxied", &proxy.endpoint(), key)
        .without_tags()
        .connection("      connectionOptions:\n        describeConcurrency: 4\n");
    let run = ingest(&workflow);
    let stats = proxy.stats();
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert_eq!(table_names(&run.entities()), names);
    assert_eq!(stats.total_requests(), 31);
    assert!(
        run.stderr.contains("Requests: 31 (retries 0, throttled 0)"),
        "{}",
        run.stderr
    );
    // Never more than the four describes and the listing's next page in flight; each request
    // in flight for at least the added latency.
    assert!(
        (1..=5).contains(&stats.max_in_flight),
        "{}",
        stats.max_in_flight
    );
    assert!(stats.in_flight_time >= latency * 31, "{stats:#?}");
    assert!(stats.average_in_flight() <= stats.max_in_flight as f64);
}
