//! Where the entities go: a JSON file (OpenMetadata's `file` sink), stdout, or an OpenMetadata
//! server (`metadata-rest`). A sink takes the run as it streams: the scope first, then each
//! batch of tables as it arrives, and is finished once the run is over, stopped or not.

mod file;
pub mod rest;

use crate::bounded::{Notes, Rows};
use crate::connector::Classification;
use crate::entities::{ScopeRequests, TableRequests};
use crate::pipeline::{PipelineKind, ProfileOptions};
use crate::runtime::bindings::types::{Batch, RunScope};
use crate::secret::Redactor;
use crate::workflow::Workflow;
use anyhow::Result;
use futures::future::BoxFuture;

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

/// A sink open for one run: it takes the scope, then each batch, then the run's end, and
/// reports what it did in neutral terms ([`SinkReport`]). The runner knows sinks only through
/// this trait ([`open`] picks one from the workflow).
pub trait Sink: Send {
    /// Writes the run's scope; `redactor` strikes secrets from what the guest wrote.
    fn scope<'a>(
        &'a mut self,
        scope: &'a RunScope,
        requests: &'a ScopeRequests,
        redactor: &'a Redactor,
    ) -> BoxFuture<'a, Result<()>>;

    /// Writes a batch's tables. An error means the sink cannot go on.
    fn batch<'a>(
        &'a mut self,
        batch: &'a Batch,
        requests: &'a TableRequests,
        redactor: &'a Redactor,
    ) -> BoxFuture<'a, Result<()>>;

    /// Ends the output; `listed` holds every name the listing returned.
    fn finish<'a>(
        self: Box<Self>,
        end: &'a RunEnd,
        listed: &'a Listed,
    ) -> BoxFuture<'a, Result<SinkReport>>;

    /// Whether the sink needs every listed name at its end (to mark the others deleted).
    fn needs_listing(&self) -> bool;

    /// What was written so far (for a sink that fails before its end).
    fn report_so_far(&self) -> SinkReport;
}

/// The sink `spec` names, open.
/// `classifications`: the connector's own (its manifest's), described as it declares them.
pub async fn open(
    spec: &SinkSpec,
    format: Format,
    workflow: &Workflow,
    classifications: &[Classification],
) -> Result<Box<dyn Sink>> {
    match spec {
        SinkSpec::MetadataRest if format == Format::Ingestion => {
            anyhow::bail!("the ingestion format is for the file and stdout sinks")
        }
        SinkSpec::MetadataRest => {
            let server = workflow
                .workflow_config
                .as_ref()
                .and_then(|c| c.open_metadata_server_config.as_ref())
                .ok_or_else(|| anyhow::anyhow!("metadata-rest needs openMetadataServerConfig"))?;
            let source_config = &workflow.source.source_config.config;
            let mark_deleted = source_config.mark_deleted_tables.unwrap_or(true)
                && source_config.include_tables.unwrap_or(true);
            Ok(Box::new(rest::RestWriter::new(
                server,
                mark_deleted,
                classifications.to_vec(),
                enrich(workflow)?,
            )?))
        }
        local => Ok(Box::new(LocalWriter::open(
            local,
            format,
            enrich(workflow)?,
        )?)),
    }
}

/// What a profiler or auto-classification workflow writes (`None` for the metadata workflow).
/// The 1.3 profiler tags PII too, with `processPiiSensitive`.
fn enrich(workflow: &Workflow) -> Result<Option<rest::Enrich>> {
    let config = &workflow.source.source_config.config;
    let classification_filter = workflow
        .classification_filter()
        .map_err(crate::workflow::WorkflowError::from)?;
    Ok(match workflow.pipeline() {
        PipelineKind::Metadata => None,
        PipelineKind::Profiler => Some(rest::Enrich {
            profiles: Some(
                workflow
                    .processor_config()
                    .and_then(|p| ProfileOptions::of(workflow.metric_switches(), p))
                    .map_err(crate::workflow::WorkflowError::from)?,
            ),
            column_tags: config.process_pii_sensitive == Some(true),
            classification_filter,
        }),
        PipelineKind::AutoClassification => Some(rest::Enrich {
            profiles: None,
            column_tags: config.enable_auto_classification != Some(false),
            classification_filter,
        }),
    })
}

impl Sink for LocalWriter {
    fn scope<'a>(
        &'a mut self,
        scope: &'a RunScope,
        requests: &'a ScopeRequests,
        redactor: &'a Redactor,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(std::future::ready(LocalWriter::scope(
            self, scope, requests, redactor,
        )))
    }

    fn batch<'a>(
        &'a mut self,
        batch: &'a Batch,
        requests: &'a TableRequests,
        redactor: &'a Redactor,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(std::future::ready(LocalWriter::batch(
            self, batch, requests, redactor,
        )))
    }

    fn finish<'a>(
        self: Box<Self>,
        end: &'a RunEnd,
        _listed: &'a Listed,
    ) -> BoxFuture<'a, Result<SinkReport>> {
        Box::pin(std::future::ready(LocalWriter::finish(*self, end)))
    }

    fn needs_listing(&self) -> bool {
        false
    }

    fn report_so_far(&self) -> SinkReport {
        self.report()
    }
}

impl Sink for rest::RestWriter {
    fn scope<'a>(
        &'a mut self,
        _scope: &'a RunScope,
        requests: &'a ScopeRequests,
        _redactor: &'a Redactor,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(rest::RestWriter::scope(self, requests))
    }

    fn batch<'a>(
        &'a mut self,
        _batch: &'a Batch,
        requests: &'a TableRequests,
        _redactor: &'a Redactor,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.tables(requests).await;
            Ok(())
        })
    }

    fn finish<'a>(
        self: Box<Self>,
        end: &'a RunEnd,
        listed: &'a Listed,
    ) -> BoxFuture<'a, Result<SinkReport>> {
        Box::pin(rest::RestWriter::finish(*self, end, listed))
    }

    fn needs_listing(&self) -> bool {
        true
    }

    fn report_so_far(&self) -> SinkReport {
        self.report()
    }
}
