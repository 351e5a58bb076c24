//! A DynamoDB control plane for very large accounts: it answers `ListTables` (pages of 100,
//! sorted, `ExclusiveStartTableName` honoured) and `DescribeTable` from a generated catalog of
//! `n` tables (`t000000`, `t000001`, ...; string partition key `id`, every third table with a
//! number sort key), in constant memory and at loopback speed. Real servers slow down past
//! 10,000 tables (dynalite's listing is linear); this one does not, which is what a run of
//! 100,000 tables needs. Anything else is answered `UnknownOperationException`.

use crate::openmetadata::http::{self, Request, Response};
use serde_json::{Value, json};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

pub struct GeneratedCatalog {
    port: u16,
    shared: Arc<Shared>,
}

struct Shared {
    tables: u64,
    /// Whether the last page points back to the start instead of ending the listing.
    cycling: bool,
    /// Added before each answer.
    latency: Duration,
    requests: AtomicU64,
    /// When the last DescribeTable was answered.
    last_describe: std::sync::Mutex<Option<std::time::Instant>>,
    stopping: AtomicBool,
}

impl GeneratedCatalog {
    pub fn start(tables: u64) -> GeneratedCatalog {
        GeneratedCatalog::serve(tables, Duration::ZERO, false)
    }

    pub fn with_latency(tables: u64, latency: Duration) -> GeneratedCatalog {
        GeneratedCatalog::serve(tables, latency, false)
    }

    /// A listing that never ends: its last page names a `LastEvaluatedTableName`, and the page
    /// after it is the first page again (a cycle over `tables / 100` pages).
    pub fn cycling(tables: u64) -> GeneratedCatalog {
        GeneratedCatalog::serve(tables, Duration::ZERO, true)
    }

    fn serve(tables: u64, latency: Duration, cycling: bool) -> GeneratedCatalog {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind a loopback port");
        let port = listener.local_addr().expect("bound address").port();
        let shared = Arc::new(Shared {
            tables,
            cycling,
            latency,
            requests: AtomicU64::new(0),
            last_describe: std::sync::Mutex::new(None),
            stopping: AtomicBool::new(false),
        });
        let accepting = shared.clone();
        std::thread::Builder::new()
            .name(format!("catalog-{port}"))
            .spawn(move || {
                for stream in listener.incoming() {
                    if accepting.stopping.load(Ordering::Relaxed) {
                        return;
                    }
                    let Ok(stream) = stream else { continue };
                    let _ = stream.set_nodelay(true);
                    let serving = accepting.clone();
                    let _ = std::thread::Builder::new()
                        .name("catalog-connection".into())
                        .spawn(move || http::serve(stream, &mut |r| serving.answer(&r)));
                }
            })
            .expect("start the accept thread");
        GeneratedCatalog { port, shared }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// When the last DescribeTable answer was sent, if one was: with [`OpenMetadata::arrivals`]
    /// (crate::openmetadata) it orders what a sink did against the describes.
    pub fn last_describe_at(&self) -> Option<std::time::Instant> {
        *self
            .shared
            .last_describe
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// The name of table `i`.
    pub fn name(i: u64) -> String {
        format!("t{i:06}")
    }
}

impl Drop for GeneratedCatalog {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::Relaxed);
        // Wake the accept loop so that it sees the flag.
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
    }
}

impl Shared {
    fn answer(&self, request: &Request) -> Response {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if !self.latency.is_zero() {
            std::thread::sleep(self.latency);
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let operation = request
            .header("x-amz-target")
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or_default();
        if operation == "DescribeTable" {
            *self.last_describe.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(std::time::Instant::now());
        }
        match operation {
            "ListTables" => Response::json(200, &self.list(&body)),
            "DescribeTable" => match self.index(body["TableName"].as_str().unwrap_or_default()) {
                Some(i) => Response::json(200, &describe(i)),
                None => Response::json(
                    400,
                    &json!({"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                            "message": "Requested resource not found"}),
                ),
            },
            other => Response::json(
                400,
                &json!({"__type": "com.amazonaws.dynamodb.v20120810#UnknownOperationException",
                        "message": format!("{other} is not supported by the generated catalog")}),
            ),
        }
    }

    fn list(&self, body: &Value) -> Value {
        let limit = body["Limit"].as_u64().unwrap_or(100).clamp(1, 100);
        let mut start = match body["ExclusiveStartTableName"].as_str() {
            Some(name) => self.index(name).map_or(self.tables, |i| i + 1),
            None => 0,
        };
        if self.cycling && start >= self.tables {
            start = 0;
        }
        let end = (start + limit).min(self.tables);
        let names: Vec<String> = (start..end).map(GeneratedCatalog::name).collect();
        let mut page = json!({ "TableNames": names });
        if end < self.tables || (self.cycling && end > start) {
            page["LastEvaluatedTableName"] = json!(GeneratedCatalog::name(end - 1));
        }
        page
    }

    fn index(&self, name: &str) -> Option<u64> {
        let digits = name.strip_prefix('t')?;
        if digits.len() != 6 {
            return None;
        }
        digits.parse::<u64>().ok().filter(|i| *i < self.tables)
    }
}

fn describe(i: u64) -> Value {
    let name = GeneratedCatalog::name(i);
    let mut keys = vec![json!({"AttributeName": "id", "KeyType": "HASH"})];
    let mut attributes = vec![json!({"AttributeName": "id", "AttributeType": "S"})];
    if i.is_multiple_of(3) {
        keys.push(json!({"AttributeName": "at", "KeyType": "RANGE"}));
        attributes.push(json!({"AttributeName": "at", "AttributeType": "N"}));
    }
    json!({"Table": {
        "TableName": name,
        "TableStatus": "ACTIVE",
        "TableArn": format!("arn:aws:dynamodb:us-east-1:000000000000:table/{name}"),
        "TableId": format!("00000000-0000-4000-8000-{i:012}"),
        "CreationDateTime": 1_700_000_000.0 + i as f64,
        "KeySchema": keys,
        "AttributeDefinitions": attributes,
        "ItemCount": i * 7,
        "TableSizeBytes": i * 700,
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
        "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
    }})
}
