//! The profiler's and auto-classification's writes: onto the tables the metadata workflow
//! already put in OpenMetadata, and nothing else. Like OpenMetadata's own workflows, they
//! create no service, database, schema or table: the service must exist, a table absent from
//! OpenMetadata is a warning, and a sampled attribute that is not one of the table's columns
//! there gets no profile.
//!
//! - A profile: `GET /v1/tables/{id}?fields=columns,tableProfilerConfig`, then
//!   `PUT /v1/tables/{id}/tableProfile` with the metrics and columns the pipeline and the
//!   table's profiler config ask for ([`ProfileOptions::shape`]).
//! - PII tags: `GET /v1/tables/{id}?fields=columns,tags`, then one `PATCH /v1/tables/{id}`
//!   (JSON Patch) adding a tag to each column that has no `PII` tag yet; everything else on
//!   the table stays as it is.

use super::{RestWriter, ensure_service, list_tables, server_version};
use crate::entities::{ScopeRequests, TableRequests};
use crate::pipeline::{self, ClassificationFilter, ColumnConfig, ProfileOptions};
use anyhow::{Result, anyhow};
use futures::StreamExt;
use serde_json::Value;
#[cfg(test)]
use serde_json::json;

/// Tables read and written at once.
const TABLES_IN_FLIGHT: usize = 16;

/// What an enriching run writes.
#[derive(Debug, Clone)]
pub struct Enrich {
    /// Profiles, shaped by these options.
    pub profiles: Option<ProfileOptions>,
    /// PII tags on columns.
    pub column_tags: bool,
    /// `classificationFilterPattern`: only tables whose tags in OpenMetadata pass it.
    pub classification_filter: Option<ClassificationFilter>,
}

#[derive(Debug, Default)]
pub(super) struct Counts {
    profiles: usize,
    not_in_openmetadata: usize,
    not_columns: usize,
    tagged_columns: usize,
    tagged_tables: usize,
    left_out: usize,
}

struct Job {
    name: String,
    fqn: String,
    id: String,
    profile: Option<Value>,
    labels: Vec<(String, Value)>,
}

#[derive(Default)]
struct Outcome {
    name: String,
    profiled: bool,
    not_columns: usize,
    tagged_columns: usize,
    /// Left out by `classificationFilterPattern`.
    left_out: bool,
    failures: Vec<String>,
}

impl RestWriter {
    /// The server's version, the service (which must exist) and the schema's tables.
    pub(super) async fn enrich_scope(&mut self, requests: &ScopeRequests) -> Result<()> {
        self.version = server_version(&self.client, self.check_version).await?;
        ensure_service(&self.client, &requests.service, false).await?;
        self.service_type = requests.service["serviceType"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.schema_fqn = requests.schema_fqn.clone();
        self.existing = list_tables(&self.client, &self.schema_fqn)
            .await
            .map_err(|e| anyhow!("{e:#}: run the metadata workflow first"))?;
        Ok(())
    }

    /// Each table's profile and PII tags, onto its copy in OpenMetadata.
    pub(super) async fn enrich_tables(&mut self, enrich: &Enrich, requests: &TableRequests) {
        let mut jobs = Vec::new();
        for table in &requests.tables {
            let Some(server) = self.existing.get(&table.fully_qualified_name) else {
                self.enriched.not_in_openmetadata += 1;
                self.report.warnings.push(&format!(
                    "{}: not in OpenMetadata (run the metadata workflow first)",
                    table.name
                ));
                continue;
            };
            let labels = if enrich.column_tags {
                pii_labels(&table.request["columns"])
            } else {
                Vec::new()
            };
            jobs.push(Job {
                name: table.name.clone(),
                fqn: table.fully_qualified_name.clone(),
                id: server.id.clone(),
                profile: enrich.profiles.as_ref().and(table.profile.clone()),
                labels,
            });
        }
        if enrich.column_tags {
            // Only OpenMetadata's own two PII tags: whatever else a connector labels a
            // column with, an auto-classification creates no classification or tag.
            let is_pii_tag = |(c, t): &(String, String)| {
                pipeline::PII_TAGS.contains(&format!("{c}.{t}").as_str())
            };
            let pii: Vec<_> = requests
                .tables
                .iter()
                .filter(|t| t.tags.iter().any(is_pii_tag))
                .cloned()
                .map(|mut t| {
                    t.tags.retain(is_pii_tag);
                    t
                })
                .collect();
            self.ensure_tags(&pii).await;
        }
        let this = &*self;
        let outcomes: Vec<Outcome> = futures::stream::iter(jobs)
            .map(|job| this.enrich_table(enrich, job))
            .buffer_unordered(TABLES_IN_FLIGHT)
            .collect()
            .await;
        for outcome in outcomes {
            self.enriched.not_columns += outcome.not_columns;
            self.enriched.left_out += usize::from(outcome.left_out);
            if outcome.profiled {
                self.enriched.profiles += 1;
                self.report.written += 1;
            }
            if outcome.tagged_columns > 0 {
                self.enriched.tagged_columns += outcome.tagged_columns;
                self.enriched.tagged_tables += 1;
                self.report.written += 1;
                self.updated += 1;
            }
            for failure in outcome.failures {
                self.report.failures.push(&outcome.name, &failure);
            }
        }
    }

    async fn enrich_table(&self, enrich: &Enrich, job: Job) -> Outcome {
        let mut outcome = Outcome {
            name: job.name.clone(),
            ..Outcome::default()
        };
        let wants_profile = enrich.profiles.is_some() && job.profile.is_some();
        if !wants_profile && job.labels.is_empty() {
            return outcome;
        }
        let fields = if wants_profile {
            "columns,tags,tableProfilerConfig"
        } else {
            "columns,tags"
        };
        let table = match self
            .client
            .get(&format!("/v1/tables/{}?fields={fields}", job.id))
            .await
        {
            Ok(table) => table,
            Err(e) => {
                outcome.failures.push(format!("reading it: {e}"));
                return outcome;
            }
        };
        if let Some(filter) = &enrich.classification_filter
            && !filter.keeps(&table["tags"])
        {
            outcome.left_out = true;
            return outcome;
        }
        if let (Some(options), Some(profile)) = (&enrich.profiles, &job.profile) {
            let server_config: Option<ColumnConfig> =
                serde_json::from_value(table["tableProfilerConfig"].clone()).ok();
            let columns = options.column_config(&job.fqn, server_config.as_ref());
            if let Some((request, not_columns)) = options.shape(profile, &table["columns"], columns)
            {
                outcome.not_columns = not_columns;
                let path = format!("/v1/tables/{}/tableProfile", job.id);
                match self.client.put(&path, &request).await {
                    Ok(_) => outcome.profiled = true,
                    Err(e) => outcome.failures.push(format!("profile not stored: {e}")),
                }
            }
        }
        if !job.labels.is_empty() {
            let (operations, tagged) = pipeline::column_tag_patch(&table["columns"], &job.labels);
            if !operations.is_empty() {
                let path = format!("/v1/tables/{}", job.id);
                match self.client.patch(&path, &Value::Array(operations)).await {
                    Ok(_) => outcome.tagged_columns = tagged,
                    Err(e) => outcome.failures.push(format!("PII tags not added: {e}")),
                }
            }
        }
        outcome
    }

    /// The summary's lines for an enriching run.
    pub(super) fn enrich_notes(&mut self, enrich: &Enrich) {
        let counts = &self.enriched;
        let mut notes = Vec::new();
        if enrich.profiles.is_some() {
            notes.push(format!(
                "Profiles: {} stored; {} tables not in OpenMetadata; {} sampled attributes not columns in OpenMetadata",
                counts.profiles, counts.not_in_openmetadata, counts.not_columns
            ));
        }
        if enrich.column_tags {
            notes.push(format!(
                "PII: {} columns tagged in {} tables; {} tables not in OpenMetadata",
                counts.tagged_columns, counts.tagged_tables, counts.not_in_openmetadata
            ));
        }
        if enrich.classification_filter.is_some() {
            notes.push(format!(
                "classificationFilterPattern: {} tables left out by their tags",
                counts.left_out
            ));
        }
        self.report.notes.extend(notes);
    }
}

/// `(column path, label)` for each `PII.Sensitive`/`PII.NonSensitive` label on the request's
/// columns, nested ones as
/// `parent.child`.
pub fn pii_labels(columns: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    pipeline::each_column(columns, &mut |path, column| {
        for label in column["tags"].as_array().into_iter().flatten() {
            if label["tagFQN"]
                .as_str()
                .is_some_and(|t| pipeline::PII_TAGS.contains(&t))
            {
                out.push((path.to_string(), label.clone()));
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pii_labels_are_found_on_nested_columns() {
        let columns = json!([
            {"name": "email", "tags": [{"tagFQN": "PII.Sensitive"}]},
            {"name": "ttl", "tags": [{"tagFQN": "DynamoDB.TimeToLive"}]},
            {"name": "address", "children": [{"name": "zip", "tags": [{"tagFQN": "PII.NonSensitive"}]}]},
        ]);
        let labels = pii_labels(&columns);
        let paths: Vec<&str> = labels.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["email", "address.zip"]);
    }
}
