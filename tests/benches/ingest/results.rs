//! The figures, as measured (every sample, in JSON) and as reported (medians, in Markdown
//! tables ready for docs/benchmarks.md).

use crate::ceiling::Ceiling;
use crate::process::{Cost, mib};
use serde_json::{Value, json};
use std::fmt::Write;
use std::time::Duration;

/// One scenario at one table count, run one or more times.
#[derive(Debug, Clone)]
pub struct Row {
    pub scenario: String,
    pub tables: usize,
    pub samples: Vec<Cost>,
    /// Requests per run (DynamoDB calls, ListTables pages included), when known.
    pub requests: Option<u64>,
    /// Behind the latency proxy: the proxy's time-weighted average of requests in flight, per
    /// run, and the most it saw at once.
    pub proxy_in_flight: Vec<f64>,
    pub proxy_max_in_flight: usize,
    /// Behind the latency proxy: its added latency.
    pub latency: Option<Duration>,
}

impl Row {
    pub fn new(scenario: &str, tables: usize) -> Row {
        Row {
            scenario: scenario.to_string(),
            tables,
            samples: Vec::new(),
            requests: None,
            proxy_in_flight: Vec::new(),
            proxy_max_in_flight: 0,
            latency: None,
        }
    }

    pub fn wall(&self) -> f64 {
        median(self.samples.iter().map(|c| c.wall.as_secs_f64()))
    }

    pub fn cpu(&self) -> f64 {
        median(self.samples.iter().map(|c| c.cpu().as_secs_f64()))
    }

    pub fn rss_mib(&self) -> f64 {
        median(self.samples.iter().map(|c| mib(c.max_rss_bytes)))
    }

    pub fn tables_per_second(&self) -> f64 {
        self.tables as f64 / self.wall()
    }

    /// Requests × added latency / wall time: how many requests were waiting on the "network"
    /// on average over the whole run (process start to exit).
    pub fn in_flight(&self) -> Option<f64> {
        let latency = self.latency?;
        Some(self.requests? as f64 * latency.as_secs_f64() / self.wall())
    }

    fn to_json(&self) -> Value {
        json!({
            "scenario": self.scenario,
            "tables": self.tables,
            "requests": self.requests,
            "latency_ms": self.latency.map(|l| l.as_secs_f64() * 1000.0),
            "proxy_average_in_flight": self.proxy_in_flight,
            "proxy_max_in_flight": self.proxy_max_in_flight,
            "samples": self.samples.iter().map(|c| c.to_json()).collect::<Vec<_>>(),
            "median": {
                "wall_s": self.wall(),
                "cpu_s": self.cpu(),
                "max_rss_mib": self.rss_mib(),
                "tables_per_s": self.tables_per_second(),
                "in_flight": self.in_flight(),
            },
        })
    }
}

/// The host's own start-up: compiling, loading from the cache, instantiating.
#[derive(Debug, Clone, Default)]
pub struct Startup {
    /// The host's "compiled in" figure, per cold run.
    pub compile: Vec<Duration>,
    /// The host's "loaded from the compile cache in" figure, per warm run.
    pub cached_load: Vec<Duration>,
    /// Per warm run, the instantiation of the component.
    pub instantiate: Vec<Duration>,
    /// A whole `ingest` of an empty account: cold cache, then warm.
    pub empty_cold: Vec<Cost>,
    pub empty_warm: Vec<Cost>,
}

/// The load generator's rates at one table count.
#[derive(Debug, Clone)]
pub struct CeilingRow {
    pub tables: usize,
    pub describe: Vec<Ceiling>,
    pub list_tags: Vec<Ceiling>,
    /// Listing every table name, page after page (ListTables, 100 names a page).
    pub listing: Vec<Duration>,
}

impl CeilingRow {
    pub fn listing_seconds(&self) -> f64 {
        median(self.listing.iter().map(Duration::as_secs_f64))
    }

    /// Tables per second when the listing and the describes do not overlap, as now.
    pub fn serial_per_second(&self) -> f64 {
        let tables = self.tables as f64;
        tables / (self.listing_seconds() + tables / self.describe_per_second())
    }

    /// Tables per second when they overlap perfectly.
    pub fn overlapped_per_second(&self) -> f64 {
        let tables = self.tables as f64;
        tables
            / self
                .listing_seconds()
                .max(tables / self.describe_per_second())
    }

    pub fn describe_per_second(&self) -> f64 {
        median(self.describe.iter().map(|c| c.requests_per_second))
    }

    pub fn list_tags_per_second(&self) -> f64 {
        median(self.list_tags.iter().map(|c| c.requests_per_second))
    }

    /// Tables per second when each costs one DescribeTable and one ListTagsOfResource.
    pub fn with_tags_per_second(&self) -> f64 {
        1.0 / (1.0 / self.describe_per_second() + 1.0 / self.list_tags_per_second())
    }
}

/// Tenants at once in one process, against one tenant alone.
#[derive(Debug, Clone)]
pub struct TenantsRow {
    pub tenants: usize,
    pub tables_each: usize,
    pub one: Vec<Cost>,
    pub all: Vec<Cost>,
    /// The same with `--no-pooling`.
    pub all_unpooled: Vec<Cost>,
    pub instantiate: Vec<Duration>,
}

#[derive(Default)]
pub struct Results {
    pub header: Vec<(String, String)>,
    pub rows: Vec<Row>,
    pub ceilings: Vec<CeilingRow>,
    pub startup: Startup,
    pub tenants: Option<TenantsRow>,
    pub streaming: crate::streaming::Streaming,
    /// Scenarios that could not run, and why.
    pub skipped: Vec<String>,
}

impl Results {
    pub fn row(&self, scenario: &str, tables: usize) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.scenario == scenario && r.tables == tables)
    }

    pub fn to_json(&self) -> Value {
        let costs = |c: &[Cost]| c.iter().map(|c| c.to_json()).collect::<Vec<_>>();
        let secs = |d: &[Duration]| d.iter().map(|d| d.as_secs_f64()).collect::<Vec<_>>();
        json!({
            "header": self.header.iter().map(|(k, v)| json!({k: v})).collect::<Vec<_>>(),
            "rows": self.rows.iter().map(Row::to_json).collect::<Vec<_>>(),
            "ceilings": self.ceilings.iter().map(|c| json!({
                "tables": c.tables,
                "describe_table_per_s": c.describe.iter().map(|r| r.requests_per_second).collect::<Vec<_>>(),
                "list_tags_of_resource_per_s": c.list_tags.iter().map(|r| r.requests_per_second).collect::<Vec<_>>(),
                "listing_s": c.listing.iter().map(Duration::as_secs_f64).collect::<Vec<_>>(),
                "connections": c.describe.first().map(|r| r.connections),
                "seconds": c.describe.first().map(|r| r.duration.as_secs()),
            })).collect::<Vec<_>>(),
            "startup": {
                "compile_s": secs(&self.startup.compile),
                "cached_load_s": secs(&self.startup.cached_load),
                "instantiate_s": secs(&self.startup.instantiate),
                "empty_ingest_cold": costs(&self.startup.empty_cold),
                "empty_ingest_warm": costs(&self.startup.empty_warm),
            },
            "tenants": self.tenants.as_ref().map(|t| json!({
                "tenants": t.tenants,
                "tables_each": t.tables_each,
                "one": costs(&t.one),
                "all": costs(&t.all),
                "all_no_pooling": costs(&t.all_unpooled),
                "instantiate_s": secs(&t.instantiate),
            })),
            "streaming": self.streaming.to_json(),
            "skipped": self.skipped,
        })
    }

    pub fn to_markdown(&self, repeat_note: &str) -> String {
        let mut out = String::new();
        for (key, value) in &self.header {
            let _ = writeln!(out, "- {key}: {value}");
        }
        let _ = writeln!(out, "\n{repeat_note}\n");
        self.main_table(&mut out);
        self.ceiling_table(&mut out);
        self.openmetadata_table(&mut out);
        self.startup_table(&mut out);
        self.streaming.to_markdown(&mut out);
        self.tenants_table(&mut out);
        for skipped in &self.skipped {
            let _ = writeln!(out, "- not measured: {skipped}");
        }
        out
    }

    fn main_table(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "| scenario | tables | runs | wall (s) | tables/s | host CPU per table (µs) | peak RSS (MiB) | requests | avg in flight |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        // Per table count, ours first, then OpenMetadata's.
        let mut rows: Vec<&Row> = self.rows.iter().collect();
        rows.sort_by_key(|r| (r.tables, r.scenario.starts_with(crate::OPENMETADATA)));
        for row in rows {
            let in_flight = match (row.in_flight(), row.proxy_in_flight.is_empty()) {
                (Some(f), true) => format!("{f:.1}"),
                (Some(f), false) => format!(
                    "{f:.1} (proxy: {:.1}, max {})",
                    median(row.proxy_in_flight.iter().copied()),
                    row.proxy_max_in_flight
                ),
                (None, _) => "".into(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.2} | {:.0} | {:.0} | {:.0} | {} | {} |",
                row.scenario,
                thousands(row.tables),
                row.samples.len(),
                row.wall(),
                row.tables_per_second(),
                row.cpu() * 1e6 / row.tables.max(1) as f64,
                row.rss_mib(),
                row.requests
                    .map_or_else(String::new, |r| thousands(r as usize)),
                in_flight,
            );
        }
        out.push('\n');
    }

    fn ceiling_table(&self, out: &mut String) {
        if self.ceilings.is_empty() {
            return;
        }
        let connections = self.ceilings[0]
            .describe
            .first()
            .map_or(0, |r| r.connections);
        let _ = writeln!(
            out,
            "| tables | wrk DescribeTable/s | listing all names (s) | ceiling, listing then describes (tables/s) | ceiling, overlapped (tables/s) | ddb-catalog (tables/s) | ratio to DescribeTable/s | ratio to listing then describes |"
        );
        let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|");
        for ceiling in &self.ceilings {
            let ours = self
                .row(crate::PLAIN, ceiling.tables)
                .map(Row::tables_per_second);
            let percent =
                |of: f64| ours.map_or(String::new(), |o| format!("{:.0} %", 100.0 * o / of));
            let _ = writeln!(
                out,
                "| {} | {:.0} | {:.2} | {:.0} | {:.0} | {} | {} | {} |",
                thousands(ceiling.tables),
                ceiling.describe_per_second(),
                ceiling.listing_seconds(),
                ceiling.serial_per_second(),
                ceiling.overlapped_per_second(),
                ours.map_or(String::new(), |o| format!("{o:.0}")),
                percent(ceiling.describe_per_second()),
                percent(ceiling.serial_per_second()),
            );
        }
        let _ = writeln!(
            out,
            "\nwrk: {connections} connections, as many as the connector's describes in flight. Listing: ListTables page after page (100 names each), as the connector lists. ddb-catalog's tables/s are whole runs: process start to exit, sink included.\n"
        );
        let tagged: Vec<&CeilingRow> = self
            .ceilings
            .iter()
            .filter(|c| self.row(crate::TAGS, c.tables).is_some())
            .collect();
        if tagged.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "| tables | wrk ListTagsOfResource/s | ceiling with tags (tables/s) | ddb-catalog with tags (tables/s) | ratio |"
        );
        let _ = writeln!(out, "|---:|---:|---:|---:|---:|");
        for ceiling in tagged {
            let Some(ours) = self.row(crate::TAGS, ceiling.tables) else {
                continue;
            };
            let _ = writeln!(
                out,
                "| {} | {:.0} | {:.0} | {:.0} | {:.0} % |",
                thousands(ceiling.tables),
                ceiling.list_tags_per_second(),
                ceiling.with_tags_per_second(),
                ours.tables_per_second(),
                100.0 * ours.tables_per_second() / ceiling.with_tags_per_second()
            );
        }
        out.push('\n');
    }

    fn openmetadata_table(&self, out: &mut String) {
        for om in self
            .rows
            .iter()
            .filter(|r| r.scenario == crate::OPENMETADATA)
        {
            let Some(ours) = self.row(crate::PLAIN, om.tables) else {
                continue;
            };
            let _ = writeln!(
                out,
                "| {} tables | ddb-catalog | OpenMetadata connector | OpenMetadata / ddb-catalog |",
                thousands(om.tables)
            );
            let _ = writeln!(out, "|---|---:|---:|---:|");
            let line = |out: &mut String, what: &str, a: f64, b: f64, digits: usize| {
                let _ = writeln!(
                    out,
                    "| {what} | {a:.digits$} | {b:.digits$} | {:.1}× |",
                    b / a
                );
            };
            line(out, "wall time (s)", ours.wall(), om.wall(), 2);
            line(out, "CPU time (s)", ours.cpu(), om.cpu(), 2);
            line(out, "peak RSS (MiB)", ours.rss_mib(), om.rss_mib(), 0);
            let _ = writeln!(
                out,
                "| tables/s | {:.0} | {:.0} | |",
                ours.tables_per_second(),
                om.tables_per_second()
            );
            out.push('\n');
        }
    }

    fn startup_table(&self, out: &mut String) {
        let s = &self.startup;
        if s.empty_cold.is_empty() && s.empty_warm.is_empty() {
            return;
        }
        // The host prints its load time in milliseconds with one decimal.
        let ms = |d: &[Duration]| match median(d.iter().map(|d| d.as_secs_f64() * 1000.0)) {
            m if m.is_nan() => "n/a".to_string(),
            m => format!("{m:.1} ms"),
        };
        let instantiate = match median(s.instantiate.iter().map(|d| d.as_secs_f64() * 1000.0)) {
            m if m.is_nan() => "n/a".to_string(),
            m => format!("{m:.2} ms"),
        };
        let wall = |c: &[Cost]| {
            format!(
                "{:.0} ms wall, {:.0} ms CPU, {:.0} MiB",
                median(c.iter().map(|c| c.wall.as_secs_f64() * 1000.0)),
                median(c.iter().map(|c| c.cpu().as_secs_f64() * 1000.0)),
                median(c.iter().map(|c| mib(c.max_rss_bytes)))
            )
        };
        let _ = writeln!(out, "| start-up | median |");
        let _ = writeln!(out, "|---|---:|");
        let _ = writeln!(
            out,
            "| compile the component (empty cache, host's figure) | {} |",
            ms(&s.compile)
        );
        let _ = writeln!(
            out,
            "| load the precompiled component (warm cache, host's figure) | {} |",
            ms(&s.cached_load)
        );
        let _ = writeln!(
            out,
            "| instantiate, per run (host's figure) | {instantiate} |"
        );
        let _ = writeln!(
            out,
            "| whole `ingest` of an empty account, cold cache | {} |",
            wall(&s.empty_cold)
        );
        let _ = writeln!(
            out,
            "| whole `ingest` of an empty account, warm cache | {} |",
            wall(&s.empty_warm)
        );
        out.push('\n');
    }

    fn tenants_table(&self, out: &mut String) {
        let Some(t) = &self.tenants else { return };
        let rss = |c: &[Cost]| median(c.iter().map(|c| mib(c.max_rss_bytes)));
        let wall = |c: &[Cost]| median(c.iter().map(|c| c.wall.as_secs_f64()));
        let cpu = |c: &[Cost]| median(c.iter().map(|c| c.cpu().as_secs_f64()));
        let _ = writeln!(
            out,
            "| tenants at once (one process) | tables each | wall (s) | host CPU (s) | peak RSS (MiB) |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|");
        let rows = [
            ("1".to_string(), &t.one),
            (t.tenants.to_string(), &t.all),
            (format!("{}, `--no-pooling`", t.tenants), &t.all_unpooled),
        ];
        for (n, costs) in rows {
            if costs.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "| {n} | {} | {:.2} | {:.2} | {:.0} |",
                t.tables_each,
                wall(costs),
                cpu(costs),
                rss(costs)
            );
        }
        let extra = (rss(&t.all) - rss(&t.one)) / (t.tenants.max(2) - 1) as f64;
        let _ = writeln!(
            out,
            "\nEach tenant beyond the first adds {extra:.1} MiB of peak RSS; instantiation took {} ms per tenant (median of the host's figures).\n",
            if t.instantiate.is_empty() {
                "n/a".to_string()
            } else {
                format!(
                    "{:.2}",
                    median(t.instantiate.iter().map(|d| d.as_secs_f64() * 1000.0))
                )
            }
        );
    }
}

pub fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
