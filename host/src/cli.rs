//! The command line.

use crate::sink::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Catalog DynamoDB tables in OpenMetadata with a sandboxed WebAssembly connector.
///
/// Reads an OpenMetadata DynamoDB workflow YAML (the one OpenMetadata's own `metadata ingest`
/// takes), runs the connector component in a wasmtime sandbox that can reach only the
/// workflow's DynamoDB endpoint, and writes the database, schema and table entities to the
/// workflow's sink: an OpenMetadata server (`metadata-rest`), a JSON file (`file`) or stdout.
#[derive(Debug, Parser)]
#[command(name = "ddb-catalog", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ingest: list and describe the tables and write the entities to the sink.
    ///
    /// Example: ddb-catalog ingest -c workflow.yaml
    ///          ddb-catalog ingest -c workflow.yaml --output - | jq '.[] | .name'
    Ingest(IngestArgs),
    /// Check that the workflow's credentials can list tables (OpenMetadata's test connection).
    TestConnection(WorkflowArg),
    /// Print the `wasi:config` keys a workflow becomes, one `KEY=VALUE` per line (secrets
    /// masked), e.g. for `wasmtime run -S config-var=KEY=VALUE`.
    ConfigKeys(ConfigKeysArgs),
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Workflow YAML files, or directories of them (*.yaml, *.yml). Each runs in its own
    /// sandbox; several run at once.
    #[arg(short = 'c', long = "config", value_name = "WORKFLOW", required = true)]
    pub workflows: Vec<PathBuf>,

    /// Write the entities here instead of the workflow's sink (`-` for stdout). One workflow only.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// What the file or stdout sink writes: OpenMetadata create requests, or the connector's
    /// whole answer (with every table's DynamoDB details and outcome).
    #[arg(long, value_enum, default_value_t = Format::Requests)]
    pub output_format: Format,

    /// Workflows run at once.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub parallel: usize,

    /// Do not echo the connector's log while it runs.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct WorkflowArg {
    /// The workflow YAML.
    #[arg(short = 'c', long = "config", value_name = "WORKFLOW")]
    pub workflow: PathBuf,
}

#[derive(Debug, Args)]
pub struct ConfigKeysArgs {
    #[command(flatten)]
    pub workflow: WorkflowArg,

    /// Print secret values instead of masking them.
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// The connector component (.wasm). Default: next to this executable, or this workspace's
    /// build output.
    #[arg(
        long,
        global = true,
        env = "DDB_CATALOG_COMPONENT",
        value_name = "PATH"
    )]
    pub component: Option<PathBuf>,

    /// Where compiled components are cached (default: $XDG_CACHE_HOME/ddb-catalog).
    #[arg(long, global = true, env = "DDB_CATALOG_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Compile the component anew instead of using the cache.
    #[arg(long, global = true)]
    pub no_cache: bool,

    /// Map each run's memory anew instead of taking it from a pool of pre-allocated slots.
    #[arg(long, global = true)]
    pub no_pooling: bool,

    /// Memory limit of each run, in MiB.
    #[arg(long, global = true, default_value_t = 512, value_name = "MIB")]
    pub memory_mb: usize,

    /// Wall-clock limit of each run, in seconds.
    #[arg(long, global = true, default_value_t = 1800, value_name = "SECONDS")]
    pub timeout: u64,

    /// Limit on the time each run spends computing (not waiting on the network), in seconds.
    #[arg(long, global = true, default_value_t = 300, value_name = "SECONDS")]
    pub cpu_time: u64,

    /// Let endpoint host names resolve to private addresses (e.g. VPC endpoints). Without it, a
    /// name must resolve to public addresses; an endpoint written as an IP is always allowed.
    #[arg(long, global = true)]
    pub allow_internal_addresses: bool,
}
