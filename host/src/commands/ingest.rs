//! `ddb-catalog ingest`: one or more workflows, run at once up to `--parallel`, each with its
//! own progress line and summary, then the run report.

use super::{EXIT_FAILURES, EXIT_USAGE, fail, start_runtime};
use crate::cli::{IngestArgs, SandboxArgs};
use crate::config_keys::{self, Bound};
use crate::logging::{self, Fields, Level};
use crate::progress::{self, Progress, RunProgress};
use crate::report::{self, ComponentInfo, RunInput};
use crate::runner::{self, Options};
use crate::runtime::{Origin, Runtime};
use crate::sanitize;
use crate::sink::SinkSpec;
use crate::summary::{Report, Status};
use crate::workflow::{Loaded, Workflow};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

pub async fn ingest(sandbox: &SandboxArgs, args: IngestArgs) -> ExitCode {
    let started_at = SystemTime::now();
    let loaded = match load(&args) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let many = loaded.len() > 1;
    let labels: Vec<String> = loaded
        .iter()
        .map(|(file, l)| label(file, l, many))
        .collect();
    let mut component = None;
    let runtime = match start_runtime(sandbox, args.parallel.min(loaded.len()), &mut component)
        .await
    {
        Ok(r) => r,
        Err(e) => {
            // The report still says, per run, why nothing ran.
            let reports: Vec<Report> = loaded
                .iter()
                .zip(&labels)
                .map(|((_, l), label)| {
                    let mut report = Report::new(label);
                    report.service = sanitize::name(l.workflow.service_name()).to_string();
                    report.run_id = runner::run_id(&l.workflow);
                    report.stop(&e);
                    report
                })
                .collect();
            let code = fail(EXIT_FAILURES, &e);
            return match write_report(&args, component.as_ref(), started_at, &loaded, &reports) {
                Ok(()) => code,
                Err(e) => fail(EXIT_FAILURES, &e),
            };
        }
    };
    let bound = match bind_all(&runtime, &loaded).await {
        Ok(bound) => bound,
        Err(code) => return code,
    };
    if !args.quiet {
        announce(runtime.load_report(), loaded.len());
    }
    let progress = Progress::new(progress_mode(&args), loaded.len());
    let reports = run_all(
        sandbox, &args, &runtime, &progress, &loaded, &bound, &labels,
    )
    .await;
    progress.finish();

    let mut worst = Status::Success;
    for report in &reports {
        report.log();
        worst = worst.max(report.status());
    }
    let mut code = if worst == Status::Failures {
        ExitCode::from(EXIT_FAILURES)
    } else {
        ExitCode::SUCCESS
    };
    if let Err(e) = write_report(&args, component.as_ref(), started_at, &loaded, &reports) {
        code = fail(EXIT_FAILURES, &e);
    }
    code
}

/// The workflows the command line names, read and checked, their warnings said; or the exit
/// code of a usage error.
fn load(args: &IngestArgs) -> Result<Vec<(PathBuf, Loaded)>, ExitCode> {
    let files = workflow_files(&args.workflows).map_err(|e| fail(EXIT_USAGE, &e))?;
    if files.len() > 1 && args.output.is_some() {
        return Err(fail(
            EXIT_USAGE,
            "--output takes one workflow; give each workflow its own sink",
        ));
    }
    if let Some(path) = &args.report
        && let Err(e) = report::check_writable(path)
    {
        return Err(fail(EXIT_USAGE, &format!("--report: {e}")));
    }
    let mut loaded = Vec::new();
    for file in &files {
        match Workflow::from_file(file) {
            Ok(l) => loaded.push((file.clone(), l)),
            Err(e) => return Err(fail(EXIT_USAGE, &format!("{e:#}"))),
        }
    }
    for (file, l) in &loaded {
        say_warnings(file, &l.warnings);
    }
    Ok(loaded)
}

/// What reading a workflow had to say, each a warning naming the file.
fn say_warnings(file: &Path, warnings: &[String]) {
    let workflow = file.display().to_string();
    for warning in warnings {
        logging::say(
            Level::Warn,
            format!("warning: {workflow}: {warning}"),
            warning,
            &Fields {
                workflow: Some(&workflow),
                source: Some("host"),
                ..Fields::default()
            },
        );
    }
}

/// Each workflow read for the component's connector (its manifest): a workflow the connector
/// cannot run is a usage error that names the key, as an unreadable one is.
async fn bind_all(runtime: &Runtime, loaded: &[(PathBuf, Loaded)]) -> Result<Vec<Bound>, ExitCode> {
    let manifest = runtime
        .manifest()
        .await
        .map_err(|e| fail(EXIT_FAILURES, &e))?;
    let mut all = Vec::with_capacity(loaded.len());
    for (file, l) in loaded {
        let invalid = |e: &dyn std::fmt::Display| {
            fail(
                EXIT_USAGE,
                &format!("invalid workflow {}: {e}", file.display()),
            )
        };
        let bound = config_keys::bind(l, &manifest).map_err(|e| invalid(&e))?;
        // The component's own schema, before any run: a missing or malformed key is the
        // workflow's fault, as an unknown one is.
        runtime
            .check_configuration(&bound.pairs)
            .await
            .map_err(|problems| invalid(&format!("invalid configuration: {problems}")))?;
        say_warnings(file, &bound.warnings);
        all.push(bound);
    }
    Ok(all)
}

/// Where the component came from and how long loading it took.
fn announce((origin, took): (Origin, Duration), workflows: usize) {
    let message = format!(
        "Connector component {} in {:.1} ms; running {} workflow{}",
        match origin {
            Origin::Cached => "loaded from the compile cache",
            Origin::Compiled => "compiled",
        },
        took.as_secs_f64() * 1000.0,
        workflows,
        if workflows > 1 { "s" } else { "" }
    );
    logging::say(
        Level::Info,
        &message,
        &message,
        &Fields {
            source: Some("host"),
            ..Fields::default()
        },
    );
}

fn progress_mode(args: &IngestArgs) -> progress::Mode {
    if args.quiet {
        progress::Mode::Off
    } else if std::io::stderr().is_terminal() {
        progress::Mode::Terminal
    } else {
        progress::Mode::Lines(Duration::from_secs(args.progress_interval))
    }
}

/// Every workflow's run, at most `--parallel` at once, each report in the workflows' order.
async fn run_all(
    sandbox: &SandboxArgs,
    args: &IngestArgs,
    runtime: &Runtime,
    progress: &Progress,
    loaded: &[(PathBuf, Loaded)],
    bound: &[Bound],
    labels: &[String],
) -> Vec<Report> {
    use futures::stream::{self, StreamExt};
    let many = loaded.len() > 1;
    let output = args.output.as_ref().map(|p| {
        if p.as_os_str() == "-" {
            SinkSpec::Stdout
        } else {
            SinkSpec::File(p.clone())
        }
    });
    stream::iter(loaded.iter().zip(bound).zip(labels).enumerate().map(
        |(index, (((_, l), b), label))| {
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
            async move {
                let run_progress = match progress.mode() {
                    progress::Mode::Off => RunProgress::off(),
                    _ => progress.run(index, label),
                };
                runner::ingest(runtime, label, l, b, &options, run_progress).await
            }
        },
    ))
    .buffered(args.parallel.max(1))
    .collect()
    .await
}

/// Writes the run report when `--report` asks for one.
fn write_report(
    args: &IngestArgs,
    component: Option<&ComponentInfo>,
    started_at: SystemTime,
    loaded: &[(PathBuf, Loaded)],
    reports: &[Report],
) -> Result<(), String> {
    let Some(path) = &args.report else {
        return Ok(());
    };
    let runs: Vec<RunInput> = loaded
        .iter()
        .zip(reports)
        .map(|((file, l), report)| RunInput {
            workflow: file,
            ingestion_pipeline_fqn: l.workflow.ingestion_pipeline_fqn.as_deref(),
            report,
        })
        .collect();
    let document = report::build(component, started_at, SystemTime::now(), &runs);
    report::write(path, &document).map_err(|e| e.to_string())
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
