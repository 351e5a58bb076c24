//! The file and stdout sinks: one JSON array, one record per line, written as the run
//! streams and closed whatever way the run ends, so the output is always valid JSON.
//!
//! The `requests` format is OpenMetadata's file sink format (its create requests); the
//! `ingestion` format holds the connector's own records: `{"scope": …}`, one `{"batch": …}`
//! per batch, and `{"end": …}`.

use super::{Format, RunEnd, SinkReport, SinkSpec};
use crate::entities::{ScopeRequests, TableRequests};
use crate::runtime::bindings::types::{Batch, RunScope};
use crate::sanitize;
use crate::secret::Redactor;
use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::json;
use std::io::{BufWriter, Write};

pub struct LocalWriter {
    out: BufWriter<Box<dyn Write + Send>>,
    format: Format,
    records: usize,
    /// Where the sink writes, for its errors.
    target: String,
}

impl LocalWriter {
    pub fn open(spec: &SinkSpec, format: Format) -> Result<LocalWriter> {
        let (out, target): (Box<dyn Write + Send>, String) =
            match spec {
                SinkSpec::File(path) => (
                    Box::new(std::fs::File::create(path).with_context(|| {
                        format!("cannot write the file sink's {}", path.display())
                    })?),
                    path.display().to_string(),
                ),
                SinkSpec::Stdout => (Box::new(std::io::stdout()), "stdout".to_string()),
                SinkSpec::MetadataRest => anyhow::bail!("the REST sink is not a local sink"),
            };
        let mut writer = LocalWriter {
            out: BufWriter::new(out),
            format,
            records: 0,
            target,
        };
        writer.write_raw(b"[")?;
        Ok(writer)
    }

    /// `requests` are already redacted; the connector's own records are redacted here.
    pub fn scope(
        &mut self,
        scope: &RunScope,
        requests: &ScopeRequests,
        redactor: &Redactor,
    ) -> Result<()> {
        match self.format {
            Format::Requests => {
                for request in requests.all() {
                    self.record(request)?;
                }
            }
            Format::Ingestion => {
                let mut record = json!({ "scope": scope });
                redactor.redact_json(&mut record);
                self.record(&record)?
            }
        }
        self.flush()
    }

    pub fn batch(
        &mut self,
        batch: &Batch,
        requests: &TableRequests,
        redactor: &Redactor,
    ) -> Result<()> {
        match self.format {
            Format::Requests => {
                for table in &requests.tables {
                    self.record(&table.request)?;
                }
            }
            Format::Ingestion => {
                let mut record = json!({ "batch": batch });
                redactor.redact_json(&mut record);
                self.record(&record)?
            }
        }
        self.flush()
    }

    pub fn finish(mut self, end: &RunEnd) -> Result<SinkReport> {
        if self.format == Format::Ingestion {
            self.record(&json!({
                "end": {
                    "listing_complete": end.listing_complete,
                    "stopped": end.stopped,
                }
            }))?;
        }
        self.write_raw(b"\n]\n")?;
        self.flush()?;
        Ok(self.report())
    }

    pub fn report(&self) -> SinkReport {
        SinkReport {
            written: self.records,
            ..SinkReport::default()
        }
    }

    fn record(&mut self, value: &impl Serialize) -> Result<()> {
        let separator: &[u8] = if self.records == 0 { b"\n" } else { b",\n" };
        self.write_raw(separator)?;
        sanitize::write_json(&mut self.out, value)
            .with_context(|| format!("cannot write to {}", self.target))?;
        self.records += 1;
        Ok(())
    }

    fn write_raw(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .with_context(|| format!("cannot write to {}", self.target))
    }

    fn flush(&mut self) -> Result<()> {
        self.out
            .flush()
            .with_context(|| format!("cannot write to {}", self.target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn scope_requests() -> ScopeRequests {
        ScopeRequests {
            service: json!({"name": "svc"}),
            database: json!({"name": "default"}),
            schema: json!({"name": "default"}),
            schema_fqn: "svc.default.default".into(),
        }
    }

    fn scope() -> RunScope {
        use crate::runtime::bindings::types::{Database, DatabaseSchema, DatabaseService};
        RunScope {
            service: DatabaseService {
                name: "svc".into(),
                service_type: "CustomDatabase".into(),
            },
            database: Database {
                name: "default".into(),
                fully_qualified_name: "svc.default".into(),
                service: "svc".into(),
            },
            schema: DatabaseSchema {
                name: "default".into(),
                fully_qualified_name: "svc.default.default".into(),
                database: "svc.default".into(),
            },
        }
    }

    #[test]
    fn a_stopped_run_still_leaves_one_valid_array_one_record_per_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        let mut writer =
            LocalWriter::open(&SinkSpec::File(path.clone()), Format::Requests).unwrap();
        writer
            .scope(&scope(), &scope_requests(), &Redactor::default())
            .unwrap();
        // What is written is on disk before the run ends.
        let partial = std::fs::read_to_string(&path).unwrap();
        assert_eq!(partial.lines().count(), 4);
        let report = writer
            .finish(&RunEnd {
                listing_complete: false,
                stopped: Some("stopped: timeout".into()),
            })
            .unwrap();
        assert_eq!(report.written, 3);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "[\n{\"name\":\"svc\"},\n{\"name\":\"default\"},\n{\"name\":\"default\"}\n]\n"
        );
    }

    #[test]
    fn an_empty_run_is_an_empty_array() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        let writer = LocalWriter::open(&SinkSpec::File(path.clone()), Format::Requests).unwrap();
        writer
            .finish(&RunEnd {
                listing_complete: true,
                stopped: None,
            })
            .unwrap();
        let parsed: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(parsed.is_empty());
    }
}
