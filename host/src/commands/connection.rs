//! `ddb-catalog test-connection` and `ddb-catalog config-keys`: one workflow, checked against its
//! source, or shown as the keys the component reads.

use super::{EXIT_FAILURES, EXIT_USAGE, fail, start_runtime};
use crate::aws_credentials::ProcessEnvironment;
use crate::cli::{ConfigKeysArgs, SandboxArgs, WorkflowArg};
use crate::config_keys::{self, Bound};
use crate::runner::{self, Options};
use crate::runtime::Runtime;
use crate::sanitize;
use crate::workflow::{Loaded, Workflow};
use std::process::ExitCode;

pub async fn test_connection(sandbox: &SandboxArgs, args: WorkflowArg) -> ExitCode {
    let loaded = match Workflow::from_file(&args.workflow) {
        Ok(l) => l,
        Err(e) => return fail(EXIT_USAGE, &format!("{e:#}")),
    };
    let runtime = match start_runtime(sandbox, 1, &mut None).await {
        Ok(r) => r,
        Err(e) => return fail(EXIT_FAILURES, &e),
    };
    let bound = match bind(&runtime, &loaded).await {
        Ok(b) => b,
        Err(code) => return code,
    };
    let name = loaded.workflow.service_name().to_string();
    let options = Options {
        allow_internal_addresses: sandbox.allow_internal_addresses,
        ..Options::default()
    };
    match runner::test_connection(&runtime, &name, &loaded, &bound, &options).await {
        Ok(check) => {
            println!(
                "Connection OK: {} answered at {}{}: {} table{} on the first page{}",
                sanitize::name(&check.operation),
                sanitize::name(&check.endpoint),
                check
                    .region
                    .as_deref()
                    .map(|r| format!(" (region {})", sanitize::name(r)))
                    .unwrap_or_default(),
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

/// The workflow read through the component's manifest; a workflow it cannot run is a usage
/// error.
async fn bind(runtime: &Runtime, loaded: &Loaded) -> Result<Bound, ExitCode> {
    let manifest = runtime
        .manifest()
        .await
        .map_err(|e| fail(EXIT_FAILURES, &e))?;
    let bound = config_keys::bind(loaded, &manifest)
        .map_err(|e| fail(EXIT_USAGE, &format!("invalid workflow: {e}")))?;
    runtime
        .check_configuration(&bound.pairs)
        .await
        .map_err(|problems| {
            fail(
                EXIT_USAGE,
                &format!("invalid workflow: invalid configuration: {problems}"),
            )
        })?;
    Ok(bound)
}

pub async fn config_keys(sandbox: &SandboxArgs, args: ConfigKeysArgs) -> ExitCode {
    let loaded = match Workflow::from_file(&args.workflow.workflow) {
        Ok(l) => l,
        Err(e) => return fail(EXIT_USAGE, &format!("{e:#}")),
    };
    let runtime = match start_runtime(sandbox, 1, &mut None).await {
        Ok(r) => r,
        Err(e) => return fail(EXIT_FAILURES, &e),
    };
    let bound = match bind(&runtime, &loaded).await {
        Ok(b) => b,
        Err(code) => return code,
    };
    let manifest = match runtime.manifest().await {
        Ok(m) => m,
        Err(e) => return fail(EXIT_FAILURES, &e),
    };
    let prepared = match runner::prepare(&loaded, &bound, &manifest, &ProcessEnvironment) {
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
