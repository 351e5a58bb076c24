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

mod client;

use super::SinkReport;
use crate::entities::{Requests, TableRequest};
use crate::workflow::OpenMetadataConnection;
use anyhow::{Result, anyhow};
use client::{ApiError, OpenMetadataClient};
use futures::stream::{self, StreamExt};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Table requests in flight at once.
const TABLE_CONCURRENCY: usize = 8;
/// Tables listed per page when reading the schema's tables back.
const LIST_PAGE: usize = 1000;

/// What the sink needs to know of the run besides its requests.
#[derive(Debug, Clone)]
pub struct RunFacts {
    /// Every table name the listing returned, whatever became of it.
    pub listed: BTreeSet<String>,
    pub mark_deleted_tables: bool,
    /// Whether the listing ran to its end (never delete after a partial listing).
    pub listing_complete: bool,
}

#[derive(Debug, Clone)]
struct ServerTable {
    id: String,
    name: String,
    source_hash: Option<String>,
}

pub async fn write(
    server: &OpenMetadataConnection,
    requests: &Requests,
    facts: &RunFacts,
) -> Result<SinkReport> {
    let client = OpenMetadataClient::new(server)?;
    let mut report = SinkReport::default();
    if server.enable_version_validation.unwrap_or(true) {
        check_version(&client).await?;
    }
    ensure_service(&client, &requests.service).await?;
    report.written += 1;
    client
        .put("/v1/databases", &requests.database)
        .await
        .map_err(|e| anyhow!("database `{}`: {e}", requests.database["name"]))?;
    report.written += 1;
    let schema = client
        .put("/v1/databaseSchemas", &requests.schema)
        .await
        .map_err(|e| anyhow!("schema `{}`: {e}", requests.schema["name"]))?;
    report.written += 1;
    let schema_fqn = schema["fullyQualifiedName"]
        .as_str()
        .ok_or_else(|| anyhow!("the schema answer has no fullyQualifiedName"))?
        .to_string();

    let existing = list_tables(&client, &schema_fqn).await?;
    ensure_tags(&client, requests, &mut report).await;

    let mut created = 0;
    let mut updated = 0;
    let mut unchanged = 0;
    let mut ids: HashMap<String, String> = HashMap::new();
    let results: Vec<(&TableRequest, Result<Option<Value>, ApiError>)> =
        stream::iter(requests.tables.iter().map(|table| {
            let previous = existing.get(&table.fully_qualified_name);
            let same = previous
                .and_then(|p| p.source_hash.as_deref())
                .is_some_and(|hash| Some(hash) == table.request["sourceHash"].as_str());
            let client = &client;
            async move {
                if same {
                    return (table, Ok(None));
                }
                (
                    table,
                    client.put("/v1/tables", &table.request).await.map(Some),
                )
            }
        }))
        .buffered(TABLE_CONCURRENCY)
        .collect()
        .await;
    for (table, result) in results {
        match result {
            Ok(None) => {
                unchanged += 1;
                report.written += 1;
                if let Some(previous) = existing.get(&table.fully_qualified_name) {
                    ids.insert(table.fully_qualified_name.clone(), previous.id.clone());
                }
            }
            Ok(Some(entity)) => {
                report.written += 1;
                if existing.contains_key(&table.fully_qualified_name) {
                    updated += 1;
                } else {
                    created += 1;
                }
                if let Some(id) = entity["id"].as_str() {
                    ids.insert(table.fully_qualified_name.clone(), id.to_string());
                }
            }
            Err(e) => report.failures.push((table.name.clone(), e.to_string())),
        }
    }

    let mut profiles = 0;
    for table in &requests.tables {
        let (Some(profile), Some(id)) = (&table.profile, ids.get(&table.fully_qualified_name))
        else {
            continue;
        };
        let body = json!({ "tableProfile": profile, "columnProfile": [] });
        match client
            .put(&format!("/v1/tables/{id}/tableProfile"), &body)
            .await
        {
            Ok(_) => profiles += 1,
            Err(e) => report
                .warnings
                .push(format!("{}: profile not stored: {e}", table.name)),
        }
    }

    let mut deleted = 0;
    if facts.mark_deleted_tables && facts.listing_complete {
        for gone in existing
            .values()
            .filter(|t| !facts.listed.contains(&t.name))
        {
            let path = format!("/v1/tables/{}?recursive=true&hardDelete=false", gone.id);
            match client.delete(&path).await {
                Ok(_) => deleted += 1,
                Err(e) => report
                    .failures
                    .push((gone.name.clone(), format!("soft delete failed: {e}"))),
            }
        }
    }
    report.notes.push(format!(
        "Tables: {created} created, {updated} updated, {unchanged} unchanged (same sourceHash), {deleted} marked deleted; {profiles} profiles stored"
    ));
    Ok(report)
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

/// Creates (or updates) each classification and tag the tables' labels name.
async fn ensure_tags(client: &OpenMetadataClient, requests: &Requests, report: &mut SinkReport) {
    let mut classifications: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for table in &requests.tables {
        for (classification, tag) in &table.tags {
            classifications
                .entry(classification)
                .or_default()
                .insert(tag);
        }
    }
    for (classification, tags) in classifications {
        let body = json!({
            "name": classification,
            "description": format!("DynamoDB tag key `{classification}`, from the tables' AWS tags."),
        });
        if let Err(e) = client.put("/v1/classifications", &body).await {
            report
                .failures
                .push((format!("classification {classification}"), e.to_string()));
            continue;
        }
        for tag in tags {
            let body = json!({
                "name": tag,
                "description": format!("DynamoDB tables tagged `{classification}` = `{tag}`."),
                "classification": quote(classification),
            });
            if let Err(e) = client.put("/v1/tags", &body).await {
                report
                    .failures
                    .push((format!("tag {classification}.{tag}"), e.to_string()));
            }
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
