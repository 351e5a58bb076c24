//! The ingestion benchmark (not a test; never run in CI): `bash scripts/bench.sh`, or
//! `cargo bench -p e2e --bench ingest -- --help` after `scripts/build.sh` and
//! `scripts/bench-setup.sh`.
//!
//! On a fresh dynalite per table count it seeds the tables, measures dynalite's own
//! DescribeTable ceiling with `wrk`, then runs the release `ddb-catalog ingest` as a user
//! would: warm and cold compile cache, with and without tags, behind a proxy that adds a
//! remote DynamoDB's latency, and OpenMetadata's own connector on the same tables. Then the
//! host's start-up on an empty account and many tenants at once on DynamoDB Local. Results go
//! to `target/bench/results.{md,json}` and stdout.

#[path = "ingest/catalog.rs"]
mod catalog;
#[path = "ingest/ceiling.rs"]
mod ceiling;
#[path = "ingest/machine.rs"]
mod machine;
#[path = "ingest/openmetadata.rs"]
mod openmetadata;
#[path = "ingest/openmetadata_server.rs"]
mod openmetadata_server;
#[path = "ingest/options.rs"]
mod options;
#[path = "ingest/process.rs"]
mod process;
#[path = "ingest/results.rs"]
mod results;
#[path = "ingest/streaming.rs"]
mod streaming;
#[path = "ingest/tables.rs"]
mod tables;
#[path = "ingest/tenants.rs"]
mod tenants;

use catalog::{COMPONENT_FILE, Cache, Catalog, Run};
use ceiling::{Ceiling, Operation};
use e2e::admin::Admin;
use e2e::faults::{FaultProxy, Plan};
use e2e::servers::{Kind, Server};
use e2e::workflow::Workflow;
use openmetadata::OpenMetadataConnector;
use openmetadata_server::OpenMetadataServer;
use options::Options;
use results::{CeilingRow, Results, Row, Startup, TenantsRow};
use std::path::Path;
use std::time::{Duration, Instant};

/// The main scenario: `includeTags: false`, so that the connector makes the same calls as
/// OpenMetadata's (ListTables, then one DescribeTable per table) and as the load generator.
pub const PLAIN: &str = "ddb-catalog";
pub const TAGS: &str = "ddb-catalog, includeTags: true (+ListTagsOfResource)";
pub const COLD: &str = "ddb-catalog, cold start (empty compile cache)";
pub const OPENMETADATA: &str = "OpenMetadata 1.3.4.0 connector";
const SERVICE: &str = "bench_dynamodb";
const ACCESS_KEY: &str = "AKIDBENCH";
/// Clients creating tables at once.
const SEED_CLIENTS: usize = 8;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(process::MEASURE_CHILD) {
        process::measure_child(&args[1..]);
    }
    let root = e2e::workspace_root();
    let options = Options::parse(&root);
    let work = options.out.join("work");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("a work directory");
    let catalog = Catalog::snapshot(&options.bin_dir, &work);
    let om = OpenMetadataConnector::find(&root);

    let mut results = Results {
        header: header(&root, &options, &catalog, om.as_ref()),
        ..Results::default()
    };
    if om.is_none() {
        results.skipped.push(
            "OpenMetadata's connector: .tools/om-venv/bin/metadata is missing (run scripts/bench-setup.sh)"
                .into(),
        );
    }
    let bench = Bench {
        options: &options,
        catalog: &catalog,
        om: om.as_ref(),
        work: &work,
    };
    // A scenario that fails is reported and the benchmark goes on with the next table count.
    let mut attempt = |what: &str, outcome: Result<(), String>| {
        if let Err(error) = outcome {
            progress(&format!("{what} FAILED: {error}"));
            results.skipped.push(format!("{what}: {error}"));
        }
    };
    attempt("start-up", bench.startup(&mut results.startup));
    let sizes: Vec<u64> = options.catalog_at.iter().map(|&n| n as u64).collect();
    attempt(
        "generated catalog",
        streaming::by_size(
            &catalog,
            &work,
            &sizes,
            options.repeat,
            &mut results.streaming,
        ),
    );
    if options.first_table_at > 0 {
        attempt(
            "first table",
            streaming::first_table(
                &catalog,
                &work,
                options.first_table_at as u64,
                options.om_latency,
                options.cold_repeat.max(1),
                &mut results.streaming,
            ),
        );
    }
    for &tables in &options.tables {
        attempt(
            &format!("{tables} tables"),
            bench.at_size(tables, &mut results.rows, &mut results.ceilings),
        );
    }
    if options.tenants > 0 {
        attempt(
            &format!("{} tenants", options.tenants),
            bench.tenants(&mut results.tenants),
        );
    }
    results.header.push((
        "load average at the end (1, 5, 15 min)".into(),
        machine::load_average(),
    ));

    let note = format!(
        "Figures are medians: {} warm runs, {} cold runs, {} runs behind the proxy, {} OpenMetadata runs, {} load-generator runs of {} s.",
        options.repeat,
        options.cold_repeat,
        options.proxied_repeat,
        options.openmetadata_repeat,
        options.ceiling_repeat,
        options.ceiling_duration.as_secs()
    );
    let markdown = results.to_markdown(&note);
    std::fs::write(options.out.join("results.md"), &markdown).expect("write results.md");
    std::fs::write(
        options.out.join("results.json"),
        serde_json::to_string_pretty(&results.to_json()).expect("JSON"),
    )
    .expect("write results.json");
    println!("{markdown}");
    eprintln!(
        "[bench] results in {} and results.json",
        options.out.join("results.md").display()
    );
}

struct Bench<'a> {
    options: &'a Options,
    catalog: &'a Catalog,
    om: Option<&'a OpenMetadataConnector>,
    work: &'a Path,
}

impl Bench<'_> {
    /// Compiling, loading and instantiating the component, on an account with no tables.
    fn startup(&self, startup: &mut Startup) -> Result<(), String> {
        progress("start-up: an empty dynalite");
        let server = Server::start(Kind::Dynalite);
        let workflow = Workflow::new(SERVICE, &server.endpoint(), ACCESS_KEY)
            .without_tags()
            .write(self.work, "empty.yaml");
        let output = self.work.join("empty-entities.json");
        let run = |cache| self.ingest(&workflow, &output, cache);
        run(Cache::Warm)?;
        for _ in 0..self.options.cold_repeat {
            let cold = run(Cache::Cold)?;
            startup.compile.extend(cold.load.map(|(_, took)| took));
            startup.empty_cold.push(cold.cost);
        }
        for _ in 0..self.options.repeat {
            let warm = run(Cache::Warm)?;
            startup.cached_load.extend(warm.load.map(|(_, took)| took));
            startup.instantiate.extend(warm.instantiate);
            startup.empty_warm.push(warm.cost);
        }
        Ok(())
    }

    /// Every scenario at one table count, on a fresh dynalite.
    fn at_size(
        &self,
        count: usize,
        rows: &mut Vec<Row>,
        ceilings: &mut Vec<CeilingRow>,
    ) -> Result<(), String> {
        progress(&format!("{count} tables: starting dynalite and seeding"));
        let server = Server::start(Kind::Dynalite);
        let names = tables::names("bench", count);
        let seeding = Instant::now();
        tables::create(&server.endpoint(), ACCESS_KEY, &names, SEED_CLIENTS);
        progress(&format!(
            "{count} tables created in {:.1} s",
            seeding.elapsed().as_secs_f64()
        ));
        let plain = Workflow::new(SERVICE, &server.endpoint(), ACCESS_KEY)
            .without_tags()
            .write(self.work, &format!("plain-{count}.yaml"));
        let tagged = Workflow::new(SERVICE, &server.endpoint(), ACCESS_KEY)
            .write(self.work, &format!("tags-{count}.yaml"));
        let output = self.work.join(format!("entities-{count}.json"));

        progress(&format!("{count} tables: the load generator's ceiling"));
        let measure = |operation| -> Vec<Ceiling> {
            (0..self.options.ceiling_repeat)
                .map(|_| {
                    ceiling::measure(
                        operation,
                        &server.endpoint(),
                        &names,
                        self.options.concurrency,
                        self.options.ceiling_duration,
                        self.work,
                    )
                })
                .collect()
        };
        let admin = Admin::new(&server.endpoint(), ACCESS_KEY);
        let listing = (0..self.options.ceiling_repeat)
            .map(|_| {
                let started = Instant::now();
                let listed = admin.list_tables().map_err(|e| format!("{e:?}"))?;
                if listed.len() == count {
                    Ok(started.elapsed())
                } else {
                    Err(format!("ListTables listed {} of {count}", listed.len()))
                }
            })
            .collect::<Result<Vec<_>, String>>()?;
        let ceiling = CeilingRow {
            tables: count,
            describe: measure(Operation::DescribeTable),
            list_tags: if self.options.tags_at.contains(&count) {
                measure(Operation::ListTagsOfResource)
            } else {
                Vec::new()
            },
            listing,
        };
        progress(&format!(
            "{count} tables: wrk {:.0} DescribeTable/s, {:.0} ListTagsOfResource/s; listing {:.2} s",
            ceiling.describe_per_second(),
            ceiling.list_tags_per_second(),
            ceiling.listing_seconds()
        ));
        ceilings.push(ceiling);

        // Before ours: dynalite dies when a client aborts a request, as a crashed host would.
        if let Some(om) = self.om
            && self.options.openmetadata_at.contains(&count)
        {
            progress(&format!("{count} tables: OpenMetadata's connector"));
            rows.push(self.openmetadata(om, &server, count, None));
            rows.push(self.openmetadata(om, &server, count, Some(self.options.latency)));
        }

        progress(&format!("{count} tables: ddb-catalog"));
        // Warms dynalite's JIT and checks the output once.
        let first = self.ingest(&plain, &output, Cache::Warm)?;
        check_listed(&first, count)?;
        check_entities(&output, count)?;
        let repeat = self.options.repeat;
        rows.push(self.repeat(PLAIN, count, repeat, || {
            self.ingest(&plain, &output, Cache::Warm)
        })?);
        rows.push(self.repeat(COLD, count, self.options.cold_repeat, || {
            self.ingest(&plain, &output, Cache::Cold)
        })?);
        rows.push(self.proxied(&server, count, &output)?);
        if self.options.tags_at.contains(&count) {
            rows.push(self.repeat(TAGS, count, repeat, || {
                self.ingest(&tagged, &output, Cache::Warm)
            })?);
        }
        Ok(())
    }

    /// The plain scenario behind a proxy that delays every request, as a remote DynamoDB
    /// would; the proxy counts what is in flight.
    fn proxied(&self, server: &Server, count: usize, output: &Path) -> Result<Row, String> {
        let latency = self.options.latency;
        let proxy = FaultProxy::start(&server.endpoint(), Plan::seeded(1).latency(latency));
        let workflow = Workflow::new(SERVICE, &proxy.endpoint(), ACCESS_KEY)
            .without_tags()
            .write(self.work, &format!("proxied-{count}.yaml"));
        let scenario = format!("{PLAIN} +{} ms per request", latency.as_millis());
        progress(&format!("{count} tables: {scenario}"));
        let mut row = Row::new(&scenario, count);
        row.latency = Some(latency);
        for _ in 0..self.options.proxied_repeat {
            proxy.reset_stats();
            let run = self.ingest(&workflow, output, Cache::Warm)?;
            check_listed(&run, count)?;
            let stats = proxy.stats();
            if stats.total_requests() != run.requests {
                return Err(format!(
                    "the proxy saw {} requests, the host reports {}",
                    stats.total_requests(),
                    run.requests
                ));
            }
            row.requests = Some(run.requests);
            row.proxy_in_flight.push(stats.average_in_flight());
            row.proxy_max_in_flight = row.proxy_max_in_flight.max(stats.max_in_flight);
            row.samples.push(run.cost);
        }
        Ok(row)
    }

    fn openmetadata(
        &self,
        om: &OpenMetadataConnector,
        server: &Server,
        count: usize,
        latency: Option<Duration>,
    ) -> Row {
        let proxy =
            latency.map(|l| FaultProxy::start(&server.endpoint(), Plan::seeded(1).latency(l)));
        let endpoint = proxy
            .as_ref()
            .map_or_else(|| server.endpoint(), |p| p.endpoint());
        let standin = OpenMetadataServer::start(SERVICE, &endpoint);
        let sink = self
            .work
            .join(format!("openmetadata-entities-{count}.json"));
        let mut workflow = Workflow::new(SERVICE, &endpoint, ACCESS_KEY)
            .without_tags()
            .file_sink(&sink);
        workflow.workflow_config = openmetadata::workflow_config(&standin);
        let name = match latency {
            Some(l) => format!("openmetadata-{count}-{}ms", l.as_millis()),
            None => format!("openmetadata-{count}"),
        };
        let file = workflow.write(self.work, &format!("{name}.yaml"));
        let scenario = match latency {
            Some(l) => format!("{OPENMETADATA} +{} ms per request", l.as_millis()),
            None => OPENMETADATA.to_string(),
        };
        let mut row = Row::new(&scenario, count);
        row.latency = latency;
        for i in 0..self.options.openmetadata_repeat {
            if let Some(p) = &proxy {
                p.reset_stats();
            }
            let logs = self.work.join("logs").join(format!("{name}-{i}"));
            row.samples.push(om.ingest(&file, &sink, count, &logs));
            if let Some(p) = &proxy {
                let stats = p.stats();
                row.requests = Some(stats.total_requests());
                row.proxy_in_flight.push(stats.average_in_flight());
                row.proxy_max_in_flight = row.proxy_max_in_flight.max(stats.max_in_flight);
            }
        }
        let not_found = standin.not_found();
        progress(&format!(
            "OpenMetadata's workflow got {} answers 404 (entities not created yet), e.g. {:?}",
            not_found.len(),
            not_found.first()
        ));
        row
    }

    fn tenants(&self, into: &mut Option<TenantsRow>) -> Result<(), String> {
        let (count, each) = (self.options.tenants, self.options.tenant_tables);
        progress(&format!(
            "{count} tenants × {each} tables: starting DynamoDB Local and seeding"
        ));
        let server = Server::start(Kind::DynamoDbLocal);
        let seeding = Instant::now();
        let tenants = tenants::Tenants::seed(&server.endpoint(), count, each, self.work);
        progress(&format!(
            "{} tables created in {:.1} s",
            count * each,
            seeding.elapsed().as_secs_f64()
        ));
        // Warms DynamoDB Local's JIT.
        tenants.run_all(self.catalog, true)?;
        let row = into.insert(TenantsRow {
            tenants: count,
            tables_each: each,
            one: Vec::new(),
            all: Vec::new(),
            all_unpooled: Vec::new(),
            instantiate: Vec::new(),
        });
        let runs = self.options.cold_repeat.max(1);
        for _ in 0..runs {
            row.one.push(tenants.run_one(self.catalog)?.cost);
        }
        for _ in 0..runs {
            let run = tenants.run_all(self.catalog, true)?;
            row.instantiate.extend(run.instantiate.iter().copied());
            row.all.push(run.cost);
            row.all_unpooled
                .push(tenants.run_all(self.catalog, false)?.cost);
        }
        Ok(())
    }

    fn ingest(&self, workflow: &Path, output: &Path, cache: Cache) -> Result<Run, String> {
        self.catalog
            .ingest(&[workflow.to_path_buf()], Some(output), 1, cache)
    }

    fn repeat(
        &self,
        scenario: &str,
        count: usize,
        times: usize,
        run: impl Fn() -> Result<Run, String>,
    ) -> Result<Row, String> {
        let mut row = Row::new(scenario, count);
        for _ in 0..times {
            let run = run()?;
            check_listed(&run, count)?;
            row.requests = Some(run.requests);
            row.samples.push(run.cost);
        }
        Ok(row)
    }
}

fn check_listed(run: &Run, tables: usize) -> Result<(), String> {
    if run.listed == tables {
        Ok(())
    } else {
        Err(format!("listed {} tables of {tables}", run.listed))
    }
}

/// The file sink holds the service, database, schema and one table per DynamoDB table.
fn check_entities(output: &Path, tables: usize) -> Result<(), String> {
    let text = std::fs::read_to_string(output).map_err(|e| e.to_string())?;
    let entities: Vec<serde_json::Value> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", output.display()))?;
    let written = entities
        .iter()
        .filter(|e| e.get("columns").is_some())
        .count();
    if written == tables {
        Ok(())
    } else {
        Err(format!("{written} tables in {}", output.display()))
    }
}

fn header(
    root: &Path,
    options: &Options,
    catalog: &Catalog,
    om: Option<&OpenMetadataConnector>,
) -> Vec<(String, String)> {
    let m = machine::Machine::read();
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    vec![
        (
            "date".into(),
            machine::first_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        ),
        (
            "machine".into(),
            format!(
                "{} cores (nproc), {}, {:.1} GiB memory, Linux {}",
                m.cores, m.cpu, m.memory_gib, m.kernel
            ),
        ),
        (
            "load average at the start (1, 5, 15 min)".into(),
            machine::load_average(),
        ),
        (
            "ddb-catalog".into(),
            format!("{} (from {})", catalog.version(), options.bin_dir.display()),
        ),
        (
            "component".into(),
            format!(
                "{COMPONENT_FILE}: {} bytes ({:.2} MB); host binary {:.1} MB",
                size(catalog.component()),
                size(catalog.component()) as f64 / 1e6,
                size(catalog.binary()) as f64 / 1e6
            ),
        ),
        (
            "wasmtime".into(),
            machine::locked_crate_version(root, "wasmtime"),
        ),
        ("rustc".into(), machine::first_line("rustc", &["--version"])),
        (
            "dynalite".into(),
            format!(
                "{} on Node {}",
                machine::npm_version(root, "dynalite"),
                machine::first_line("node", &["--version"])
            ),
        ),
        (
            "DynamoDB Local".into(),
            format!(
                "amplify-dynamodb-simulator {} on {}",
                machine::npm_version(root, "amplify-dynamodb-simulator"),
                machine::first_line("java", &["-version"])
            ),
        ),
        ("wrk".into(), machine::first_line("wrk", &["--version"])),
        (
            "OpenMetadata".into(),
            om.map_or("not installed".into(), |om| om.version.clone()),
        ),
    ]
}

fn progress(message: &str) {
    eprintln!("[bench] {message}");
}
