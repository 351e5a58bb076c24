//! What the host says on stderr while it works: text for people (the default), or with
//! `--log-format json` one JSON object per line for machines, written by `tracing-subscriber`'s
//! JSON formatter: `timestamp`, `level`, `message`, and the fields that apply (`run`, `source`,
//! `table`, `operation`, `attempt`, `error_code`, counts...).
//!
//! Everything goes through here: the connector's log lines ([`connector_line`]), the host's
//! warnings and errors, progress lines and the end-of-run summary. Every text is cleaned by
//! [`crate::sanitize`] and every secret registered by a run ([`register_secrets`]) is struck
//! out, in both formats, before it is written. Writes wait for the live progress display to step
//! aside ([`crate::live_display::suspend`]), so lines never tear through it.
//!
//! A program that never calls [`init`] (the host used as a library) gets the text format.

use crate::sanitize;
use crate::secret::Redactor;
use std::fmt::Display;
use std::io::{self, Write};
use std::sync::{OnceLock, RwLock};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Lines for people, as the summary and the connector's log read.
    #[default]
    Text,
    /// One JSON object per line: timestamp, level, message and structured fields.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    /// The level a log line starts with (`WARN …`, `WARNING …`), and the rest of the line.
    pub fn split_line(line: &str) -> (Option<Level>, &str) {
        let (head, rest) = line.split_once(' ').unwrap_or((line, ""));
        let level = match head {
            "DEBUG" | "TRACE" => Level::Debug,
            "INFO" => Level::Info,
            "WARN" | "WARNING" => Level::Warn,
            "ERROR" | "CRITICAL" => Level::Error,
            _ => return (None, line),
        };
        (Some(level), rest)
    }
}

/// A record's structured fields; unset ones are left out of the JSON object.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fields<'a> {
    /// The run's label (the tenant).
    pub run: Option<&'a str>,
    pub run_id: Option<&'a str>,
    /// Who said it: `connector` (the component's log) or `host`.
    pub source: Option<&'static str>,
    /// The workflow file.
    pub workflow: Option<&'a str>,
    pub component: Option<&'a str>,
    pub table: Option<&'a str>,
    /// The call that failed (`DescribeTable`, `PUT /v1/tables`).
    pub operation: Option<&'a str>,
    /// How many times it was tried.
    pub attempt: Option<u32>,
    /// The server's error code (`ResourceNotFoundException`) or a transport error kind.
    pub error_code: Option<&'a str>,
    pub http_status: Option<u16>,
    /// The run's phase (`listing`, `describing`, `writing`, `done`).
    pub phase: Option<&'a str>,
    pub listed: Option<u64>,
    pub described: Option<u64>,
    pub filtered: Option<u64>,
    pub failed: Option<u64>,
    /// Tables with an outcome per second.
    pub rate: Option<f64>,
    pub eta_seconds: Option<f64>,
    /// How the run ended (`success`, `partialSuccess`, `failed`, `stopped`).
    pub status: Option<&'a str>,
    pub success_percent: Option<f64>,
    pub elapsed_seconds: Option<f64>,
    pub requests: Option<u32>,
    pub retries: Option<u32>,
    pub throttled: Option<u32>,
}

/// The `tracing` target of the host's records.
const TARGET: &str = "ddb_catalog";

static FORMAT: OnceLock<LogFormat> = OnceLock::new();
static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());
static REDACTOR: RwLock<Option<Redactor>> = RwLock::new(None);

/// Sets the format for the process; with JSON, installs the `tracing` subscriber that writes
/// the lines. Only the first call counts.
pub fn init(format: LogFormat) {
    if FORMAT.set(format).is_err() || format != LogFormat::Json {
        return;
    }
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::{Layer, filter, fmt};
    let layer = fmt::layer()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_writer(|| StderrLine)
        // Only this module's records: the libraries' own `tracing` events (hyper's connection
        // pool...) are not the host's to print.
        .with_filter(filter::filter_fn(|metadata| metadata.target() == TARGET));
    let subscriber = tracing_subscriber::registry().with(layer);
    // Fails only if a subscriber is already set, which then writes instead.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

pub fn format() -> LogFormat {
    FORMAT.get().copied().unwrap_or_default()
}

/// Values that must never be written, whatever says them (a run's secret key, token, JWT).
pub fn register_secrets(secrets: &[String]) {
    let mut all = SECRETS.write().unwrap_or_else(|p| p.into_inner());
    let before = all.len();
    for secret in secrets {
        if !all.contains(secret) {
            all.push(secret.clone());
        }
    }
    if all.len() != before {
        *REDACTOR.write().unwrap_or_else(|p| p.into_inner()) = Some(Redactor::new(&all));
    }
}

/// `text` with every registered secret struck out.
pub fn redact(text: &str) -> String {
    match &*REDACTOR.read().unwrap_or_else(|p| p.into_inner()) {
        Some(redactor) => redactor.redact(text).into_owned(),
        None => text.to_string(),
    }
}

/// Strikes every registered secret from a JSON value (keys included).
pub fn redact_json(value: &mut serde_json::Value) {
    if let Some(redactor) = &*REDACTOR.read().unwrap_or_else(|p| p.into_inner()) {
        redactor.redact_json(value);
    }
}

/// Says something: `text` as it is in the text format (one or more lines; cleaned by the
/// caller), or a JSON record of `message` and `fields`.
pub fn say(level: Level, text: impl Display, message: &str, fields: &Fields) {
    match format() {
        LogFormat::Text => write_text(&format!("{text}\n")),
        LogFormat::Json => record(level, message, fields),
    }
}

/// Text for people only (the summary's block): nothing in the JSON format, whose callers
/// write a record of their own.
pub fn text_only(text: &str) {
    if format() == LogFormat::Text {
        write_text(text);
    }
}

/// A record for machines only: in the text format the same news reaches people another way
/// (the connector's own log line, the summary's tables).
pub fn record(level: Level, message: &str, fields: &Fields) {
    if format() != LogFormat::Json {
        return;
    }
    let message = redact(&sanitize::clean(message, 4 * sanitize::MESSAGE_CHARS));
    let clean =
        |text: Option<&str>| text.map(|t| redact(&sanitize::clean(t, sanitize::NAME_CHARS)));
    let run = clean(fields.run);
    let run_id = clean(fields.run_id);
    let workflow = clean(fields.workflow);
    let component = clean(fields.component);
    let table = clean(fields.table);
    let operation = clean(fields.operation);
    let error_code = clean(fields.error_code);
    let phase = clean(fields.phase);
    let status = clean(fields.status);
    macro_rules! event {
        ($level:expr) => {
            tracing::event!(
                target: TARGET,
                $level,
                run = run.as_deref(),
                run_id = run_id.as_deref(),
                source = fields.source,
                workflow = workflow.as_deref(),
                component = component.as_deref(),
                table = table.as_deref(),
                operation = operation.as_deref(),
                attempt = fields.attempt,
                error_code = error_code.as_deref(),
                http_status = fields.http_status,
                phase = phase.as_deref(),
                listed = fields.listed,
                described = fields.described,
                filtered = fields.filtered,
                failed = fields.failed,
                rate = fields.rate,
                eta_seconds = fields.eta_seconds,
                status = status.as_deref(),
                success_percent = fields.success_percent,
                elapsed_seconds = fields.elapsed_seconds,
                requests = fields.requests,
                retries = fields.retries,
                throttled = fields.throttled,
                "{}",
                message
            )
        };
    }
    match level {
        Level::Debug => event!(tracing::Level::DEBUG),
        Level::Info => event!(tracing::Level::INFO),
        Level::Warn => event!(tracing::Level::WARN),
        Level::Error => event!(tracing::Level::ERROR),
    }
}

/// A line of a tenant's log (already cleaned and redacted by [`crate::runtime::log`]), echoed
/// live: as it is after `prefix` in the text format; in JSON with its level, the run, and who
/// wrote it (`host` for the host's own `[host]` lines, whose `tenant `x`: ` lead is dropped).
pub fn connector_line(prefix: &str, tenant: &str, line: &str, from_host: bool) {
    match format() {
        LogFormat::Text => write_text(&format!("{prefix}{line}\n")),
        LogFormat::Json => {
            let (level, rest) = Level::split_line(line);
            let message = if from_host {
                let rest = rest.strip_prefix("[host] ").unwrap_or(rest);
                match rest.split_once("`: ") {
                    Some((lead, message)) if lead.starts_with("tenant `") => message,
                    _ => rest,
                }
            } else {
                rest
            };
            let fields = Fields {
                run: Some(tenant),
                source: Some(if from_host { "host" } else { "connector" }),
                ..Fields::default()
            };
            record(level.unwrap_or(Level::Info), message, &fields);
        }
    }
}

/// Writes to stderr with the secrets struck out, stepping around the live progress display.
fn write_text(text: &str) {
    let text = redact(text);
    crate::live_display::suspend(|| {
        let mut stderr = io::stderr().lock();
        let _ = stderr.write_all(text.as_bytes());
        let _ = stderr.flush();
    });
}

/// Where `tracing-subscriber` writes each formatted record: one whole line per write.
struct StderrLine;

impl Write for StderrLine {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        write_text(&String::from_utf8_lossy(bytes));
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_line_gives_its_level() {
        assert_eq!(
            Level::split_line("WARN table `x`: gone"),
            (Some(Level::Warn), "table `x`: gone")
        );
        assert_eq!(Level::split_line("WARNING y"), (Some(Level::Warn), "y"));
        assert_eq!(Level::split_line("DEBUG"), (Some(Level::Debug), ""));
        assert_eq!(Level::split_line("hello there"), (None, "hello there"));
    }

    #[test]
    fn registered_secrets_are_struck_from_text_and_json() {
        register_secrets(&["s3cr3t-value-for-logging".into()]);
        assert_eq!(redact("key=s3cr3t-value-for-logging;"), "key=****;");
        let mut value = serde_json::json!({"a": ["x s3cr3t-value-for-logging"]});
        redact_json(&mut value);
        assert_eq!(value, serde_json::json!({"a": ["x ****"]}));
    }
}
