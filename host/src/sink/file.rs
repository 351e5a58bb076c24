//! The file and stdout sinks: one JSON array, one record per line, written as the run
//! streams and closed whatever way the run ends, so the output is always valid JSON.
//!
//! The `requests` format is OpenMetadata's file sink format (its create requests); the
//! `ingestion` format holds the connector's own records: `{"scope": …}`, one `{"batch": …}`
//! per batch, and `{"end": …}`.

use super::rest::Enrich;
use super::{Format, RunEnd, SinkReport, SinkSpec};
use crate::entities::{ScopeRequests, TableRequest, TableRequests};
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
    /// A profiler or auto-classification run: each table's profile or PII tags, not its
    /// entity.
    enrich: Option<Enrich>,
}

impl LocalWriter {
    pub fn open(spec: &SinkSpec, format: Format, enrich: Option<Enrich>) -> Result<LocalWriter> {
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
            enrich,
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
            Format::Requests if self.enrich.is_some() => {}
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
                    match self.enrich.clone() {
                        None => self.record(&table.request)?,
                        Some(enrich) => {
                            if let Some(record) = enrich_record(&enrich, table) {
                                self.record(&record)?;
                            }
                        }
                    }
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
        let mut warnings = crate::bounded::Notes::default();
        if self
            .enrich
            .as_ref()
            .is_some_and(|e| e.classification_filter.is_some())
        {
            warnings.push(
                "`classificationFilterPattern` is not applied: the file and stdout sinks have no \
                 OpenMetadata tags to match",
            );
        }
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
        Ok(SinkReport {
            warnings,
            ..self.report()
        })
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

/// A profiler's or auto-classification's record for a table, as OpenMetadata's file sink
/// writes its `ProfilerResponse`: the table's FQN, its `CreateTableProfileRequest` (the
/// processor's `columnConfig` and the pipeline's metrics applied) and its PII column tags.
fn enrich_record(enrich: &Enrich, table: &TableRequest) -> Option<serde_json::Value> {
    let mut record = json!({ "table": table.fully_qualified_name });
    let mut any = false;
    if let (Some(options), Some(profile)) = (&enrich.profiles, &table.profile) {
        let config = options.column_config(&table.fully_qualified_name, None);
        if let Some((request, _)) = options.shape(profile, &table.request["columns"], config) {
            record["profile"] = request;
            any = true;
        }
    }
    if enrich.column_tags {
        let tags: Vec<_> = crate::sink::rest::pii_labels(&table.request["columns"])
            .into_iter()
            .map(|(column, label)| json!({ "column": column, "tagLabel": label }))
            .collect();
        if !tags.is_empty() {
            record["columnTags"] = json!(tags);
            any = true;
        }
    }
    any.then_some(record)
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
            LocalWriter::open(&SinkSpec::File(path.clone()), Format::Requests, None).unwrap();
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
        let writer =
            LocalWriter::open(&SinkSpec::File(path.clone()), Format::Requests, None).unwrap();
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
