use clap::Parser;
use ddb_catalog::aws_credentials::ProcessEnvironment;
use ddb_catalog::cli::{
    Cli, Command, ComponentCommand, ConfigKeysArgs, IngestArgs, InspectArgs, KeygenArgs, PullArgs,
    PushArgs, SandboxArgs, SignArgs, StampArgs, WitPackageArgs, WorkflowArg,
};
use ddb_catalog::distribution::digest::Digest;
use ddb_catalog::distribution::store::Store;
use ddb_catalog::distribution::{
    self, ComponentSource, Resolved, inspect, metadata, oci, signing, wit,
};
use ddb_catalog::logging::{self, Fields, Level};
use ddb_catalog::progress::{self, Progress, RunProgress};
use ddb_catalog::report::{self, ComponentInfo, RunInput};
use ddb_catalog::runner::{self, Options};
use ddb_catalog::runtime::limits::Limits;
use ddb_catalog::runtime::{Origin, Runtime, engine};
use ddb_catalog::sanitize;
use ddb_catalog::sink::SinkSpec;
use ddb_catalog::summary::{Report, Status};
use ddb_catalog::workflow::{Loaded, Workflow};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

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
    ddb_catalog::code_pages::map_on_demand();
    let cli = Cli::parse();
    logging::init(cli.log_format);
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
            Command::Component(command) => component(&cli.sandbox, command).await,
        }
    })
}

fn fail(code: u8, message: &str) -> ExitCode {
    logging::say(
        Level::Error,
        format!("error: {message}"),
        message,
        &Fields {
            source: Some("host"),
            ..Fields::default()
        },
    );
    ExitCode::from(code)
}

/// The compile cache, unless --no-cache.
fn compile_cache_dir(sandbox: &SandboxArgs) -> Option<PathBuf> {
    if sandbox.no_cache {
        None
    } else {
        sandbox.cache_dir.clone().or_else(engine::default_cache_dir)
    }
}

/// Where components from registries are kept (by digest): under the cache directory, with or
/// without --no-cache (which is about compiling).
fn component_store(sandbox: &SandboxArgs) -> Option<Store> {
    sandbox
        .cache_dir
        .clone()
        .or_else(engine::default_cache_dir)
        .map(|dir| Store::new(&dir))
}

/// The component `source` names, found or fetched, and under --trust-key checked: all before
/// anything is compiled.
async fn checked_component(
    sandbox: &SandboxArgs,
    source: Option<&ComponentSource>,
) -> Result<(Resolved, Vec<String>), String> {
    let trusted = distribution::load_trusted_keys(&sandbox.trust_keys)?;
    let resolved = distribution::resolve(source, component_store(sandbox).as_ref()).await?;
    let verified_by = distribution::check_trust(&resolved, &trusted)?;
    Ok((resolved, verified_by))
}

/// A runtime for `runs_at_once` concurrent runs (its instance pool's size); `loaded` learns
/// which component it is as soon as that is known.
async fn start_runtime(
    sandbox: &SandboxArgs,
    runs_at_once: usize,
    loaded: &mut Option<ComponentInfo>,
) -> Result<Runtime, String> {
    let (component, _) = checked_component(sandbox, sandbox.component.as_ref()).await?;
    // The digest that runs, whatever the reference said (a tag, a path).
    let label = sanitize::message(&component.label).to_string();
    logging::say(
        Level::Info,
        format!("Component: {label}"),
        &format!("Component: {label}"),
        &Fields {
            component: Some(&label),
            source: Some("host"),
            ..Fields::default()
        },
    );
    *loaded = Some(ComponentInfo {
        label,
        digest: component.digest.to_string(),
        path: component.path.display().to_string(),
    });
    let cache_dir = compile_cache_dir(sandbox);
    let limits = Limits {
        memory_bytes: sandbox.memory_mb.max(16) << 20,
        run_timeout: Duration::from_secs(sandbox.timeout.max(1)),
        cpu_time: Duration::from_secs(sandbox.cpu_time.max(1)),
        ..Limits::default()
    };
    let pool = (!sandbox.no_pooling).then_some(runs_at_once.max(1) as u32);
    Runtime::from_bytes(
        &component.bytes,
        &component.path.display().to_string(),
        cache_dir.as_deref(),
        limits,
        pool,
    )
    .map_err(|e| format!("{e:#}"))
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
    let started_at = SystemTime::now();
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
    if let Some(path) = &args.report
        && let Err(e) = report::check_writable(path)
    {
        return fail(EXIT_USAGE, &format!("--report: {e}"));
    }
    let mut loaded = Vec::new();
    for file in &files {
        match Workflow::from_file(file) {
            Ok(l) => loaded.push((file.clone(), l)),
            Err(e) => return fail(EXIT_USAGE, &format!("{e:#}")),
        }
    }
    for (file, l) in &loaded {
        let workflow = file.display().to_string();
        for warning in &l.warnings {
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
    let (origin, took) = runtime.load_report();
    if !args.quiet {
        let message = format!(
            "Connector component {} in {:.1} ms; running {} workflow{}",
            match origin {
                Origin::Cached => "loaded from the compile cache",
                Origin::Compiled => "compiled",
            },
            took.as_secs_f64() * 1000.0,
            loaded.len(),
            if many { "s" } else { "" }
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
    let output = args.output.as_ref().map(|p| {
        if p.as_os_str() == "-" {
            SinkSpec::Stdout
        } else {
            SinkSpec::File(p.clone())
        }
    });
    let mode = if args.quiet {
        progress::Mode::Off
    } else if std::io::stderr().is_terminal() {
        progress::Mode::Terminal
    } else {
        progress::Mode::Lines(Duration::from_secs(args.progress_interval))
    };
    let progress = Progress::new(mode, loaded.len());

    use futures::stream::{self, StreamExt};
    let runtime = &runtime;
    let progress = &progress;
    let reports: Vec<Report> = stream::iter(loaded.iter().zip(&labels).enumerate().map(
        |(index, ((_, l), label))| {
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
                runner::ingest(runtime, label, l, &options, run_progress).await
            }
        },
    ))
    .buffered(args.parallel.max(1))
    .collect()
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

async fn test_connection(sandbox: &SandboxArgs, args: WorkflowArg) -> ExitCode {
    let loaded = match Workflow::from_file(&args.workflow) {
        Ok(l) => l,
        Err(e) => return fail(EXIT_USAGE, &format!("{e:#}")),
    };
    let runtime = match start_runtime(sandbox, 1, &mut None).await {
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

async fn component(sandbox: &SandboxArgs, command: ComponentCommand) -> ExitCode {
    let result = match command {
        ComponentCommand::Inspect(args) => inspect(sandbox, args).await,
        ComponentCommand::Stamp(args) => stamp(args),
        ComponentCommand::Sign(args) => sign(args),
        ComponentCommand::Keygen(args) => keygen(args),
        ComponentCommand::Push(args) => push(args).await,
        ComponentCommand::Pull(args) => pull(sandbox, args).await,
        ComponentCommand::WitPackage(args) => wit_package(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(EXIT_FAILURES, &e),
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A component file, refused unless it decodes as a component.
fn read_component(path: &Path) -> Result<(Vec<u8>, wit::World), String> {
    let bytes = read_file(path)?;
    let world = wit::world_of(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((bytes, world))
}

async fn inspect(sandbox: &SandboxArgs, args: InspectArgs) -> Result<(), String> {
    let source = args.source.or_else(|| sandbox.component.clone());
    let (resolved, verified_by) = checked_component(sandbox, source.as_ref()).await?;
    let world = wit::world_of(&resolved.bytes);
    let schema = if world.is_ok() {
        let limits = Limits {
            memory_bytes: sandbox.memory_mb.max(16) << 20,
            ..Limits::default()
        };
        match Runtime::from_bytes(
            &resolved.bytes,
            &resolved.path.display().to_string(),
            compile_cache_dir(sandbox).as_deref(),
            limits,
            None,
        ) {
            Ok(runtime) => runtime
                .configuration_schema()
                .await
                .map_err(|failure| failure.to_string()),
            Err(e) => Err(format!("the component does not load: {e:#}")),
        }
    } else {
        Err("not a component".to_string())
    };
    let report = inspect::Report {
        resolved: &resolved,
        metadata: metadata::read(&resolved.bytes),
        signatures: signing::signatures(&resolved.bytes),
        verified_by: (!sandbox.trust_keys.is_empty()).then_some(verified_by),
        world,
        schema,
    };
    print!("{}", inspect::render(&report));
    Ok(())
}

fn stamp(args: StampArgs) -> Result<(), String> {
    let (bytes, _) = read_component(&args.file)?;
    let revision = match args.revision {
        Some(revision) => revision,
        None => metadata::git_revision(Path::new("."))?,
    };
    let mut stamp = metadata::Stamp::from_package(&revision);
    if let Some(url) = args.source_url {
        stamp.source = Some(url);
    }
    let stamped = metadata::stamp(&bytes, &stamp)?;
    write_file(&args.output, &stamped)?;
    eprintln!(
        "stamped {} -> {}: {} {} ({}), revision {}, {}",
        args.file.display(),
        args.output.display(),
        stamp.name,
        stamp.version,
        stamp.license,
        stamp.revision,
        Digest::of(&stamped)
    );
    Ok(())
}

fn sign(args: SignArgs) -> Result<(), String> {
    let (bytes, _) = read_component(&args.file)?;
    let key = signing::load_secret_key(&args.key)?;
    let signed = signing::sign(&bytes, &key)?;
    write_file(&args.output, &signed)?;
    eprintln!(
        "signed {} with key {} -> {} ({})",
        args.file.display(),
        signing::secret_key_id(&key),
        args.output.display(),
        Digest::of(&signed)
    );
    Ok(())
}

fn keygen(args: KeygenArgs) -> Result<(), String> {
    let (secret, public, id) = signing::keygen(&args.out)?;
    eprintln!(
        "wrote {} (the secret key, mode 0600: keep it private) and {} (pass it to --trust-key)",
        secret.display(),
        public.display()
    );
    println!("{id}");
    Ok(())
}

async fn push(args: PushArgs) -> Result<(), String> {
    let (mut bytes, world) = read_component(&args.file)?;
    let mut signed_by = None;
    if let Some(key) = &args.sign_key {
        let key = signing::load_secret_key(key)?;
        bytes = signing::sign(&bytes, &key)?;
        signed_by = Some(signing::secret_key_id(&key));
    }
    let shown = metadata::read(&bytes).unwrap_or_default();
    let mut info = oci::PushInfo {
        author: shown.authors.clone(),
        imports: world.imports,
        exports: world.exports,
        ..oci::PushInfo::default()
    };
    for (field, annotation) in [
        (&shown.version, "version"),
        (&shown.description, "description"),
        (&shown.licenses, "licenses"),
        (&shown.source, "source"),
        (&shown.revision, "revision"),
        (&shown.authors, "authors"),
        (&shown.homepage, "url"),
    ] {
        if let Some(value) = field {
            info.annotations.insert(
                format!("org.opencontainers.image.{annotation}"),
                value.clone(),
            );
        }
    }
    if let Some(name) = &shown.name {
        info.annotations
            .insert("org.opencontainers.image.title".to_string(), name.clone());
    }
    let (manifest, layer) = oci::push(&args.reference, &bytes, &info).await?;
    eprintln!(
        "pushed {} ({} bytes, layer {layer}{}) as {}",
        args.file.display(),
        bytes.len(),
        match &signed_by {
            Some(id) => format!(", signed by key {id}"),
            None => String::new(),
        },
        args.reference.pinned(&manifest)
    );
    println!("{manifest}");
    Ok(())
}

async fn pull(sandbox: &SandboxArgs, args: PullArgs) -> Result<(), String> {
    let source = ComponentSource::Oci(args.reference);
    let (resolved, _) = checked_component(sandbox, Some(&source)).await?;
    write_file(&args.output, &resolved.bytes)?;
    eprintln!("Component: {}", resolved.label);
    eprintln!("wrote {}", args.output.display());
    Ok(())
}

fn wit_package(args: WitPackageArgs) -> Result<(), String> {
    let (bytes, name) = wit::build_package(&args.wit)?;
    write_file(&args.out, &bytes)?;
    eprintln!(
        "wrote {} ({} bytes, {})",
        args.out.display(),
        bytes.len(),
        Digest::of(&bytes)
    );
    println!("{name}");
    Ok(())
}
