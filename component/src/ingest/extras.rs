//! What a table gains beyond DescribeTable: its tags (`includeTags`, ListTagsOfResource), its
//! time to live (`connectionOptions.readTimeToLive`, DescribeTimeToLive), and
//! from a bounded, representative sample of its items (`connectionOptions.sampleSize`, parallel
//! Scans: see `sampling.rs`) its non-key attributes, every column's coverage and profile, and
//! PII classification. Neither is essential: a failure is a warning and the table is still
//! ingested. When the endpoint does not support a call, or the identity may not make it, the
//! run stops asking after the first answer and says so once.

use super::Run;
use crate::aws::call::CallError;
use crate::aws::error::ErrorClass;
use crate::catalog::{SourceDetails, Table, Warning};
use crate::error::ConnectorError;
use crate::mapping;
use crate::mapping::sample::{Options, Sampler};
use crate::transport::Transport;
use std::cell::{Cell, RefCell};

#[derive(Default)]
pub struct Extras {
    tags_off: Cell<bool>,
    ttl_off: Cell<bool>,
    sampling_off: Cell<bool>,
    warnings: RefCell<Vec<Warning>>,
}

#[derive(Clone, Copy)]
enum Extra {
    Tags,
    TimeToLive,
    Sampling,
}

impl Extra {
    fn operation(self) -> &'static str {
        match self {
            Extra::Tags => "ListTagsOfResource",
            Extra::TimeToLive => "DescribeTimeToLive",
            Extra::Sampling => "Scan",
        }
    }

    fn remedy(self) -> &'static str {
        match self {
            Extra::Tags => {
                "grant dynamodb:ListTagsOfResource or set sourceConfig.includeTags: false"
            }
            Extra::TimeToLive => {
                "grant dynamodb:DescribeTimeToLive or set connectionOptions.readTimeToLive: false"
            }
            Extra::Sampling => "grant dynamodb:Scan or remove connectionOptions.sampleSize",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Extra::Tags => "tags",
            Extra::TimeToLive => "time to live",
            Extra::Sampling => "sampled attributes",
        }
    }
}

impl Extras {
    pub fn take_warnings(&self) -> Vec<Warning> {
        self.warnings.take()
    }

    fn off(&self, extra: Extra) -> &Cell<bool> {
        match extra {
            Extra::Tags => &self.tags_off,
            Extra::TimeToLive => &self.ttl_off,
            Extra::Sampling => &self.sampling_off,
        }
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
                            "{} not read: {failure} ({})",
                            extra.what(),
                            extra.remedy()
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
            && !self.extras.tags_off.get()
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
        let sample_size = self.settings.tuning.sample_size;
        if sample_size > 0 && !self.extras.sampling_off.get() {
            let sampling = &self.settings.tuning.sampling;
            let mut sampler = Sampler::new(Options {
                max_columns: sampling.max_columns,
                pii_threshold: sampling.pii_threshold,
            });
            let provisioned = match &table.details {
                Some(SourceDetails::DynamoDb(d)) => d.throughput.map(|t| t.read_capacity_units),
                None => None,
            };
            match self
                .sample_items(&table.name, sample_size, provisioned, &mut sampler)
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
        if self.settings.tuning.read_time_to_live && !self.extras.ttl_off.get() {
            match self.client.describe_time_to_live(&table.name).await {
                Ok(ttl) => mapping::ttl::apply(table, ttl),
                Err(e) if e.is_credentials_error() => return Err(e.into_connector_error()),
                Err(e) => warnings.extend(self.extras.failed(Extra::TimeToLive, &table.name, &e)),
            }
        }
        Ok(warnings)
    }
}
