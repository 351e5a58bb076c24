//! The `metadata-rest` sink: the calls OpenMetadata's own sink makes, in its order, shaped for
//! the server's version ([`server`]).
//!
//! 1. `GET /v1/system/version`: the server's API (1.x or 2.x; another major is refused unless
//!    `enableVersionValidation: false`);
//! 2. the database service: `GET …/databaseServices/name/{name}`, created with `PUT` when absent;
//! 3. the database and the schema (`PUT /v1/databases`, `/v1/databaseSchemas`; on 2.x through
//!    their `/bulk` endpoints, as 2.0's sink does);
//! 4. the classifications and tags the tables' labels need (`PUT /v1/classifications`, `/v1/tags`);
//!    a name the server's version refuses is left out of every label, with one warning;
//! 5. the tables whose `sourceHash` differs from the server's copy (an unchanged table is not sent
//!    again), overlapping ([`tables`]): `PUT /v1/tables` each on 1.x, `PUT /v1/tables/bulk` by
//!    100 on 2.x; then each one's profile (`PUT /v1/tables/{id}/tableProfile`);
//! 6. with `markDeletedTables`, the schema's tables on the server that this run's listing did not
//!    return are soft-deleted (filtered and failed tables were listed, so they stay): on 2.x with
//!    one `DELETE /v1/tables/deleteStale`, else (or when the server lacks it) one `DELETE` each.
//!
//! Parents are written before their children: the scope before any table, a table's tags before
//! it. A call that fails for one entity is that entity's failure; the others go on.
//!
//! With `ingestionPipelineFQN`, the run's status is also written to its ingestion pipeline
//! ([`pipeline_status`]).

mod enrich;
mod lineage;
mod tables;

pub use enrich::{Enrich, pii_labels};

use super::{Listed, RunEnd, SinkReport};
use crate::connector::Classification;
use crate::entities::{self, ScopeRequests, TableRequest, TableRequests};
use crate::openmetadata::client::{ApiError, OpenMetadataClient};
use crate::openmetadata::fqn::{encode, quote};
use crate::openmetadata::server::{self, ServerVersion};
use crate::workflow::OpenMetadataConnection;
use anyhow::{Result, anyhow};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;
use tables::{InFlight, Mode, TableJob, Written};

/// Tables listed per page when reading the schema's tables back.
const LIST_PAGE: usize = 1000;

#[derive(Debug, Clone)]
pub struct ServerTable {
    id: String,
    name: String,
    source_hash: Option<String>,
}

/// The sink for one run: opened with the run's scope, fed each batch of tables, finished with
/// the deletions a complete listing allows.
pub struct RestWriter {
    client: Arc<OpenMetadataClient>,
    check_version: bool,
    mark_deleted_tables: bool,
    /// The server's version, once read (the oldest known until then).
    version: ServerVersion,
    schema_fqn: String,
    /// The schema's tables on the server before this run, by FQN.
    existing: BTreeMap<String, ServerTable>,
    /// Classifications and tags created (or found) so far.
    tags_ready: HashSet<(String, String)>,
    classifications_ready: HashSet<String>,
    /// The service's type, as the connector's manifest names it: what the tags' descriptions
    /// say they come from.
    service_type: String,
    /// The connector's own classifications, as its manifest describes them.
    classifications: Vec<Classification>,
    /// Classification or tag names the server refuses, already warned about.
    names_refused: BTreeSet<String>,
    in_flight: Option<InFlight>,
    lineage: lineage::LineageWriter,
    /// A profiler or auto-classification run: what it writes onto existing tables.
    enrich: Option<Enrich>,
    enriched: enrich::Counts,
    report: SinkReport,
    created: usize,
    updated: usize,
    unchanged: usize,
    profiles: usize,
}

impl RestWriter {
    pub fn new(
        server: &OpenMetadataConnection,
        mark_deleted_tables: bool,
        classifications: Vec<Classification>,
        enrich: Option<Enrich>,
    ) -> Result<RestWriter> {
        Ok(RestWriter {
            client: Arc::new(OpenMetadataClient::new(server)?),
            check_version: server.enable_version_validation.unwrap_or(true),
            mark_deleted_tables,
            version: server::OLDEST,
            schema_fqn: String::new(),
            existing: BTreeMap::new(),
            tags_ready: HashSet::new(),
            classifications_ready: HashSet::new(),
            service_type: String::new(),
            classifications,
            lineage: lineage::LineageWriter::default(),
            enrich,
            enriched: enrich::Counts::default(),
            names_refused: BTreeSet::new(),
            in_flight: None,
            report: SinkReport::default(),
            created: 0,
            updated: 0,
            unchanged: 0,
            profiles: 0,
        })
    }

    /// Version check, service, database and schema, then the schema's tables on the server.
    pub async fn scope(&mut self, requests: &ScopeRequests) -> Result<()> {
        if self.enrich.is_some() {
            return self.enrich_scope(requests).await;
        }
        self.version = server_version(&self.client, self.check_version).await?;
        let client = &self.client;
        ensure_service(client, &requests.service, true).await?;
        self.service_type = requests.service["serviceType"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.report.written += 1;
        self.put_parent("/v1/databases", &requests.database)
            .await
            .map_err(|e| anyhow!("database `{}`: {e}", requests.database["name"]))?;
        self.report.written += 1;
        let schema = self
            .put_parent("/v1/databaseSchemas", &requests.schema)
            .await
            .map_err(|e| anyhow!("schema `{}`: {e}", requests.schema["name"]))?;
        self.report.written += 1;
        // A bulk answer names the schema without its entity: its FQN is the one requested.
        self.schema_fqn = schema["fullyQualifiedName"]
            .as_str()
            .unwrap_or(&requests.schema_fqn)
            .to_string();
        self.existing = list_tables(&self.client, &self.schema_fqn).await?;
        let mode = if self.version.has_bulk_api() {
            Mode::Bulk
        } else {
            Mode::Single
        };
        self.in_flight = Some(InFlight::new(self.client.clone(), mode));
        Ok(())
    }

    /// The tags a batch needs, then its tables (unchanged ones skipped), handed to the writes
    /// in flight; what finished meanwhile is counted.
    pub async fn tables(&mut self, requests: &TableRequests) {
        if let Some(enrich) = self.enrich.clone() {
            return self.enrich_tables(&enrich, requests).await;
        }
        self.ensure_tags(&requests.tables).await;
        let Some(mut in_flight) = self.in_flight.take() else {
            return;
        };
        for table in &requests.tables {
            let request = self.shape(table);
            let previous = self.existing.get(&table.fully_qualified_name).cloned();
            let same = previous
                .as_ref()
                .and_then(|p| p.source_hash.as_deref())
                .is_some_and(|hash| Some(hash) == request["sourceHash"].as_str());
            let job = TableJob {
                name: table.name.clone(),
                fully_qualified_name: table.fully_qualified_name.clone(),
                request,
                profile: table.profile.clone(),
                previous,
            };
            self.lineage.hold(&table.name, &table.lineage);
            let done = if same {
                in_flight.push_profile(job).await
            } else {
                in_flight.push(job).await
            };
            self.count(done);
        }
        let done = in_flight.batch_done();
        self.count(done);
        if self.lineage.is_full() {
            // The edges need their tables' ids: the writes in flight finish first.
            let done = in_flight.drain().await;
            self.count(done);
            self.lineage
                .flush(&self.client, &mut self.report.warnings)
                .await;
        }
        self.in_flight = Some(in_flight);
    }

    /// Waits for the writes in flight; then, with `markDeletedTables`, soft-deletes the
    /// schema's tables the listing did not return, but only after a run that listed to its
    /// end and was not stopped.
    pub async fn finish(mut self, end: &RunEnd, listed: &Listed) -> Result<SinkReport> {
        if let Some(enrich) = self.enrich.clone() {
            self.enrich_notes(&enrich);
            return Ok(self.report());
        }
        if let Some(mut in_flight) = self.in_flight.take() {
            let done = in_flight.drain().await;
            self.count(done);
        }
        self.lineage
            .flush(&self.client, &mut self.report.warnings)
            .await;
        if self.lineage.added + self.lineage.missing > 0 {
            self.report.notes.push(format!(
                "Lineage: {} edges added; {} targets not in OpenMetadata",
                self.lineage.added, self.lineage.missing
            ));
        }
        let mut deleted = 0;
        if self.mark_deleted_tables && end.listing_complete && end.stopped.is_none() {
            deleted = self.delete_stale(listed).await;
        } else if self.mark_deleted_tables {
            self.report
                .notes
                .push("No table marked deleted: the listing did not run to its end".to_string());
        }
        self.report.notes.push(format!(
            "Tables: {} created, {} updated, {} unchanged (same sourceHash), {deleted} marked deleted; {} profiles stored",
            self.created, self.updated, self.unchanged, self.profiles
        ));
        Ok(self.report())
    }

    pub fn report(&self) -> SinkReport {
        SinkReport {
            updated: self.updated,
            ..self.report.clone()
        }
    }

    fn count(&mut self, done: Vec<Written>) {
        for written in done {
            match written.outcome {
                Ok(stored) => {
                    self.lineage.written(&written.name, stored.id.as_deref());
                    self.report.written += 1;
                    if stored.unchanged {
                        self.unchanged += 1;
                    } else if stored.updated {
                        self.updated += 1;
                    } else {
                        self.created += 1;
                    }
                    self.count_profile(&written.name, stored.profile);
                }
                Err(why) => self.report.failures.push(&written.name, &why),
            }
        }
    }

    fn count_profile(&mut self, table: &str, profile: Option<Result<(), String>>) {
        match profile {
            Some(Ok(())) => self.profiles += 1,
            Some(Err(e)) => self
                .report
                .warnings
                .push(&format!("{table}: profile not stored: {e}")),
            None => {}
        }
    }

    /// The table's request as this server version takes it: labels whose classification or
    /// tag name it refuses are left out (and warned about once), and the `sourceHash` is that
    /// of what is sent.
    fn shape(&mut self, table: &TableRequest) -> Value {
        let refused: Vec<&(String, String)> = table
            .tags
            .iter()
            .filter(|(c, t)| !self.version.accepts_tag_name(c) || !self.version.accepts_tag_name(t))
            .collect();
        if refused.is_empty() {
            return table.request.clone();
        }
        let mut request = table.request.clone();
        let fqns: Vec<String> = refused
            .iter()
            .map(|(c, t)| format!("{}.{}", quote(c), quote(t)))
            .collect();
        strip_labels(&mut request, &fqns);
        if let Some(object) = request.as_object_mut() {
            object.remove("sourceHash");
        }
        request["sourceHash"] = json!(entities::source_hash(&request));
        for (classification, tag) in refused {
            self.warn_refused_name(classification);
            self.warn_refused_name(tag);
        }
        request
    }

    fn warn_refused_name(&mut self, name: &str) {
        if self.version.accepts_tag_name(name) || !self.names_refused.insert(name.to_string()) {
            return;
        }
        self.report.warnings.push(&format!(
            "tag `{name}` left out: OpenMetadata {} takes classification and tag names of {}",
            self.version,
            self.version.tag_name_rule()
        ));
    }

    /// A database or schema: on 2.x a one-row bulk call (as 2.0's sink), else a PUT. The
    /// entity, when the server answers with it.
    async fn put_parent(&self, collection: &str, request: &Value) -> Result<Value, ApiError> {
        if self.version.has_bulk_api() {
            let path = format!("{collection}/bulk?async=false&overrideMetadata=false");
            match self.client.put(&path, &json!([request])).await {
                Ok(answer) => {
                    return match tables::failed_rows(&answer).into_iter().next() {
                        Some((_, why)) => Err(ApiError {
                            status: 400,
                            message: why,
                        }),
                        None => Ok(Value::Null),
                    };
                }
                Err(e) if e.status == 404 || e.status == 405 => {}
                Err(e) => return Err(e),
            }
        }
        self.client.put(collection, request).await
    }

    /// The schema's tables on the server that the listing did not return, soft-deleted; the
    /// number deleted.
    async fn delete_stale(&mut self, listed: &Listed) -> usize {
        let stale: Vec<ServerTable> = self
            .existing
            .values()
            .filter(|t| !listed.contains(&t.name))
            .cloned()
            .collect();
        if stale.is_empty() {
            return 0;
        }
        if self.version.has_bulk_api() {
            match self.delete_stale_in_bulk(&stale).await {
                Ok(deleted) => return deleted,
                Err(e) if e.status == 404 || e.status == 405 => {}
                Err(e) => {
                    self.report.failures.push(
                        &self.schema_fqn.clone(),
                        &format!("deleteStale failed: {e}"),
                    );
                    return 0;
                }
            }
        }
        let mut deleted = 0;
        for gone in stale {
            let path = format!("/v1/tables/{}?recursive=true&hardDelete=false", gone.id);
            match self.client.delete(&path).await {
                Ok(_) => deleted += 1,
                Err(e) => self
                    .report
                    .failures
                    .push(&gone.name, &format!("soft delete failed: {e}")),
            }
        }
        deleted
    }

    /// 2.0's `DELETE /v1/tables/deleteStale`: every table of the schema now on the server is
    /// named as seen, but the stale ones.
    async fn delete_stale_in_bulk(&mut self, stale: &[ServerTable]) -> Result<usize, ApiError> {
        let now = list_tables(&self.client, &self.schema_fqn)
            .await
            .map_err(|e| ApiError {
                status: 0,
                message: format!("{e:#}"),
            })?;
        let stale_ids: HashSet<&str> = stale.iter().map(|t| t.id.as_str()).collect();
        let seen: Vec<&String> = now
            .iter()
            .filter(|(_, t)| !stale_ids.contains(t.id.as_str()))
            .map(|(fqn, _)| fqn)
            .collect();
        let body = json!({
            "scopeFqn": self.schema_fqn,
            "scopeEntityType": "databaseSchema",
            "seenFqns": seen,
            "dryRun": false,
            "hardDelete": false,
            "recursive": true,
        });
        let answer = self
            .client
            .delete_with("/v1/tables/deleteStale", &body)
            .await?;
        for (row, why) in tables::failed_rows(&answer) {
            let name = match row {
                tables::Row::Name(name) | tables::Row::Text(name) => name,
            };
            self.report
                .failures
                .push(&name, &format!("soft delete failed: {why}"));
        }
        Ok(answer["numberOfRowsPassed"]
            .as_u64()
            .map(|n| n as usize)
            .unwrap_or(stale.len()))
    }

    /// Creates (or updates) each classification and tag the tables' labels name, once per run;
    /// names the server's version refuses are left out (their labels are, in [`Self::shape`]).
    fn declared(&self, classification: &str) -> Option<&Classification> {
        self.classifications
            .iter()
            .find(|c| c.name == classification)
    }

    async fn ensure_tags(&mut self, tables: &[TableRequest]) {
        let mut needed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for table in tables {
            for (classification, tag) in &table.tags {
                if !self.version.accepts_tag_name(classification)
                    || !self.version.accepts_tag_name(tag)
                {
                    continue;
                }
                if !self
                    .tags_ready
                    .contains(&(classification.clone(), tag.clone()))
                {
                    needed
                        .entry(classification.clone())
                        .or_default()
                        .insert(tag.clone());
                }
            }
        }
        for (classification, tags) in needed {
            // OpenMetadata's own PII classification is only created when the server lacks
            // it, never rewritten; a source's tag key's is kept up to date.
            let only_if_absent = classification == PII;
            if !self.classifications_ready.contains(&classification) {
                let by_name = format!(
                    "/v1/classifications/name/{}",
                    encode(&quote(&classification))
                );
                let body = classification_request(
                    &self.service_type,
                    &classification,
                    self.declared(&classification),
                );
                if let Err(e) = self
                    .ensure(&by_name, "/v1/classifications", &body, only_if_absent)
                    .await
                {
                    self.report
                        .failures
                        .push(&format!("classification {classification}"), &e.to_string());
                    continue;
                }
                self.classifications_ready.insert(classification.clone());
            }
            for tag in tags {
                let fqn = format!("{}.{}", quote(&classification), quote(&tag));
                let by_name = format!("/v1/tags/name/{}", encode(&fqn));
                let body = tag_request(
                    &self.service_type,
                    &classification,
                    &tag,
                    self.declared(&classification),
                );
                match self
                    .ensure(&by_name, "/v1/tags", &body, only_if_absent)
                    .await
                {
                    Ok(()) => {
                        self.tags_ready.insert((classification.clone(), tag));
                    }
                    Err(e) => self
                        .report
                        .failures
                        .push(&format!("tag {classification}.{tag}"), &e.to_string()),
                }
            }
        }
    }

    /// PUTs `body` to `collection`; with `only_if_absent`, only when `by_name` answers 404.
    async fn ensure(
        &self,
        by_name: &str,
        collection: &str,
        body: &Value,
        only_if_absent: bool,
    ) -> Result<(), ApiError> {
        if only_if_absent {
            match self.client.get(by_name).await {
                Ok(_) => return Ok(()),
                Err(e) if e.status == 404 => {}
                Err(e) => return Err(e),
            }
        }
        self.client.put(collection, body).await.map(|_| ())
    }
}

/// Removes every tag label whose `tagFQN` is one of `fqns`, from the table and its columns.
fn strip_labels(request: &mut Value, fqns: &[String]) {
    fn strip(value: &mut Value, fqns: &[String]) {
        if let Some(tags) = value.get_mut("tags").and_then(Value::as_array_mut) {
            tags.retain(|l| {
                !l["tagFQN"]
                    .as_str()
                    .is_some_and(|f| fqns.iter().any(|x| x == f))
            });
            if tags.is_empty()
                && let Some(object) = value.as_object_mut()
            {
                object.remove("tags");
            }
        }
        for key in ["columns", "children"] {
            if let Some(columns) = value.get_mut(key).and_then(Value::as_array_mut) {
                for column in columns {
                    strip(column, fqns);
                }
            }
        }
    }
    strip(request, fqns);
}

/// OpenMetadata's classification for personal data.
const PII: &str = "PII";

fn classification_request(
    source: &str,
    classification: &str,
    declared: Option<&Classification>,
) -> Value {
    if let Some(declared) = declared {
        return json!({"name": classification, "description": declared.description});
    }
    if classification == PII {
        return json!({
            "name": PII,
            "description": "Personally Identifiable Information: information that, when used alone or with other relevant data, can identify an individual.",
            "mutuallyExclusive": true,
        });
    }
    json!({
        "name": classification,
        "description": format!("{source} tag key `{classification}`, from the tables' tags."),
    })
}

fn tag_request(
    source: &str,
    classification: &str,
    tag: &str,
    declared: Option<&Classification>,
) -> Value {
    let declared_tag = declared.and_then(|c| c.tags.iter().find(|(name, _)| name == tag));
    let description = match (classification, tag) {
        _ if declared_tag.is_some() => declared_tag.map(|(_, d)| d.clone()).unwrap_or_default(),
        (PII, "Sensitive") => "PII which if lost, compromised, or disclosed without authorization, could result in substantial harm, embarrassment, inconvenience, or unfairness to an individual.".to_string(),
        (PII, "NonSensitive") => "PII which is easily accessible from public sources and can include zip code, race, gender, and date of birth.".to_string(),
        _ => format!("{source} tables tagged `{classification}` = `{tag}`."),
    };
    json!({
        "name": tag,
        "description": description,
        "classification": quote(classification),
    })
}

fn is_pii(label: &Value) -> bool {
    label["tagFQN"]
        .as_str()
        .is_some_and(|fqn| fqn.starts_with("PII."))
}

pub(super) fn has_pii_label(columns: &Value) -> bool {
    columns.as_array().into_iter().flatten().any(|c| {
        c["tags"].as_array().into_iter().flatten().any(is_pii) || has_pii_label(&c["children"])
    })
}

/// For each column (and child, by name) whose server copy has a PII label, the server's
/// PII labels replace the request's.
pub(super) fn replace_pii_labels(ours: &mut Value, theirs: &Value) {
    let Some(ours) = ours.as_array_mut() else {
        return;
    };
    for column in ours {
        let Some(server) = theirs
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["name"] == column["name"])
        else {
            continue;
        };
        let server_pii: Vec<Value> = server["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|l| is_pii(l))
            .cloned()
            .collect();
        if !server_pii.is_empty()
            && let Some(tags) = column.get_mut("tags").and_then(Value::as_array_mut)
        {
            tags.retain(|l| !is_pii(l));
            tags.extend(server_pii);
        }
        if let Some(children) = column.get_mut("children") {
            replace_pii_labels(children, &server["children"]);
        }
    }
}

/// The server's version, as its answer to `GET /v1/system/version` says. A major this sink
/// does not know is refused unless the check is off (`enableVersionValidation: false`), when
/// an unreadable answer means the oldest version's rules.
async fn server_version(client: &OpenMetadataClient, check: bool) -> Result<ServerVersion> {
    let answer = match client.get("/v1/system/version").await {
        Ok(answer) => answer,
        Err(_) if !check => return Ok(server::OLDEST),
        Err(e) => return Err(anyhow!("OpenMetadata version check failed: {e}")),
    };
    let text = answer["version"].as_str().unwrap_or_default();
    match ServerVersion::parse(text) {
        Some(version) if version.is_known() || !check => Ok(version),
        None if !check => Ok(server::OLDEST),
        _ => Err(anyhow!(
            "OpenMetadata server version `{}` is not one this sink speaks (1.x or 2.x) \
             (set enableVersionValidation: false to try anyway)",
            crate::sanitize::message(text)
        )),
    }
}

/// The database service `request` names, of its type: created when absent if `create`, else
/// (a profiler's or auto-classification's run, which writes onto what exists) an error.
async fn ensure_service(client: &OpenMetadataClient, request: &Value, create: bool) -> Result<()> {
    let name = request["name"].as_str().unwrap_or_default();
    let path = format!(
        "/v1/services/databaseServices/name/{}",
        encode(&quote(name))
    );
    match client.get(&path).await {
        Ok(service) => {
            let kind = service["serviceType"].as_str().unwrap_or_default();
            let wanted = request["serviceType"].as_str().unwrap_or_default();
            if kind != wanted {
                return Err(anyhow!(
                    "OpenMetadata already has a service `{name}` of type {}, not {wanted}",
                    crate::sanitize::name(kind)
                ));
            }
            Ok(())
        }
        Err(e) if e.status == 404 && !create => Err(anyhow!(
            "OpenMetadata has no database service `{}`: run the metadata workflow first",
            crate::sanitize::name(name)
        )),
        Err(e) if e.status == 404 => client
            .put("/v1/services/databaseServices", request)
            .await
            .map(|_| ())
            .map_err(|e| anyhow!("creating the database service `{name}`: {e}")),
        Err(e) => Err(anyhow!("reading the database service `{name}`: {e}")),
    }
}

/// The schema's tables on the server, by FQN.
async fn list_tables(
    client: &OpenMetadataClient,
    schema_fqn: &str,
) -> Result<BTreeMap<String, ServerTable>> {
    let mut tables = BTreeMap::new();
    let mut after: Option<String> = None;
    loop {
        let mut path = format!(
            "/v1/tables?databaseSchema={}&limit={LIST_PAGE}&include=non-deleted&fields=sourceHash",
            encode(schema_fqn)
        );
        if let Some(cursor) = &after {
            path.push_str(&format!("&after={}", encode(cursor)));
        }
        let page = client
            .get(&path)
            .await
            .map_err(|e| anyhow!("listing the tables of `{schema_fqn}`: {e}"))?;
        for table in page["data"].as_array().into_iter().flatten() {
            let (Some(id), Some(name), Some(fqn)) = (
                table["id"].as_str(),
                table["name"].as_str(),
                table["fullyQualifiedName"].as_str(),
            ) else {
                continue;
            };
            tables.insert(
                fqn.to_string(),
                ServerTable {
                    id: id.to_string(),
                    name: name.to_string(),
                    source_hash: table["sourceHash"].as_str().map(String::from),
                },
            );
        }
        match page["paging"]["after"].as_str() {
            Some(next) if Some(next) != after.as_deref() => after = Some(next.to_string()),
            _ => return Ok(tables),
        }
    }
}
