//! The OpenMetadata stand-in (`e2e::openmetadata`) over real HTTP, before any sink uses it:
//! authentication, the entity hierarchy and its versions, FQN quoting, schema and reference
//! checks, the server's table rules, paging, soft and hard deletes, profiles, fault knobs,
//! keep-alive and concurrency, HTTPS with its own CA; and for each server version it answers
//! as, the schemas it checks and (on 2.x) the bulk and deleteStale routes.

use dynamodb_connector::endpoint::percent_encode as encode;
use e2e::openmetadata::{
    Auth, EntityType, Fault, OpenMetadata, RequestMatch, SERVER_VERSIONS, ServerVersion,
};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

const SERVICE: &str = "local_dynamodb";
const SCHEMA_FQN: &str = "local_dynamodb.shop.default";

struct Reply {
    status: u16,
    retry_after: Option<String>,
    content_type: String,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    fn message(&self) -> String {
        self.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// A keep-alive HTTP client for one server, sending the bot token unless told otherwise.
struct Client {
    agent: ureq::Agent,
    base: String,
    authorization: Option<String>,
}

impl Client {
    fn new(om: &OpenMetadata) -> Client {
        Client::with_agent(om, plain_agent())
    }

    fn with_agent(om: &OpenMetadata, agent: ureq::Agent) -> Client {
        Client {
            agent,
            base: om.host_port().to_string(),
            authorization: Some(format!("Bearer {}", om.token())),
        }
    }

    fn authorization(mut self, value: Option<&str>) -> Client {
        self.authorization = value.map(String::from);
        self
    }

    fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None, "application/json")
    }

    fn delete(&self, path: &str) -> Reply {
        self.send("DELETE", path, None, "application/json")
    }

    fn put(&self, path: &str, body: &Value) -> Reply {
        self.send("PUT", path, Some(body.to_string()), "application/json")
    }

    fn send(&self, method: &str, path: &str, body: Option<String>, content_type: &str) -> Reply {
        let mut request = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(value) = &self.authorization {
            request = request.header("authorization", value);
        }
        if body.is_some() {
            request = request.header("content-type", content_type);
        }
        let request = request
            .body(body.unwrap_or_default().into_bytes())
            .expect("a valid request");
        let mut response = self
            .agent
            .run(request)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        };
        let retry_after = header("retry-after");
        let content_type = header("content-type").unwrap_or_default();
        Reply {
            status: response.status().as_u16(),
            retry_after,
            content_type,
            text: response.body_mut().read_to_string().expect("a text body"),
        }
    }
}

fn plain_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .allow_non_standard_methods(true)
        .build()
        .new_agent()
}

fn service_request(name: &str) -> Value {
    json!({
        "name": name,
        "serviceType": "DynamoDB",
        "connection": {"config": {"type": "DynamoDB", "awsConfig": {"awsRegion": "us-east-1"}}},
    })
}

fn table_request(name: &str) -> Value {
    json!({
        "name": name,
        "databaseSchema": SCHEMA_FQN,
        "tableType": "Regular",
        // A DynamoDB table keyed by hash and range, shaped as the server accepts it.
        "columns": [
            {"name": "id", "dataType": "STRING", "dataTypeDisplay": "string"},
            {"name": "placed_at", "dataType": "NUMBER", "dataTypeDisplay": "number"},
        ],
        "tableConstraints": [
            {"constraintType": "PRIMARY_KEY", "columns": ["id", "placed_at"]},
            {"constraintType": "SORT_KEY", "columns": ["placed_at"]},
        ],
        "sourceUrl": format!("https://us-east-1.console.aws.amazon.com/dynamodbv2/home?region=us-east-1#table?name={name}"),
        "sourceHash": format!("{:0>32}", name.len()),
    })
}

/// `local_dynamodb.shop.default`, made without HTTP.
fn seed_schema(om: &OpenMetadata) {
    om.seed(EntityType::DatabaseService, &service_request(SERVICE));
    om.seed(
        EntityType::Database,
        &json!({"name": "shop", "service": SERVICE}),
    );
    om.seed(
        EntityType::DatabaseSchema,
        &json!({"name": "default", "database": "local_dynamodb.shop"}),
    );
}

#[test]
fn the_version_needs_no_token_and_is_configurable() {
    let om = OpenMetadata::builder().version("0.13.2").start();
    let anonymous = Client::new(&om).authorization(None);
    let reply = anonymous.get("/v1/system/version");
    assert_eq!(reply.status, 200);
    let version = reply.json();
    assert_eq!(version["version"], "0.13.2");
    assert!(version["revision"].is_string() && version["timestamp"].is_u64());

    om.set_version("1.3.4");
    assert_eq!(
        Client::new(&om).get("/v1/system/version").json()["version"],
        "1.3.4"
    );
    let auth: Vec<Auth> = om.calls().iter().map(|c| c.auth).collect();
    assert_eq!(auth, [Auth::Missing, Auth::Valid]);
}

#[test]
fn requests_without_the_bot_token_are_refused_and_recorded() {
    let om = OpenMetadata::builder().token("the-bot-token").start();
    let body = service_request(SERVICE);
    let cases = [
        (None, "Not Authorized! Token not present", Auth::Missing),
        (
            Some("Basic dXNlcjpwYXNz"),
            "Not Authorized! Token not present",
            Auth::Missing,
        ),
        (
            Some("Bearer another-token"),
            "Not Authorized! Invalid token",
            Auth::Invalid,
        ),
    ];
    for (authorization, message, _) in &cases {
        let client = Client::new(&om).authorization(*authorization);
        let reply = client.put("/v1/services/databaseServices", &body);
        assert_eq!(reply.status, 401);
        assert_eq!(reply.json(), json!({"code": 401, "message": message}));
    }
    assert_eq!(om.service(SERVICE), None);
    let calls = om.calls();
    let recorded: Vec<(Auth, u16)> = calls.iter().map(|c| (c.auth, c.status)).collect();
    let expected: Vec<(Auth, u16)> = cases.iter().map(|c| (c.2, 401)).collect();
    assert_eq!(recorded, expected);
    assert_eq!(
        calls[2].header("Authorization"),
        Some("Bearer another-token")
    );

    let reply = Client::new(&om).put("/v1/services/databaseServices", &body);
    assert_eq!(reply.status, 201);
    assert_eq!(om.calls()[3].auth, Auth::Valid);
}

#[test]
fn put_creates_the_hierarchy_then_versions_each_change() {
    let om = OpenMetadata::start();
    let client = Client::new(&om);

    let created = client.put("/v1/services/databaseServices", &service_request(SERVICE));
    assert_eq!(created.status, 201);
    let service = created.json();
    assert_eq!(service["fullyQualifiedName"], SERVICE);
    assert_eq!(service["version"], 0.1);
    assert_eq!(service["updatedBy"], "ingestion-bot");
    assert_eq!(service["deleted"], false);
    assert_eq!(service["serviceType"], "DynamoDB");
    let id = service["id"].as_str().unwrap();
    assert_eq!(
        service["href"],
        format!("{}/v1/services/databaseServices/{id}", om.host_port())
    );

    let same = client.put("/v1/services/databaseServices", &service_request(SERVICE));
    assert_eq!(same.status, 200);
    assert_eq!(same.json(), service, "an identical PUT changes nothing");

    let mut described = service_request(SERVICE);
    described["description"] = json!("DynamoDB tables");
    let updated = client
        .put("/v1/services/databaseServices", &described)
        .json();
    assert_eq!(
        (updated["id"].as_str(), &updated["version"]),
        (Some(id), &json!(0.2))
    );
    assert_eq!(updated["description"], "DynamoDB tables");

    let database = client.put(
        "/v1/databases",
        &json!({"name": "shop", "service": SERVICE}),
    );
    assert_eq!(database.status, 201);
    let database = database.json();
    assert_eq!(database["fullyQualifiedName"], "local_dynamodb.shop");
    assert_eq!(database["serviceType"], "DynamoDB");
    assert_eq!(
        database["service"],
        json!({"id": id, "type": "databaseService", "name": SERVICE,
               "fullyQualifiedName": SERVICE, "deleted": false, "href": service["href"]})
    );

    let schema = client
        .put(
            "/v1/databaseSchemas",
            &json!({"name": "default", "database": "local_dynamodb.shop"}),
        )
        .json();
    assert_eq!(schema["fullyQualifiedName"], SCHEMA_FQN);
    assert_eq!(schema["database"]["type"], "database");
    assert_eq!(schema["service"]["id"], id);

    let dotted = table_request("orders.v2");
    let reply = client.put("/v1/tables", &dotted);
    assert_eq!(reply.status, 201);
    let table = reply.json();
    let fqn = "local_dynamodb.shop.default.\"orders.v2\"";
    assert_eq!(table["name"], "orders.v2");
    assert_eq!(table["fullyQualifiedName"], fqn);
    assert_eq!(
        table["columns"][0]["fullyQualifiedName"],
        format!("{fqn}.id")
    );
    assert_eq!(table["databaseSchema"]["fullyQualifiedName"], SCHEMA_FQN);
    assert_eq!(
        table["database"]["fullyQualifiedName"],
        "local_dynamodb.shop"
    );
    assert_eq!(table["service"]["type"], "databaseService");
    assert_eq!(table["tableConstraints"], dotted["tableConstraints"]);
    assert_eq!(table["sourceUrl"], dotted["sourceUrl"]);
    assert_eq!(om.table(fqn).unwrap(), table);

    // GET by name takes the FQN URL-encoded; fields= brings the fields left out by default.
    let path = format!("/v1/tables/name/{}", encode(fqn));
    let plain = client.get(&path).json();
    assert_eq!(plain["id"], table["id"]);
    assert_eq!(plain.get("tableConstraints"), None);
    let full = client
        .get(&format!("{path}?fields=tableConstraints,tags"))
        .json();
    assert_eq!(full["tableConstraints"], dotted["tableConstraints"]);
    assert_eq!(full["tags"], json!([]));
    let reply = client.get(&format!("{path}?fields=bogus"));
    assert_eq!(
        (reply.status, reply.message()),
        (400, "Invalid field name bogus".to_string())
    );
    let reply = client.get(&format!("/v1/tables/{}", table["id"].as_str().unwrap()));
    assert_eq!(reply.json()["fullyQualifiedName"], fqn);

    let summaries: Vec<String> = om.calls().iter().map(|c| c.summary()).collect();
    assert_eq!(
        summaries[..7],
        [
            "PUT /api/v1/services/databaseServices 201",
            "PUT /api/v1/services/databaseServices 200",
            "PUT /api/v1/services/databaseServices 200",
            "PUT /api/v1/databases 201",
            "PUT /api/v1/databaseSchemas 201",
            "PUT /api/v1/tables 201",
            "GET /api/v1/tables/name/local_dynamodb.shop.default.%22orders.v2%22 200",
        ]
    );
    assert_eq!(
        om.calls()[6].decoded_path(),
        format!("/api/v1/tables/name/{fqn}")
    );
    assert_eq!(om.calls()[5].body.as_ref(), Some(&dotted));
}

#[test]
fn containers_and_tags_must_exist() {
    let om = OpenMetadata::start();
    let client = Client::new(&om);
    let not_found = |reply: Reply| (reply.status, reply.message());

    let missing_service = client.get("/v1/services/databaseServices/name/nowhere");
    assert_eq!(
        missing_service.json(),
        json!({"code": 404, "message": "databaseService instance for nowhere not found"})
    );
    assert_eq!(
        not_found(client.put(
            "/v1/databases",
            &json!({"name": "shop", "service": SERVICE})
        )),
        (
            404,
            format!("databaseService instance for {SERVICE} not found")
        )
    );
    om.seed(EntityType::DatabaseService, &service_request(SERVICE));
    assert_eq!(
        not_found(client.put(
            "/v1/databaseSchemas",
            &json!({"name": "default", "database": "local_dynamodb.shop"})
        )),
        (
            404,
            "database instance for local_dynamodb.shop not found".into()
        )
    );
    seed_schema(&om);

    let mut tagged = table_request("users");
    tagged["tags"] = json!([{"tagFQN": "PII.Sensitive", "source": "Classification",
                             "labelType": "Automated", "state": "Confirmed"}]);
    assert_eq!(
        not_found(client.put("/v1/tables", &tagged)),
        (404, "tag instance for PII.Sensitive not found".into())
    );
    let tag =
        json!({"name": "Sensitive", "description": "Sensitive data", "classification": "PII"});
    assert_eq!(
        not_found(client.put("/v1/tags", &tag)),
        (404, "classification instance for PII not found".into())
    );
    let classification = client.put(
        "/v1/classifications",
        &json!({"name": "PII", "description": "Personal data"}),
    );
    assert_eq!(classification.status, 201);
    assert_eq!(classification.json()["fullyQualifiedName"], "PII");
    let created = client.put("/v1/tags", &tag).json();
    assert_eq!(created["fullyQualifiedName"], "PII.Sensitive");
    assert_eq!(created["classification"]["type"], "classification");
    let dotted = client
        .put(
            "/v1/tags",
            &json!({"name": "v1.2", "description": "dotted", "classification": "PII"}),
        )
        .json();
    assert_eq!(dotted["fullyQualifiedName"], "PII.\"v1.2\"");

    let reply = client.put("/v1/tables", &tagged);
    assert_eq!(reply.status, 201);
    assert_eq!(reply.json()["tags"], tagged["tags"]);

    // Column tags are checked too.
    let mut column_tagged = table_request("items");
    column_tagged["columns"][1]["tags"] = json!([{"tagFQN": "PII.Missing",
        "source": "Classification", "labelType": "Automated", "state": "Confirmed"}]);
    assert_eq!(
        not_found(client.put("/v1/tables", &column_tagged)),
        (404, "tag instance for PII.Missing not found".into())
    );
    assert!(om.schema_violations().is_empty());
}

#[test]
fn bodies_that_a_real_server_refuses_are_refused() {
    let om = OpenMetadata::start();
    seed_schema(&om);
    let client = Client::new(&om);

    let mut bad_type = table_request("orders");
    bad_type["columns"][0]["dataType"] = json!("MAP_OF_THINGS");
    let reply = client.put("/v1/tables", &bad_type);
    assert_eq!(reply.status, 400);
    assert!(
        reply.message().contains("/columns/0/dataType"),
        "{}",
        reply.text
    );
    let mut unknown_field = table_request("orders");
    unknown_field["rowCount"] = json!(3);
    assert_eq!(client.put("/v1/tables", &unknown_field).status, 400);
    let violations = om.schema_violations();
    assert_eq!(violations.len(), 2);
    assert_eq!(violations[0].schema, "createTable");
    assert_eq!(violations[0].path, "/api/v1/tables");
    assert_eq!(violations[0].body, bad_type);
    assert!(violations[1].message.contains("rowCount"));

    let no_description = client.put("/v1/classifications", &json!({"name": "PII"}));
    assert_eq!(no_description.status, 400);
    assert_eq!(om.schema_violations()[2].schema, "createClassification");

    // What OpenMetadata checks beyond the schema.
    let mut varchar = table_request("orders");
    varchar["columns"][0]["dataType"] = json!("VARCHAR");
    let reply = client.put("/v1/tables", &varchar);
    assert_eq!(
        (reply.status, reply.message()),
        (
            400,
            "For column data types char, varchar, binary, varbinary dataLength must not be null"
                .into()
        )
    );
    let mut constraint = table_request("orders");
    constraint["tableConstraints"][1]["columns"] = json!(["nope"]);
    assert_eq!(
        client.put("/v1/tables", &constraint).message(),
        "Invalid column name nope"
    );

    let reply = client.send(
        "PUT",
        "/v1/tables",
        Some("{not json".into()),
        "application/json",
    );
    assert_eq!(
        reply.json(),
        json!({"code": 400, "message": "Unable to process JSON"})
    );
    let reply = client.send(
        "PUT",
        "/v1/tables",
        Some(table_request("orders").to_string()),
        "text/plain",
    );
    assert_eq!(reply.status, 415);
    assert_eq!(om.schema_violations().len(), 3);
    assert_eq!(om.entities(EntityType::Table), Vec::<Value>::new());
}

/// `PUT /v1/lineage` as OpenMetadata's `LineageResource` takes it: an AddLineage of its
/// version's schema (no unknown field), both ends existing (`EntityRepository.get` of each
/// reference: 404 otherwise), one edge per pair however often it is sent, and an empty 200.
#[test]
fn lineage_needs_both_ends_and_keeps_one_edge_per_pair() {
    for version in e2e::openmetadata::SERVER_VERSIONS {
        let om = OpenMetadata::builder().version(version).start();
        let client = Client::new(&om);
        seed_schema(&om);
        let table = client.put("/v1/tables", &table_request("orders"));
        assert_eq!(table.status, 201, "{version}: {}", table.text);
        let table_id = table.json()["id"].as_str().unwrap().to_string();
        let topic = om.add_other("topic", "kinesis_prod.orders");
        assert_eq!(
            client.get("/v1/topics/name/kinesis_prod.orders").json()["id"],
            topic.as_str()
        );
        assert_eq!(
            client.get("/v1/topics/name/kinesis_prod.nothing").status,
            404
        );
        let edge = |to: &str| {
            json!({"edge": {"fromEntity": {"id": table_id, "type": "table"},
                            "toEntity": {"id": to, "type": "topic"},
                            "description": "streams"}})
        };
        let missing = "5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
        let reply = client.put("/v1/lineage", &edge(missing));
        assert_eq!(
            (reply.status, reply.message()),
            (404, format!("topic instance for {missing} not found")),
            "{version}"
        );
        let mut unknown_field = edge(&topic);
        unknown_field["edge"]["weight"] = json!(1);
        assert_eq!(
            client.put("/v1/lineage", &unknown_field).status,
            400,
            "{version}"
        );
        assert_eq!(om.schema_violations().len(), 1, "{version}");
        for _ in 0..2 {
            let reply = client.put("/v1/lineage", &edge(&topic));
            assert_eq!((reply.status, reply.text.as_str()), (200, ""), "{version}");
        }
        assert_eq!(om.lineage().len(), 1, "{version}");
    }
}

#[test]
fn a_table_patch_is_refused_as_the_server_refuses_it() {
    let om = OpenMetadata::start();
    let client = Client::new(&om);
    seed_schema(&om);
    let table = client.put("/v1/tables", &table_request("orders"));
    let id = table.json()["id"].as_str().unwrap().to_string();
    let path = format!("/v1/tables/{id}");
    om.seed(
        EntityType::Classification,
        &json!({"name": "PII", "description": "Personal data", "mutuallyExclusive": true}),
    );
    for tag in ["Sensitive", "NonSensitive"] {
        om.seed(
            EntityType::Tag,
            &json!({"name": tag, "description": tag, "classification": "PII"}),
        );
    }
    let label = |tag: &str| json!({"tagFQN": tag, "source": "Classification", "labelType": "Automated", "state": "Suggested"});
    let patch = |ops: Value, content_type: &str| {
        client.send("PATCH", &path, Some(ops.to_string()), content_type)
    };
    let add = json!([{"op": "add", "path": "/columns/0/tags", "value": [label("PII.Sensitive")]}]);
    // JSON, not JSON Patch: Jersey's 415.
    assert_eq!(patch(add.clone(), "application/json").status, 415);
    let bad_path = json!([{"op": "add", "path": "/columns/9/tags", "value": []}]);
    assert_eq!(patch(bad_path, "application/json-patch+json").status, 400);
    let unknown = json!([{"op": "add", "path": "/columns/0/tags", "value": [label("PII.Secret")]}]);
    let reply = patch(unknown, "application/json-patch+json");
    assert_eq!(
        (reply.status, reply.message()),
        (404, "tag instance for PII.Secret not found".to_string())
    );
    let both = json!([{"op": "add", "path": "/columns/0/tags",
                       "value": [label("PII.Sensitive"), label("PII.NonSensitive")]}]);
    let reply = patch(both, "application/json-patch+json");
    assert_eq!(
        (reply.status, reply.message()),
        (
            400,
            "Tag labels PII.Sensitive and PII.NonSensitive are mutually exclusive and can't be assigned together"
                .to_string()
        )
    );
    // What the server owns stays; the column gains its tag; the version goes up once.
    let mut renamed = add.as_array().unwrap().clone();
    renamed.push(json!({"op": "replace", "path": "/name", "value": "other"}));
    let reply = patch(Value::Array(renamed), "application/json-patch+json");
    assert_eq!(reply.status, 200, "{}", reply.text);
    let stored = om.table("local_dynamodb.shop.default.orders").unwrap();
    assert_eq!(stored["name"], "orders");
    assert_eq!(stored["version"], 0.2);
    assert_eq!(stored["columns"][0]["tags"][0]["tagFQN"], "PII.Sensitive");
    assert_eq!(stored["columns"][1].get("tags"), None);
}

#[test]
fn unknown_routes_are_404_and_wrong_methods_405() {
    let om = OpenMetadata::start();
    let client = Client::new(&om);
    for path in [
        "/v1/pipelines",
        "/v2/tables",
        "/v1/tables/name/",
        "/v1/databases/x/tableProfile",
    ] {
        let reply = client.get(path);
        assert_eq!(
            reply.json(),
            json!({"code": 404, "message": "HTTP 404 Not Found"}),
            "{path}"
        );
    }
    assert_eq!(client.get("/v1/tables/not-a-uuid").status, 404);
    let reply = client.delete("/v1/tables");
    assert_eq!(
        reply.json(),
        json!({"code": 405, "message": "HTTP 405 Method Not Allowed"})
    );
    assert_eq!(
        client.send("PATCH", "/v1/system/version", None, "").status,
        405
    );
    assert_eq!(om.calls().len(), 7);
}

#[test]
fn tables_are_listed_page_by_page() {
    let om = OpenMetadata::builder().max_list_limit(1000).start();
    seed_schema(&om);
    // A second schema whose tables must not show in the first one's list.
    om.seed(
        EntityType::DatabaseSchema,
        &json!({"name": "other", "database": "local_dynamodb.shop"}),
    );
    let names: Vec<String> = (0..25).map(|i| format!("t{i:02}")).collect();
    for name in &names {
        om.seed(EntityType::Table, &table_request(name));
    }
    let mut elsewhere = table_request("elsewhere");
    elsewhere["databaseSchema"] = json!("local_dynamodb.shop.other");
    om.seed(EntityType::Table, &elsewhere);

    let client = Client::new(&om);
    let list = format!("/v1/tables?databaseSchema={}", encode(SCHEMA_FQN));
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &after {
            None => format!("{list}&limit=10"),
            Some(cursor) => format!("{list}&limit=10&after={}", encode(cursor)),
        };
        let page = client.get(&path).json();
        pages += 1;
        assert_eq!(page["paging"]["total"], 25);
        assert_eq!(page["paging"].get("before").is_some(), pages > 1);
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["name"].as_str().unwrap().to_string()),
        );
        match page["paging"]["after"].as_str() {
            Some(cursor) => after = Some(cursor.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, names);

    let everything = client.get("/v1/tables?limit=1000").json();
    assert_eq!(everything["paging"]["total"], 26);
    assert_eq!(everything["paging"].get("after"), None);
    // As in OpenMetadata, a list carries each table's sourceHash only if asked for.
    assert_eq!(everything["data"][0].get("sourceHash"), None);
    let hashes = client
        .get(&format!("{list}&limit=1&fields=sourceHash"))
        .json();
    assert_eq!(
        hashes["data"][0]["sourceHash"],
        table_request("t00")["sourceHash"]
    );
    let default_limit = client.get(&list).json();
    assert_eq!(default_limit["data"].as_array().unwrap().len(), 10);

    let reply = client.get("/v1/tables?limit=1001");
    assert_eq!(
        (reply.status, reply.message()),
        (
            400,
            "query param limit must be less than or equal to 1000".into()
        )
    );
    assert_eq!(client.get("/v1/tables?limit=ten").status, 404);
    assert_eq!(client.get("/v1/tables?include=some").status, 404);
    assert_eq!(client.get("/v1/tables?after=%25%25").status, 400);
    let nowhere = client
        .get("/v1/tables?databaseSchema=local_dynamodb.shop.none")
        .json();
    assert_eq!(nowhere, json!({"data": [], "paging": {"total": 0}}));
}

#[test]
fn deleted_tables_are_listed_on_request_and_restored_by_put() {
    let om = OpenMetadata::start();
    seed_schema(&om);
    for name in ["kept", "stale"] {
        om.seed(EntityType::Table, &table_request(name));
    }
    let client = Client::new(&om);
    let stale_fqn = format!("{SCHEMA_FQN}.stale");
    let stale = om.table(&stale_fqn).unwrap();
    let id = stale["id"].as_str().unwrap().to_string();

    let reply = client.delete(&format!("/v1/tables/{id}?recursive=true&hardDelete=false"));
    assert_eq!(reply.status, 200);
    let deleted = reply.json();
    assert_eq!(
        (&deleted["deleted"], &deleted["version"]),
        (&json!(true), &json!(0.2))
    );
    assert_eq!(om.deleted_tables(), std::slice::from_ref(&deleted));

    let names = |include: &str| -> Vec<String> {
        let path = format!("/v1/tables?databaseSchema={SCHEMA_FQN}{include}");
        client.get(&path).json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(""), ["kept"]);
    assert_eq!(names("&include=non-deleted"), ["kept"]);
    assert_eq!(names("&include=deleted"), ["stale"]);
    assert_eq!(names("&include=all"), ["kept", "stale"]);
    assert_eq!(client.get(&format!("/v1/tables/{id}")).status, 404);
    assert_eq!(
        client
            .get(&format!("/v1/tables/{id}?include=deleted"))
            .status,
        200
    );
    let again = client.delete(&format!("/v1/tables/{id}"));
    assert_eq!(
        (again.status, again.message()),
        (404, format!("table instance for {id} not found"))
    );

    let restored = client.put("/v1/tables", &table_request("stale"));
    assert_eq!(restored.status, 200);
    let restored = restored.json();
    assert_eq!(
        (&restored["id"], &restored["deleted"], &restored["version"]),
        (&json!(id), &json!(false), &json!(0.3))
    );
    assert!(om.deleted_tables().is_empty());

    let hard = client.delete(&format!("/v1/tables/{id}?hardDelete=true&recursive=true"));
    assert_eq!(hard.status, 200);
    assert_eq!(om.table(&stale_fqn), None);
    assert_eq!(
        client.get(&format!("/v1/tables/{id}?include=all")).status,
        404
    );
    let recreated = client.put("/v1/tables", &table_request("stale"));
    assert_eq!(recreated.status, 201);
    assert_ne!(recreated.json()["id"], json!(id));
    assert_eq!(recreated.json()["version"], 0.1);
}

#[test]
fn deleting_a_container_needs_recursive() {
    let om = OpenMetadata::start();
    seed_schema(&om);
    om.seed(EntityType::Table, &table_request("orders"));
    let client = Client::new(&om);
    let schema_id = om.database_schema(SCHEMA_FQN).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reply = client.delete(&format!("/v1/databaseSchemas/{schema_id}"));
    assert_eq!(
        (reply.status, reply.message()),
        (400, "databaseSchema is not empty".into())
    );
    let reply = client.delete(&format!(
        "/v1/databaseSchemas/name/{SCHEMA_FQN}?recursive=true"
    ));
    assert_eq!(reply.status, 200);
    assert_eq!(om.deleted_tables().len(), 1);
    assert_eq!(
        client.put("/v1/tables", &table_request("orders")).message(),
        format!("databaseSchema instance for {SCHEMA_FQN} not found")
    );
}

#[test]
fn profiles_are_validated_and_kept_as_a_time_series() {
    let om = OpenMetadata::start();
    seed_schema(&om);
    let table = om.seed(EntityType::Table, &table_request("orders"));
    let fqn = format!("{SCHEMA_FQN}.orders");
    let path = format!("/v1/tables/{}/tableProfile", table["id"].as_str().unwrap());
    let client = Client::new(&om);
    let profile = |timestamp: u64, rows: u64| {
        json!({
            "tableProfile": {"timestamp": timestamp, "rowCount": rows, "columnCount": 2, "sizeInByte": 1024},
            "columnProfile": [{"name": "id", "timestamp": timestamp, "valuesCount": rows, "nullCount": 0}],
        })
    };

    let reply = client.put(&path, &profile(1_715_000_000_000, 3));
    assert_eq!(reply.status, 200);
    let answered = reply.json();
    assert_eq!(answered["fullyQualifiedName"], fqn);
    assert_eq!(answered["profile"]["rowCount"], 3);
    assert_eq!(answered["columns"][0]["profile"]["valuesCount"], 3);
    assert_eq!(answered["columns"][1].get("profile"), None);
    // An older profile arriving late is kept in the series but is not the latest.
    assert_eq!(
        client.put(&path, &profile(1_715_000_100_000, 5)).status,
        200
    );
    assert_eq!(
        client.put(&path, &profile(1_714_000_000_000, 1)).status,
        200
    );
    assert_eq!(
        om.profiles(&fqn),
        [
            profile(1_715_000_000_000, 3),
            profile(1_715_000_100_000, 5),
            profile(1_714_000_000_000, 1)
        ]
    );
    let latest = client
        .get(&format!("/v1/tables/name/{fqn}?fields=profile"))
        .json();
    assert_eq!(latest["profile"]["rowCount"], 5);
    assert_eq!(
        client
            .get(&format!("/v1/tables/name/{fqn}"))
            .json()
            .get("profile"),
        None
    );

    let no_timestamp = json!({"tableProfile": {"rowCount": 3}});
    assert_eq!(client.put(&path, &no_timestamp).status, 400);
    let bad_column = json!({"tableProfile": {"timestamp": 1}, "columnProfile": [{"name": "id"}]});
    assert_eq!(client.put(&path, &bad_column).status, 400);
    let schemas: Vec<String> = om
        .schema_violations()
        .into_iter()
        .map(|v| v.schema)
        .collect();
    // Both break OpenMetadata's createTableProfile schema (the request body's own schema).
    assert_eq!(schemas, ["createTableProfile", "createTableProfile"]);
    let unknown_column = json!({"tableProfile": {"timestamp": 1},
                                "columnProfile": [{"name": "nope", "timestamp": 1}]});
    assert_eq!(
        client.put(&path, &unknown_column).message(),
        "Invalid column name nope"
    );
    let missing = client.put(
        "/v1/tables/00000000-0000-4000-8000-000000000000/tableProfile",
        &profile(1, 1),
    );
    assert_eq!(missing.status, 404);
    assert_eq!(om.profiles(&fqn).len(), 3);
}

#[test]
fn faults_come_first_and_count_down() {
    let om = OpenMetadata::start();
    seed_schema(&om);
    let client = Client::new(&om);
    om.fail_next(
        RequestMatch::path("/api/v1/tables").method("PUT"),
        2,
        Fault::TooManyRequests,
    );
    om.fail_next(
        RequestMatch::path("/api/v1/services"),
        1,
        Fault::ServiceUnavailable,
    );
    om.fail_next(
        RequestMatch::path("/api/v1/services"),
        1,
        Fault::GatewayTimeout,
    );

    // GETs of /api/v1/tables are not PUTs: not affected.
    assert_eq!(client.get("/v1/tables").status, 200);
    for _ in 0..2 {
        let reply = client.put("/v1/tables", &table_request("orders"));
        assert_eq!(reply.status, 429);
        assert_eq!(reply.retry_after.as_deref(), Some("0"));
        assert_eq!(reply.message(), "Too Many Requests");
    }
    assert_eq!(
        client.put("/v1/tables", &table_request("orders")).status,
        201
    );
    let unavailable = client.get(&format!("/v1/services/databaseServices/name/{SERVICE}"));
    assert_eq!(unavailable.status, 503);
    assert_eq!(unavailable.content_type, "text/html");
    assert!(
        unavailable
            .text
            .contains("503 Service Temporarily Unavailable")
    );
    let timeout = client.get(&format!("/v1/services/databaseServices/name/{SERVICE}"));
    assert_eq!(timeout.status, 504);
    assert_eq!(
        client
            .get(&format!("/v1/services/databaseServices/name/{SERVICE}"))
            .status,
        200
    );

    om.reject_table("broken", "Invalid table: rejected on purpose");
    for _ in 0..2 {
        let reply = client.put("/v1/tables", &table_request("broken"));
        assert_eq!(
            reply.json(),
            json!({"code": 400, "message": "Invalid table: rejected on purpose"})
        );
    }
    assert_eq!(client.put("/v1/tables", &table_request("fine")).status, 201);
    let statuses: Vec<u16> = om.calls().iter().map(|c| c.status).collect();
    assert_eq!(statuses, [200, 429, 429, 201, 503, 504, 200, 400, 400, 201]);
    assert!(om.calls()[4].response.is_none());
    assert!(om.schema_violations().is_empty());
}

#[test]
fn reset_calls_forgets_calls_but_keeps_entities() {
    let om = OpenMetadata::start();
    seed_schema(&om);
    let client = Client::new(&om);
    client.put("/v1/tables", &table_request("orders"));
    client.put("/v1/classifications", &json!({"name": "PII"}));
    assert_eq!(om.calls().len(), 2);
    assert_eq!(om.schema_violations().len(), 1);
    om.reset_calls();
    assert!(om.calls().is_empty() && om.schema_violations().is_empty());
    let second = client.put("/v1/tables", &table_request("orders"));
    assert_eq!(second.status, 200);
    assert_eq!(second.json()["version"], 0.1);
    assert_eq!(
        om.calls().iter().map(|c| c.summary()).collect::<Vec<_>>(),
        ["PUT /api/v1/tables 200"]
    );
}

#[test]
fn concurrent_clients_keep_their_connections_alive() {
    let om = OpenMetadata::start();
    seed_schema(&om);
    std::thread::scope(|scope| {
        for worker in 0..4 {
            let om = &om;
            scope.spawn(move || {
                let client = Client::new(om);
                for i in 0..10 {
                    let reply =
                        client.put("/v1/tables", &table_request(&format!("w{worker}_t{i}")));
                    assert_eq!(reply.status, 201, "{}", reply.text);
                }
            });
        }
    });
    assert_eq!(om.entities(EntityType::Table).len(), 40);
    assert_eq!(om.calls().len(), 40);
    assert_eq!(
        om.connections_accepted(),
        4,
        "one kept-alive connection per client"
    );
}

/// Reads one response off a raw socket: (status line, body).
fn read_response(reader: &mut BufReader<TcpStream>) -> (String, String) {
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (
        status.trim_end().to_string(),
        String::from_utf8(body).unwrap(),
    )
}

#[test]
fn chunked_bodies_expect_continue_and_pipelined_requests() {
    let om = OpenMetadata::start();
    let stream = TcpStream::connect(("127.0.0.1", om.port())).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let body = service_request(SERVICE).to_string();
    let (first, rest) = body.split_at(10);
    let token = om.token();
    write!(
        writer,
        "PUT /api/v1/services/databaseServices HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
    )
    .unwrap();
    let mut interim = String::new();
    reader.read_line(&mut interim).unwrap();
    assert_eq!(interim, "HTTP/1.1 100 Continue\r\n");
    reader.read_line(&mut interim).unwrap();
    write!(
        writer,
        "{:x}\r\n{first}\r\n{:x};ext=1\r\n{rest}\r\n0\r\n\r\n",
        first.len(),
        rest.len()
    )
    .unwrap();
    // Two requests written at once: answered in order on the same connection.
    write!(
        writer,
        "GET /api/v1/services/databaseServices/name/{SERVICE} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n\
         GET /api/v1/system/version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let (status, created) = read_response(&mut reader);
    assert_eq!(status, "HTTP/1.1 201 Created");
    let (status, fetched) = read_response(&mut reader);
    assert_eq!(status, "HTTP/1.1 200 OK");
    let mut created: Value = serde_json::from_str(&created).unwrap();
    // A GET leaves `tags` out unless `fields=tags` asks for them.
    created
        .as_object_mut()
        .unwrap()
        .retain(|field, _| field != "tags");
    assert_eq!(created, serde_json::from_str::<Value>(&fetched).unwrap());
    let (status, _) = read_response(&mut reader);
    assert_eq!(status, "HTTP/1.1 200 OK");
    let mut after_close = Vec::new();
    assert_eq!(reader.read_to_end(&mut after_close).unwrap(), 0);
    assert_eq!(om.connections_accepted(), 1);
    assert_eq!(
        om.calls()[0].body,
        Some(serde_json::from_str::<Value>(&body).unwrap())
    );
}

#[test]
fn https_with_the_stand_ins_own_ca() {
    let om = OpenMetadata::builder().tls().start();
    assert!(om.host_port().starts_with("https://127.0.0.1:"));
    let pem = std::fs::read(om.ca_certificate().expect("a CA certificate")).unwrap();
    assert!(String::from_utf8_lossy(&pem).starts_with("-----BEGIN CERTIFICATE-----"));

    let agent = |tls: ureq::tls::TlsConfig| {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .tls_config(tls)
            .build()
            .new_agent()
    };
    let ca = ureq::tls::Certificate::from_pem(&pem).unwrap();
    let validating = agent(
        ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::new_with_certs(&[ca]))
            .build(),
    );
    let client = Client::with_agent(&om, validating);
    assert_eq!(client.get("/v1/system/version").status, 200);
    let created = client.put("/v1/services/databaseServices", &service_request(SERVICE));
    assert_eq!(created.status, 201);
    assert!(
        created.json()["href"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );

    // Mozilla's roots do not know the stand-in's CA.
    let public_roots = agent(ureq::tls::TlsConfig::builder().build());
    assert!(
        public_roots
            .get(format!("{}/v1/system/version", om.host_port()))
            .call()
            .is_err()
    );
    // verifySSL: ignore.
    let unverified = agent(
        ureq::tls::TlsConfig::builder()
            .disable_verification(true)
            .build(),
    );
    let client = Client::with_agent(&om, unverified);
    assert_eq!(client.get("/v1/system/version").status, 200);
    assert_eq!(om.calls().len(), 3);
}

/// A server answering as `version`, holding `local_dynamodb.shop.default`.
fn versioned(version: &str) -> OpenMetadata {
    let om = OpenMetadata::builder().version(version).start();
    seed_schema(&om);
    om
}

#[test]
fn each_version_reports_itself_and_checks_its_own_schemas() {
    let owner = json!({"id": "5c9d1a7e-2b3f-4e6a-9c8d-7f1e2d3c4b5a", "type": "user"});
    // For each version, a CreateTable field that only other versions know.
    let foreign = [
        ("1.3.4", "owners", json!([owner])),
        ("1.6.13", "owner", owner.clone()),
        ("1.9.17", "domain", json!("Sales")),
        ("2.0.7", "viewDefinition", json!("select 1")),
    ];
    for (version, (reported, field, value)) in SERVER_VERSIONS.into_iter().zip(foreign) {
        assert_eq!(version, reported);
        let om = versioned(version);
        assert_eq!(om.server_version(), ServerVersion::of(version));
        let client = Client::new(&om);
        let reply = client.get("/v1/system/version");
        assert_eq!(reply.status, 200);
        assert_eq!(reply.json()["version"], version);

        let mut request = table_request("orders");
        request[field] = value;
        let reply = client.put("/v1/tables", &request);
        assert_eq!(reply.status, 400, "{version}: {}", reply.text);
        let expected = format!(
            "Unrecognized field \"{field}\" (class org.openmetadata.schema.api.data.CreateTable), \
             not marked as ignorable ("
        );
        assert!(
            reply.message().starts_with(&expected),
            "{version}: {}",
            reply.text
        );

        // `aliases` is new in 2.0.
        let mut aliased = table_request("orders");
        aliased["aliases"] = json!(["local_dynamodb.shop.default.orders_synonym"]);
        let is_2 = version.starts_with("2.");
        let reply = client.put("/v1/tables", &aliased);
        assert_eq!(
            reply.status,
            if is_2 { 201 } else { 400 },
            "{version}: {}",
            reply.text
        );

        let violations = om.schema_violations();
        assert_eq!(violations.len(), if is_2 { 1 } else { 2 }, "{version}");
        assert!(violations.iter().all(|v| v.schema == "createTable"));
        assert!(
            violations[0].message.contains(field),
            "{}",
            violations[0].message
        );
        let reply = client.put("/v1/tables", &table_request("orders"));
        assert_eq!(reply.status, if is_2 { 200 } else { 201 }, "{}", reply.text);
    }
}

#[test]
fn names_the_exported_schemas_lost_are_still_checked() {
    for version in SERVER_VERSIONS {
        let om = versioned(version);
        let client = Client::new(&om);
        // 1.3's vendored schemas still have the pattern (and answer with it); later ones
        // lost it, and the stand-in answers as the server's Bean Validation does.
        let reply = client.put("/v1/tables", &table_request("a::b"));
        assert_eq!(reply.status, 400, "{version}");
        assert!(
            reply.message().contains("^((?!::).)*$"),
            "{version}: {}",
            reply.text
        );
        if version != "1.3.4" {
            assert_eq!(reply.message(), "[name must match \"^((?!::).)*$\"]");
        }
        // 1.3's tag names are words and a few signs; from 1.6 they are entity names.
        let classification = json!({"name": "PII/EU", "description": "Personal data"});
        let reply = client.put("/v1/classifications", &classification);
        if version == "1.3.4" {
            assert_eq!(reply.status, 400, "{}", reply.text);
        } else {
            assert_eq!(reply.status, 201, "{version}: {}", reply.text);
        }
        let schemas: Vec<String> = om
            .schema_violations()
            .into_iter()
            .map(|v| v.schema)
            .collect();
        assert_eq!(schemas[0], "createTable");
        assert_eq!(schemas.len(), if version == "1.3.4" { 2 } else { 1 });
    }
}

#[test]
fn the_servers_table_rules_hold_on_every_version() {
    let columns_without_constraints = |mut request: Value| {
        request.as_object_mut().unwrap().remove("tableConstraints");
        request
    };
    let mut two_primary_columns = columns_without_constraints(table_request("t1"));
    two_primary_columns["columns"][0]["constraint"] = json!("PRIMARY_KEY");
    two_primary_columns["columns"][1]["constraint"] = json!("PRIMARY_KEY");
    let mut primary_twice = table_request("t2");
    primary_twice["columns"][0]["constraint"] = json!("PRIMARY_KEY");
    let mut repeated_constraint = table_request("t3");
    repeated_constraint["tableConstraints"][1] = repeated_constraint["tableConstraints"][0].clone();
    let mut bare_struct = table_request("t4");
    bare_struct["columns"][1] = json!({"name": "placed_at", "dataType": "STRUCT"});
    let mut repeated_column = columns_without_constraints(table_request("t5"));
    repeated_column["columns"][1]["name"] = json!("id");
    let mut unknown_column = table_request("t6");
    unknown_column["tableConstraints"][0]["columns"] = json!(["id", "sk"]);
    let cases = [
        (
            two_primary_columns,
            "Multiple columns tagged with primary key constraints",
        ),
        (
            primary_twice,
            "A column already tagged as a primary key and table constraint also includes primary key",
        ),
        (
            repeated_constraint,
            "Duplicate constraint found in request: ",
        ),
        (
            bare_struct,
            "For column data type struct, children must not be null",
        ),
        (repeated_column, "Column name id is repeated"),
        (unknown_column, "Invalid column name sk"),
    ];
    let mut hash_only = columns_without_constraints(table_request("hash_only"));
    hash_only["columns"][0]["constraint"] = json!("PRIMARY_KEY");
    for version in SERVER_VERSIONS {
        let om = versioned(version);
        let client = Client::new(&om);
        for (request, message) in &cases {
            for method in ["PUT", "POST"] {
                let reply = client.send(
                    method,
                    "/v1/tables",
                    Some(request.to_string()),
                    "application/json",
                );
                assert_eq!(reply.status, 400, "{version} {method}: {}", reply.text);
                assert!(
                    reply.message().starts_with(message),
                    "{version}: {}",
                    reply.text
                );
            }
        }
        // The two DynamoDB key shapes.
        assert_eq!(
            client.put("/v1/tables", &hash_only).status,
            201,
            "{version}"
        );
        assert_eq!(
            client
                .put("/v1/tables", &table_request("hash_range"))
                .status,
            201
        );
        assert_eq!(om.entities(EntityType::Table).len(), 2);
        assert!(
            om.schema_violations().is_empty(),
            "the rules are not schema rules"
        );
    }
}

#[test]
fn bulk_on_2_0_stores_the_good_rows_and_reports_the_bad_ones() {
    let om = versioned("2.0.7");
    let client = Client::new(&om);
    let path = "/v1/tables/bulk?async=false&overrideMetadata=false";
    let mut bad = table_request("two_keys");
    bad.as_object_mut().unwrap().remove("tableConstraints");
    bad["columns"][0]["constraint"] = json!("PRIMARY_KEY");
    bad["columns"][1]["constraint"] = json!("PRIMARY_KEY");
    let rows = json!([table_request("orders"), bad]);
    let reply = client.put(path, &rows);
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        json!({
            "dryRun": false,
            "status": "partialSuccess",
            "numberOfRowsProcessed": 2,
            "numberOfRowsPassed": 1,
            "numberOfRowsFailed": 1,
            "successRequest": [{"request": format!("{SCHEMA_FQN}.orders"), "status": 201}],
            "failedRequest": [{"request": rows[1], "status": 400,
                               "message": "Multiple columns tagged with primary key constraints"}],
        })
    );
    let stored = om.table(&format!("{SCHEMA_FQN}.orders")).unwrap();
    assert_eq!(
        stored["columns"],
        client.put("/v1/tables", &table_request("orders")).json()["columns"]
    );
    assert_eq!(om.table(&format!("{SCHEMA_FQN}.two_keys")), None);

    // The same sourceHash again: skipped, even with other content.
    let mut described = table_request("orders");
    described["description"] = json!("not stored: the hash says nothing changed");
    let reply = client.put(path, &json!([described]));
    assert_eq!(
        reply.json()["successRequest"],
        json!([{"request": format!("{SCHEMA_FQN}.orders"), "status": 200}])
    );
    assert_eq!(om.table(&format!("{SCHEMA_FQN}.orders")).unwrap(), stored);

    // Rows the tests reject, and rows in a schema that does not exist, fail alone.
    om.reject_table("broken", "Invalid table: rejected on purpose");
    let mut elsewhere = table_request("elsewhere");
    elsewhere["databaseSchema"] = json!("local_dynamodb.shop.nowhere");
    let reply = client.put(path, &json!([table_request("broken"), elsewhere]));
    let result = reply.json();
    assert_eq!(result["status"], "failure");
    assert_eq!(
        result["failedRequest"][0]["message"],
        "Invalid table: rejected on purpose"
    );
    assert_eq!(result["failedRequest"][1]["status"], 404);

    // Databases and schemas too.
    let reply = client.put(
        "/v1/databases/bulk",
        &json!([{"name": "second", "service": SERVICE}]),
    );
    assert_eq!(
        reply.json()["successRequest"][0]["request"],
        "local_dynamodb.second"
    );
    let reply = client.put(
        "/v1/databaseSchemas/bulk",
        &json!([{"name": "default", "database": "local_dynamodb.second"}]),
    );
    assert_eq!(reply.json()["status"], "success");

    let reply = client.put(path, &table_request("orders"));
    assert_eq!(reply.status, 400, "the body is not a list");
    assert_eq!(om.bulk_sizes(), [2, 1, 2, 1, 1]);
    assert_eq!(
        om.bulk_calls(),
        [
            (EntityType::Table, 2),
            (EntityType::Table, 1),
            (EntityType::Table, 2),
            (EntityType::Database, 1),
            (EntityType::DatabaseSchema, 1),
        ]
    );
    assert!(om.schema_violations().is_empty());
}

#[test]
fn the_bulk_routes_are_unknown_to_1_x() {
    let stale =
        json!({"scopeFqn": SCHEMA_FQN, "scopeEntityType": "databaseSchema", "seenFqns": []});
    for version in &SERVER_VERSIONS[..3] {
        let om = versioned(version);
        let client = Client::new(&om);
        let not_found = json!({"code": 404, "message": "HTTP 404 Not Found"});
        for collection in ["tables", "databases", "databaseSchemas"] {
            let reply = client.put(&format!("/v1/{collection}/bulk"), &json!([]));
            assert_eq!(reply.json(), not_found, "{version} {collection}");
            let reply = client.send(
                "DELETE",
                &format!("/v1/{collection}/deleteStale"),
                Some(stale.to_string()),
                "application/json",
            );
            assert_eq!(reply.json(), not_found, "{version} {collection}");
        }
        assert!(om.bulk_sizes().is_empty());
    }
}

#[test]
fn delete_stale_on_2_0_soft_deletes_the_unseen_tables_only() {
    let om = versioned("2.0.7");
    for name in ["kept", "stale"] {
        om.seed(EntityType::Table, &table_request(name));
    }
    let client = Client::new(&om);
    let kept = format!("{SCHEMA_FQN}.kept");
    let stale = format!("{SCHEMA_FQN}.stale");
    let body =
        json!({"scopeFqn": SCHEMA_FQN, "scopeEntityType": "databaseSchema", "seenFqns": [kept]});
    let reply = client.send(
        "DELETE",
        "/v1/tables/deleteStale",
        Some(body.to_string()),
        "application/json",
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.json(),
        json!({
            "dryRun": false,
            "status": "success",
            "numberOfRowsProcessed": 1,
            "numberOfRowsPassed": 1,
            "numberOfRowsFailed": 0,
            "successRequest": [{"request": stale, "status": 200}],
            "failedRequest": [],
        })
    );
    let deleted = om.deleted_tables();
    assert_eq!(deleted.len(), 1);
    assert_eq!(
        (&deleted[0]["fullyQualifiedName"], &deleted[0]["version"]),
        (&json!(stale), &json!(0.2))
    );
    assert_eq!(om.table(&kept).unwrap()["deleted"], false);

    let unknown_field = json!({"scopeFqn": SCHEMA_FQN, "scopeEntityType": "databaseSchema",
                               "seenFqns": [], "everything": true});
    let reply = client.send(
        "DELETE",
        "/v1/tables/deleteStale",
        Some(unknown_field.to_string()),
        "application/json",
    );
    assert_eq!(reply.status, 400);
    assert!(
        reply
            .message()
            .starts_with("Unrecognized field \"everything\""),
        "{}",
        reply.text
    );
    assert_eq!(om.schema_violations()[0].schema, "bulkDeleteStaleRequest");
    assert_eq!(om.deleted_tables().len(), 1);
}

#[test]
fn calls_in_flight_and_the_creation_order_are_recorded() {
    let om = OpenMetadata::builder()
        .latency(std::time::Duration::from_millis(300))
        .start();
    seed_schema(&om);
    assert_eq!(om.max_in_flight(), 0);
    std::thread::scope(|scope| {
        for i in 0..3 {
            let om = &om;
            scope.spawn(move || {
                let reply = Client::new(om).put("/v1/tables", &table_request(&format!("t{i}")));
                assert_eq!(reply.status, 201, "{}", reply.text);
            });
        }
    });
    let overlapping = om.max_in_flight();
    assert!((2..=3).contains(&overlapping), "{overlapping}");
    om.reset_calls();
    assert_eq!(om.max_in_flight(), 0);
    let client = Client::new(&om);
    for _ in 0..2 {
        client.get("/v1/tables");
    }
    assert_eq!(om.max_in_flight(), 1, "one client, one call at a time");

    let order = om.creation_order();
    assert_eq!(
        order[..3],
        [
            (EntityType::DatabaseService, SERVICE.to_string()),
            (EntityType::Database, "local_dynamodb.shop".to_string()),
            (EntityType::DatabaseSchema, SCHEMA_FQN.to_string()),
        ]
    );
    assert_eq!(order.len(), 6);
    assert!(
        order[3..]
            .iter()
            .all(|(kind, _)| *kind == EntityType::Table)
    );
}
