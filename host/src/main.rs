use clap::Parser;
use ddb_catalog::aws_credentials::ProcessEnvironment;
use ddb_catalog::cli::{Cli, Command, ConfigKeysArgs, IngestArgs, SandboxArgs, WorkflowArg};
use ddb_catalog::component_path;
use ddb_catalog::runner::{self, Options};
use ddb_catalog::runtime::limits::Limits;
use ddb_catalog::runtime::{Origin, Runtime, engine};
use ddb_catalog::sanitize;
use ddb_catalog::sink::SinkSpec;
use ddb_catalog::summary::Status;
use ddb_catalog::workflow::{Loaded, Workflow};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Exit codes: 0 success (warnings included), 1 a run failed or tables failed, 2 bad usage or
/// an unreadable workflow.
const EXIT_FAILURES: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // Errors that reach a tenant (e.g. a body cut short, as the guest reads it) must not
        // carry the host's stack backtrace, even when RUST_BACKTRACE is set for debugging.
        // SAFETY: no other thread exists yet.
        unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    }
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(EXIT_FAILURES, &format!("cannot start: {e}")),
    };
    runtime.block_on(async move {
        match cli.command {
            Command::Ingest(args) => ingest(&cli.sandbox, args).await,
            Command::TestConnection(args) => test_connection(&cli.sandbox, args).await,
            Command::ConfigKeys(args) => config_keys(args),
        }
    })
}

fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}

/// A runtime for `runs_at_once` concurrent runs (its instance pool's size).
fn start_runtime(sandbox: &SandboxArgs, runs_at_once: usize) -> Result<Runtime, String> {
    let component = component_path::locate(sandbox.component.as_deref())?;
    let cache_dir = if sandbox.no_cache {
        None
    } else {
        sandbox.cache_dir.clone().or_else(engine::default_cache_dir)
    };
    let limits = Limits {
        memory_bytes: sandbox.memory_mb.max(16) << 20,
        run_timeout: Duration::from_secs(sandbox.timeout.max(1)),
        cpu_time: Duration::from_secs(sandbox.cpu_time.max(1)),
        ..Limits::default()
    };
    let pool = (!sandbox.no_pooling).then_some(runs_at_once.max(1) as u32);
    Runtime::new(&component, cache_dir.as_deref(), limits, pool).map_err(|e| format!("{e:#}"))
}

/// Workflow files named on the command line; a directory stands for its *.yaml / *.yml files.
fn workflow_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
                })
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(format!("no *.yaml workflows in {}", path.display()));
            }
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn label(path: &Path, loaded: &Loaded, many: bool) -> String {
    if many {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| loaded.workflow.service_name().to_string())
    } else {
        loaded.workflow.service_name().to_string()
    }
}

async fn ingest(sandbox: &SandboxArgs, args: IngestArgs) -> ExitCode {
    let files = match workflow_files(&args.workflows) {
        Ok(f) => f,
        Err(e) => return fail(EXIT_USAGE, &e),
    };
    let many = files.len() > 1;
    if many && args.output.is_some() {
        return fail(
            EXIT_USAGE,
            "--output takes one workflow; give each workflow its own sink",
        );
    }
    let mut loaded = Vec::new();
    for file in &files {
        match Workflow::from_file(file) {
            Ok(l) => loaded.push((file.clone(), l)),
            Err(e) => return fail(EXIT_USAGE, &format!("{e:#}")),
        }
    }
    for (file, l) in &loaded {
        for warning in &l.warnings {
            eprintln!("warning: {}: {warning}", file.display());
        }
    }
    let runtime = match start_runtime(sandbox, args.parallel.min(loaded.len())) {
        Ok(r) => r,
        Err(e) => return fail(EXIT_FAILURES, &e),
    };
    let (origin, took) = runtime.load_report();
    if !args.quiet {
        eprintln!(
            "Connector component {} in {:.1} ms; running {} workflow{}",
            match origin {
                Origin::Cached => "loaded from the compile cache",
                Origin::Compiled => "compiled",
            },
            took.as_secs_f64() * 1000.0,
            loaded.len(),
            if many { "s" } else { "" }
        );
    }
    let output = args.output.as_ref().map(|p| {
        if p.as_os_str() == "-" {
            SinkSpec::Stdout
        } else {
            SinkSpec::File(p.clone())
        }
    });

    use futures::stream::{self, StreamExt};
    let runtime = &runtime;
    let reports: Vec<_> = stream::iter(loaded.iter().map(|(file, l)| {
        let label = label(file, l, many);
        let options = Options {
            output: output.clone(),
            echo_log: (!args.quiet).then(|| {
                if many {
                    format!("[{label}] ")
                } else {
                    String::new()
                }
            }),
            allow_internal_addresses: sandbox.allow_internal_addresses,
            format: args.output_format,
        };
        async move { runner::ingest(runtime, &label, l, &options).await }
    }))
    .buffered(args.parallel.max(1))
    .collect()
    .await;

    let mut worst = Status::Success;
    for report in &reports {
        eprint!("{}", report.render());
        worst = worst.max(report.status());
    }
    if worst == Status::Failures {
        ExitCode::from(EXIT_FAILURES)
    } else {
        ExitCode::SUCCESS
    }
}

async fn test_connection(sandbox: &SandboxArgs, args: WorkflowArg) -> ExitCode {
    let loaded = match Workflow::from_file(&args.workflow) {
        Ok(l) => l,
        Err(e) => return fail(EXIT_USAGE, &format!("{e:#}")),
    };
    let runtime = match start_runtime(sandbox, 1) {
        Ok(r) => r,
        Err(e) => return fail(EXIT_FAILURES, &e),
    };
    let name = loaded.workflow.service_name().to_string();
    let options = Options {
        allow_internal_addresses: sandbox.allow_internal_addresses,
        ..Options::default()
    };
    match runner::test_connection(&runtime, &name, &loaded, &options).await {
        Ok(check) => {
            println!(
                "Connection OK: ListTables answered at {} (region {}): {} table{} on the first page{}",
                sanitize::name(&check.endpoint),
                sanitize::name(&check.region),
                check.tables_on_first_page,
                if check.tables_on_first_page == 1 {
                    ""
                } else {
                    "s"
                },
                if check.more_tables {
                    ", more pages follow"
                } else {
                    ""
                }
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(
            EXIT_FAILURES,
            &format!("connection test failed: {}", sanitize::message(&e)),
        ),
    }
}

fn config_keys(args: ConfigKeysArgs) -> ExitCode {
    let loaded = match Workflow::from_file(&args.workflow.workflow) {
        Ok(l) => l,
        Err(e) => return fail(EXIT_USAGE, &format!("{e:#}")),
    };
    let prepared = match runner::prepare(&loaded.workflow, &ProcessEnvironment, &Options::default())
    {
        Ok(p) => p,
        Err(e) => return fail(EXIT_USAGE, &e),
    };
    let (pairs, secrets) = (prepared.config, prepared.secrets);
    for (key, value) in &pairs {
        let shown = if !args.show_secrets && secrets.contains(value) {
            "****"
        } else {
            value.as_str()
        };
        println!("{key}={shown}");
    }
    ExitCode::SUCCESS
}
