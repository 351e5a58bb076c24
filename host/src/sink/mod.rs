//! Where the entities go: a JSON file (OpenMetadata's `file` sink), stdout, or an OpenMetadata
//! server (`metadata-rest`). A sink takes the run as it streams: the scope first, then each
//! batch of tables as it arrives, and is finished once the run is over, stopped or not.

mod file;
pub mod rest;

use crate::bounded::{Notes, Rows};
use crate::entities::{ScopeRequests, TableRequests};
use crate::runtime::bindings::types::{Batch, RunScope};
use crate::secret::Redactor;
use crate::workflow::Workflow;
use anyhow::Result;

pub use crate::workflow::SinkSpec;
pub use file::LocalWriter;

/// What a sink did with the requests.
#[derive(Debug, Clone, Default)]
pub struct SinkReport {
    pub written: usize,
    /// Of `written`, entities that existed and were changed (OpenMetadata's `updated_records`).
    pub updated: usize,
    pub warnings: Notes,
    /// (entity, why) for each request the sink could not deliver.
    pub failures: Rows,
    /// Lines for the summary (what was created, updated, deleted).
    pub notes: Vec<String>,
}

/// What a local sink writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// OpenMetadata create requests, as OpenMetadata's file sink writes them.
    #[default]
    Requests,
    /// The connector's own records as they stream: the run's scope, each batch (tables with
    /// their source's details and profiles, outcomes, warnings, running totals), and how the
    /// run ended.
    Ingestion,
}

/// How a run ended, for the sink's last step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunEnd {
    /// The listing ran to its end.
    pub listing_complete: bool,
    /// What stopped the run before its end, if something did.
    pub stopped: Option<String>,
}

/// Every table name the run listed, whatever became of it, kept compactly (a 64-bit keyed
/// hash each): the REST sink asks it whether a table on the server was listed.
#[derive(Debug, Default)]
pub struct Listed {
    hasher: std::hash::RandomState,
    names: std::collections::HashSet<u64>,
}

impl Listed {
    pub fn insert(&mut self, name: &str) {
        use std::hash::BuildHasher;
        self.names.insert(self.hasher.hash_one(name));
    }

    pub fn contains(&self, name: &str) -> bool {
        use std::hash::BuildHasher;
        self.names.contains(&self.hasher.hash_one(name))
    }
}

/// A sink open for one run.
pub enum SinkWriter {
    Local(LocalWriter),
    Rest(Box<rest::RestWriter>),
}

impl SinkWriter {
    pub async fn open(spec: &SinkSpec, format: Format, workflow: &Workflow) -> Result<SinkWriter> {
        match spec {
            SinkSpec::MetadataRest if format == Format::Ingestion => {
                anyhow::bail!("the ingestion format is for the file and stdout sinks")
            }
            SinkSpec::MetadataRest => {
                let server = workflow
                    .workflow_config
                    .as_ref()
                    .and_then(|c| c.open_metadata_server_config.as_ref())
                    .ok_or_else(|| {
                        anyhow::anyhow!("metadata-rest needs openMetadataServerConfig")
                    })?;
                let source_config = &workflow.source.source_config.config;
                let mark_deleted = source_config.mark_deleted_tables.unwrap_or(true)
                    && source_config.include_tables.unwrap_or(true);
                Ok(SinkWriter::Rest(Box::new(rest::RestWriter::new(
                    server,
                    mark_deleted,
                )?)))
            }
            local => Ok(SinkWriter::Local(LocalWriter::open(local, format)?)),
        }
    }

    /// Writes the run's scope; `redactor` strikes secrets from what the guest wrote.
    pub async fn scope(
        &mut self,
        scope: &RunScope,
        requests: &ScopeRequests,
        redactor: &Redactor,
    ) -> Result<()> {
        match self {
            SinkWriter::Local(w) => w.scope(scope, requests, redactor),
            SinkWriter::Rest(w) => w.scope(requests).await,
        }
    }

    /// Writes a batch's tables. An error means the sink cannot go on.
    pub async fn batch(
        &mut self,
        batch: &Batch,
        requests: &TableRequests,
        redactor: &Redactor,
    ) -> Result<()> {
        match self {
            SinkWriter::Local(w) => w.batch(batch, requests, redactor),
            SinkWriter::Rest(w) => {
                w.tables(requests).await;
                Ok(())
            }
        }
    }

    /// Ends the output; `listed` holds every name the listing returned.
    pub async fn finish(self, end: &RunEnd, listed: &Listed) -> Result<SinkReport> {
        match self {
            SinkWriter::Local(w) => w.finish(end),
            SinkWriter::Rest(w) => w.finish(end, listed).await,
        }
    }

    /// Whether the sink needs every listed name at its end (to mark the others deleted).
    pub fn needs_listing(&self) -> bool {
        matches!(self, SinkWriter::Rest(_))
    }

    /// What was written so far (for a sink that fails before its end).
    pub fn report_so_far(&self) -> SinkReport {
        match self {
            SinkWriter::Local(w) => w.report(),
            SinkWriter::Rest(w) => w.report(),
        }
    }
}
