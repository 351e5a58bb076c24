//! The commands of `ddb-catalog`, each in its own module: `ingest`, `test-connection` and
//! `config-keys`, and the `component` subcommands. What they share is here: how a command
//! fails, and how the component is found, checked and loaded into a runtime.

mod component;
mod connection;
mod ingest;

use crate::cli::{Command, SandboxArgs};
use crate::distribution::store::Store;
use crate::distribution::{self, ComponentSource, Resolved};
use crate::logging::{self, Fields, Level};
use crate::report::ComponentInfo;
use crate::runtime::limits::Limits;
use crate::runtime::{Runtime, engine};
use crate::sanitize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Exit codes: 0 success (warnings included), 1 a run failed or tables failed, 2 bad usage or
/// an unreadable workflow.
pub const EXIT_FAILURES: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Runs one command to its exit code.
pub async fn run(sandbox: &SandboxArgs, command: Command) -> ExitCode {
    match command {
        Command::Ingest(args) => ingest::ingest(sandbox, args).await,
        Command::TestConnection(args) => connection::test_connection(sandbox, args).await,
        Command::ConfigKeys(args) => connection::config_keys(sandbox, args).await,
        Command::Component(command) => component::component(sandbox, command).await,
    }
}

/// Says why a command failed, and the exit code it ends with.
pub fn fail(code: u8, message: &str) -> ExitCode {
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
pub(crate) async fn checked_component(
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
