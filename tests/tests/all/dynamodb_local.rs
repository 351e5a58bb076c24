//! The real host runs the real component against AWS's DynamoDB Local: tables of every key
//! shape, indexes, a dotted name, more than one ListTables page, filters, the connection test.
//! Every emitted request is validated against OpenMetadata's JSON Schemas.

use e2e::admin::Admin;
use e2e::host;
use e2e::servers::{Kind, Server};
use e2e::workflow::Workflow;
use serde_json::{Value, json};
use std::sync::OnceLock;

/// One DynamoDB Local for this file; each test works in its own namespace (access key id).
fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| Server::start(Kind::DynamoDbLocal))
}

fn table<'a>(entities: &'a [Value], name: &str) -> &'a Value {
    entities
        .iter()
        .find(|e| e.get("columns").is_some() && e["name"] == name)
        .unwrap_or_else(|| panic!("no table {name} in {entities:#?}"))
}

fn column_summary(table: &Value) -> Vec<(String, String, Option<String>)> {
    table["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["dataType"].as_str().unwrap().to_string(),
                c.get("constraint")
                    .and_then(|v| v.as_str())
                    .map(String::from),
            )
        })
        .collect()
}

fn col(name: &str, data_type: &str, constraint: Option<&str>) -> (String, String, Option<String>) {
    (name.into(), data_type.into(), constraint.map(String::from))
}

#[test]
fn every_key_shape_becomes_the_entities_openmetadata_expects() {
    let key = "AKIDSHAPES";
    let admin = Admin::new(&server().endpoint(), key);
    admin.create_table("hash_only", &[("id", "S", "HASH")]);
    admin.create_table(
        "hash_range",
        &[("customer", "S", "HASH"), ("placed_at", "N", "RANGE")],
    );
    admin.create_table("binary_key", &[("digest", "B", "HASH")]);
    admin.create_table("number_binary", &[("n", "N", "HASH"), ("b", "B", "RANGE")]);
    admin.create_table("orders.v2", &[("order_id", "S", "HASH")]);
    admin.create_table_with(
        "indexed",
        &[("pk", "S", "HASH"), ("sk", "S", "RANGE")],
        &[("email", "S"), ("created", "N")],
        json!({
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 3},
            "GlobalSecondaryIndexes": [{
                "IndexName": "by_email",
                "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 1}
            }],
            "LocalSecondaryIndexes": [{
                "IndexName": "by_created",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "created", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]}
            }]
        }),
    );

    let workflow = Workflow::new("local_dynamodb", &server().endpoint(), key)
        .connection("      databaseName: shop\n");
    let (run, entities) = host::ingest_to_stdout(&workflow);

    // service, database, schema, then the tables in listing (name) order
    assert_eq!(entities.len(), 3 + 6);
    assert_eq!(entities[0]["name"], "local_dynamodb");
    assert_eq!(entities[0]["serviceType"], "DynamoDB");
    assert_eq!(
        entities[0]["connection"]["config"]["awsConfig"]["awsRegion"],
        "us-east-1"
    );
    assert_eq!(entities[0]["connection"]["config"]["databaseName"], "shop");
    assert_eq!(
        entities[1],
        json!({"name": "shop", "service": "local_dynamodb"})
    );
    assert_eq!(
        entities[2],
        json!({"name": "default", "database": "local_dynamodb.shop"})
    );
    // Tables are written as they finish, so in no set order.
    let mut names: Vec<&str> = entities[3..]
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "binary_key",
            "hash_only",
            "hash_range",
            "indexed",
            "number_binary",
            "orders.v2"
        ]
    );

    for t in &entities[3..] {
        assert_eq!(t["tableType"], "Regular");
        assert_eq!(t["databaseSchema"], "local_dynamodb.shop.default");
        let name = t["name"].as_str().unwrap();
        assert_eq!(
            t["sourceUrl"],
            format!(
                "https://us-east-1.console.aws.amazon.com/dynamodbv2/home?region=us-east-1#table?name={name}"
            )
        );
    }

    let t = table(&entities, "hash_only");
    assert_eq!(
        column_summary(t),
        [col("id", "STRING", Some("PRIMARY_KEY"))]
    );
    // Hash only, as OpenMetadata's 2.0.7 connector sends it: the key column is the primary key
    // and no table constraint repeats it (the server refuses both at once).
    assert_eq!(t.get("tableConstraints"), None);

    let t = table(&entities, "hash_range");
    assert_eq!(
        column_summary(t),
        [
            col("customer", "STRING", None),
            col("placed_at", "NUMBER", None)
        ]
    );
    // Hash + range: no column constraint (the server refuses two PRIMARY_KEY columns); the
    // table's constraints say which key is which.
    assert_eq!(
        t["tableConstraints"],
        json!([
            {"constraintType": "PRIMARY_KEY", "columns": ["customer", "placed_at"]},
            {"constraintType": "SORT_KEY", "columns": ["placed_at"]}
        ])
    );
    assert_eq!(t["columns"][0]["ordinalPosition"], 1);
    assert_eq!(t["columns"][1]["ordinalPosition"], 2);

    let t = table(&entities, "binary_key");
    assert_eq!(
        column_summary(t),
        [col("digest", "BINARY", Some("PRIMARY_KEY"))]
    );
    // OpenMetadata refuses BINARY columns without a length
    assert_eq!(t["columns"][0]["dataLength"], 1);

    let t = table(&entities, "number_binary");
    assert_eq!(
        column_summary(t),
        [col("n", "NUMBER", None), col("b", "BINARY", None)]
    );
    assert_eq!(
        t["tableConstraints"],
        json!([
            {"constraintType": "PRIMARY_KEY", "columns": ["n", "b"]},
            {"constraintType": "SORT_KEY", "columns": ["b"]}
        ])
    );

    let t = table(&entities, "indexed");
    assert_eq!(
        column_summary(t),
        [
            col("pk", "STRING", None),
            col("sk", "STRING", None),
            col("email", "STRING", None),
            col("created", "NUMBER", None),
        ]
    );
    assert_eq!(
        t["columns"][2]["description"],
        "Partition key of index `by_email`."
    );
    assert_eq!(
        t["columns"][3]["description"],
        "Sort key of index `by_created`."
    );
    let description = t["description"].as_str().unwrap();
    assert!(
        description.contains("| Capacity | Provisioned: 5 read / 3 write capacity units |"),
        "{description}"
    );
    assert!(
        description.contains("| `by_email` | Global | `email` |  | ALL |"),
        "{description}"
    );
    assert!(
        description.contains("| `by_created` | Local | `pk` | `created` | INCLUDE (`total`) |"),
        "{description}"
    );

    // the dotted name is quoted in FQNs, not in the table's own name
    let t = table(&entities, "orders.v2");
    assert_eq!(
        column_summary(t),
        [col("order_id", "STRING", Some("PRIMARY_KEY"))]
    );

    assert!(
        run.stderr
            .contains("Tables listed: 6 (ingested 6, filtered 0, failed 0)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Workflow finished successfully"),
        "{}",
        run.stderr
    );
}

#[test]
fn listing_follows_pagination_past_one_hundred_tables() {
    let key = "AKIDPAGES";
    let admin = Admin::new(&server().endpoint(), key);
    let expected: Vec<String> = (0..150).map(|i| format!("t{i:03}")).collect();
    for name in &expected {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    // without tags, so that the request count is exactly pages + describes
    let workflow = Workflow::new("paged", &server().endpoint(), key).without_tags();
    let (run, entities) = host::ingest_to_stdout(&workflow);
    let mut names: Vec<&str> = entities[3..]
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, expected);
    // two ListTables pages and one DescribeTable per table, nothing retried
    assert!(
        run.stderr
            .contains("Requests: 152 (retries 0, throttled 0)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("Tables listed: 150 (ingested 150, filtered 0, failed 0)")
    );
}

#[test]
fn filtered_tables_cost_no_request_and_are_listed_in_the_summary() {
    let key = "AKIDFILTER";
    let admin = Admin::new(&server().endpoint(), key);
    for name in [
        "orders",
        "orders_archive",
        "tmp_scratch",
        "TMP_upper",
        "users",
    ] {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    // The time to live is the one operational read DynamoDB Local implements; the others are
    // off so that the count does not depend on how many asks of an unsupported call race the
    // first answer.
    let workflow = Workflow::new("filtered", &server().endpoint(), key)
        .source_config(
            "      includeTags: false\n      tableFilterPattern:\n        excludes:\n          - tmp_\n          - .*_archive$\n",
        )
        .only_reads(&["readTimeToLive"]);
    let (run, entities) = host::ingest_to_stdout(&workflow);
    let mut names: Vec<&str> = entities[3..]
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["orders", "users"]);
    // one page, and two describes with their time to live: the filtered tables were never
    // described
    assert!(
        run.stderr.contains("Requests: 5 (retries 0, throttled 0)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Filtered: 3"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("TMP_upper       matched tableFilterPattern.excludes `tmp_`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("orders_archive  matched tableFilterPattern.excludes `.*_archive$`"),
        "{}",
        run.stderr
    );

    // includes win over excludes; lookarounds work; FQN matching
    let workflow = Workflow::new("filtered", &server().endpoint(), key).source_config(
        "      tableFilterPattern:\n        includes: ['(?!tmp_)o']\n        excludes: ['orders']\n",
    );
    let (_, entities) = host::ingest_to_stdout(&workflow);
    let names: Vec<&str> = entities[3..]
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    // Tables arrive as their descriptions finish, not in listing order.
    let mut names = names;
    names.sort_unstable();
    assert_eq!(names, ["orders", "orders_archive"]);

    let workflow = Workflow::new("filtered", &server().endpoint(), key).source_config(
        "      useFqnForFiltering: true\n      tableFilterPattern:\n        includes: ['filtered\\.default\\.default\\.users$']\n",
    );
    let (_, entities) = host::ingest_to_stdout(&workflow);
    let names: Vec<&str> = entities[3..]
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["users"]);
}

/// OpenMetadata 1.9+ lets the connection carry default filter patterns ("Default Table Filter
/// Pattern"): OpenMetadata's UI copies them into a new pipeline, its runtime never reads them
/// (open-metadata/OpenMetadata#32971). A workflow YAML has no UI step, so a default applies here
/// when the pipeline sets no pattern of that kind, and the pipeline's own wins whole.
#[test]
fn the_connections_default_filters_apply_when_the_pipeline_sets_none() {
    let key = "AKIDDEFAULTFILTER";
    let admin = Admin::new(&server().endpoint(), key);
    for name in ["orders", "tmp_scratch", "old_orders"] {
        admin.create_table(name, &[("id", "S", "HASH")]);
    }
    let defaults =
        "      tableFilterPattern:\n        excludes: ['^tmp_']\n      supportsProfiler: true\n";
    let names = |workflow: &Workflow| {
        let (run, entities) = host::ingest_to_stdout(workflow);
        assert!(run.stderr.contains("Tables listed: 3"), "{}", run.stderr);
        let mut names: Vec<String> = entities[3..]
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect();
        names.sort_unstable();
        names
    };
    let workflow = Workflow::new("defaults", &server().endpoint(), key)
        .connection(defaults)
        .source_config("      includeTags: false\n");
    assert_eq!(names(&workflow), ["old_orders", "orders"]);
    let workflow = Workflow::new("defaults", &server().endpoint(), key)
        .connection(defaults)
        .source_config(
            "      includeTags: false\n      tableFilterPattern:\n        excludes: ['^old_']\n",
        );
    assert_eq!(names(&workflow), ["orders", "tmp_scratch"]);
}

/// DescribeTimeToLive: a table with TTL on gets its attribute as a number column with a
/// description, and a line in its own description; one without, nothing; the read can be off.
#[test]
fn a_tables_time_to_live_becomes_a_described_column() {
    let key = "AKIDTTL";
    let admin = Admin::new(&server().endpoint(), key);
    admin.create_table("ttl_sessions", &[("id", "S", "HASH")]);
    admin.create_table("ttl_none", &[("id", "S", "HASH")]);
    admin
        .call(
            "UpdateTimeToLive",
            &json!({"TableName": "ttl_sessions", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires_at"}}),
        )
        .expect("DynamoDB Local takes UpdateTimeToLive");
    let workflow = Workflow::new("ttl", &server().endpoint(), key)
        .source_config("      includeTags: false\n")
        .only_reads(&["readTimeToLive"]);
    let (run, entities) = host::ingest_to_stdout(&workflow);
    // A listing page, and a DescribeTable and a DescribeTimeToLive per table.
    assert!(
        run.stderr.contains("Requests: 5 (retries 0, throttled 0)"),
        "{}",
        run.stderr
    );
    let sessions = table(&entities, "ttl_sessions");
    let expires = sessions["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "expires_at")
        .unwrap_or_else(|| panic!("no TTL column: {sessions:#}"));
    assert_eq!(expires["dataType"], "NUMBER");
    assert_eq!(
        expires["tags"][0]["tagFQN"], "DynamoDB.TimeToLive",
        "{expires}"
    );
    assert!(
        expires["description"]
            .as_str()
            .unwrap()
            .starts_with("Time to live (enabled)"),
        "{expires}"
    );
    assert!(
        sessions["description"]
            .as_str()
            .unwrap()
            .contains("an item expires after the epoch second in `expires_at`"),
        "{sessions:#}"
    );
    let none = table(&entities, "ttl_none");
    assert_eq!(none["columns"].as_array().unwrap().len(), 1, "{none:#}");

    // Every read on: the four DynamoDB Local lacks are one log line each, never a warning.
    let all = Workflow::new("ttl", &server().endpoint(), key);
    let (run, _) = host::ingest_to_stdout(&all);
    assert!(run.stderr.contains("Warnings: 0"), "{}", run.stderr);
    for (what, operation) in [
        ("point-in-time recovery", "DescribeContinuousBackups"),
        ("resource-based policy", "GetResourcePolicy"),
        (
            "Kinesis streaming destinations",
            "DescribeKinesisStreamingDestination",
        ),
        ("Contributor Insights status", "DescribeContributorInsights"),
    ] {
        let line = format!("{what} not read: the endpoint does not support {operation}");
        assert_eq!(
            run.stderr.matches(&line).count(),
            1,
            "{line}\n{}",
            run.stderr
        );
    }

    let off = Workflow::new("ttl", &server().endpoint(), key).without_tags();
    let (run, entities) = host::ingest_to_stdout(&off);
    assert!(
        run.stderr.contains("Requests: 3 (retries 0, throttled 0)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        table(&entities, "ttl_sessions")["columns"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn an_invalid_filter_regex_is_a_clear_error() {
    let workflow = Workflow::new("bad_regex", &server().endpoint(), "AKIDREGEX")
        .source_config("      tableFilterPattern:\n        includes: ['orders(']\n");
    let dir = tempfile::tempdir().unwrap();
    let path = workflow.write(dir.path(), "workflow.yaml");
    let run = host::run(&["ingest", "-c", path.to_str().unwrap(), "--output", "-"]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("invalid configuration `sourceConfig.tableFilterPattern.includes[0]`: `orders(` is not a valid regular expression"),
        "{}",
        run.stderr
    );
}

/// The host checks a run's configuration against the schema the component declares
/// (`configuration-schema`) before it runs it: every key at fault is named with what it means,
/// and the workflow is a usage error (exit code 2), as one with an unknown key is.
#[test]
fn a_configuration_the_component_does_not_declare_is_refused_before_the_run() {
    let workflow = Workflow::new("bad_options", &server().endpoint(), "AKIDOPTIONS")
        .connection(
            "      connectionOptions:\n        describeConcurrency: lots\n        sampleScanRate: fast\n",
        );
    let dir = tempfile::tempdir().unwrap();
    let path = workflow.write(dir.path(), "workflow.yaml");
    for command in ["ingest", "test-connection"] {
        let run = host::run(&[command, "-c", path.to_str().unwrap()]);
        assert_eq!(run.code(), 2, "{}", run.stderr);
        for problem in [
            "invalid configuration: ",
            "`connectionOptions.describeConcurrency`: expected a whole number from 1 to 256 (DescribeTable (and tag) calls in flight at once.)",
            "`connectionOptions.sampleScanRate`: expected a decimal number (Share of a provisioned table's read capacity per second the sample may use (like Glue's scanRate).)",
        ] {
            assert!(run.stderr.contains(problem), "{problem}\n{}", run.stderr);
        }
    }
}

#[test]
fn test_connection_reports_the_first_page() {
    let key = "AKIDCONN";
    let admin = Admin::new(&server().endpoint(), key);
    admin.create_table("one", &[("id", "S", "HASH")]);
    let dir = tempfile::tempdir().unwrap();
    let path = Workflow::new("conn", &server().endpoint(), key).write(dir.path(), "w.yaml");
    let run = host::run(&["test-connection", "-c", path.to_str().unwrap()]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(run.stdout.contains(&format!(
        "Connection OK: ListTables answered at {}/ (region us-east-1): 1 table on the first page",
        server().endpoint()
    )), "{}", run.stdout);
}

#[test]
fn an_unreachable_endpoint_fails_fast_with_a_clear_error() {
    let port = e2e::servers::free_port();
    let dir = tempfile::tempdir().unwrap();
    let workflow = Workflow::new("down", &format!("http://127.0.0.1:{port}"), "AKIDDOWN")
        .connection("      connectionOptions:\n        maxAttempts: 2\n");
    let path = workflow.write(dir.path(), "w.yaml");
    let run = host::run(&["test-connection", "-c", path.to_str().unwrap()]);
    assert_eq!(run.code(), 1);
    assert!(
        run.stderr.contains("cannot reach the endpoint: ListTables: ConnectionRefused: connection refused (2 attempts)"),
        "{}",
        run.stderr
    );
}

#[test]
fn sampled_items_become_typed_columns_with_nested_children() {
    let key = "AKIDSAMPLE";
    let admin = Admin::new(&server().endpoint(), key);
    admin.create_table("customers", &[("id", "S", "HASH")]);
    admin.put_item(
        "customers",
        json!({
            "id": {"S": "c1"}, "name": {"S": "Ada"}, "vip": {"BOOL": true}, "score": {"N": "9.5"},
            "avatar": {"B": "AQID"}, "nickname": {"NULL": true}, "emails": {"SS": ["a@x.io"]},
            "lucky": {"NS": ["7"]}, "history": {"L": [{"N": "1"}, {"N": "2"}]},
            "address": {"M": {"city": {"S": "Lyon"}, "geo": {"M": {"lat": {"N": "45.7"}}}}}
        }),
    );
    admin.put_item(
        "customers",
        json!({"id": {"S": "c2"}, "name": {"S": "Bob"}, "score": {"S": "n/a"}}),
    );
    let workflow = Workflow::new("sampled", &server().endpoint(), key)
        .without_tags()
        .connection("      connectionOptions:\n        sampleSize: 50\n");
    let (_, entities) = host::ingest_to_stdout(&workflow);
    let t = table(&entities, "customers");
    let top: Vec<(&str, &str, &str)> = t["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                c["dataType"].as_str().unwrap(),
                c["dataTypeDisplay"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        top,
        [
            ("id", "STRING", "string"),
            ("address", "MAP", "map"),
            ("avatar", "BINARY", "binary"),
            ("emails", "SET", "set<string>"),
            ("history", "ARRAY", "array<number>"),
            ("lucky", "SET", "set<number>"),
            ("name", "STRING", "string"),
            ("nickname", "NULL", "null"),
            ("score", "UNION", "union<number,string>"),
            ("vip", "BOOLEAN", "boolean"),
        ]
    );
    let address = &t["columns"][1];
    assert_eq!(address["children"][0]["name"], "city");
    assert_eq!(address["children"][1]["name"], "geo");
    assert_eq!(address["children"][1]["children"][0]["name"], "lat");
    assert_eq!(address["children"][1]["children"][0]["dataType"], "NUMBER");
    assert_eq!(t["columns"][3]["arrayDataType"], "STRING");
    assert_eq!(t["columns"][4]["arrayDataType"], "NUMBER");
    assert_eq!(t["columns"][2]["dataLength"], 1);
    // sparse attributes are kept, and say how often they were seen
    assert_eq!(
        t["columns"][9]["description"],
        "Present in 1 of 2 sampled values."
    );
    assert_eq!(
        t["columns"][6]["description"],
        "Present in all 2 sampled values."
    );
}

#[test]
fn the_ingestion_format_carries_every_detail_machine_readable() {
    let key = "AKIDDETAILS";
    let admin = Admin::new(&server().endpoint(), key);
    admin.create_table_with(
        "events",
        &[("pk", "S", "HASH"), ("at", "N", "RANGE")],
        &[("kind", "S")],
        json!({
            "GlobalSecondaryIndexes": [{
                "IndexName": "by_kind",
                "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}
            }],
            "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}
        }),
    );
    admin.create_table("tmp_skip", &[("id", "S", "HASH")]);
    let workflow = Workflow::new("details", &server().endpoint(), key)
        .without_tags()
        .source_config("      tableFilterPattern:\n        excludes: ['^tmp_']\n");
    let dir = tempfile::tempdir().unwrap();
    let path = workflow.write(dir.path(), "workflow.yaml");
    // One array of the connector's records as they streamed: its scope, its batches, the end.
    let (_, records) = host::ingest_records(&path);
    assert_eq!(
        records[0]["scope"]["schema"]["fully_qualified_name"],
        "details.default.default"
    );
    let last = records.last().unwrap();
    assert_eq!(
        last["end"],
        json!({"listing_complete": true, "stopped": null})
    );
    let batches: Vec<&Value> = records[1..records.len() - 1]
        .iter()
        .map(|r| &r["batch"])
        .collect();
    let mut outcomes: Vec<Value> = batches
        .iter()
        .flat_map(|b| b["outcomes"].as_array().unwrap().clone())
        .collect();
    outcomes.sort_by_key(|o| o["name"].as_str().unwrap().to_string());
    assert_eq!(
        outcomes,
        [
            json!({"name": "events", "status": "Ingested"}),
            json!({"name": "tmp_skip", "status": {"Filtered": "matched tableFilterPattern.excludes `^tmp_`"}})
        ]
    );
    let tables: Vec<&Value> = batches
        .iter()
        .flat_map(|b| b["tables"].as_array().unwrap())
        .collect();
    let table = tables[0];
    let details = &table["details"]["Dynamodb"];
    assert_eq!(details["billing_mode"], "PAY_PER_REQUEST");
    assert_eq!(details["indexes"][0]["name"], "by_kind");
    assert_eq!(details["indexes"][0]["kind"], "Global");
    assert_eq!(details["indexes"][0]["projection_type"], "KEYS_ONLY");
    assert_eq!(details["stream"]["enabled"], true);
    assert_eq!(details["stream"]["view_type"], "NEW_IMAGE");
    assert_eq!(table["profile"]["row_count"], 0);
    assert_eq!(table["profile"]["column_count"], 3);
    let progress = &batches.last().unwrap()["progress"];
    assert_eq!(progress["listed"], 2);
    assert_eq!(progress["listing_complete"], true);
    assert_eq!(progress["stats"]["requests"], 2, "{progress}");
}
