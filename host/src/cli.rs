//! The command line.

use crate::distribution::oci::OciRef;
use crate::distribution::{ComponentSource, SourceParser, parse_oci_ref};
use crate::logging::LogFormat;
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

    /// How the host writes its log lines on stderr: `text` for people, or `json`, one JSON
    /// object per line (timestamp, level, message, run, and fields such as table, operation,
    /// attempt and error_code) for a platform that collects logs.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = LogFormat::Text,
        env = "DDB_CATALOG_LOG_FORMAT",
        value_name = "FORMAT"
    )]
    pub log_format: LogFormat,
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
    /// Ship the connector: inspect, stamp, sign, push or pull a component; keys; the WIT
    /// package (docs/distribution.md).
    #[command(subcommand)]
    Component(ComponentCommand),
}

#[derive(Debug, Subcommand)]
pub enum ComponentCommand {
    /// Show a component's metadata, digest, signature, world (imports and exports) and
    /// configuration schema. Under --trust-key an untrusted component is refused.
    ///
    /// Example: ddb-catalog component inspect target/release/dynamodb_connector.wasm
    ///          ddb-catalog component inspect oci://registry.example.com/connectors/dynamodb@sha256:…
    Inspect(InspectArgs),
    /// Write the component with its metadata: name, version, description, license, source
    /// repository, revision (the git commit) and authors.
    Stamp(StampArgs),
    /// Write the component signed with an Ed25519 key (the signature is embedded in it).
    Sign(SignArgs),
    /// Generate an Ed25519 key pair: PREFIX.key (secret, mode 0600) and PREFIX.pub.
    Keygen(KeygenArgs),
    /// Push a component to an OCI registry (CNCF Wasm artifact); prints the manifest digest.
    ///
    /// Example: ddb-catalog component push dist/dynamodb_connector.wasm \
    ///            oci://registry.example.com/connectors/dynamodb:0.1.0 --sign-key release.key
    Push(PushArgs),
    /// Fetch a component from an OCI registry into a file (checked like a run's; under
    /// --trust-key, only a trusted one).
    Pull(PullArgs),
    /// Build the contract's WIT package (catalog:connector) as a binary WIT package, as
    /// `wkg wit build` does, for other connector authors.
    WitPackage(WitPackageArgs),
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The component: a .wasm file or oci://HOST[:PORT]/REPO:TAG or …@sha256:… (default: the
    /// one --component names, or the one next to this executable).
    #[arg(value_parser = SourceParser, value_name = "FILE|oci://REF")]
    pub source: Option<ComponentSource>,
}

#[derive(Debug, Args)]
pub struct StampArgs {
    /// The component to stamp (unsigned: sign after stamping).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Where to write the stamped component.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,

    /// The source revision (default: `git rev-parse HEAD` of this checkout).
    #[arg(long, value_name = "COMMIT")]
    pub revision: Option<String>,

    /// The source repository's URL (default: the workspace's `repository`, if it names one).
    #[arg(long, value_name = "URL")]
    pub source_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The Ed25519 secret key (PEM as `component keygen` writes it, DER, or wasmsign2's raw form).
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,

    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Writes PREFIX.key and PREFIX.pub (never over existing files).
    #[arg(long, value_name = "PREFIX")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// oci://HOST[:PORT]/REPO:TAG (plain HTTP only for a loopback registry).
    #[arg(value_parser = parse_oci_ref, value_name = "oci://REF")]
    pub reference: OciRef,

    /// Sign the component with this Ed25519 secret key before pushing it.
    #[arg(long, value_name = "KEY")]
    pub sign_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PullArgs {
    /// oci://HOST[:PORT]/REPO:TAG or oci://HOST[:PORT]/REPO@sha256:….
    #[arg(value_parser = parse_oci_ref, value_name = "oci://REF")]
    pub reference: OciRef,

    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct WitPackageArgs {
    /// The WIT directory (with its deps/).
    #[arg(long, default_value = "wit", value_name = "DIR")]
    pub wit: PathBuf,

    /// Where to write the package, e.g. dist/catalog-connector@0.6.0.wasm.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
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
    /// whole answer (with every table's source details and outcome).
    #[arg(long, value_enum, default_value_t = Format::Requests)]
    pub output_format: Format,

    /// Workflows run at once.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub parallel: usize,

    /// Do not echo the connector's log while it runs, and show no progress.
    #[arg(short, long)]
    pub quiet: bool,

    /// Write a JSON report of the runs here: each run's status, times, OpenMetadata's
    /// StepSummary numbers, failures by table, warnings, request counters and the component
    /// that ran (docs/run-report.md).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// When stderr is not a terminal, write a progress line this often (0: at every change).
    /// On a terminal, progress is a live line per run instead.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub progress_interval: u64,
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
    /// The connector component: a .wasm file, or a registry's oci://HOST[:PORT]/REPO:TAG or
    /// oci://HOST[:PORT]/REPO@sha256:… (cached by digest under the cache directory; a pinned
    /// one runs again without the registry). Default: next to this executable, or this
    /// workspace's build output.
    #[arg(
        long,
        global = true,
        env = "DDB_CATALOG_COMPONENT",
        value_name = "PATH|oci://REF",
        value_parser = SourceParser
    )]
    pub component: Option<ComponentSource>,

    /// Run (and inspect) only a component signed by this Ed25519 public key; repeat for
    /// several. Anything else is refused before it is compiled.
    #[arg(long = "trust-key", global = true, value_name = "KEY.pub")]
    pub trust_keys: Vec<PathBuf>,

    /// Where compiled components, and components from registries, are cached (default:
    /// $XDG_CACHE_HOME/ddb-catalog).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_lines_come_every_ten_seconds_by_default() {
        let cli = Cli::parse_from(["ddb-catalog", "ingest", "-c", "workflow.yaml"]);
        let Command::Ingest(args) = cli.command else {
            panic!("not ingest");
        };
        assert_eq!(args.progress_interval, 10);
    }
}
