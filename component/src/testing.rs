//! Native test support: a [`Transport`] that answers like DynamoDB from an in-memory list of
//! tables, records every request, and can be told to answer some calls with an error first.
//! It lets the ingestion flow (pagination, filters, retries, concurrency) be unit-tested
//! without wasm; the end-to-end tests run the same flow against real servers.

use crate::transport::{Request, Response, Transport, TransportError};
use serde_json::{Value, json};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Clone)]
pub enum Scripted {
    Status(u16, Value),
    Transport(TransportError),
    /// A 200 answer with this raw body.
    Raw(&'static str),
}

#[derive(Default)]
pub struct FakeDynamoDb {
    tables: BTreeMap<String, Value>,
    /// Tags by table name.
    tags: BTreeMap<String, Vec<(String, String)>>,
    /// The time-to-live attribute of the tables that have one on.
    ttl: BTreeMap<String, String>,
    /// Items by table name, in DynamoDB JSON.
    items: BTreeMap<String, Vec<Value>>,
    /// Answers of the operational reads (DescribeContinuousBackups, GetResourcePolicy,
    /// DescribeKinesisStreamingDestination, DescribeContributorInsights) by (operation, table);
    /// a table without one gets the answer of a table with the feature off.
    operational: BTreeMap<(String, String), Value>,
    /// Answers to give, per operation, before answering normally.
    scripted: RefCell<BTreeMap<String, VecDeque<Scripted>>>,
    /// `(operation, body)` of every request, in order.
    pub requests: RefCell<Vec<(String, Value)>>,
    /// The `authorization` header of every request, in order.
    pub authorizations: RefCell<Vec<String>>,
    pub slept: RefCell<Vec<Duration>>,
    in_flight: Cell<usize>,
    pub max_in_flight: Cell<usize>,
    /// Most names a ListTables page holds (DynamoDB: 100).
    pub page_size: usize,
    /// Most items a Scan page holds whatever its `Limit` (DynamoDB stops a page at 1 MB).
    pub scan_page_items: Option<usize>,
}

impl FakeDynamoDb {
    pub fn new() -> Self {
        FakeDynamoDb {
            page_size: 100,
            ..Default::default()
        }
    }

    /// Adds a table with a string partition key `id`.
    pub fn table(mut self, name: &str) -> Self {
        let description = json!({
            "TableName": name,
            "TableStatus": "ACTIVE",
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "ItemCount": 0,
            "TableSizeBytes": 0,
            "TableArn": format!("arn:aws:dynamodb:us-east-1:000000000000:table/{name}")
        });
        self.tables.insert(name.to_string(), description);
        self
    }

    /// A table like [`Self::table`]'s, with `extra` fields merged into its description.
    pub fn table_described(self, name: &str, extra: Value) -> Self {
        let mut fake = self.table(name);
        if let (Some(description), Value::Object(fields)) = (
            fake.tables.get_mut(name).and_then(Value::as_object_mut),
            extra,
        ) {
            description.extend(fields);
        }
        fake
    }

    pub fn tables(self, names: impl IntoIterator<Item = String>) -> Self {
        names.into_iter().fold(self, |fake, name| fake.table(&name))
    }

    /// `operation`'s answer for `table` (for ListExports, the table's ARN; for DescribeExport,
    /// the export's).
    pub fn with_answer(mut self, operation: &str, table: &str, answer: Value) -> Self {
        self.operational
            .insert((operation.to_string(), table.to_string()), answer);
        self
    }

    pub fn with_ttl(mut self, table: &str, attribute: &str) -> Self {
        self.ttl.insert(table.to_string(), attribute.to_string());
        self
    }

    pub fn tagged(mut self, table: &str, tags: &[(&str, &str)]) -> Self {
        self.tags.insert(
            table.to_string(),
            tags.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        self
    }

    pub fn items(mut self, table: &str, items: Vec<Value>) -> Self {
        self.items.insert(table.to_string(), items);
        self
    }

    /// The same answer `times` times in a row.
    pub fn script_times(self, operation: &str, times: usize, answer: Scripted) -> Self {
        (0..times).fold(self, |fake, _| fake.script(operation, answer.clone()))
    }

    pub fn script(self, operation: &str, answer: Scripted) -> Self {
        self.scripted
            .borrow_mut()
            .entry(operation.to_string())
            .or_default()
            .push_back(answer);
        self
    }

    pub fn calls(&self, operation: &str) -> usize {
        self.requests
            .borrow()
            .iter()
            .filter(|(op, _)| op == operation)
            .count()
    }

    /// STS's AssumeRole, answered with fixed temporary credentials.
    fn sts(&self, request: &Request) -> Response {
        let form = String::from_utf8_lossy(request.body()).into_owned();
        self.requests
            .borrow_mut()
            .push(("AssumeRole".to_string(), Value::String(form.clone())));
        if let Some(Scripted::Status(status, body)) = self
            .scripted
            .borrow_mut()
            .get_mut("AssumeRole")
            .and_then(|q| q.pop_front())
        {
            return response(status, body.as_str().unwrap_or_default().to_string());
        }
        assert!(form.contains("Action=AssumeRole"), "{form}");
        response(
            200,
            "<AssumeRoleResponse><AssumeRoleResult><Credentials>\
             <AccessKeyId>ASIATEMPORARY</AccessKeyId><SecretAccessKey>temp-secret</SecretAccessKey>\
             <SessionToken>temp-token</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration>\
             </Credentials></AssumeRoleResult></AssumeRoleResponse>"
                .to_string(),
        )
    }

    fn answer(&self, operation: &str, body: &Value) -> Result<Response, TransportError> {
        if let Some(scripted) = self
            .scripted
            .borrow_mut()
            .get_mut(operation)
            .and_then(|q| q.pop_front())
        {
            return match scripted {
                Scripted::Status(status, body) => Ok(response(status, body.to_string())),
                Scripted::Transport(error) => Err(error),
                Scripted::Raw(text) => Ok(response(200, text.to_string())),
            };
        }
        match operation {
            "ListTables" => {
                let limit = body["Limit"].as_u64().unwrap_or(100) as usize;
                let limit = limit.min(self.page_size);
                let start = body["ExclusiveStartTableName"].as_str();
                let names: Vec<&String> = self
                    .tables
                    .keys()
                    .filter(|n| start.is_none_or(|s| n.as_str() > s))
                    .take(limit)
                    .collect();
                let more = self
                    .tables
                    .keys()
                    .any(|n| names.last().is_some_and(|last| n > *last));
                let mut page = json!({ "TableNames": names });
                if more {
                    page["LastEvaluatedTableName"] = json!(names.last());
                }
                Ok(response(200, page.to_string()))
            }
            "DescribeTable" => {
                let name = body["TableName"].as_str().unwrap_or_default();
                match self.tables.get(name) {
                    Some(table) => Ok(response(200, json!({ "Table": table }).to_string())),
                    None => Ok(response(
                        400,
                        json!({"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                               "message": "Requested resource not found"})
                        .to_string(),
                    )),
                }
            }
            "ListTagsOfResource" => {
                let arn = body["ResourceArn"].as_str().unwrap_or_default();
                let table = arn.rsplit('/').next().unwrap_or_default();
                let tags: Vec<Value> = self
                    .tags
                    .get(table)
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| json!({"Key": k, "Value": v}))
                    .collect();
                Ok(response(200, json!({ "Tags": tags }).to_string()))
            }
            "DescribeTimeToLive" => {
                let table = body["TableName"].as_str().unwrap_or_default();
                let description = match self.ttl.get(table) {
                    Some(attribute) => {
                        json!({"TimeToLiveStatus": "ENABLED", "AttributeName": attribute})
                    }
                    None => json!({"TimeToLiveStatus": "DISABLED"}),
                };
                Ok(response(
                    200,
                    json!({ "TimeToLiveDescription": description }).to_string(),
                ))
            }
            "ListExports" | "DescribeExport" => {
                let key = body["TableArn"]
                    .as_str()
                    .or(body["ExportArn"].as_str())
                    .unwrap_or_default();
                let answer = match (
                    operation,
                    self.operational
                        .get(&(operation.to_string(), key.to_string())),
                ) {
                    (_, Some(answer)) => answer.clone(),
                    ("ListExports", None) => json!({"ExportSummaries": []}),
                    (_, None) => {
                        return Ok(response(
                            400,
                            json!({"__type": "com.amazonaws.dynamodb.v20120810#ExportNotFoundException",
                                   "message": "Export not found"})
                            .to_string(),
                        ));
                    }
                };
                Ok(response(200, answer.to_string()))
            }
            "DescribeContinuousBackups"
            | "GetResourcePolicy"
            | "DescribeKinesisStreamingDestination"
            | "DescribeContributorInsights" => {
                let table = match body["TableName"].as_str() {
                    Some(name) => name,
                    None => body["ResourceArn"]
                        .as_str()
                        .and_then(|arn| arn.rsplit('/').next())
                        .unwrap_or_default(),
                };
                let stored = self
                    .operational
                    .get(&(operation.to_string(), table.to_string()));
                let answer = match (operation, stored) {
                    (_, Some(answer)) => answer.clone(),
                    ("GetResourcePolicy", None) => {
                        return Ok(response(
                            400,
                            json!({"__type": "com.amazonaws.dynamodb.v20120810#PolicyNotFoundException",
                                   "message": "Resource-based policy not found"})
                            .to_string(),
                        ));
                    }
                    ("DescribeContinuousBackups", None) => json!({"ContinuousBackupsDescription": {
                        "ContinuousBackupsStatus": "ENABLED",
                        "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}}),
                    ("DescribeKinesisStreamingDestination", None) => {
                        json!({"TableName": table, "KinesisDataStreamDestinations": []})
                    }
                    (_, None) => {
                        json!({"TableName": table, "ContributorInsightsStatus": "DISABLED"})
                    }
                };
                Ok(response(200, answer.to_string()))
            }
            "Scan" => {
                // Item `i` is in segment `i % TotalSegments`; a page costs 0.5 read capacity
                // units per item, and a table's provisioned capacity, if any, is what
                // `provisioned` says.
                let table = body["TableName"].as_str().unwrap_or_default();
                let limit = (body["Limit"].as_u64().unwrap_or(u64::MAX) as usize)
                    .min(self.scan_page_items.unwrap_or(usize::MAX));
                let total = body["TotalSegments"].as_u64().unwrap_or(1) as usize;
                let segment = body["Segment"].as_u64().unwrap_or(0) as usize;
                let start = body["ExclusiveStartKey"]["i"]["N"]
                    .as_str()
                    .map_or(0, |n| n.parse::<usize>().unwrap() + 1);
                let all = self.items.get(table).cloned().unwrap_or_default();
                let mine: Vec<(usize, &Value)> = all
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % total == segment && *i >= start)
                    .collect();
                let page: Vec<(usize, &Value)> = mine.iter().take(limit).copied().collect();
                let items: Vec<&Value> = page.iter().map(|(_, v)| *v).collect();
                let mut out = json!({
                    "Items": items,
                    "Count": items.len(),
                    "ConsumedCapacity": {"TableName": table, "CapacityUnits": 0.5 * items.len() as f64},
                });
                if page.len() < mine.len()
                    && let Some((last, _)) = page.last()
                {
                    out["LastEvaluatedKey"] = json!({"i": {"N": last.to_string()}});
                }
                Ok(response(200, out.to_string()))
            }
            "BatchGetItem" => {
                // The items whose attributes include every attribute of a key; 0.5 read
                // capacity units per item found.
                let (table, request) = body["RequestItems"]
                    .as_object()
                    .and_then(|m| m.iter().next())
                    .expect("one table");
                let all = self.items.get(table).cloned().unwrap_or_default();
                let found: Vec<&Value> = request["Keys"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|key| {
                        all.iter().find(|item| {
                            key.as_object()
                                .is_some_and(|k| k.iter().all(|(name, v)| item[name] == *v))
                        })
                    })
                    .collect();
                let out = json!({
                    "Responses": {table: found},
                    "UnprocessedKeys": {},
                    "ConsumedCapacity": [{"TableName": table, "CapacityUnits": 0.5 * found.len() as f64}],
                });
                Ok(response(200, out.to_string()))
            }
            other => panic!("the fake does not answer {other}"),
        }
    }
}

fn response(status: u16, body: String) -> Response {
    http::Response::builder()
        .status(status)
        .body(body.into_bytes())
        .expect("valid response")
}

impl Transport for FakeDynamoDb {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let authorization = request.headers()["authorization"]
            .to_str()
            .unwrap()
            .to_string();
        self.authorizations.borrow_mut().push(authorization);
        if request.headers().get("x-amz-target").is_none() {
            return Ok(self.sts(&request));
        }
        let operation = request.headers()["x-amz-target"]
            .to_str()
            .unwrap()
            .rsplit('.')
            .next()
            .unwrap()
            .to_string();
        assert!(
            request.headers().contains_key("authorization"),
            "unsigned request"
        );
        let body: Value = serde_json::from_slice(request.body()).unwrap();
        self.requests
            .borrow_mut()
            .push((operation.clone(), body.clone()));
        self.in_flight.set(self.in_flight.get() + 1);
        self.max_in_flight
            .set(self.max_in_flight.get().max(self.in_flight.get()));
        // Let other requests start before this one answers, as a network would.
        futures_util::future::ready(()).await;
        YieldOnce(false).await;
        self.in_flight.set(self.in_flight.get() - 1);
        self.answer(&operation, &body)
    }

    async fn sleep(&self, duration: Duration) {
        self.slept.borrow_mut().push(duration);
    }

    /// A virtual clock: a fixed start, moved on by every sleep.
    fn now(&self) -> SystemTime {
        UNIX_EPOCH
            + Duration::from_secs(1_700_000_000)
            + self.slept.borrow().iter().sum::<Duration>()
    }

    fn random(&self) -> u64 {
        u64::MAX / 2
    }
}

/// Pending once, then ready: gives the executor a chance to poll other futures.
struct YieldOnce(bool);

impl std::future::Future for YieldOnce {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            std::task::Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}
