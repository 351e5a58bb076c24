//! Running `ddb-catalog ingest` as a user would, measured. The binary and its component are
//! copied once at the start, so that a build finishing mid-benchmark cannot mix two versions.

use crate::process::{self, Cost};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub const COMPONENT_FILE: &str = "dynamodb_connector.wasm";

/// Which compile cache a run starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cache {
    /// The benchmark's own cache, filled by an earlier run: the component is precompiled.
    Warm,
    /// A new empty directory: the run compiles the component and fills it.
    Cold,
}

pub struct Catalog {
    binary: PathBuf,
    component: PathBuf,
    warm_cache: PathBuf,
    work: PathBuf,
    runs: AtomicUsize,
}

/// What one `ingest` run reported and cost.
#[derive(Debug, Clone)]
pub struct Run {
    pub cost: Cost,
    /// "compiled" or "loaded from the compile cache", and how long the host says it took.
    pub load: Option<(String, Duration)>,
    /// Each workflow's instantiation, as the host reports it (when it does).
    pub instantiate: Vec<Duration>,
    pub listed: usize,
    pub ingested: usize,
    pub failed: usize,
    /// Requests the connector made, summed over the workflows.
    pub requests: u64,
    /// The host's last `Sandbox:` line (what crossed the boundary).
    pub boundary: String,
}

impl Catalog {
    /// Copies `ddb-catalog` and its component from `bin_dir` (e.g. `target/release`) into
    /// `work/bin`.
    pub fn snapshot(bin_dir: &Path, work: &Path) -> Catalog {
        let bin = work.join("bin");
        std::fs::create_dir_all(&bin).expect("a bin directory");
        let copy = |name: &str| {
            let from = bin_dir.join(name);
            assert!(
                from.is_file(),
                "{} is missing: run scripts/build.sh first",
                from.display()
            );
            let to = bin.join(name);
            std::fs::copy(&from, &to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
            to
        };
        let binary = copy("ddb-catalog");
        let component = copy(COMPONENT_FILE);
        Catalog {
            binary,
            component,
            warm_cache: work.join("compile-cache"),
            work: work.to_path_buf(),
            runs: AtomicUsize::new(0),
        }
    }

    pub fn component(&self) -> &Path {
        &self.component
    }

    pub fn binary(&self) -> &Path {
        &self.binary
    }

    pub fn version(&self) -> String {
        let output = Command::new(&self.binary)
            .arg("--version")
            .output()
            .expect("ddb-catalog --version");
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    /// `ddb-catalog ingest -c <workflows...> [--output <file>] --parallel <n>`, which must
    /// ingest every table it lists; otherwise the error is why (the host's `Stopped:` lines).
    pub fn ingest(
        &self,
        workflows: &[PathBuf],
        output: Option<&Path>,
        parallel: usize,
        cache: Cache,
    ) -> Result<Run, String> {
        self.ingest_with(workflows, output, parallel, cache, &[])
    }

    /// [`Catalog::ingest`] with more global options, e.g. `--no-pooling`.
    pub fn ingest_with(
        &self,
        workflows: &[PathBuf],
        output: Option<&Path>,
        parallel: usize,
        cache: Cache,
        global_args: &[&str],
    ) -> Result<Run, String> {
        let n = self.runs.fetch_add(1, Ordering::SeqCst);
        let cache_dir = match cache {
            Cache::Warm => self.warm_cache.clone(),
            Cache::Cold => self.work.join(format!("cold-cache-{n}")),
        };
        let mut command = Command::new(&self.binary);
        command
            .arg("--cache-dir")
            .arg(&cache_dir)
            .args(global_args)
            .arg("ingest")
            .arg("--parallel")
            .arg(parallel.to_string())
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env_remove("DDB_CATALOG_COMPONENT")
            .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/aws-credentials",
            );
        for workflow in workflows {
            command.arg("-c").arg(workflow);
        }
        if let Some(output) = output {
            command.arg("--output").arg(output);
        }
        let logs = self.work.join("logs");
        std::fs::create_dir_all(&logs).expect("a logs directory");
        let log = logs.join(format!("ddb-catalog-{n}"));
        let finished = process::run(command, &log);
        if cache == Cache::Cold {
            let _ = std::fs::remove_dir_all(&cache_dir);
        }
        let run = parse(&finished.stderr, finished.cost);
        if finished.code == 0 && run.failed == 0 && run.ingested == run.listed {
            return Ok(run);
        }
        let stopped: Vec<&str> = finished
            .stderr
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("Stopped:") || l.starts_with("error:"))
            .map(|l| l.split(" (error while executing").next().unwrap_or(l))
            .collect();
        Err(format!(
            "ddb-catalog exited {} after {:.2} s ({} listed, {} ingested, {} failed): {}; log: {}",
            finished.code,
            finished.cost.wall.as_secs_f64(),
            run.listed,
            run.ingested,
            run.failed,
            stopped.join(" / "),
            log.with_extension("stderr").display()
        ))
    }
}

/// Reads the host's stderr: its load line, each summary's counts, and its sandbox notes.
fn parse(stderr: &str, cost: Cost) -> Run {
    let mut run = Run {
        cost,
        load: None,
        instantiate: Vec::new(),
        listed: 0,
        ingested: 0,
        failed: 0,
        requests: 0,
        boundary: String::new(),
    };
    for line in stderr.lines().map(str::trim) {
        if line.starts_with("Sandbox: ") {
            run.boundary = line.to_string();
        }
        if let Some(rest) = line.strip_prefix("Connector component ") {
            // "compiled in 587.3 ms; running ..." / "loaded from the compile cache in 1.3 ms; ..."
            if let Some((how, after)) = rest.split_once(" in ") {
                let ms = after.split_whitespace().next().and_then(number);
                if let Some(ms) = ms {
                    run.load = Some((how.to_string(), Duration::from_secs_f64(ms / 1000.0)));
                }
            }
        } else if let Some(rest) = line.strip_prefix("Tables listed: ") {
            // "1000 (ingested 1000, filtered 0, failed 0)"
            let numbers: Vec<usize> = rest
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|s| s.parse().ok())
                .collect();
            if let [listed, ingested, _filtered, failed] = numbers[..] {
                run.listed += listed;
                run.ingested += ingested;
                run.failed += failed;
            }
        } else if let Some(rest) = line.strip_prefix("Requests: ") {
            run.requests += rest
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0);
        } else if let Some(rest) = line.strip_prefix("Sandbox: instantiated in ") {
            // "0.84 ms; the connector ran 1.20 s"
            if let Some(ms) = rest.split_whitespace().next().and_then(number) {
                run.instantiate.push(Duration::from_secs_f64(ms / 1000.0));
            }
        }
    }
    run
}

fn number(text: &str) -> Option<f64> {
    text.trim_end_matches([';', ',']).parse().ok()
}
