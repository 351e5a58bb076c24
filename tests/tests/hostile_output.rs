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

fn workflow(dir: &Path, mode: &str, extra: &str) -> std::path::PathBuf {
    Workflow::new("hostile", "http://127.0.0.1:9", "AKIDHOSTILE")
        .connection(&format!(
            "      connectionOptions:\n        hostile.mode: {mode}\n        hostile.tenant: t\n{extra}"
        ))
        .write(dir, "workflow.yaml")
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
const OVERHEAD_MIB: u64 = 64;

#[test]
fn the_host_stays_within_the_memory_limit_whatever_the_guest_returns() {
    let component = e2e::hostile::component().to_str().unwrap().to_string();
    for (mode, count, reason) in [
        // 6 million empty warnings: 120 MB in the guest, 290 MB once lifted by the host.
        (
            "huge-result",
            6_000_000,
            "Stopped: stopped: one answer of the connector is larger than the 32 MiB the host copies out at once",
        ),
        // One warning of 400 MiB, which the summary would echo.
        (
            "huge-warning",
            400,
            "Stopped: stopped: one answer of the connector is larger than the 32 MiB the host copies out at once",
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
        eprintln!("{mode}: peak RSS {} MiB", peak >> 20);
    }
}
