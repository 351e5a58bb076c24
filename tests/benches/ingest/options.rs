//! The benchmark's command line (after `cargo bench -p e2e --bench ingest --`).

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Options {
    /// Table counts to ingest, each on its own fresh dynalite.
    pub tables: Vec<usize>,
    /// Warm runs per scenario (the median is reported).
    pub repeat: usize,
    /// Cold-start runs (each with a new empty compile cache).
    pub cold_repeat: usize,
    /// Runs behind the latency proxy.
    pub proxied_repeat: usize,
    /// Latency the proxy adds to every request.
    pub latency: Duration,
    /// Connections of the load generator: the connector's default DescribeTable concurrency.
    pub concurrency: usize,
    pub ceiling_duration: Duration,
    pub ceiling_repeat: usize,
    /// Table counts at which the `includeTags: true` scenario runs (dynalite's
    /// ListTagsOfResource slows down with the number of tables: about 95 calls/s at 10,000).
    pub tags_at: Vec<usize>,
    /// Table counts at which OpenMetadata's connector runs too.
    pub openmetadata_at: Vec<usize>,
    pub openmetadata_repeat: usize,
    /// Account sizes on the generated catalog (peak memory and CPU per table).
    pub catalog_at: Vec<usize>,
    /// Tables sent to an OpenMetadata stand-in with `om_latency` per call (0: skip).
    pub first_table_at: usize,
    pub om_latency: Duration,
    /// Tenants run at once in one process (0: skip), and tables per tenant.
    pub tenants: usize,
    pub tenant_tables: usize,
    /// Where logs, workflows and results go.
    pub out: PathBuf,
    /// Where `ddb-catalog` and its component are (default: the workspace's `target/release`).
    pub bin_dir: PathBuf,
}

const USAGE: &str = "usage: cargo bench -p e2e --bench ingest -- [--tables 1000,10000] [--repeat 5] \
[--cold-repeat 3] [--proxied-repeat 3] [--latency-ms 10] [--concurrency 16] [--ceiling-seconds 10] \
[--ceiling-repeat 3] [--tags-at 1000] \
[--openmetadata-at 1000] [--openmetadata-repeat 3] [--tenants 50] [--tenant-tables 100] \
[--catalog-at 1000,10000,100000] [--first-table-at 1000] [--om-latency-ms 5] \
[--out target/bench] [--bin-dir target/release] [--quick]";

impl Options {
    pub fn parse(root: &std::path::Path) -> Options {
        let mut options = Options {
            tables: vec![1_000, 10_000],
            repeat: 5,
            cold_repeat: 3,
            proxied_repeat: 3,
            latency: Duration::from_millis(10),
            concurrency: 16,
            ceiling_duration: Duration::from_secs(10),
            ceiling_repeat: 3,
            tags_at: vec![1_000],
            openmetadata_at: vec![1_000],
            openmetadata_repeat: 3,
            catalog_at: vec![1_000, 10_000, 100_000],
            first_table_at: 1_000,
            om_latency: Duration::from_millis(5),
            tenants: 50,
            tenant_tables: 100,
            out: root.join("target/bench"),
            bin_dir: std::env::var_os("CARGO_TARGET_DIR")
                .map_or_else(|| root.join("target"), PathBuf::from)
                .join("release"),
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = || {
                args.next()
                    .unwrap_or_else(|| usage(&format!("{arg} needs a value")))
            };
            match arg.as_str() {
                // cargo bench passes this to every bench target.
                "--bench" => {}
                "--tables" => options.tables = list(&value()),
                "--repeat" => options.repeat = count(&value()).max(1),
                "--cold-repeat" => options.cold_repeat = count(&value()),
                "--proxied-repeat" => options.proxied_repeat = count(&value()),
                "--latency-ms" => options.latency = Duration::from_millis(count(&value()) as u64),
                "--concurrency" => options.concurrency = count(&value()).max(1),
                "--ceiling-seconds" => {
                    options.ceiling_duration = Duration::from_secs(count(&value()) as u64)
                }
                "--ceiling-repeat" => options.ceiling_repeat = count(&value()).max(1),
                "--tags-at" => options.tags_at = list(&value()),
                "--openmetadata-at" => options.openmetadata_at = list(&value()),
                "--openmetadata-repeat" => options.openmetadata_repeat = count(&value()).max(1),
                "--tenants" => options.tenants = count(&value()),
                "--catalog-at" => options.catalog_at = list(&value()),
                "--first-table-at" => options.first_table_at = count(&value()),
                "--om-latency-ms" => {
                    options.om_latency = Duration::from_millis(count(&value()) as u64)
                }
                "--tenant-tables" => options.tenant_tables = count(&value()).max(1),
                // cargo runs benchmarks in the package's directory: relative to the workspace.
                "--out" => options.out = root.join(value()),
                "--bin-dir" => options.bin_dir = root.join(value()),
                // A smoke run of every scenario, in about a minute.
                "--quick" => {
                    options.tables = vec![200];
                    options.catalog_at = vec![1_000, 5_000];
                    options.first_table_at = 200;
                    options.repeat = 1;
                    options.cold_repeat = 1;
                    options.proxied_repeat = 1;
                    options.ceiling_duration = Duration::from_secs(2);
                    options.ceiling_repeat = 1;
                    options.tags_at = vec![200];
                    options.openmetadata_at = vec![200];
                    options.openmetadata_repeat = 1;
                    options.tenants = 5;
                    options.tenant_tables = 10;
                }
                "-h" | "--help" => {
                    println!("{USAGE}");
                    std::process::exit(0);
                }
                other => usage(&format!("unknown argument `{other}`")),
            }
        }
        options
    }
}

fn usage(message: &str) -> ! {
    eprintln!("{message}\n{USAGE}");
    std::process::exit(2);
}

fn count(text: &str) -> usize {
    text.replace([',', '_'], "")
        .parse()
        .unwrap_or_else(|_| usage(&format!("`{text}` is not a number")))
}

/// `1000,10000`; `none` or empty for no value.
fn list(text: &str) -> Vec<usize> {
    if text.is_empty() || text == "none" {
        return Vec::new();
    }
    text.split(',').map(count).collect()
}
