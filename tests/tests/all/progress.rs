//! Progress while a run goes: on a terminal (a pseudo-terminal here) a live line per run,
//! redrawn in place and left with the final totals above the summary, and with several
//! workflows a line for all of them that stays with their totals; without a terminal, plain `Progress (label): …` lines at the interval
//! asked (`--progress-interval 0`: at every change), none for a run shorter than the interval,
//! and none with `--quiet`.

use e2e::admin::Admin;
use e2e::host;
use e2e::servers::{Kind, Server};
use e2e::workflow::Workflow;
use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

const TABLES: usize = 12;

fn dynamodb_local() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| Server::start(Kind::DynamoDbLocal))
}

/// A workflow over `TABLES` tables of its own, writing to a file in `dir`.
fn workflow(dir: &Path, service: &str, key: &str) -> PathBuf {
    let admin = Admin::new(&dynamodb_local().endpoint(), key);
    let existing = admin.list_tables().unwrap();
    for i in 0..TABLES {
        let name = format!("{service}_{i:02}");
        if !existing.contains(&name) {
            admin.create_table(&name, &[("id", "S", "HASH")]);
        }
    }
    Workflow::new(service, &dynamodb_local().endpoint(), key)
        .without_tags()
        .file_sink(&dir.join(format!("{service}.json")))
        .write(dir, &format!("{service}.yaml"))
}

/// The `Progress (label): …` lines of a run's stderr.
fn progress_lines<'a>(stderr: &'a str, label: &str) -> Vec<&'a str> {
    let prefix = format!("Progress ({label}): ");
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix(prefix.as_str()))
        .collect()
}

/// `phase: L listed, D described, F filtered, X failed; …` as (phase, [L, D, F, X]).
fn parse(line: &str) -> (&str, [u64; 4]) {
    let (phase, rest) = line.split_once(": ").unwrap();
    let counts = rest.split(';').next().unwrap();
    let numbers: Vec<u64> = counts
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    (
        phase,
        numbers.try_into().unwrap_or_else(|_| panic!("{line}")),
    )
}

#[test]
fn without_a_terminal_progress_lines_come_at_the_interval_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = workflow(dir.path(), "lines", "AKIDPROGRESSLINES");
    let path = path.to_str().unwrap();

    // Interval 0: a line at every change, from `starting` to `done`.
    let run = host::run(&["ingest", "-c", path, "--progress-interval", "0"]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
    let lines = progress_lines(&run.stderr, "lines");
    assert!(lines.len() >= 3, "{}", run.stderr);
    let parsed: Vec<(&str, [u64; 4])> = lines.iter().map(|l| parse(l)).collect();
    assert_eq!(parsed[0], ("starting", [0, 0, 0, 0]), "{}", run.stderr);
    let last = *parsed.last().unwrap();
    assert_eq!(
        last,
        ("done", [TABLES as u64, TABLES as u64, 0, 0]),
        "{}",
        run.stderr
    );
    // The last line agrees with the summary.
    assert!(
        run.stderr.contains(&format!(
            "Tables listed: {TABLES} (ingested {TABLES}, filtered 0, failed 0)"
        )),
        "{}",
        run.stderr
    );
    // Phases move forward and counts never go back.
    let order = ["starting", "listing", "describing", "writing", "done"];
    let mut previous = (0, [0u64; 4]);
    for (line, (phase, counts)) in lines.iter().zip(&parsed) {
        let rank = order
            .iter()
            .position(|p| p == phase)
            .unwrap_or_else(|| panic!("unknown phase in `{line}`"));
        assert!(rank >= previous.0, "{}", run.stderr);
        assert!(
            counts
                .iter()
                .zip(previous.1)
                .all(|(now, before)| *now >= before),
            "{}",
            run.stderr
        );
        previous = (rank, *counts);
        assert!(line.contains(" tables/s"), "{line}");
        if *phase == "listing" {
            assert!(!line.contains("ETA"), "{line}");
        }
    }
    // The progress lines come before the summary.
    let summary = run.stderr.find("Workflow DynamoDB Summary").unwrap();
    let last_line = run.stderr.rfind("Progress (lines): ").unwrap();
    assert!(last_line < summary, "{}", run.stderr);

    // A run shorter than the interval needs no line.
    let quiet_interval = host::run(&["ingest", "-c", path, "--progress-interval", "3600"]);
    assert_eq!(quiet_interval.code(), 0, "{}", quiet_interval.stderr);
    assert!(
        progress_lines(&quiet_interval.stderr, "lines").is_empty(),
        "{}",
        quiet_interval.stderr
    );
    assert!(quiet_interval.stderr.contains("INFO listed"));

    // --quiet: no progress and no connector log, whatever the interval.
    let quiet = host::run(&["ingest", "-c", path, "--progress-interval", "0", "--quiet"]);
    assert_eq!(quiet.code(), 0, "{}", quiet.stderr);
    assert!(!quiet.stderr.contains("Progress ("), "{}", quiet.stderr);
    assert!(!quiet.stderr.contains("INFO listed"), "{}", quiet.stderr);
    assert!(quiet.stderr.contains("Workflow finished successfully"));
}

/// What a run wrote to a pseudo-terminal as its stderr (stdout is a pipe), as text.
struct TerminalRun {
    code: i32,
    terminal: String,
}

/// Runs the binary as `host::run` does, but with stderr on a pseudo-terminal of 160 columns.
fn run_on_terminal(args: &[&str]) -> TerminalRun {
    let (mut master, mut slave) = (-1, -1);
    let size = libc::winsize {
        ws_row: 40,
        ws_col: 160,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: valid out-pointers, no name buffer, default terminal settings.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened for us and are owned here only.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    host::register_secret(e2e::admin::SECRET);
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| e2e::workspace_root().join("target"));
    let mut command = Command::new(host::binary());
    command
        .args(args)
        .env("DDB_CATALOG_COMPONENT", host::component())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("DDB_CATALOG_LOG_FORMAT")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .env("DDB_CATALOG_CACHE_DIR", target.join("e2e-compile-cache"))
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(slave));
    let child = command.spawn().expect("run ddb-catalog");
    // Our copy of the terminal's slave side goes, so that reading ends when the child's does.
    drop(command);
    let mut reader = std::fs::File::from(master);
    let reading = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => bytes.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                // EIO once every slave descriptor is closed.
                Err(_) => break,
            }
        }
        bytes
    });
    let output = child.wait_with_output().expect("wait for ddb-catalog");
    let terminal = String::from_utf8_lossy(&reading.join().unwrap()).into_owned();
    host::assert_no_secrets("the terminal", &terminal);
    host::assert_no_secrets("stdout", &String::from_utf8_lossy(&output.stdout));
    TerminalRun {
        code: output.status.code().unwrap_or(-1),
        terminal,
    }
}

#[test]
fn on_a_terminal_each_run_has_a_live_line_left_with_its_totals() {
    let dir = tempfile::tempdir().unwrap();
    let path = workflow(dir.path(), "live", "AKIDPROGRESSLIVE");
    let run = run_on_terminal(&["ingest", "-c", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.terminal);
    // Drawn in place: cursor and erase sequences, not plain progress lines.
    assert!(run.terminal.contains("\u{1b}["), "{:?}", run.terminal);
    assert!(
        !run.terminal.contains("Progress (live)"),
        "{}",
        run.terminal
    );
    let done = "live [";
    let totals = format!("done: {TABLES} listed, {TABLES} described, 0 filtered, 0 failed;");
    let at = run
        .terminal
        .rfind(&totals)
        .unwrap_or_else(|| panic!("no final line `{totals}`:\n{:?}", run.terminal));
    assert!(run.terminal.contains(done), "{:?}", run.terminal);
    // Left on screen above the summary.
    let summary = run
        .terminal
        .find("Workflow DynamoDB Summary (live):")
        .unwrap_or_else(|| panic!("no summary:\n{:?}", run.terminal));
    assert!(at < summary, "{:?}", run.terminal);
    assert!(run.terminal.contains("Workflow finished successfully"));
}

#[test]
fn on_a_terminal_several_workflows_also_get_a_line_for_all() {
    let dir = tempfile::tempdir().unwrap();
    let workflows = dir.path().join("workflows");
    std::fs::create_dir(&workflows).unwrap();
    workflow(&workflows, "first", "AKIDPROGRESSFIRST");
    workflow(&workflows, "second", "AKIDPROGRESSSECOND");
    let run = run_on_terminal(&[
        "ingest",
        "-c",
        workflows.to_str().unwrap(),
        "--parallel",
        "2",
    ]);
    assert_eq!(run.code, 0, "{}", run.terminal);
    let all = format!(
        "2 of 2 workflows finished; {} listed, {} described, 0 filtered, 0 failed;",
        2 * TABLES,
        2 * TABLES
    );
    let at = run
        .terminal
        .rfind(&all)
        .unwrap_or_else(|| panic!("no line for all `{all}`:\n{:?}", run.terminal));
    let first_summary = run.terminal.find("Workflow DynamoDB Summary").unwrap();
    assert!(at < first_summary, "{:?}", run.terminal);
    // A finished run's own line goes; the line for all keeps its totals.
    for label in ["first", "second"] {
        assert!(
            run.terminal
                .contains(&format!("Workflow DynamoDB Summary ({label}):")),
            "{:?}",
            run.terminal
        );
    }
}
