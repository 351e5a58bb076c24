//! A run's report and its rendering, after OpenMetadata's CLI summary: per step (the DynamoDB
//! source, then the sink) processed records, warnings, filtered, errors, a table of failures,
//! the success percentage, the time, and how the workflow finished.

use crate::sink::SinkReport;
use std::fmt::Write;
use std::time::Duration;

/// At most this many rows in a list of failures or filtered tables.
const MAX_ROWS: usize = 100;

#[derive(Debug, Clone, Default)]
pub struct SourceStatus {
    pub listed: usize,
    pub ingested: usize,
    /// Entities produced: the database, the schema and each ingested table.
    pub processed_records: usize,
    pub filtered: Vec<(String, String)>,
    pub failures: Vec<(String, String)>,
    pub warnings: Vec<String>,
    pub requests: u32,
    pub retries: u32,
    pub throttled: u32,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub tenant: String,
    pub source: SourceStatus,
    pub sink: Option<(&'static str, SinkReport)>,
    /// What stopped the run, if something did.
    pub run_error: Option<String>,
    pub elapsed: Duration,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Success,
    Warnings,
    Failures,
}

impl Report {
    pub fn status(&self) -> Status {
        let sink_failures = self
            .sink
            .as_ref()
            .is_some_and(|(_, s)| !s.failures.is_empty());
        if self.run_error.is_some() || !self.source.failures.is_empty() || sink_failures {
            Status::Failures
        } else if !self.source.warnings.is_empty()
            || self
                .sink
                .as_ref()
                .is_some_and(|(_, s)| !s.warnings.is_empty())
        {
            Status::Warnings
        } else {
            Status::Success
        }
    }

    /// Share of records that went through, as OpenMetadata computes it.
    pub fn success_percent(&self) -> f64 {
        let mut ok = self.source.processed_records;
        let mut failed = self.source.failures.len();
        if let Some((_, sink)) = &self.sink {
            ok += sink.written;
            failed += sink.failures.len();
        }
        if self.run_error.is_some() {
            failed += 1;
        }
        if ok + failed == 0 {
            return 100.0;
        }
        (ok as f64 * 10_000.0 / (ok + failed) as f64).round() / 100.0
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let s = &self.source;
        let _ = writeln!(out, "Workflow DynamoDB Summary ({}):", self.tenant);
        let _ = writeln!(
            out,
            "  Tables listed: {} (ingested {}, filtered {}, failed {})",
            s.listed,
            s.ingested,
            s.filtered.len(),
            s.failures.len()
        );
        let _ = writeln!(out, "  Processed records: {}", s.processed_records);
        let _ = writeln!(out, "  Warnings: {}", s.warnings.len());
        let _ = writeln!(out, "  Filtered: {}", s.filtered.len());
        let _ = writeln!(
            out,
            "  Errors: {}",
            s.failures.len() + usize::from(self.run_error.is_some())
        );
        // A stopped run returns no counters; its failure says how many attempts it made.
        if self.run_error.is_none() {
            let _ = writeln!(
                out,
                "  Requests: {} (retries {}, throttled {})",
                s.requests, s.retries, s.throttled
            );
        }
        if let Some(error) = &self.run_error {
            let _ = writeln!(out, "  Stopped: {error}");
        }
        table(&mut out, "Filtered", &s.filtered);
        table(&mut out, "Failures", &s.failures);
        list(&mut out, "Warnings", &s.warnings);
        if let Some((label, sink)) = &self.sink {
            let _ = writeln!(out, "Workflow {label} Summary:");
            let _ = writeln!(out, "  Processed records: {}", sink.written);
            let _ = writeln!(out, "  Warnings: {}", sink.warnings.len());
            let _ = writeln!(out, "  Errors: {}", sink.failures.len());
            for note in &sink.notes {
                let _ = writeln!(out, "  {note}");
            }
            table(&mut out, "Failures", &sink.failures);
            list(&mut out, "Warnings", &sink.warnings);
        }
        for note in &self.notes {
            let _ = writeln!(out, "{note}");
        }
        let _ = writeln!(out, "Success %: {:.2}", self.success_percent());
        let _ = writeln!(
            out,
            "Workflow finished in {:.2} s",
            self.elapsed.as_secs_f64()
        );
        let _ = writeln!(
            out,
            "{}",
            match self.status() {
                Status::Success => "Workflow finished successfully",
                Status::Warnings => "Workflow finished with warnings",
                Status::Failures => "Workflow finished with failures",
            }
        );
        out
    }
}

fn table(out: &mut String, title: &str, rows: &[(String, String)]) {
    if rows.is_empty() {
        return;
    }
    let shown = &rows[..rows.len().min(MAX_ROWS)];
    let width = shown
        .iter()
        .map(|(name, _)| name.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let _ = writeln!(out, "  {title}:");
    let _ = writeln!(out, "    {:<width$}  Reason", "Name");
    for (name, reason) in shown {
        let _ = writeln!(out, "    {name:<width$}  {reason}");
    }
    if rows.len() > shown.len() {
        let _ = writeln!(out, "    ... and {} more", rows.len() - shown.len());
    }
}

fn list(out: &mut String, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "  {title}:");
    for item in items.iter().take(MAX_ROWS) {
        let _ = writeln!(out, "    {item}");
    }
    if items.len() > MAX_ROWS {
        let _ = writeln!(out, "    ... and {} more", items.len() - MAX_ROWS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            tenant: "svc".into(),
            source: SourceStatus {
                listed: 4,
                ingested: 2,
                processed_records: 4,
                filtered: vec![(
                    "tmp".into(),
                    "matched tableFilterPattern.excludes `tmp`".into(),
                )],
                failures: vec![("broken".into(), "DescribeTable failed".into())],
                ..SourceStatus::default()
            },
            sink: Some((
                "File",
                SinkReport {
                    written: 5,
                    ..SinkReport::default()
                },
            )),
            run_error: None,
            elapsed: Duration::from_millis(1500),
            notes: vec![],
        }
    }

    #[test]
    fn failures_make_a_failed_run() {
        let r = report();
        assert_eq!(r.status(), Status::Failures);
        let text = r.render();
        assert!(text.contains("Tables listed: 4 (ingested 2, filtered 1, failed 1)"));
        assert!(text.contains("broken  DescribeTable failed"));
        assert!(text.contains("Success %: 90.00"));
        assert!(text.ends_with("Workflow finished with failures\n"));
    }

    #[test]
    fn clean_run_succeeds() {
        let mut r = report();
        r.source.failures.clear();
        assert_eq!(r.status(), Status::Success);
        assert_eq!(r.success_percent(), 100.0);
        r.source.warnings.push("w".into());
        assert_eq!(r.status(), Status::Warnings);
    }
}
