//! What a hostile component hands the host does not take over the terminal, forge a log line,
//! or grow the host past the run's memory limit: the real CLI runs the hostile guest
//! (tests/hostile-guest) in place of the connector, driven by `connectionOptions.hostile.*`.

use e2e::host;
use e2e::workflow::Workflow;
use std::path::Path;

/// The bytes that would act on a terminal, and text that would pass for the host's own line.
const DANGEROUS: [(&str, char); 6] = [
    ("ESC", '\u{1b}'),
    ("CSI (C1)", '\u{9b}'),
    ("RIGHT-TO-LEFT OVERRIDE", '\u{202e}'),
    ("carriage return", '\r'),
    ("backspace", '\u{8}'),
    ("NUL", '\u{0}'),
];

/// A workflow that runs the hostile guest in `mode`, with `extra` lines of `hostile.*` options.
pub(crate) fn workflow(dir: &Path, mode: &str, extra: &str) -> std::path::PathBuf {
    Workflow::new("hostile", "http://127.0.0.1:9", "AKIDHOSTILE")
        .connection(&format!(
            "      connectionOptions:\n        hostile.mode: {mode}\n        hostile.tenant: t\n{extra}"
        ))
        .write(dir, "workflow.yaml")
}

/// Compiles the hostile component into the shared compile cache, so that a measured run loads
/// it: compiling is not what the memory tests measure (about 70 MiB for the connector).
fn warm_compile_cache(component: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = workflow(dir.path(), "well-behaved", "");
    let _ = host::run(&[
        "test-connection",
        "-c",
        path.to_str().unwrap(),
        "--component",
        component,
    ]);
}

fn assert_harmless(what: &str, text: &str) {
    for (name, c) in DANGEROUS {
        assert!(!text.contains(c), "{what} holds a raw {name}:\n{text:?}");
    }
    for line in text.lines() {
        let line = line.trim();
        assert!(
            !line.starts_with("[host]") && !line.starts_with("Workflow finished successfully"),
            "{what} holds a forged line `{line}`:\n{text}"
        );
    }
}

#[test]
fn hostile_strings_are_escaped_everywhere_they_are_shown() {
    let dir = tempfile::tempdir().unwrap();
    let path = workflow(dir.path(), "hostile-strings", "");
    let component = e2e::hostile::component().to_str().unwrap().to_string();
    let run = host::run(&[
        "ingest",
        "-c",
        path.to_str().unwrap(),
        "--component",
        &component,
        "-o",
        "-",
    ]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert_harmless("stderr", &run.stderr);
    assert_harmless("stdout", &run.stdout);
    // Shown, escaped: the summary's Filtered and Failures tables, its warnings, the Stopped
    // line and the echoed log.
    for shown in [
        "Filtered:",
        "Failures:",
        "Warnings:",
        "Stopped: the service failed: ListTables: Hostile: \\u{1b}[2J\\u{1b}[31mred\\u{9b}31m",
        "\\u{202e}txet desrever\\r\\u{8}\\0\\n[host] Workflow finished successfully",
        "filtered\\n\\u{1b}[2J",
        "failed\\u{202e}",
        "[guest] Workflow finished successfully",
    ] {
        assert!(
            run.stderr.contains(shown),
            "`{shown}` missing:\n{}",
            run.stderr
        );
    }
    assert!(run.stderr.ends_with("Workflow finished with failures\n"));
    // The JSON on stdout is valid and says the same, with terminal-safe escapes.
    let entities: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(entities.len(), 3, "{entities:?}");

    let check = host::run(&[
        "test-connection",
        "-c",
        path.to_str().unwrap(),
        "--component",
        &component,
    ]);
    assert_eq!(check.code(), 0, "{}", check.stderr);
    assert_harmless("test-connection's stdout", &check.stdout);
    assert!(
        check.stdout.contains("(region \\u{1b}[2J"),
        "{}",
        check.stdout
    );
}

/// What the host process may use beyond the run's memory limit: its own code, the compiled
/// component, the runtime and its buffers (docs/benchmarks.md measures it).
pub(crate) const OVERHEAD_MIB: u64 = 64;

#[test]
fn the_host_stays_within_the_memory_limit_whatever_the_guest_returns() {
    let component = e2e::hostile::component().to_str().unwrap().to_string();
    warm_compile_cache(&component);
    // Each mode with the peak it is held to: the guarantee is the limit plus 64 MiB (576 MiB);
    // each bound sits about 100 MiB above what the mode measures (263 and 411 MiB, the same
    // alone or beside the other tests since GNU time measures it), so that a regression shows
    // before the guarantee is broken.
    for (mode, count, reason, bound_mib) in [
        // 6 million empty warnings: 120 MB in the guest, 290 MB once lifted by the host.
        (
            "huge-result",
            6_000_000,
            "Stopped: stopped: one answer of the connector is larger than the 32 MiB the host copies out at once",
            370,
        ),
        // One warning of 400 MiB, which the summary would echo.
        (
            "huge-warning",
            400,
            "Stopped: stopped: one answer of the connector is larger than the 32 MiB the host copies out at once",
            520,
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = workflow(
            dir.path(),
            mode,
            &format!("        hostile.count: \"{count}\"\n"),
        );
        let (run, peak) = host::run_measured(&[
            "ingest",
            "-c",
            path.to_str().unwrap(),
            "--component",
            &component,
            "-q",
            "-o",
            dir.path().join("out.json").to_str().unwrap(),
        ]);
        assert_eq!(run.code(), 1, "{mode}: {}", run.stderr);
        assert!(run.stderr.contains(reason), "{mode}: {}", run.stderr);
        assert!(
            run.stderr.len() < 64 << 10,
            "{mode}: {} bytes of stderr",
            run.stderr.len()
        );
        let limit_mib = 512;
        assert!(
            peak >> 20 <= limit_mib + OVERHEAD_MIB,
            "{mode}: the host peaked at {} MiB for a run limited to {limit_mib} MiB",
            peak >> 20
        );
        assert!(
            peak >> 20 <= bound_mib,
            "{mode}: the host peaked at {} MiB, above the {bound_mib} MiB this mode takes",
            peak >> 20
        );
        eprintln!("{mode}: peak RSS {} MiB", peak >> 20);
    }
}

/// The workflow decides the scope: a connector that names another tenant's service, or scope
/// names OpenMetadata would not take, is refused before anything is written, into a file or
/// into OpenMetadata.
#[test]
fn a_connector_cannot_write_outside_the_workflows_scope() {
    let component = e2e::hostile::component().to_str().unwrap().to_string();
    for (mode, named) in [
        (
            "scope-hijack",
            "the connector named service `other_tenant` where the workflow implies `hostile`",
        ),
        ("long-scope", "the connector named service `ssssssss"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = workflow(dir.path(), mode, "");
        let out = dir.path().join("out.json");
        let run = host::run(&[
            "ingest",
            "-c",
            path.to_str().unwrap(),
            "--component",
            &component,
            "-q",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(run.code(), 1, "{mode}: {}", run.stderr);
        assert!(run.stderr.contains(named), "{mode}: {}", run.stderr);
        assert!(
            run.stderr.contains("refused, nothing written"),
            "{mode}: {}",
            run.stderr
        );
        assert!(
            run.stderr.len() < 16 << 10,
            "{mode}: {} bytes of stderr",
            run.stderr.len()
        );
        let written: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        assert_eq!(written, Vec::<serde_json::Value>::new(), "{mode}");

        // Into OpenMetadata: no call writes anything.
        let om = e2e::openmetadata::OpenMetadata::start();
        host::register_secret(&om.token());
        let mut rest = Workflow::new("hostile", "http://127.0.0.1:9", "AKIDHOSTILE").connection(
            &format!("      connectionOptions:\n        hostile.mode: {mode}\n        hostile.tenant: t\n"),
        );
        rest.sink = "sink:\n  type: metadata-rest\n  config: {}\n".into();
        rest.workflow_config = format!(
            "  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    securityConfig:\n      jwtToken: {}\n",
            om.host_port(),
            om.token()
        );
        let path = rest.write(dir.path(), "rest.yaml");
        let run = host::run(&[
            "ingest",
            "-c",
            path.to_str().unwrap(),
            "--component",
            &component,
            "-q",
        ]);
        assert_eq!(run.code(), 1, "{mode}: {}", run.stderr);
        let writes: Vec<String> = om
            .calls()
            .iter()
            .filter(|c| c.method != "GET")
            .map(|c| c.summary())
            .collect();
        assert_eq!(writes, Vec::<String>::new(), "{mode}");
        assert!(om.service("other_tenant").is_none());
    }
}

/// A connector's lineage reaches only the services the workflow names (the values of its
/// `lineage-service` keys), at most 16 edges a table, each a plain `<service>.<name>`: edges into
/// another tenant's service, a service no key names, an FQN of 100,000 characters and 100,000
/// edges into its own service are refused or cut, with warnings, and the table is still written.
#[test]
fn a_connectors_lineage_reaches_only_the_services_the_workflow_names() {
    let component = e2e::hostile::component().to_str().unwrap().to_string();
    let om = e2e::openmetadata::OpenMetadata::start();
    let stolen = om.add_other("topic", "other_tenant_kinesis.stolen");
    let own: Vec<String> = (0..2)
        .map(|i| om.add_other("topic", &format!("mine.topic_{i}")))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let rest = Workflow::new("hostile", "http://127.0.0.1:9", "AKIDHOSTILE")
        .connection(
            "      connectionOptions:\n        hostile.mode: lineage-hijack\n        hostile.tenant: t\n        lineageService: mine\n",
        )
        .into_openmetadata(&om);
    let path = rest.write(dir.path(), "rest.yaml");
    let run = host::run(&[
        "ingest",
        "-c",
        path.to_str().unwrap(),
        "--component",
        &component,
    ]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(om.table("hostile.default.default.streams").is_some());
    for expected in [
        "lineage into `other_tenant_kinesis`, `unnamed_service` refused: the workflow names `mine`",
        "1 lineage edge(s) refused: not a `<service>.<name>` FQN of at most 1024 characters",
        "99984 lineage edge(s) beyond 16 per table left out",
    ] {
        assert!(run.stderr.contains(expected), "{expected}\n{}", run.stderr);
    }
    let targets: Vec<String> = om.lineage().into_iter().map(|(_, to, _)| to).collect();
    assert!(
        !targets.contains(&stolen),
        "an edge into another tenant's service"
    );
    assert_eq!(targets.len(), 2, "{targets:?}");
    assert!(own.iter().all(|id| targets.contains(id)));
    // The 14 other accepted targets do not exist: looked up, one warning each, no edge.
    let lookups = om
        .calls()
        .iter()
        .filter(|c| c.method == "GET" && c.decoded_path().starts_with("/api/v1/topics/name/"))
        .count();
    assert_eq!(lookups, 16);
}

/// A table handed over twice (in two batches, or twice in one) is written once, with a
/// warning, and counted once.
#[test]
fn a_repeated_table_is_refused_with_a_warning_and_counted_once() {
    let component = e2e::hostile::component().to_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let path = workflow(dir.path(), "repeat-tables", "");
    let out = dir.path().join("out.json");
    let run = host::run(&[
        "ingest",
        "-c",
        path.to_str().unwrap(),
        "--component",
        &component,
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    let names: Vec<String> = host::read_entities(&out)
        .iter()
        .filter(|e| e.get("columns").is_some())
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["a", "b"]);
    for name in ["a", "b"] {
        assert!(
            run.stderr.contains(&format!(
                "table `{name}` handed over again: the repeat is refused"
            )),
            "{}",
            run.stderr
        );
    }
    assert_eq!(
        e2e::summary::table_counts(&run.stderr)[1],
        2,
        "{}",
        run.stderr
    );
}

/// What the host spends on a component's configuration schema is bounded: a 6 KB schema whose
/// patterns would make a backtracking-free engine's match state grow with states times capture
/// slots (1.3 GiB with `regex-lite`) costs the host a few MiB, measured from outside (GNU time).
#[test]
fn a_costly_configuration_schema_does_not_grow_the_host() {
    let component = e2e::hostile::component().to_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    warm_compile_cache(&component);
    let path = workflow(dir.path(), "costly-schema", "");
    let (run, peak) = host::run_measured(&[
        "ingest",
        "-c",
        path.to_str().unwrap(),
        "--component",
        &component,
        "-q",
        "-o",
        dir.path().join("out.json").to_str().unwrap(),
    ]);
    assert!(
        run.code() == 0 || run.stderr.contains("configuration schema is not valid"),
        "{}",
        run.stderr
    );
    eprintln!("costly-schema: peak RSS {} MiB", peak >> 20);
    assert!(
        peak >> 20 <= 32,
        "the host peaked at {} MiB checking a 6 KB configuration schema",
        peak >> 20
    );
}
