//! The run report (`--report FILE`): one JSON document for a command, whatever the number of
//! workflows, with one entry per run in `runs` (in the order the workflows were named). A
//! platform reads it instead of the printed summary: each run's status, times, OpenMetadata's
//! `StepSummary` numbers, failures by table, warnings (capped), request counters, the pipeline
//! status written, and the component that ran. `docs/run-report.schema.json` is its JSON
//! Schema and `docs/run-report.md` explains it.
//!
//! Everything in it comes from the summary ([`crate::summary::Report`]), so the two always
//! agree; strings are cleaned as they enter the summary, and every registered secret is struck
//! out of the document before it is written.

use crate::summary::{Calls, Notes, PipelineState, Report, Rows, StepSummary};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The document's format version; a change that breaks readers raises it.
pub const REPORT_VERSION: u32 = 1;

/// The component that ran the workflows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentInfo {
    /// `/path/file.wasm sha256:…` or `oci://…@sha256:… (layer sha256:…)`, as the run printed.
    pub label: String,
    /// The SHA-256 of the component's bytes, `sha256:<hex>`.
    pub digest: String,
    pub path: String,
}

/// How a run ended, as the report says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RunStatus {
    Success,
    PartialSuccess,
    Failed,
    /// Something stopped the run before its end (`stop.reason` says what).
    Stopped,
}

impl RunStatus {
    pub fn of(report: &Report) -> RunStatus {
        if report.stopped.is_some() {
            return RunStatus::Stopped;
        }
        match report.pipeline_state() {
            PipelineState::Success => RunStatus::Success,
            PipelineState::PartialSuccess => RunStatus::PartialSuccess,
            PipelineState::Failed => RunStatus::Failed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Success => "success",
            RunStatus::PartialSuccess => "partialSuccess",
            RunStatus::Failed => "failed",
            RunStatus::Stopped => "stopped",
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    report_version: u32,
    tool: Tool,
    component: Option<&'a ComponentInfo>,
    started_at: String,
    ended_at: String,
    runs: Vec<RunEntry>,
}

#[derive(Debug, Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RunEntry {
    label: String,
    workflow: String,
    service: String,
    run_id: String,
    #[serde(rename = "ingestionPipelineFQN")]
    ingestion_pipeline_fqn: Option<String>,
    started_at: String,
    ended_at: String,
    duration_seconds: f64,
    status: RunStatus,
    stop: Option<StopEntry>,
    success_percent: f64,
    tables: Tables,
    steps: Vec<StepSummary>,
    failures: Listing<TableRow>,
    filtered: Listing<TableRow>,
    warnings: Listing<String>,
    requests: Option<Requests>,
    sink: Option<SinkEntry>,
    pipeline_status: Option<PipelineStatusEntry>,
    notes: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct StopEntry {
    reason: String,
    left_undone: u64,
}

#[derive(Debug, Serialize)]
struct Tables {
    listed: u64,
    ingested: usize,
    filtered: usize,
    failed: usize,
}

/// A capped list: the first rows, and how many there were in all.
#[derive(Debug, Serialize)]
struct Listing<T> {
    total: usize,
    shown: Vec<T>,
}

#[derive(Debug, Serialize)]
struct TableRow {
    name: String,
    step: String,
    reason: String,
}

#[derive(Debug, Serialize)]
struct Requests {
    requests: u32,
    retries: u32,
    throttled: u32,
}

#[derive(Debug, Serialize)]
struct SinkEntry {
    #[serde(rename = "type")]
    kind: String,
    notes: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PipelineStatusEntry {
    #[serde(rename = "ingestionPipelineFQN")]
    fqn: String,
    run_id: String,
    created: bool,
    running_written: bool,
    state: Option<PipelineState>,
    problem: Option<String>,
}

/// What the report needs of each run besides its summary.
#[derive(Debug, Clone)]
pub struct RunInput<'a> {
    pub workflow: &'a Path,
    pub ingestion_pipeline_fqn: Option<&'a str>,
    pub report: &'a Report,
}

/// The report of a command's runs, as JSON (secrets struck out).
pub fn build(
    component: Option<&ComponentInfo>,
    started_at: SystemTime,
    ended_at: SystemTime,
    runs: &[RunInput],
) -> serde_json::Value {
    let document = Document {
        report_version: REPORT_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        component,
        started_at: timestamp(started_at),
        ended_at: timestamp(ended_at),
        runs: runs.iter().map(entry).collect(),
    };
    let mut value = serde_json::to_value(&document).unwrap_or_else(
        |e| serde_json::json!({ "reportVersion": REPORT_VERSION, "error": e.to_string() }),
    );
    crate::logging::redact_json(&mut value);
    value
}

/// Writes the report to `path` (through a temporary file beside it, so that a reader never
/// sees half a report).
pub fn write(path: &Path, report: &serde_json::Value) -> Result<(), ReportError> {
    let mut text = serde_json::to_string_pretty(report).map_err(|e| ReportError {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    text.push('\n');
    let partial = partial_path(path);
    let failed = |e: std::io::Error| ReportError {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    std::fs::write(&partial, text).map_err(failed)?;
    std::fs::rename(&partial, path).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        failed(e)
    })
}

/// Checks before any run that the report can be written where asked.
pub fn check_writable(path: &Path) -> Result<(), ReportError> {
    let failed = |message: String| ReportError {
        path: path.to_path_buf(),
        message,
    };
    if path.is_dir() {
        return Err(failed("is a directory".into()));
    }
    let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => dir.to_path_buf(),
        None => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(failed(format!(
            "its directory {} does not exist",
            dir.display()
        )));
    }
    // The report is written beside it, then renamed: both need the directory.
    let partial = partial_path(path);
    std::fs::write(&partial, b"")
        .and_then(|()| std::fs::remove_file(&partial))
        .map_err(|e| failed(format!("{}: {e}", partial.display())))
}

/// Where the report is written before it is renamed into place.
fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// A report that could not be written.
#[derive(Debug, Clone)]
pub struct ReportError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot write the run report {}: {}",
            self.path.display(),
            self.message
        )
    }
}

impl std::error::Error for ReportError {}

/// RFC 3339, UTC, milliseconds.
pub fn timestamp(time: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(time).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Milliseconds since the Unix epoch (OpenMetadata's `Timestamp`).
pub fn epoch_millis(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

fn entry(input: &RunInput) -> RunEntry {
    let report = input.report;
    let source = &report.source;
    let mut failures = listing_of(&source.failures, &report.step);
    let mut warnings = notes(&source.warnings);
    if let Some((label, sink)) = &report.sink {
        let sink_failures = listing_of(&sink.failures, label);
        failures.total += sink_failures.total;
        failures.shown.extend(sink_failures.shown);
        let sink_warnings = notes(&sink.warnings);
        warnings.total += sink_warnings.total;
        warnings.shown.extend(sink_warnings.shown);
    }
    let run_warnings = notes(&report.warnings);
    warnings.total += run_warnings.total;
    warnings.shown.extend(run_warnings.shown);
    RunEntry {
        label: report.tenant.clone(),
        workflow: input.workflow.display().to_string(),
        service: report.service.clone(),
        run_id: report.run_id.clone(),
        ingestion_pipeline_fqn: input
            .ingestion_pipeline_fqn
            .map(|f| crate::sanitize::name(f).to_string()),
        started_at: timestamp(report.started_at),
        ended_at: timestamp(report.ended_at()),
        duration_seconds: (report.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
        status: RunStatus::of(report),
        stop: report.stopped.as_ref().map(|stop| StopEntry {
            reason: stop.reason.clone(),
            left_undone: stop.left_undone,
        }),
        success_percent: report.success_percent(),
        tables: Tables {
            listed: source.listed,
            ingested: source.ingested,
            filtered: source.filtered.len(),
            failed: source.failures.len(),
        },
        steps: report.step_summaries(),
        failures,
        filtered: listing_of(&source.filtered, &report.step),
        warnings,
        requests: source.calls.map(
            |Calls {
                 requests,
                 retries,
                 throttled,
             }| Requests {
                requests,
                retries,
                throttled,
            },
        ),
        sink: report.sink.as_ref().map(|(label, sink)| SinkEntry {
            kind: label.to_string(),
            notes: sink.notes.clone(),
        }),
        pipeline_status: report
            .pipeline_status
            .as_ref()
            .map(|p| PipelineStatusEntry {
                fqn: p.fqn.clone(),
                run_id: p.run_id.clone(),
                created: p.created,
                running_written: p.running_written,
                state: p.state,
                problem: p.problem.clone(),
            }),
        notes: report.notes.clone(),
    }
}

fn listing_of(rows: &Rows, step: &str) -> Listing<TableRow> {
    Listing {
        total: rows.len(),
        shown: rows
            .shown()
            .iter()
            .map(|(name, reason)| TableRow {
                name: name.clone(),
                step: step.to_string(),
                reason: reason.clone(),
            })
            .collect(),
    }
}

fn notes(notes: &Notes) -> Listing<String> {
    Listing {
        total: notes.len(),
        shown: notes.shown().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::SinkReport;
    use std::time::Duration;

    const SCHEMA: &str = include_str!("../../docs/run-report.schema.json");

    fn sample() -> Report {
        let mut r = Report::new("svc");
        r.service = "svc".into();
        r.run_id = "2b0c7f1e-8d5a-4c3b-9e21-0f6d4a7b8c90".into();
        r.step = "Example".into();
        r.source.listed = 21;
        r.source.ingested = 19;
        r.source.processed_records = 21;
        r.source
            .filtered
            .push("tmp", "matched tableFilterPattern.excludes `^tmp`");
        r.source.failures.push(
            "broken",
            "DescribeTable: InternalServerError: boom (HTTP 500)",
        );
        r.source.warnings.push("orders: no tags");
        r.source.calls = Some(Calls {
            requests: 42,
            retries: 1,
            throttled: 0,
        });
        r.sink = Some((
            "OpenMetadata",
            SinkReport {
                written: 22,
                updated: 3,
                ..SinkReport::default()
            },
        ));
        r.elapsed = Duration::from_millis(1234);
        r
    }

    fn validate(value: &serde_json::Value) {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
        let validator = jsonschema::draft7::new(&schema).expect("the schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| format!("{}: {e}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}\n{value:#}");
    }

    #[test]
    fn a_report_follows_the_summary_and_its_schema() {
        let report = sample();
        let digest = format!("sha256:{}", "ab".repeat(32));
        let component = ComponentInfo {
            label: format!("/x/dynamodb_connector.wasm {digest}"),
            digest,
            path: "/x/dynamodb_connector.wasm".into(),
        };
        let runs = [RunInput {
            workflow: Path::new("w.yaml"),
            ingestion_pipeline_fqn: Some("svc.pipe"),
            report: &report,
        }];
        let value = build(
            Some(&component),
            report.started_at,
            report.ended_at(),
            &runs,
        );
        validate(&value);
        let run = &value["runs"][0];
        assert_eq!(run["status"], "partialSuccess");
        assert_eq!(run["successPercent"], 97.73);
        assert_eq!(run["tables"]["listed"], 21);
        assert_eq!(run["steps"][0]["name"], "Example");
        assert_eq!(run["steps"][0]["errors"], 1);
        assert_eq!(run["steps"][1]["updated_records"], 3);
        assert_eq!(run["failures"]["shown"][0]["name"], "broken");
        assert_eq!(run["requests"]["requests"], 42);
        assert_eq!(run["durationSeconds"], 1.234);
    }

    #[test]
    fn a_stopped_run_says_why_and_still_matches_the_schema() {
        let mut report = sample();
        report.stop("stopped: the run took longer than its limit of 2s");
        report.sink = None;
        report.source.calls = None;
        let runs = [RunInput {
            workflow: Path::new("w.yaml"),
            ingestion_pipeline_fqn: None,
            report: &report,
        }];
        let value = build(None, report.started_at, report.ended_at(), &runs);
        validate(&value);
        let run = &value["runs"][0];
        assert_eq!(run["status"], "stopped");
        assert_eq!(
            run["stop"]["reason"],
            "stopped: the run took longer than its limit of 2s"
        );
        assert_eq!(run["stop"]["leftUndone"], 0);
        assert_eq!(
            run["steps"][0]["failures"][1]["error"],
            "the run stopped: stopped: the run took longer than its limit of 2s"
        );
    }
}
