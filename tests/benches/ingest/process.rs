//! Running a command to its end and reading what it cost: the wall time, and from the kernel's
//! own accounting of the child (`wait4`), its CPU time and its peak resident memory.
//!
//! The command runs under a fresh copy of this benchmark (`--measure-child`), which spawns it
//! and reports its usage. Linux records the high-water RSS of the address space a process had
//! before `exec` into its `ru_maxrss`, and a child spawned with vfork (as `posix_spawn` does)
//! had its parent's: spawned directly from this process, every child would report at least
//! this benchmark's own peak. The fresh copy is a few MB, less than anything measured.

use serde_json::{Value, json};
use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The first argument that makes this benchmark the measuring helper.
pub const MEASURE_CHILD: &str = "--measure-child";

/// What one process cost.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    pub wall: Duration,
    pub user: Duration,
    pub system: Duration,
    /// Peak resident set size (`ru_maxrss`).
    pub max_rss_bytes: u64,
}

impl Cost {
    pub fn cpu(&self) -> Duration {
        self.user + self.system
    }

    pub fn to_json(self) -> Value {
        json!({
            "wall_s": self.wall.as_secs_f64(),
            "user_s": self.user.as_secs_f64(),
            "sys_s": self.system.as_secs_f64(),
            "max_rss_mib": mib(self.max_rss_bytes),
        })
    }
}

pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// A finished process: its exit code (`-signal` if a signal ended it), cost and stderr.
#[derive(Debug)]
pub struct Finished {
    pub code: i32,
    pub cost: Cost,
    pub stderr: String,
}

/// Runs `command` with stdin closed and stdout / stderr in `<logs>.stdout` / `<logs>.stderr`
/// (files, so that a chatty child never blocks on a pipe nobody reads while it runs).
pub fn run(command: Command, logs: &Path) -> Finished {
    let stdout_path = logs.with_extension("stdout");
    let stderr_path = logs.with_extension("stderr");
    let cost_path = logs.with_extension("cost");
    let mut helper = Command::new(std::env::current_exe().expect("the benchmark's own executable"));
    helper
        .arg(MEASURE_CHILD)
        .arg(&cost_path)
        .arg(command.get_program())
        .args(command.get_args())
        .stdin(Stdio::null())
        .stdout(File::create(&stdout_path).expect("a stdout file"))
        .stderr(File::create(&stderr_path).expect("a stderr file"));
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => helper.env(key, value),
            None => helper.env_remove(key),
        };
    }
    let status = helper
        .status()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let report = std::fs::read_to_string(&cost_path)
        .unwrap_or_else(|e| panic!("no cost for {command:?} ({status}): {e}"));
    let numbers: Vec<i64> = report
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    let [code, wall_ns, user_us, sys_us, max_rss_kib] = numbers[..] else {
        panic!("bad cost report `{report}` for {command:?}");
    };
    Finished {
        code: code as i32,
        cost: Cost {
            wall: Duration::from_nanos(wall_ns as u64),
            user: Duration::from_micros(user_us as u64),
            system: Duration::from_micros(sys_us as u64),
            max_rss_bytes: max_rss_kib as u64 * 1024,
        },
        stderr: std::fs::read_to_string(&stderr_path).unwrap_or_default(),
    }
}

/// The helper's side (`<bench> --measure-child <cost file> <program> <args...>`): runs the
/// program with this process's stdio and environment, and writes
/// `<exit code> <wall ns> <user µs> <sys µs> <max RSS KiB>` to the cost file.
pub fn measure_child(args: &[String]) -> ! {
    let [cost_path, program, rest @ ..] = args else {
        eprintln!("usage: {MEASURE_CHILD} <cost file> <program> [args...]");
        std::process::exit(2);
    };
    let started = Instant::now();
    // Reaped by wait4 below, not by std's Child::wait.
    let child = Command::new(program)
        .args(rest)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
    let (status, usage) = wait4(child.id() as libc::pid_t);
    let wall = started.elapsed();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    let report = format!(
        "{code} {} {} {} {}\n",
        wall.as_nanos(),
        micros(usage.ru_utime),
        micros(usage.ru_stime),
        // Linux reports kilobytes.
        usage.ru_maxrss
    );
    std::fs::write(cost_path, report).expect("write the cost file");
    std::process::exit(0);
}

/// Reaps `pid` (a child `std::process::Child` never waited on) with its resource usage.
fn wait4(pid: libc::pid_t) -> (libc::c_int, libc::rusage) {
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; wait4 fills it and `status` for our own child `pid`.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: valid pointers to live locals; `pid` is a child of this process.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            return (status, usage);
        }
        let error = std::io::Error::last_os_error();
        assert_eq!(
            error.kind(),
            std::io::ErrorKind::Interrupted,
            "wait4({pid}): {error}"
        );
    }
}

fn micros(t: libc::timeval) -> i64 {
    t.tv_sec * 1_000_000 + t.tv_usec
}
