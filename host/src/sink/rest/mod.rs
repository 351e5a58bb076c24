//! The `metadata-rest` sink: the calls OpenMetadata's own sink makes, in its order.
//!
//! 1. `GET /v1/system/version` (refused unless the server speaks API 1.x);
//! 2. the database service: `GET …/databaseServices/name/{name}`, created with `PUT` when absent;
//! 3. `PUT /v1/databases`, `PUT /v1/databaseSchemas`;
//! 4. the classifications and tags the tables' labels need (`PUT /v1/classifications`, `/v1/tags`);
//! 5. `PUT /v1/tables` for each table whose `sourceHash` differs from the server's copy (an
//!    unchanged table is not sent again), then its profile (`PUT /v1/tables/{id}/tableProfile`);
//! 6. with `markDeletedTables`, a soft `DELETE` of each table of the schema on the server that
//!    this run's listing did not return (filtered and failed tables were listed, so they stay).
//!
//! A call that fails for one entity is that entity's failure; the others go on.
//!
//! With `ingestionPipelineFQN`, the run's status is also written to its ingestion pipeline
//! ([`pipeline_status`]).

mod client;
pub mod pipeline_status;

use super::{Listed, RunEnd, SinkReport};
use crate::entities::{ScopeRequests, TableRequest, TableRequests};
use crate::workflow::OpenMetadataConnection;
use anyhow::{Result, anyhow};
use client::{ApiError, OpenMetadataClient};
use futures::stream::{self, StreamExt};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Table requests in flight at once.
const TABLE_CONCURRENCY: usize = 8;
/// Tables listed per page when reading the schema's tables back.
const LIST_PAGE: usize = 1000;

/// What became of one table request.
enum Put {
    /// The server's copy has the same `sourceHash`: not sent.
    Unchanged,
    /// Created or updated; the entity's id when the server gave one.
    Stored(Option<String>),
}

#[derive(Debug, Clone)]
struct ServerTable {
    id: String,
    name: String,
    source_hash: Option<String>,
}

/// The sink for one run: opened with the run's scope, fed each batch of tables, finished with
/// the deletions a complete listing allows.
pub struct RestWriter {
    client: OpenMetadataClient,
    check_version: bool,
    mark_deleted_tables: bool,
    /// The schema's tables on the server before this run, by FQN.
    existing: BTreeMap<String, ServerTable>,
    /// Classifications and tags created (or found) so far.
    tags_ready: HashSet<(String, String)>,
    classifications_ready: HashSet<String>,
    report: SinkReport,
    created: usize,
    updated: usize,
    unchanged: usize,
    profiles: usize,
}

impl RestWriter {
    pub fn new(server: &OpenMetadataConnection, mark_deleted_tables: bool) -> Result<RestWriter> {
        Ok(RestWriter {
            client: OpenMetadataClient::new(server)?,
            check_version: server.enable_version_validation.unwrap_or(true),
            mark_deleted_tables,
            existing: BTreeMap::new(),
            tags_ready: HashSet::new(),
            classifications_ready: HashSet::new(),
            report: SinkReport::default(),
            created: 0,
            updated: 0,
            unchanged: 0,
            profiles: 0,
        })
    }

    /// Version check, service, database and schema, then the schema's tables on the server.
    pub async fn scope(&mut self, requests: &ScopeRequests) -> Result<()> {
        let client = &self.client;
        if self.check_version {
            check_version(client).await?;
        }
        ensure_service(client, &requests.service).await?;
        self.report.written += 1;
        client
            .put("/v1/databases", &requests.database)
            .await
            .map_err(|e| anyhow!("database `{}`: {e}", requests.database["name"]))?;
        self.report.written += 1;
        let schema = client
            .put("/v1/databaseSchemas", &requests.schema)
            .await
            .map_err(|e| anyhow!("schema `{}`: {e}", requests.schema["name"]))?;
        self.report.written += 1;
        let schema_fqn = schema["fullyQualifiedName"]
            .as_str()
            .ok_or_else(|| anyhow!("the schema answer has no fullyQualifiedName"))?
            .to_string();
        self.existing = list_tables(client, &schema_fqn).await?;
        Ok(())
    }

    /// The tags a batch needs, then its tables (unchanged ones skipped) and their profiles.
    pub async fn tables(&mut self, requests: &TableRequests) {
        self.ensure_tags(&requests.tables).await;
        let results = {
            let this = &*self;
            let client = &this.client;
            let existing = &this.existing;
            let results: Vec<(&TableRequest, Result<Put, ApiError>)> =
                stream::iter(requests.tables.iter().map(|table| async move {
                    let previous = existing.get(&table.fully_qualified_name);
                    let same = previous
                        .and_then(|p| p.source_hash.as_deref())
                        .is_some_and(|hash| Some(hash) == table.request["sourceHash"].as_str());
                    if same {
                        return (table, Ok(Put::Unchanged));
                    }
                    let request = this.keep_server_pii_tags(table).await;
                    let put = client.put("/v1/tables", &request).await;
                    (
                        table,
                        put.map(|entity| Put::Stored(entity["id"].as_str().map(String::from))),
                    )
                }))
                .buffered(TABLE_CONCURRENCY)
                .collect()
                .await;
            results
        };
        let client = &self.client;
        let mut stored: Vec<(&TableRequest, String)> = Vec::new();
        for (table, result) in results {
            let previous = self.existing.get(&table.fully_qualified_name);
            match result {
                Ok(Put::Unchanged) => {
                    self.unchanged += 1;
                    self.report.written += 1;
                    if let Some(previous) = previous {
                        stored.push((table, previous.id.clone()));
                    }
                }
                Ok(Put::Stored(id)) => {
                    self.report.written += 1;
                    if previous.is_some() {
                        self.updated += 1;
                    } else {
                        self.created += 1;
                    }
                    if let Some(id) = id {
                        stored.push((table, id));
                    }
                }
                Err(e) => self.report.failures.push(&table.name, &e.to_string()),
            }
        }
        for (table, id) in stored {
            let Some(profile) = &table.profile else {
                continue;
            };
            match client
                .put(&format!("/v1/tables/{id}/tableProfile"), profile)
                .await
            {
                Ok(_) => self.profiles += 1,
                Err(e) => self
                    .report
                    .warnings
                    .push(&format!("{}: profile not stored: {e}", table.name)),
            }
        }
    }

    /// With `markDeletedTables`, soft-deletes the schema's tables the listing did not return,
    /// but only after a run that listed to its end and was not stopped.
    pub async fn finish(mut self, end: &RunEnd, listed: &Listed) -> Result<SinkReport> {
        let mut deleted = 0;
        if self.mark_deleted_tables && end.listing_complete && end.stopped.is_none() {
            for gone in self.existing.values().filter(|t| !listed.contains(&t.name)) {
                let path = format!("/v1/tables/{}?recursive=true&hardDelete=false", gone.id);
                match self.client.delete(&path).await {
                    Ok(_) => deleted += 1,
                    Err(e) => self
                        .report
                        .failures
                        .push(&gone.name, &format!("soft delete failed: {e}")),
                }
            }
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

    /// Creates (or updates) each classification and tag the tables' labels name, once per run.
    async fn ensure_tags(&mut self, tables: &[TableRequest]) {
        let mut needed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for table in tables {
            for (classification, tag) in &table.tags {
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
            // it, never rewritten; a DynamoDB tag key's is kept up to date.
            let only_if_absent = classification == PII;
            if !self.classifications_ready.contains(&classification) {
                let by_name = format!(
                    "/v1/classifications/name/{}",
                    encode(&quote(&classification))
                );
                let body = classification_request(&classification);
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
                let body = tag_request(&classification, &tag);
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

    /// A column that already carries a `PII.*` tag on the server keeps it: the connector's own
    /// suggestion for that column is replaced by the server's label (OpenMetadata leaves a
    /// column alone when it already has a PII tag).
    async fn keep_server_pii_tags(&self, table: &TableRequest) -> Value {
        let mut request = table.request.clone();
        let Some(existing) = self.existing.get(&table.fully_qualified_name) else {
            return request;
        };
        if !has_pii_label(&request["columns"]) {
            return request;
        }
        let path = format!("/v1/tables/{}?fields=columns,tags", encode(&existing.id));
        let Ok(server) = self.client.get(&path).await else {
            return request;
        };
        replace_pii_labels(&mut request["columns"], &server["columns"]);
        request
    }
}

/// OpenMetadata's classification for personal data.
const PII: &str = "PII";

fn classification_request(classification: &str) -> Value {
    if classification == PII {
        return json!({
            "name": PII,
            "description": "Personally Identifiable Information: information that, when used alone or with other relevant data, can identify an individual.",
            "mutuallyExclusive": true,
        });
    }
    json!({
        "name": classification,
        "description": format!("DynamoDB tag key `{classification}`, from the tables' AWS tags."),
    })
}

fn tag_request(classification: &str, tag: &str) -> Value {
    let description = match (classification, tag) {
        (PII, "Sensitive") => "PII which if lost, compromised, or disclosed without authorization, could result in substantial harm, embarrassment, inconvenience, or unfairness to an individual.".to_string(),
        (PII, "NonSensitive") => "PII which is easily accessible from public sources and can include zip code, race, gender, and date of birth.".to_string(),
        _ => format!("DynamoDB tables tagged `{classification}` = `{tag}`."),
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

fn has_pii_label(columns: &Value) -> bool {
    columns.as_array().into_iter().flatten().any(|c| {
        c["tags"].as_array().into_iter().flatten().any(is_pii) || has_pii_label(&c["children"])
    })
}

/// For each column (and child, by name) whose server copy has a PII label, the server's
/// PII labels replace the request's.
fn replace_pii_labels(ours: &mut Value, theirs: &Value) {
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

async fn check_version(client: &OpenMetadataClient) -> Result<()> {
    let answer = client
        .get("/v1/system/version")
        .await
        .map_err(|e| anyhow!("OpenMetadata version check failed: {e}"))?;
    let version = answer["version"].as_str().unwrap_or_default();
    if version.split('.').next() != Some("1") {
        return Err(anyhow!(
            "OpenMetadata server version `{version}` is not 1.x, the API this sink speaks \
             (set enableVersionValidation: false to try anyway)"
        ));
    }
    Ok(())
}

async fn ensure_service(client: &OpenMetadataClient, request: &Value) -> Result<()> {
    let name = request["name"].as_str().unwrap_or_default();
    let path = format!(
        "/v1/services/databaseServices/name/{}",
        encode(&quote(name))
    );
    match client.get(&path).await {
        Ok(service) => {
            let kind = service["serviceType"].as_str().unwrap_or_default();
            if kind != "DynamoDB" {
                return Err(anyhow!(
                    "OpenMetadata already has a service `{name}` of type {kind}, not DynamoDB"
                ));
            }
            Ok(())
        }
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

/// An FQN part, quoted as OpenMetadata quotes one containing a dot.
fn quote(name: &str) -> String {
    if name.contains('.') {
        format!("\"{name}\"")
    } else {
        name.to_string()
    }
}

/// Percent-encoding of all but RFC 3986's unreserved characters, for a path segment or a
/// query value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
