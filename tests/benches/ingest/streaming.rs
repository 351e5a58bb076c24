//! What streaming changes, measured on the generated catalog (`e2e::catalog`), which answers
//! at loopback speed whatever the account's size: peak memory and CPU per table from 1,000 to
//! 100,000 tables, and how soon the first table reaches an OpenMetadata server that takes
//! 5 ms per call while the describes go on.

use crate::catalog::{Cache, Catalog};
use crate::process::{Cost, mib};
use crate::results::median;
use e2e::catalog::GeneratedCatalog;
use e2e::openmetadata::OpenMetadata;
use e2e::workflow::Workflow;
use std::fmt::Write;
use std::path::Path;
use std::time::{Duration, Instant};

/// Runs at one account size.
#[derive(Debug, Clone)]
pub struct SizeRow {
    pub tables: u64,
    pub samples: Vec<Cost>,
    /// The host's `Sandbox:` line of the last run (batches, largest batch, most held).
    pub boundary: String,
}

/// Runs into an OpenMetadata stand-in with added latency.
#[derive(Debug, Clone, Default)]
pub struct FirstTable {
    pub tables: u64,
    pub latency: Duration,
    /// From spawning `ddb-catalog` to the first `PUT /api/v1/tables` reaching the server.
    pub first_table: Vec<Duration>,
    /// From spawning to the last table reaching the server.
    pub last_table: Vec<Duration>,
    pub samples: Vec<Cost>,
    /// The same account into a file sink: the DynamoDB side alone.
    pub file_only: Vec<Cost>,
}

#[derive(Debug, Clone, Default)]
pub struct Streaming {
    pub sizes: Vec<SizeRow>,
    pub first_table: Option<FirstTable>,
}

pub fn by_size(
    catalog: &Catalog,
    work: &Path,
    sizes: &[u64],
    repeat: usize,
    into: &mut Streaming,
) -> Result<(), String> {
    for &tables in sizes {
        crate::progress(&format!("generated catalog: {tables} tables"));
        let server = GeneratedCatalog::start(tables);
        let workflow = Workflow::new("bench_generated", &server.endpoint(), "AKIDGENERATED")
            .without_tags()
            .write(work, &format!("generated-{tables}.yaml"));
        let output = work.join(format!("generated-{tables}.json"));
        // Warm the compile cache and check the run once.
        let first = catalog.ingest(
            std::slice::from_ref(&workflow),
            Some(&output),
            1,
            Cache::Warm,
        )?;
        if first.listed as u64 != tables {
            return Err(format!("listed {} of {tables}", first.listed));
        }
        let mut row = SizeRow {
            tables,
            samples: Vec::new(),
            boundary: String::new(),
        };
        for _ in 0..repeat {
            let run = catalog.ingest(
                std::slice::from_ref(&workflow),
                Some(&output),
                1,
                Cache::Warm,
            )?;
            row.samples.push(run.cost);
            row.boundary = run.boundary.clone();
        }
        into.sizes.push(row);
    }
    Ok(())
}

pub fn first_table(
    catalog: &Catalog,
    work: &Path,
    tables: u64,
    latency: Duration,
    repeat: usize,
    into: &mut Streaming,
) -> Result<(), String> {
    crate::progress(&format!(
        "first table: {tables} tables into an OpenMetadata stand-in at {} ms per call",
        latency.as_millis()
    ));
    let server = GeneratedCatalog::start(tables);
    let mut result = FirstTable {
        tables,
        latency,
        ..FirstTable::default()
    };
    let file_workflow = Workflow::new("bench_first", &server.endpoint(), "AKIDFIRST")
        .without_tags()
        .write(work, "first-file.yaml");
    let output = work.join("first-file.json");
    catalog.ingest(
        std::slice::from_ref(&file_workflow),
        Some(&output),
        1,
        Cache::Warm,
    )?;
    for _ in 0..repeat {
        let run = catalog.ingest(
            std::slice::from_ref(&file_workflow),
            Some(&output),
            1,
            Cache::Warm,
        )?;
        result.file_only.push(run.cost);
    }
    for i in 0..repeat {
        // A new server each time: a rerun into the same one sends no unchanged table.
        let om = OpenMetadata::builder().latency(latency).start();
        let mut workflow =
            Workflow::new("bench_first", &server.endpoint(), "AKIDFIRST").without_tags();
        workflow.sink = "sink:\n  type: metadata-rest\n  config: {}\n".into();
        workflow.workflow_config = format!(
            "  loggerLevel: INFO\n  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    securityConfig:\n      jwtToken: {}\n",
            om.host_port(),
            om.token()
        );
        let path = workflow.write(work, &format!("first-rest-{i}.yaml"));
        let started = Instant::now();
        let run = catalog.ingest(&[path], None, 1, Cache::Warm)?;
        let puts: Vec<Instant> = om
            .arrivals()
            .into_iter()
            .filter(|(_, method, path)| method == "PUT" && path == "/api/v1/tables")
            .map(|(at, _, _)| at)
            .collect();
        if puts.len() as u64 != tables {
            return Err(format!(
                "{} tables reached OpenMetadata of {tables}",
                puts.len()
            ));
        }
        let first = puts.iter().min().copied().unwrap_or(started);
        let last = puts.iter().max().copied().unwrap_or(started);
        result.first_table.push(first.duration_since(started));
        result.last_table.push(last.duration_since(started));
        result.samples.push(run.cost);
    }
    into.first_table = Some(result);
    Ok(())
}

impl Streaming {
    pub fn to_json(&self) -> serde_json::Value {
        let secs = |d: &[Duration]| d.iter().map(|d| d.as_secs_f64()).collect::<Vec<_>>();
        serde_json::json!({
            "sizes": self.sizes.iter().map(|r| serde_json::json!({
                "tables": r.tables,
                "samples": r.samples.iter().map(|c| c.to_json()).collect::<Vec<_>>(),
                "boundary": r.boundary,
            })).collect::<Vec<_>>(),
            "first_table": self.first_table.as_ref().map(|f| serde_json::json!({
                "tables": f.tables,
                "latency_ms": f.latency.as_secs_f64() * 1000.0,
                "first_table_s": secs(&f.first_table),
                "last_table_s": secs(&f.last_table),
                "rest": f.samples.iter().map(|c| c.to_json()).collect::<Vec<_>>(),
                "file_only": f.file_only.iter().map(|c| c.to_json()).collect::<Vec<_>>(),
            })),
        })
    }

    pub fn to_markdown(&self, out: &mut String) {
        if !self.sizes.is_empty() {
            let base = self
                .sizes
                .iter()
                .find(|r| r.tables == 1_000)
                .map(|r| median(r.samples.iter().map(|c| mib(c.max_rss_bytes))));
            let _ = writeln!(
                out,
                "| generated catalog | runs | wall (s) | tables/s | host CPU per table (µs) | peak RSS (MiB) | peak RSS / at 1,000 | batches, largest, most held (host's figures) |"
            );
            let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---|");
            for row in &self.sizes {
                let wall = median(row.samples.iter().map(|c| c.wall.as_secs_f64()));
                let cpu = median(row.samples.iter().map(|c| c.cpu().as_secs_f64()));
                let rss = median(row.samples.iter().map(|c| mib(c.max_rss_bytes)));
                let _ = writeln!(
                    out,
                    "| {} tables | {} | {wall:.2} | {:.0} | {:.0} | {rss:.1} | {} | {} |",
                    crate::results::thousands(row.tables as usize),
                    row.samples.len(),
                    row.tables as f64 / wall,
                    cpu * 1e6 / row.tables.max(1) as f64,
                    base.map_or_else(String::new, |b| format!("{:.2}×", rss / b)),
                    row.boundary
                        .trim_start_matches("Sandbox: ")
                        .split("; ")
                        .last()
                        .unwrap_or_default(),
                );
            }
            out.push('\n');
        }
        if let Some(f) = &self.first_table {
            let ms = |d: &[Duration]| median(d.iter().map(|d| d.as_secs_f64() * 1000.0));
            let wall = |c: &[Cost]| median(c.iter().map(|c| c.wall.as_secs_f64() * 1000.0));
            let _ = writeln!(
                out,
                "| {} tables, OpenMetadata at {} ms per call | median (ms) |",
                crate::results::thousands(f.tables as usize),
                f.latency.as_millis()
            );
            let _ = writeln!(out, "|---|---:|");
            let _ = writeln!(
                out,
                "| first table at the server, from process start | {:.0} |",
                ms(&f.first_table)
            );
            let _ = writeln!(
                out,
                "| last table at the server, from process start | {:.0} |",
                ms(&f.last_table)
            );
            let _ = writeln!(
                out,
                "| whole run into OpenMetadata (metadata-rest) | {:.0} |",
                wall(&f.samples)
            );
            let _ = writeln!(
                out,
                "| the same account into a file (the DynamoDB side alone) | {:.0} |",
                wall(&f.file_only)
            );
            out.push('\n');
        }
    }
}
