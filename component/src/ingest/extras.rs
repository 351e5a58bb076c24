//! What a table gains beyond DescribeTable: its tags (`includeTags`, ListTagsOfResource); from a
//! bounded, representative sample of its items (`connectionOptions.sampleSize`, parallel Scans:
//! see `sampling.rs`) its non-key attributes, every column's coverage and profile, and PII
//! classification; and one read each (each turned off by its `connectionOptions.read*` key)
//! for its time to live, point-in-time recovery, resource-based policy, Kinesis streaming
//! destinations and Contributor Insights. None is essential: a failure is a warning and the table
//! is still ingested. When the endpoint does not support a call, or the identity may not make
//! it, the run stops asking after the first answer and says so once.

use super::Run;
use crate::aws::call::CallError;
use crate::aws::error::ErrorClass;
use crate::catalog::{SourceDetails, Table, Warning};
use crate::dynamodb::client::parse;
use crate::dynamodb::model::{ExportOutput, ExportSummary};
use crate::dynamodb::operations::{self, Operation};
use crate::error::ConnectorError;
use crate::mapping;
use crate::mapping::sample::{Options, Sampler};
use crate::settings::Reads;

/// Exports read per table at most (one ListExports page).
const MAX_EXPORTS: u32 = 10;
use crate::transport::Transport;
use std::cell::{Cell, RefCell};

#[derive(Default)]
pub struct Extras {
    /// Per [`Extra`]: turned off for the rest of the run (unsupported or denied).
    off: [Cell<bool>; Extra::COUNT],
    warnings: RefCell<Vec<Warning>>,
}

#[derive(Clone, Copy)]
enum Extra {
    Tags,
    TimeToLive,
    Backups,
    ResourcePolicy,
    KinesisDestinations,
    ContributorInsights,
    Exports,
    ChosenItems,
    Sampling,
}

impl Extra {
    /// `Sampling` is the last variant.
    const COUNT: usize = Extra::Sampling as usize + 1;
    /// The reads of one call per table each, in the order they are made.
    const OPERATIONAL: [Extra; 5] = [
        Extra::TimeToLive,
        Extra::Backups,
        Extra::ResourcePolicy,
        Extra::KinesisDestinations,
        Extra::ContributorInsights,
    ];

    fn wanted(self, reads: &Reads) -> bool {
        match self {
            Extra::TimeToLive => reads.time_to_live,
            Extra::Backups => reads.backups,
            Extra::ResourcePolicy => reads.resource_policy,
            Extra::KinesisDestinations => reads.kinesis_destinations,
            Extra::ContributorInsights => reads.contributor_insights,
            Extra::Tags | Extra::Exports | Extra::ChosenItems | Extra::Sampling => false,
        }
    }

    fn call(self) -> Operation {
        match self {
            Extra::Tags => Operation::ListTagsOfResource,
            Extra::TimeToLive => Operation::DescribeTimeToLive,
            Extra::Backups => Operation::DescribeContinuousBackups,
            Extra::ResourcePolicy => Operation::GetResourcePolicy,
            Extra::KinesisDestinations => Operation::DescribeKinesisStreamingDestination,
            Extra::ContributorInsights => Operation::DescribeContributorInsights,
            Extra::Exports => Operation::ListExports,
            Extra::ChosenItems => Operation::BatchGetItem,
            Extra::Sampling => Operation::Scan,
        }
    }

    fn operation(self) -> &'static str {
        self.call().name()
    }

    /// The IAM actions it needs.
    fn actions(self) -> String {
        match self {
            Extra::Exports => "dynamodb:ListExports and dynamodb:DescribeExport".to_string(),
            _ => format!("dynamodb:{}", self.operation()),
        }
    }

    /// The setting that turns it off.
    fn switch(self) -> &'static str {
        match self {
            Extra::Tags => "set sourceConfig.includeTags: false",
            Extra::TimeToLive => "set connectionOptions.readTimeToLive: false",
            Extra::Backups => "set connectionOptions.readBackups: false",
            Extra::ResourcePolicy => "set connectionOptions.readResourcePolicy: false",
            Extra::KinesisDestinations => "set connectionOptions.readKinesisDestinations: false",
            Extra::ContributorInsights => "set connectionOptions.readContributorInsights: false",
            Extra::Exports => "remove connectionOptions.s3StorageService",
            Extra::ChosenItems => "remove connectionOptions.includeTableItems",
            Extra::Sampling => "stop sampling (connectionOptions.sampleSize, includeTableItems)",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Extra::Tags => "tags",
            Extra::TimeToLive => "time to live",
            Extra::Backups => "point-in-time recovery",
            Extra::ResourcePolicy => "resource-based policy",
            Extra::KinesisDestinations => "Kinesis streaming destinations",
            Extra::ContributorInsights => "Contributor Insights status",
            Extra::Exports => "exports to S3",
            Extra::ChosenItems => "chosen items (includeTableItems)",
            Extra::Sampling => "sampled attributes",
        }
    }
}

impl Extras {
    pub fn take_warnings(&self) -> Vec<Warning> {
        self.warnings.take()
    }

    fn off(&self, extra: Extra) -> &Cell<bool> {
        &self.off[extra as usize]
    }

    /// Turns `extra` off for the rest of the run when the failure says it can never work, with
    /// one run-level note; otherwise returns a warning for this table.
    fn failed(&self, extra: Extra, table: &str, error: &CallError) -> Option<Warning> {
        let failure = error.failure();
        let unsupported = error.service_code() == Some("UnknownOperationException");
        let denied = error.class() == Some(ErrorClass::AccessDenied);
        if unsupported || denied {
            if !self.off(extra).replace(true) {
                if unsupported {
                    crate::info!(
                        "{} not read: the endpoint does not support {} ({})",
                        extra.what(),
                        extra.operation(),
                        failure.message
                    );
                } else {
                    self.warnings.borrow_mut().push(Warning {
                        table: None,
                        message: format!(
                            "{} not read: {failure} (grant {} or {})",
                            extra.what(),
                            extra.actions(),
                            extra.switch()
                        ),
                    });
                }
            }
            return None;
        }
        Some(Warning {
            table: Some(table.to_string()),
            message: format!("{} not read: {failure}", extra.what()),
        })
    }
}

impl<T: Transport> Run<'_, '_, T> {
    pub(super) async fn enrich(
        &self,
        table: &mut Table,
        arn: Option<&str>,
    ) -> Result<Vec<Warning>, ConnectorError> {
        let mut warnings = Vec::new();
        let note = |message: String| Warning {
            table: Some(table.name.clone()),
            message,
        };
        if self.settings.source.include_tags
            && !self.extras.off(Extra::Tags).get()
            && let Some(arn) = arn
        {
            match self.client.list_tags(arn).await {
                Ok(tags) => {
                    let (labels, notes) = mapping::tags::labels(&tags);
                    table.tags = labels;
                    warnings.extend(notes.into_iter().map(note));
                }
                Err(e) if e.is_credentials_error() => return Err(e.into_connector_error()),
                Err(e) => warnings.extend(self.extras.failed(Extra::Tags, &table.name, &e)),
            }
        }
        let item_count = match &table.details {
            Some(SourceDetails::DynamoDb(d)) => d.item_count,
            None => None,
        };
        let chosen = self
            .settings
            .tuning
            .chosen_items
            .get(&table.name)
            .filter(|_| !self.extras.off(Extra::ChosenItems).get());
        let tuning = &self.settings.tuning;
        let rule = tuning
            .table_samples
            .iter()
            .find(|(fqn, _)| *fqn == table.fully_qualified_name)
            .map(|(_, rule)| rule)
            .or(tuning.profile_sample.as_ref());
        let sample_size = match rule {
            Some(rule) => rule.items(item_count),
            None => tuning.sample_size,
        }
        .max(chosen.map_or(0, |keys| keys.len() as u32));
        if sample_size > 0 && !self.extras.off(Extra::Sampling).get() {
            let sampling = &self.settings.tuning.sampling;
            let mut sampler = Sampler::new(Options {
                max_columns: sampling.max_columns,
                pii_threshold: sampling.pii_threshold,
            });
            let provisioned = match &table.details {
                Some(SourceDetails::DynamoDb(d)) => d.throughput.map(|t| t.read_capacity_units),
                None => None,
            };
            let mut consumed = 0.0;
            if let Some(keys) = chosen {
                match self.read_chosen(&table.name, keys, &mut sampler).await {
                    Ok(read) => {
                        consumed = read.consumed;
                        if read.missing + read.unread > 0 {
                            warnings.push(note(format!(
                                "{} of the {} items includeTableItems names were not found, {} \
                                 not read (unprocessed, or no read capacity left)",
                                read.missing,
                                keys.len(),
                                read.unread
                            )));
                        }
                    }
                    Err(e) if e.is_credentials_error() => return Err(e.into_connector_error()),
                    Err(e) => {
                        warnings.extend(self.extras.failed(Extra::ChosenItems, &table.name, &e))
                    }
                }
            }
            match self
                .sample_items(
                    &table.name,
                    sample_size,
                    provisioned,
                    consumed,
                    chosen.map_or(&[][..], Vec::as_slice),
                    &mut sampler,
                )
                .await
            {
                Ok(mut report) => {
                    let inferred = sampler.finish(&mut table.columns);
                    table.columns.extend(inferred.columns);
                    if inferred.column_cap_reached {
                        report.limits.push(crate::catalog::SamplingLimit::ColumnCap);
                    }
                    if let Some(profile) = &mut table.profile {
                        profile.column_count =
                            table.columns.iter().filter(|c| c.parent.is_none()).count() as u32;
                    }
                    if let Some(description) = &mut table.description {
                        description.push_str(&mapping::sampling_paragraph(&report));
                    }
                    table.sampling = Some(report);
                    warnings.extend(inferred.notes.into_iter().map(note));
                }
                Err(e) if e.is_credentials_error() => return Err(e.into_connector_error()),
                Err(e) => warnings.extend(self.extras.failed(Extra::Sampling, &table.name, &e)),
            }
        }
        // After the sample: a sampled TTL attribute keeps its column and gains the note.
        let reads = self.settings.tuning.reads;
        let name = table.name.clone();
        for extra in Extra::OPERATIONAL {
            if !extra.wanted(&reads) || self.extras.off(extra).get() {
                continue;
            }
            let (operation, body) = match (extra, arn) {
                (Extra::ResourcePolicy, Some(arn)) => (
                    Operation::GetResourcePolicy,
                    operations::get_resource_policy(arn),
                ),
                (Extra::ResourcePolicy, None) => continue,
                (_, _) => (extra.call(), operations::table_name(&name)),
            };
            let applied = match self.client.call_value(operation, body).await {
                Ok(value) => apply(extra, table, &value),
                Err(e) if e.service_code() == Some("PolicyNotFoundException") => {
                    mapping::operational::apply_policy(table, None);
                    Ok(())
                }
                Err(e) => Err(e),
            };
            match applied {
                Ok(()) => {}
                Err(e) if e.is_credentials_error() => return Err(e.into_connector_error()),
                Err(e) => warnings.extend(self.extras.failed(extra, &name, &e)),
            }
        }
        if let (Some(description), Some(SourceDetails::DynamoDb(d))) =
            (&mut table.description, &table.details)
        {
            description.push_str(&mapping::operational::section(d));
        }
        let lineage = &self.settings.tuning.lineage;
        if let (Some(service), Some(SourceDetails::DynamoDb(d))) =
            (&lineage.kinesis, &table.details)
            && let Some(destinations) = &d.kinesis_destinations
        {
            table
                .lineage
                .extend(mapping::lineage::kinesis(service, destinations));
        }
        if let (Some(service), Some(arn)) = (&lineage.s3, arn)
            && !self.extras.off(Extra::Exports).get()
        {
            match self.exports(arn).await {
                Ok(exports) => table
                    .lineage
                    .extend(mapping::lineage::s3(service, &exports)),
                Err(e) if e.is_credentials_error() => return Err(e.into_connector_error()),
                Err(e) => warnings.extend(self.extras.failed(Extra::Exports, &name, &e)),
            }
        }
        Ok(warnings)
    }

    /// Where the table's exports went: ListExports' first page (up to [`MAX_EXPORTS`]), then a
    /// DescribeExport for each one that did not fail.
    async fn exports(&self, table_arn: &str) -> Result<Vec<ExportOutput>, CallError> {
        let listed = self
            .client
            .call_value(
                Operation::ListExports,
                operations::list_exports(table_arn, MAX_EXPORTS),
            )
            .await?;
        let summaries = parse(Operation::ListExports, &listed, ExportSummary::read_all)?;
        let mut exports = Vec::new();
        for summary in summaries.iter().take(MAX_EXPORTS as usize) {
            if summary.status.as_deref() == Some("FAILED") {
                continue;
            }
            let described = self
                .client
                .call_value(
                    Operation::DescribeExport,
                    operations::describe_export(&summary.export_arn),
                )
                .await?;
            exports.push(parse(
                Operation::DescribeExport,
                &described,
                ExportOutput::read,
            )?);
        }
        Ok(exports)
    }
}

/// Reads an operational answer into the table.
fn apply(extra: Extra, table: &mut Table, value: &serde_json::Value) -> Result<(), CallError> {
    use crate::dynamodb::model as m;
    use mapping::operational as o;
    let operation = extra.call();
    match extra {
        Extra::TimeToLive => {
            mapping::ttl::apply(table, parse(operation, value, m::TimeToLiveOutput::read)?)
        }
        Extra::Backups => o::apply_backups(
            table,
            parse(operation, value, m::ContinuousBackupsOutput::read)?,
        ),
        Extra::ResourcePolicy => o::apply_policy(
            table,
            Some(parse(operation, value, m::ResourcePolicyOutput::read)?),
        ),
        Extra::KinesisDestinations => o::apply_kinesis(
            table,
            parse(operation, value, m::KinesisDestinationOutput::read_all)?,
        ),
        Extra::ContributorInsights => o::apply_insights(
            table,
            parse(operation, value, m::ContributorInsightsOutput::read)?,
        ),
        Extra::Tags | Extra::Exports | Extra::ChosenItems | Extra::Sampling => {}
    }
    Ok(())
}
