//! Where the entities go: a JSON file (OpenMetadata's `file` sink), stdout, or an OpenMetadata
//! server (`metadata-rest`).

mod file;
pub mod rest;

use crate::entities::Requests;
use crate::workflow::{Sink, WorkflowConfig};
use anyhow::Result;
use std::path::PathBuf;

pub use file::write_json_array;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkSpec {
    /// `type: file` with `config.filename`.
    File(PathBuf),
    /// `type: stdout` (this runner's addition), or `--output -`.
    Stdout,
    /// `type: metadata-rest`: the OpenMetadata server of `workflowConfig.openMetadataServerConfig`.
    MetadataRest,
}

impl SinkSpec {
    pub fn from_workflow(
        sink: &Sink,
        workflow_config: Option<&WorkflowConfig>,
    ) -> Result<Self, String> {
        let keys: Vec<String> = sink
            .config
            .iter()
            .flat_map(|m| m.keys())
            .map(|k| k.as_str().unwrap_or("?").to_string())
            .collect();
        let allow_only = |allowed: &[&str]| -> Result<(), String> {
            match keys.iter().find(|k| !allowed.contains(&k.as_str())) {
                Some(k) => Err(format!(
                    "`sink.config.{k}` is not a setting of the `{}` sink",
                    sink.kind
                )),
                None => Ok(()),
            }
        };
        match sink.kind.as_str() {
            "file" => {
                allow_only(&["filename"])?;
                let filename = sink
                    .config
                    .as_ref()
                    .and_then(|m| m.get("filename"))
                    .and_then(|v| v.as_str())
                    .filter(|f| !f.trim().is_empty())
                    .ok_or("the `file` sink needs `config.filename`")?;
                Ok(SinkSpec::File(PathBuf::from(filename)))
            }
            "stdout" | "console" => {
                allow_only(&[])?;
                Ok(SinkSpec::Stdout)
            }
            "metadata-rest" => {
                allow_only(&["api_endpoint"])?;
                if workflow_config
                    .and_then(|c| c.open_metadata_server_config.as_ref())
                    .is_none()
                {
                    return Err(
                        "the `metadata-rest` sink needs `workflowConfig.openMetadataServerConfig`"
                            .into(),
                    );
                }
                Ok(SinkSpec::MetadataRest)
            }
            other => Err(format!(
                "unknown sink type `{other}` (this runner writes to `metadata-rest`, `file` or `stdout`)"
            )),
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            SinkSpec::File(_) => "File",
            SinkSpec::Stdout => "Stdout",
            SinkSpec::MetadataRest => "OpenMetadata",
        }
    }
}

/// What a sink did with the requests.
#[derive(Debug, Clone, Default)]
pub struct SinkReport {
    pub written: usize,
    pub warnings: Vec<String>,
    /// (entity, why) for each request the sink could not deliver.
    pub failures: Vec<(String, String)>,
    /// Lines for the summary (what was created, updated, deleted).
    pub notes: Vec<String>,
}

/// What a local sink writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// OpenMetadata create requests, as OpenMetadata's file sink writes them.
    #[default]
    Requests,
    /// The connector's whole answer (the WIT `ingestion` record): tables with their DynamoDB
    /// details and profiles, every table's outcome, warnings, call counts.
    Ingestion,
}

/// Writes one JSON document (the `ingestion` format) to a local sink.
pub fn write_document(spec: &SinkSpec, document: &serde_json::Value) -> Result<SinkReport> {
    let write = |out: &mut dyn std::io::Write| -> Result<()> {
        serde_json::to_writer_pretty(&mut *out, document)?;
        out.write_all(b"\n")?;
        Ok(out.flush()?)
    };
    match spec {
        SinkSpec::File(path) => {
            let file = std::fs::File::create(path).map_err(|e| {
                anyhow::anyhow!("cannot write the file sink's {}: {e}", path.display())
            })?;
            write(&mut std::io::BufWriter::new(file))?;
        }
        SinkSpec::Stdout => write(&mut std::io::stdout().lock())?,
        SinkSpec::MetadataRest => {
            anyhow::bail!("the ingestion format is for the file and stdout sinks")
        }
    }
    Ok(SinkReport {
        written: 1,
        ..SinkReport::default()
    })
}

pub fn write_local(spec: &SinkSpec, requests: &Requests) -> Result<SinkReport> {
    let all = requests.all();
    match spec {
        SinkSpec::File(path) => {
            let file = std::fs::File::create(path).map_err(|e| {
                anyhow::anyhow!("cannot write the file sink's {}: {e}", path.display())
            })?;
            write_json_array(std::io::BufWriter::new(file), &all)?;
        }
        SinkSpec::Stdout => write_json_array(std::io::stdout().lock(), &all)?,
        SinkSpec::MetadataRest => unreachable!("the REST sink is not a local sink"),
    }
    Ok(SinkReport {
        written: all.len(),
        ..SinkReport::default()
    })
}
