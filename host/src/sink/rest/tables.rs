//! The table writes in flight: each job PUTs tables and then their profiles, on its own task,
//! while the run goes on handing over tables. On 1.x a job is one table (`PUT /v1/tables`); on
//! 2.x it is up to [`BULK_ROWS`] tables in one `PUT /v1/tables/bulk`, whose failed rows fail
//! their own tables only. A bounded number of jobs is open at once; the client bounds the calls.

use super::{ServerTable, has_pii_label, replace_pii_labels};
use crate::openmetadata::client::{ApiError, OpenMetadataClient};
use crate::openmetadata::fqn::encode;
use futures::stream::{self, StreamExt};
use serde_json::Value;
use std::sync::Arc;
use tokio::task::JoinSet;

/// Rows in one bulk call, as OpenMetadata 2.0's own sink sends them.
pub const BULK_ROWS: usize = 100;
/// Single-table jobs open at once (1.x); each holds one table's request.
const SINGLE_JOBS: usize = 64;
/// Bulk jobs open at once (2.x); each holds up to [`BULK_ROWS`] requests.
const BULK_JOBS: usize = 4;
/// Profiles one bulk job stores at once.
const PROFILES_PER_JOB: usize = 16;

/// One table to write, with what the server had of it before this run.
#[derive(Debug, Clone)]
pub struct TableJob {
    pub name: String,
    pub fully_qualified_name: String,
    pub request: Value,
    pub profile: Option<Value>,
    pub previous: Option<ServerTable>,
}

/// What became of one table.
#[derive(Debug)]
pub struct Written {
    pub name: String,
    pub outcome: Result<Stored, String>,
}

#[derive(Debug)]
pub struct Stored {
    /// Whether the server had the table before (an update, not a creation).
    pub updated: bool,
    /// Whether the table was not sent, its `sourceHash` being the server's.
    pub unchanged: bool,
    /// The profile: stored, or why not; `None` when the table has none.
    pub profile: Option<Result<(), String>>,
    /// The table's id on the server, when known.
    pub id: Option<String>,
}

/// How tables reach the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `PUT /v1/tables`, one per table (1.x).
    Single,
    /// `PUT /v1/tables/bulk` (2.x).
    Bulk,
}

/// The jobs in flight and the tables waiting for a bulk call.
pub struct InFlight {
    client: Arc<OpenMetadataClient>,
    mode: Mode,
    jobs: JoinSet<Vec<Written>>,
    waiting: Vec<TableJob>,
}

impl InFlight {
    pub fn new(client: Arc<OpenMetadataClient>, mode: Mode) -> InFlight {
        InFlight {
            client,
            mode,
            jobs: JoinSet::new(),
            waiting: Vec::new(),
        }
    }

    /// Takes one table. Returns what finished meanwhile; waits while as many jobs as allowed
    /// are open (which holds the run back instead of piling tables up in memory).
    pub async fn push(&mut self, job: TableJob) -> Vec<Written> {
        let mut done = self.finished();
        match self.mode {
            Mode::Single => {
                done.extend(self.room_for_one(SINGLE_JOBS).await);
                let client = self.client.clone();
                self.jobs
                    .spawn(async move { vec![put_one(&client, job).await] });
            }
            Mode::Bulk => {
                self.waiting.push(job);
                if self.waiting.len() >= BULK_ROWS {
                    done.extend(self.room_for_one(BULK_JOBS).await);
                    self.send_waiting();
                }
            }
        }
        done
    }

    /// An unchanged table (not sent again): only its profile, a new point of its time series.
    pub async fn push_profile(&mut self, job: TableJob) -> Vec<Written> {
        let mut done = self.finished();
        done.extend(self.room_for_one(SINGLE_JOBS).await);
        let client = self.client.clone();
        self.jobs.spawn(async move {
            let id = job.previous.as_ref().map(|p| p.id.clone());
            let profile = store_profile(&client, &job, id.clone()).await;
            vec![Written {
                name: job.name,
                outcome: Ok(Stored {
                    updated: false,
                    unchanged: true,
                    profile,
                    id,
                }),
            }]
        });
        done
    }

    /// At the end of a batch: on 2.x, the tables waiting go out at once when no bulk call is
    /// open (so a slow run's tables are not held back); otherwise they wait to fill a call.
    pub fn batch_done(&mut self) -> Vec<Written> {
        let done = self.finished();
        if self.mode == Mode::Bulk && !self.waiting.is_empty() && self.jobs.is_empty() {
            self.send_waiting();
        }
        done
    }

    /// Sends what waits and waits for every job.
    pub async fn drain(&mut self) -> Vec<Written> {
        self.send_waiting();
        let mut done = Vec::new();
        while let Some(result) = self.jobs.join_next().await {
            done.extend(job_result(result));
        }
        done
    }

    fn send_waiting(&mut self) {
        if self.waiting.is_empty() {
            return;
        }
        let rows = std::mem::take(&mut self.waiting);
        let client = self.client.clone();
        self.jobs
            .spawn(async move { put_bulk(&client, rows).await });
    }

    fn finished(&mut self) -> Vec<Written> {
        let mut done = Vec::new();
        while let Some(result) = self.jobs.try_join_next() {
            done.extend(job_result(result));
        }
        done
    }

    async fn room_for_one(&mut self, open: usize) -> Vec<Written> {
        let mut done = Vec::new();
        while self.jobs.len() >= open {
            match self.jobs.join_next().await {
                Some(result) => done.extend(job_result(result)),
                None => break,
            }
        }
        done
    }
}

/// A job that panicked lost its tables' outcomes; that cannot happen short of a bug, and the
/// summary then says so instead of the process going down.
fn job_result(result: Result<Vec<Written>, tokio::task::JoinError>) -> Vec<Written> {
    result.unwrap_or_else(|e| {
        vec![Written {
            name: "(sink task)".into(),
            outcome: Err(format!("a table write stopped: {e}")),
        }]
    })
}

/// 1.x: the table, then its profile.
async fn put_one(client: &OpenMetadataClient, job: TableJob) -> Written {
    let request = keep_server_pii_tags(client, &job).await;
    let outcome = match client.put("/v1/tables", &request).await {
        Err(e) => Err(e.to_string()),
        Ok(entity) => {
            let id = entity["id"]
                .as_str()
                .map(String::from)
                .or_else(|| job.previous.as_ref().map(|p| p.id.clone()));
            Ok(stored(client, &job, id).await)
        }
    };
    Written {
        name: job.name,
        outcome,
    }
}

/// 2.x: up to [`BULK_ROWS`] tables in one call; each failed row fails its table with the
/// server's reason; then the profiles of the stored ones. A server without the bulk endpoint
/// (404 or 405) gets the 1.x calls instead.
async fn put_bulk(client: &OpenMetadataClient, rows: Vec<TableJob>) -> Vec<Written> {
    let mut requests = Vec::with_capacity(rows.len());
    for job in &rows {
        requests.push(keep_server_pii_tags(client, job).await);
    }
    let answer = client
        .put(
            "/v1/tables/bulk?async=false&overrideMetadata=false",
            &Value::Array(requests),
        )
        .await;
    let failed = match answer {
        Err(ApiError { status, .. }) if status == 404 || status == 405 => {
            return stream::iter(rows.into_iter().map(|job| put_one(client, job)))
                .buffer_unordered(PROFILES_PER_JOB)
                .collect()
                .await;
        }
        Err(e) => {
            let why = format!("bulk write: {e}");
            return rows
                .into_iter()
                .map(|job| Written {
                    name: job.name,
                    outcome: Err(why.clone()),
                })
                .collect();
        }
        Ok(result) => failed_rows(&result),
    };
    stream::iter(rows.into_iter().map(|job| {
        let failure = failed
            .iter()
            .find(|(who, _)| who.names(&job))
            .map(|(_, why)| why.clone());
        async move {
            let outcome = match failure {
                Some(why) => Err(why),
                None => {
                    let id = match &job.previous {
                        Some(previous) => Some(previous.id.clone()),
                        None => table_id(client, &job.fully_qualified_name).await,
                    };
                    Ok(stored(client, &job, id).await)
                }
            };
            Written {
                name: job.name,
                outcome,
            }
        }
    }))
    .buffer_unordered(PROFILES_PER_JOB)
    .collect()
    .await
}

/// Which row a `failedRequest` entry is about: the server gives back the request (a create
/// request, with its `name`) or the entity's FQN or name.
#[derive(Debug)]
pub enum Row {
    Name(String),
    Text(String),
}

impl Row {
    fn names(&self, job: &TableJob) -> bool {
        match self {
            Row::Name(name) => *name == job.name,
            Row::Text(text) => *text == job.fully_qualified_name || *text == job.name,
        }
    }
}

/// The failed rows of a `BulkOperationResult`, with the server's reasons.
pub fn failed_rows(result: &Value) -> Vec<(Row, String)> {
    result["failedRequest"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|row| {
            let who = match &row["request"] {
                Value::String(text) => Row::Text(text.clone()),
                Value::Object(request) => Row::Name(request.get("name")?.as_str()?.to_string()),
                _ => return None,
            };
            let why = match (row["status"].as_u64(), row["message"].as_str()) {
                (Some(status), Some(message)) => format!("HTTP {status}: {message}"),
                (None, Some(message)) => message.to_string(),
                (Some(status), None) => format!("HTTP {status}"),
                (None, None) => "refused by the bulk call".to_string(),
            };
            Some((who, why))
        })
        .collect()
}

/// A table the server took (created or updated), with its profile stored under `id`.
async fn stored(client: &OpenMetadataClient, job: &TableJob, id: Option<String>) -> Stored {
    Stored {
        updated: job.previous.is_some(),
        unchanged: false,
        profile: store_profile(client, job, id.clone()).await,
        id,
    }
}

/// A new table's id, for its profile (a bulk answer names its rows, not their ids).
async fn table_id(client: &OpenMetadataClient, fqn: &str) -> Option<String> {
    let entity = client
        .get(&format!("/v1/tables/name/{}", encode(fqn)))
        .await
        .ok()?;
    entity["id"].as_str().map(String::from)
}

async fn store_profile(
    client: &OpenMetadataClient,
    job: &TableJob,
    id: Option<String>,
) -> Option<Result<(), String>> {
    let profile = job.profile.as_ref()?;
    let Some(id) = id else {
        return Some(Err("the server gave no id for the table".to_string()));
    };
    Some(
        client
            .put(&format!("/v1/tables/{}/tableProfile", encode(&id)), profile)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
    )
}

/// A column that already carries a `PII.*` tag on the server keeps it: the connector's own
/// suggestion for that column is replaced by the server's label (OpenMetadata leaves a column
/// alone when it already has a PII tag).
async fn keep_server_pii_tags(client: &OpenMetadataClient, job: &TableJob) -> Value {
    let mut request = job.request.clone();
    let Some(previous) = &job.previous else {
        return request;
    };
    if !has_pii_label(&request["columns"]) {
        return request;
    }
    let path = format!("/v1/tables/{}?fields=columns,tags", encode(&previous.id));
    let Ok(server) = client.get(&path).await else {
        return request;
    };
    replace_pii_labels(&mut request["columns"], &server["columns"]);
    request
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn job(name: &str) -> TableJob {
        TableJob {
            name: name.into(),
            fully_qualified_name: format!("svc.default.default.{name}"),
            request: json!({"name": name}),
            profile: None,
            previous: None,
        }
    }

    #[test]
    fn failed_rows_are_found_by_request_or_fqn() {
        let answer = json!({
            "status": "partialSuccess",
            "failedRequest": [
                {"request": {"name": "a", "columns": []}, "message": "Invalid column name x", "status": 400},
                {"request": "svc.default.default.b", "message": "refused"},
                {"request": 7, "message": "unreadable"},
            ],
        });
        let failed = failed_rows(&answer);
        assert_eq!(failed.len(), 2);
        assert!(failed[0].0.names(&job("a")) && !failed[0].0.names(&job("b")));
        assert_eq!(failed[0].1, "HTTP 400: Invalid column name x");
        assert!(failed[1].0.names(&job("b")) && !failed[1].0.names(&job("a")));
        assert_eq!(failed[1].1, "refused");
        assert!(failed_rows(&json!({"status": "success"})).is_empty());
    }
}
