//! A run's report and its rendering, after OpenMetadata's CLI summary: per step (the
//! connector's source step, then the sink) processed records, warnings, filtered, errors, a table of failures,
//! the success percentage, the time, and how the workflow finished.
//!
//! The report builds up while the run goes and stays bounded whatever the run's size: it keeps
//! counts, and at most [`MAX_ROWS`] rows of each list, cleaned by [`crate::sanitize`] as they
//! come in.
//!
//! The same numbers, as OpenMetadata's `StepSummary` list and `PipelineState`, feed the run
//! report (`--report`, [`crate::report`]) and the pipeline status written to OpenMetadata.

pub use crate::bounded::{MAX_ROWS, Notes, Rows};
use crate::sanitize;
use crate::sink::SinkReport;
use serde::Serialize;
use std::fmt::Write;
use std::time::{Duration, SystemTime};

/// OpenMetadata's `SUCCESS_THRESHOLD_VALUE`: a run with failures whose success percentage is at
/// least this is a partial success.
pub const SUCCESS_THRESHOLD: f64 = 90.0;

/// The source step's name before the connector has said its own (`step-name`).
pub const SOURCE_STEP: &str = "Source";

/// What became of a run's pipeline status, for the summary and the run report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineStatusOutcome {
    /// `ingestionPipelineFQN` (cleaned).
    pub fqn: String,
    pub run_id: String,
    /// Whether this run created the ingestion pipeline.
    pub created: bool,
    /// Whether `running` was written at the start.
    pub running_written: bool,
    /// The final state written, if it was.
    pub state: Option<PipelineState>,
    /// Why a status was not written (cleaned; a warning, never a failure of the run).
    pub problem: Option<String>,
}

impl PipelineStatusOutcome {
    /// One line for the summary.
    pub fn describe(&self) -> String {
        match (&self.state, &self.problem) {
            (Some(state), _) => format!(
                "Pipeline status: {} written to OpenMetadata for {} (run {}{})",
                state.as_str(),
                self.fqn,
                self.run_id,
                if self.created {
                    ", pipeline created"
                } else {
                    ""
                }
            ),
            (None, Some(problem)) => format!(
                "Pipeline status: not written to OpenMetadata for {} (run {}): {problem}",
                self.fqn, self.run_id
            ),
            (None, None) => format!(
                "Pipeline status: not written to OpenMetadata for {} (run {})",
                self.fqn, self.run_id
            ),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct SourceStatus {
    /// Table names the listing returned.
    pub listed: u64,
    pub ingested: usize,
    /// Entities produced: the database, the schema and each ingested table.
    pub processed_records: usize,
    pub filtered: Rows,
    pub failures: Rows,
    pub warnings: Notes,
    /// The connector's call counters, once it has reported them (with its first batch).
    pub calls: Option<Calls>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Calls {
    pub requests: u32,
    pub retries: u32,
    pub throttled: u32,
}

impl SourceStatus {
    /// Listed tables with an outcome.
    pub fn done(&self) -> u64 {
        (self.ingested + self.filtered.len() + self.failures.len()) as u64
    }
}

/// Why a run ended before its end, and what it left undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    /// What stopped it (cleaned).
    pub reason: String,
    /// Listed tables that got no outcome.
    pub left_undone: u64,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub tenant: String,
    /// The source step's name: the connector's `step-name`.
    pub step: String,
    /// The workflow's `source.serviceName` (cleaned).
    pub service: String,
    /// This run's id: the workflow's `pipelineRunId`, or a new UUID.
    pub run_id: String,
    /// When the run started (wall clock).
    pub started_at: SystemTime,
    pub source: SourceStatus,
    pub sink: Option<(&'static str, SinkReport)>,
    /// What stopped the run, if something did.
    pub stopped: Option<Stop>,
    pub elapsed: Duration,
    pub notes: Vec<String>,
    /// The host's own warnings about the run (not about a table): e.g. a pipeline status that
    /// could not be written to OpenMetadata.
    pub warnings: Notes,
    /// The pipeline status written to OpenMetadata (with `ingestionPipelineFQN`).
    pub pipeline_status: Option<PipelineStatusOutcome>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Success,
    Warnings,
    Failures,
}

/// How a finished run stands for OpenMetadata (`pipelineStatus.pipelineState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PipelineState {
    Success,
    PartialSuccess,
    Failed,
}

impl PipelineState {
    pub fn as_str(self) -> &'static str {
        match self {
            PipelineState::Success => "success",
            PipelineState::PartialSuccess => "partialSuccess",
            PipelineState::Failed => "failed",
        }
    }
}

/// OpenMetadata's `StepSummary`: one step's numbers and a sample of its failures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepSummary {
    pub name: String,
    pub records: usize,
    pub updated_records: usize,
    pub warnings: usize,
    pub errors: usize,
    pub filtered: usize,
    pub failures: Vec<StackTraceError>,
}

/// OpenMetadata's `StackTraceError`: what failed (a table, an entity, the run) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StackTraceError {
    pub name: String,
    pub error: String,
}

impl Report {
    pub fn new(tenant: &str) -> Report {
        Report {
            tenant: sanitize::name(tenant).to_string(),
            step: SOURCE_STEP.to_string(),
            service: String::new(),
            run_id: String::new(),
            started_at: SystemTime::now(),
            source: SourceStatus::default(),
            sink: None,
            stopped: None,
            elapsed: Duration::ZERO,
            notes: Vec::new(),
            warnings: Notes::default(),
            pipeline_status: None,
        }
    }

    /// When the run ended: its start plus its duration.
    pub fn ended_at(&self) -> SystemTime {
        self.started_at + self.elapsed
    }

    /// Whether a table or an entity failed, in the source or in the sink.
    pub fn has_failures(&self) -> bool {
        !self.source.failures.is_empty()
            || self
                .sink
                .as_ref()
                .is_some_and(|(_, s)| !s.failures.is_empty())
    }

    /// OpenMetadata's verdict on the run: `success` without failures, `partialSuccess` with
    /// failures but a success percentage of at least [`SUCCESS_THRESHOLD`], else `failed`; a
    /// stopped run is `failed` whatever it finished.
    pub fn pipeline_state(&self) -> PipelineState {
        if self.stopped.is_some() {
            PipelineState::Failed
        } else if !self.has_failures() {
            PipelineState::Success
        } else if self.success_percent() >= SUCCESS_THRESHOLD {
            PipelineState::PartialSuccess
        } else {
            PipelineState::Failed
        }
    }

    /// The steps as OpenMetadata lists them in a pipeline status: the source, then the sink.
    /// The source's errors count a stop, and its failures end with the stop's reason.
    pub fn step_summaries(&self) -> Vec<StepSummary> {
        let s = &self.source;
        let rows = |rows: &Rows| -> Vec<StackTraceError> {
            rows.shown()
                .iter()
                .map(|(name, error)| StackTraceError {
                    name: name.clone(),
                    error: error.clone(),
                })
                .collect()
        };
        let mut source_failures = rows(&s.failures);
        if let Some(stop) = &self.stopped {
            source_failures.push(StackTraceError {
                name: self.tenant.clone(),
                error: format!("the run stopped: {}", stop.reason),
            });
        }
        let mut steps = vec![StepSummary {
            name: self.step.clone(),
            records: s.processed_records,
            updated_records: 0,
            warnings: s.warnings.len(),
            errors: s.failures.len() + usize::from(self.stopped.is_some()),
            filtered: s.filtered.len(),
            failures: source_failures,
        }];
        if let Some((label, sink)) = &self.sink {
            steps.push(StepSummary {
                name: label.to_string(),
                records: sink.written,
                updated_records: sink.updated,
                warnings: sink.warnings.len(),
                errors: sink.failures.len(),
                filtered: 0,
                failures: rows(&sink.failures),
            });
        }
        steps
    }

    /// Records what stopped the run (the first cause counts), with the listed tables that are
    /// left without an outcome.
    pub fn stop(&mut self, reason: &str) {
        if self.stopped.is_none() {
            self.stopped = Some(Stop {
                reason: sanitize::message(reason).to_string(),
                left_undone: self.source.listed.saturating_sub(self.source.done()),
            });
        }
    }

    pub fn status(&self) -> Status {
        if self.stopped.is_some() || self.has_failures() {
            Status::Failures
        } else if !self.source.warnings.is_empty()
            || !self.warnings.is_empty()
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
        if self.stopped.is_some() {
            failed += 1;
        }
        if ok + failed == 0 {
            return 100.0;
        }
        (ok as f64 * 10_000.0 / (ok + failed) as f64).round() / 100.0
    }

    /// Says the summary: as [`render`](Self::render)'s text in the text log format; in JSON,
    /// a record per failure of the sink and per warning of the run (the source's came as the
    /// run went), then one record with the run's numbers and how it ended.
    pub fn log(&self) {
        use crate::logging::{self, Fields, Level};
        if logging::format() == logging::LogFormat::Text {
            logging::text_only(&self.render());
            return;
        }
        let base = Fields {
            run: Some(&self.tenant),
            run_id: Some(&self.run_id),
            source: Some("host"),
            ..Fields::default()
        };
        if let Some((label, sink)) = &self.sink {
            for (name, reason) in sink.failures.shown() {
                logging::record(
                    Level::Warn,
                    &format!("{label} sink failed: {reason}"),
                    &Fields {
                        table: Some(name),
                        operation: Some(label),
                        ..base
                    },
                );
            }
            for warning in sink.warnings.shown() {
                logging::record(
                    Level::Warn,
                    warning,
                    &Fields {
                        operation: Some(label),
                        ..base
                    },
                );
            }
        }
        for warning in self.warnings.shown() {
            logging::record(Level::Warn, warning, &base);
        }
        let (level, message) = match self.status() {
            Status::Success => (Level::Info, "Workflow finished successfully"),
            Status::Warnings => (Level::Warn, "Workflow finished with warnings"),
            Status::Failures => (Level::Error, "Workflow finished with failures"),
        };
        let status = match (&self.stopped, self.pipeline_state()) {
            (Some(_), _) => "stopped",
            (None, state) => state.as_str(),
        };
        let message = match &self.stopped {
            Some(stop) => format!("{message}: stopped: {}", stop.reason),
            None => message.to_string(),
        };
        let s = &self.source;
        logging::record(
            level,
            &message,
            &Fields {
                status: Some(status),
                listed: Some(s.listed),
                described: Some(s.ingested as u64),
                filtered: Some(s.filtered.len() as u64),
                failed: Some(s.failures.len() as u64),
                success_percent: Some(self.success_percent()),
                elapsed_seconds: Some((self.elapsed.as_secs_f64() * 1000.0).round() / 1000.0),
                requests: s.calls.map(|c| c.requests),
                retries: s.calls.map(|c| c.retries),
                throttled: s.calls.map(|c| c.throttled),
                ..base
            },
        );
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let s = &self.source;
        let _ = writeln!(out, "Workflow {} Summary ({}):", self.step, self.tenant);
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
            s.failures.len() + usize::from(self.stopped.is_some())
        );
        // A run stopped before its first batch has no counters; its reason says how many
        // attempts were made.
        if let Some(calls) = s.calls {
            let _ = writeln!(
                out,
                "  Requests: {} (retries {}, throttled {})",
                calls.requests, calls.retries, calls.throttled
            );
        }
        if let Some(stop) = &self.stopped {
            let _ = writeln!(out, "  Stopped: {}", stop.reason);
            let _ = writeln!(
                out,
                "  Left undone: {} listed table{} without an outcome",
                stop.left_undone,
                if stop.left_undone == 1 { "" } else { "s" }
            );
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
        if let Some(pipeline) = &self.pipeline_status {
            let _ = writeln!(out, "{}", pipeline.describe());
        }
        if !self.warnings.is_empty() {
            let _ = writeln!(out, "Warnings: {}", self.warnings.len());
            for warning in self.warnings.shown() {
                let _ = writeln!(out, "  {warning}");
            }
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

fn table(out: &mut String, title: &str, rows: &Rows) {
    if rows.is_empty() {
        return;
    }
    let width = rows
        .shown()
        .iter()
        .map(|(name, _)| name.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let _ = writeln!(out, "  {title}:");
    let _ = writeln!(out, "    {:<width$}  Reason", "Name");
    for (name, reason) in rows.shown() {
        let _ = writeln!(out, "    {name:<width$}  {reason}");
    }
    if rows.len() > rows.shown().len() {
        let _ = writeln!(out, "    ... and {} more", rows.len() - rows.shown().len());
    }
}

fn list(out: &mut String, title: &str, items: &Notes) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "  {title}:");
    for item in items.shown() {
        let _ = writeln!(out, "    {item}");
    }
    if items.len() > items.shown().len() {
        let _ = writeln!(
            out,
            "    ... and {} more",
            items.len() - items.shown().len()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        let mut r = Report::new("svc");
        r.source.listed = 4;
        r.source.ingested = 2;
        r.source.processed_records = 4;
        r.source
            .filtered
            .push("tmp", "matched tableFilterPattern.excludes `tmp`");
        r.source.failures.push("broken", "DescribeTable failed");
        r.sink = Some((
            "File",
            SinkReport {
                written: 5,
                ..SinkReport::default()
            },
        ));
        r.elapsed = Duration::from_millis(1500);
        r
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
        r.source.failures = Rows::default();
        assert_eq!(r.status(), Status::Success);
        assert_eq!(r.success_percent(), 100.0);
        r.source.warnings.push("w");
        assert_eq!(r.status(), Status::Warnings);
    }

    #[test]
    fn a_stopped_run_says_why_and_what_it_left_undone() {
        let mut r = report();
        r.source.listed = 10;
        r.stop("stopped: the run took longer than its limit of 2s");
        r.stop("a later cause does not replace the first");
        let text = r.render();
        assert!(text.contains("  Stopped: stopped: the run took longer than its limit of 2s\n"));
        assert!(text.contains("  Left undone: 6 listed tables without an outcome\n"));
        assert!(text.ends_with("Workflow finished with failures\n"));
        assert_eq!(r.status(), Status::Failures);
    }

    #[test]
    fn rows_and_warnings_are_bounded_deduplicated_and_clean() {
        let mut rows = Rows::default();
        let mut notes = Notes::default();
        for i in 0..10_000 {
            rows.push(&format!("t{i}\u{1b}[2J"), &"x".repeat(5000));
            notes.push(&format!("warning {}", i % 150));
            notes.push("same");
        }
        assert_eq!(rows.len(), 10_000);
        assert_eq!(rows.shown().len(), MAX_ROWS);
        assert_eq!(rows.shown()[0].0, "t0\\u{1b}[2J");
        assert!(rows.shown()[0].1.ends_with("…(5000 characters)"));
        assert_eq!(notes.shown().len(), MAX_ROWS);
        assert_eq!(notes.shown()[1], "same");
        let mut out = String::new();
        list(&mut out, "Warnings", &notes);
        assert!(out.ends_with(&format!("... and {} more\n", notes.len() - MAX_ROWS)));
    }
}
