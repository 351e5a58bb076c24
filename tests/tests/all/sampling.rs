//! Columns users can trust, end to end on DynamoDB Local with seeded items: a bounded,
//! representative sample (parallel-scan segments, a read capacity cap checked against
//! DynamoDB's own ConsumedCapacity), every column's coverage and profile, PII found in values
//! as well as names, mixed types and lists of maps, all validated against OpenMetadata's
//! schemas, and no sampled value in any output (each distinctive value is registered as a
//! secret, which every output of every run is checked for).

use e2e::admin::Admin;
use e2e::host;
use e2e::openmetadata::OpenMetadata;
use e2e::servers::{Kind, Server};
use e2e::workflow::Workflow;
use serde_json::{Value, json};
use std::sync::OnceLock;

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| Server::start(Kind::DynamoDbLocal))
}

/// A payment card number that passes the Luhn check: `4000 0000 0000 NNNC`.
fn card(n: u32) -> String {
    let body = format!("400000000000{:03}", n % 1000);
    let digits: Vec<u32> = body.chars().map(|c| c.to_digit(10).unwrap()).collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                *d
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

const ITEMS: u32 = 60;

/// The distinctive values of item `i`: none may ever appear in an output.
fn distinctive(i: u32) -> (String, String, String) {
    (
        format!("zq.person.{i:03}@example.org"),
        card(i),
        format!("+44 20 7946 {:04}", 1000 + i),
    )
}

/// Puts the sampled table's items, and returns them.
fn seed(admin: &Admin) -> Vec<Value> {
    admin.create_table("people", &[("id", "S", "HASH")]);
    let mut items = Vec::new();
    for i in 0..ITEMS {
        let (email, card, phone) = distinctive(i);
        for value in [&email, &card, &phone] {
            host::register_secret(value);
        }
        let mut item = json!({
            "id": {"S": format!("p{i:03}")},
            "contact": {"S": email},
            "digits": {"N": card},
            "phone_number": {"S": phone},
            "note": {"S": format!("visited on day {i}")},
            "mixed": if i % 4 == 0 { json!({"N": i.to_string()}) } else { json!({"S": format!("m{i}")}) },
            "lines": {"L": [
                {"M": {"sku": {"S": format!("SKU{i}")}, "qty": {"N": "2"}}},
                {"M": {"sku": {"S": "SKU0"}, "discount": {"N": "5"}}}
            ]},
            "labels": {"SS": ["a", "b"]},
        });
        if i % 3 == 0 {
            item["sometimes"] = json!({"BOOL": true});
        }
        // A number in one item in ten, NULL in one more: what a profile says of a rare column.
        match i % 10 {
            0 => item["rare"] = json!({"N": format!("{}", i * 7 % 23)}),
            5 => item["rare"] = json!({"NULL": true}),
            _ => {}
        }
        admin.put_item("people", item.clone());
        items.push(item);
    }
    items
}

/// The metrics OpenMetadata's profiler computes for a top-level column over `items` (its
/// `metrics/static/count.py`, `null_count.py`, `distinct_count.py`, `unique_count.py`,
/// `min.py`, `max.py`, `mean.py`, `min_length.py`, `max_length.py` and `metrics/composed/
/// null_ratio.py`, `distinct_ratio.py`, `unique_ratio.py`), with a missing attribute as NULL
/// and the column's type as the connector maps it: numbers are quantifiable, strings
/// concatenable, and a column of several types neither.
fn openmetadata_profile(items: &[Value], name: &str) -> serde_json::Map<String, Value> {
    let values: Vec<&Value> = items
        .iter()
        .filter_map(|item| item.get(name))
        .filter(|v| v.get("NULL").is_none())
        .collect();
    let (count, nulls) = (values.len(), items.len() - values.len());
    let mut profile = serde_json::Map::new();
    profile.insert("valuesCount".into(), json!(count));
    profile.insert("nullCount".into(), json!(nulls));
    profile.insert(
        "nullProportion".into(),
        json!(nulls as f64 / (count + nulls) as f64),
    );
    let mut occurrences: std::collections::BTreeMap<String, usize> = Default::default();
    for value in &values {
        *occurrences.entry(value.to_string()).or_default() += 1;
    }
    let distinct = occurrences.len();
    let unique = occurrences.values().filter(|n| **n == 1).count();
    profile.insert("distinctCount".into(), json!(distinct));
    profile.insert(
        "distinctProportion".into(),
        json!(distinct as f64 / count as f64),
    );
    profile.insert("uniqueCount".into(), json!(unique));
    profile.insert(
        "uniqueProportion".into(),
        json!(unique as f64 / count as f64),
    );
    let numbers: Vec<f64> = values
        .iter()
        .filter_map(|v| v.get("N")?.as_str()?.parse().ok())
        .collect();
    let strings: Vec<usize> = values
        .iter()
        .filter_map(|v| Some(v.get("S")?.as_str()?.chars().count()))
        .collect();
    if !values.is_empty() && numbers.len() == values.len() {
        let min = numbers.iter().copied().fold(f64::INFINITY, f64::min);
        let max = numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        profile.insert("min".into(), json!(min));
        profile.insert("max".into(), json!(max));
        profile.insert(
            "mean".into(),
            json!(numbers.iter().sum::<f64>() / count as f64),
        );
    }
    if !values.is_empty() && strings.len() == values.len() {
        profile.insert("minLength".into(), json!(strings.iter().min()));
        profile.insert("maxLength".into(), json!(strings.iter().max()));
        let mean = strings.iter().sum::<usize>() as f64 / count as f64;
        profile.insert("mean".into(), json!(mean));
    }
    profile
}

/// Each metric of `sent` equals OpenMetadata's (`expected`); `sent` leaves out only what the
/// connector cannot give or must not: the distinct counts of containers, a PII number's range
/// and mean.
fn assert_profile_is_openmetadatas(sent: &Value, expected: &serde_json::Map<String, Value>) {
    let name = sent["name"].as_str().unwrap();
    for (metric, value) in sent.as_object().unwrap() {
        if metric == "name" || metric == "timestamp" {
            continue;
        }
        let want = expected.get(metric).unwrap_or_else(|| {
            panic!("{name}: `{metric}` {value} is no metric OpenMetadata computes here: {sent}")
        });
        let (got, want) = (value.as_f64().unwrap(), want.as_f64().unwrap());
        assert!(
            (got - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{name}: `{metric}` is {got}, OpenMetadata's profiler gives {want}"
        );
    }
    for metric in ["valuesCount", "nullCount", "nullProportion"] {
        assert!(sent.get(metric).is_some(), "{name}: no `{metric}`: {sent}");
    }
}

/// The column `name` of a table entity.
pub(crate) fn column<'a>(table: &'a Value, name: &str) -> &'a Value {
    table["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no column {name} in {table}"))
}

/// A column's tag FQNs; each label must be Automated and Suggested (auto-classification's).
pub(crate) fn tags(column: &Value) -> Vec<String> {
    column["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            assert_eq!(t["labelType"], "Automated");
            assert_eq!(t["state"], "Suggested");
            t["tagFQN"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn sampled_columns_carry_coverage_profiles_and_pii_and_no_value_leaves() {
    let key = "AKIDSAMPLING";
    let admin = Admin::new(&server().endpoint(), key);
    let items = seed(&admin);
    let om = OpenMetadata::start();
    host::register_secret(&om.token());
    let mut workflow = Workflow::new("sampling", &server().endpoint(), key)
        .without_tags()
        .connection(
            "      connectionOptions:\n        sampleSize: 100\n        sampleSegments: 4\n        sampleConvergenceItems: 0\n",
        );
    workflow.sink = "sink:\n  type: metadata-rest\n  config: {}\n".into();
    workflow.workflow_config = format!(
        "  loggerLevel: DEBUG\n  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    securityConfig:\n      jwtToken: {}\n",
        om.host_port(),
        om.token()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = workflow.write(dir.path(), "workflow.yaml");
    let run = host::run(&["ingest", "-c", path.to_str().unwrap()]);
    assert_eq!(run.code(), 0, "{}", run.stderr);

    let table = om
        .table("sampling.default.default.people")
        .expect("the table");
    // PII in values (a column named `contact` holding e-mail addresses, `digits` holding
    // payment cards) and in names (`phone_number`); nothing where there is none.
    assert_eq!(tags(column(&table, "contact")), ["PII.Sensitive"]);
    assert_eq!(tags(column(&table, "digits")), ["PII.Sensitive"]);
    assert_eq!(tags(column(&table, "phone_number")), ["PII.NonSensitive"]);
    assert!(tags(column(&table, "note")).is_empty());
    assert!(
        column(&table, "contact")["description"]
            .as_str()
            .unwrap()
            .contains("PII: Sensitive (email address; recogniser value:email, confidence"),
        "{}",
        column(&table, "contact")
    );
    // OpenMetadata's PII classification and tags were created, since the server had none.
    assert!(om.classification("PII").is_some());
    assert!(om.tag("PII.Sensitive").is_some() && om.tag("PII.NonSensitive").is_some());

    // Coverage, mixed types, lists of maps, sets.
    assert_eq!(
        column(&table, "sometimes")["description"],
        "Present in 20 of 60 sampled values."
    );
    let mixed = column(&table, "mixed");
    assert_eq!(mixed["dataType"], "UNION");
    assert_eq!(mixed["dataTypeDisplay"], "union<number,string>");
    let lines = column(&table, "lines");
    assert_eq!(lines["dataTypeDisplay"], "array<map>");
    let children: Vec<&str> = lines["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(children, ["discount", "qty", "sku"]);
    let labels = column(&table, "labels");
    assert_eq!(labels["dataType"], "SET");
    assert_eq!(labels["arrayDataType"], "STRING");

    // Profiles: the stand-in validated each against OpenMetadata's schemas.
    let profile = om
        .profiles("sampling.default.default.people")
        .pop()
        .unwrap_or_else(|| {
            panic!(
                "no stored profile: {:#?}\n{}",
                om.schema_violations(),
                run.stderr
            )
        });
    let columns = profile["columnProfile"].as_array().unwrap();
    let of = |name: &str| columns.iter().find(|c| c["name"] == name).unwrap().clone();
    // Every column's metrics as OpenMetadata's profiler computes them on the same 60 items.
    for sent in columns {
        let name = sent["name"].as_str().unwrap();
        assert_profile_is_openmetadatas(sent, &openmetadata_profile(&items, name));
    }
    let sometimes = of("sometimes");
    assert_eq!(
        (
            sometimes["valuesCount"].as_u64(),
            sometimes["nullCount"].as_u64()
        ),
        (Some(20), Some(40))
    );
    // Present in 6 items, NULL in 6 more: 6 values and 54 nulls of 60, a range and a mean
    // (contract 0.4.0; checked against OpenMetadata's `mean.py` above).
    let rare = of("rare");
    assert_eq!(
        (rare["valuesCount"].as_u64(), rare["nullCount"].as_u64()),
        (Some(6), Some(54))
    );
    assert_eq!(rare["nullProportion"], 0.9);
    assert!(
        rare.get("min").is_some() && rare.get("max").is_some() && rare.get("mean").is_some(),
        "{rare}"
    );
    // Numbers in one item in four, strings in the others: neither a range nor a length.
    let mixed = of("mixed");
    for metric in ["min", "max", "mean", "minLength", "maxLength"] {
        assert!(mixed.get(metric).is_none(), "{mixed}");
    }
    assert!(of("note").get("mean").is_some());
    let id = of("id");
    assert_eq!(id["distinctCount"], 60);
    assert_eq!(id["uniqueCount"], 60);
    assert_eq!(id["minLength"], 4);
    let digits = of("digits");
    assert!(
        digits.get("min").is_none() && digits.get("max").is_none(),
        "{digits}"
    );
    assert!(of("note")["maxLength"].as_u64().unwrap() >= 16);
    assert!(
        om.schema_violations().is_empty(),
        "{:?}",
        om.schema_violations()
    );

    // A data steward overrides `contact` on the server: the next run, which sends the table
    // again (an item brought a new attribute), leaves that column's PII label alone, as
    // OpenMetadata's auto-classification does, and still labels the others.
    let steward = json!([{"tagFQN": "PII.NonSensitive", "source": "Classification",
                          "labelType": "Manual", "state": "Confirmed"}]);
    let mut request = json!({
        "name": "people",
        "databaseSchema": "sampling.default.default",
        "tableType": table["tableType"],
        "columns": table["columns"],
    });
    for column in request["columns"].as_array_mut().unwrap() {
        strip_server_fields(column);
        if column["name"] == "contact" {
            column["tags"] = steward.clone();
        }
    }
    om.seed(e2e::openmetadata::EntityType::Table, &request);
    admin.put_item(
        "people",
        json!({"id": {"S": "p999"}, "brand_new": {"S": "x"}}),
    );
    let run = host::run(&["ingest", "-c", path.to_str().unwrap()]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    let table = om.table("sampling.default.default.people").unwrap();
    column(&table, "brand_new"); // the rerun did send the table
    assert_eq!(column(&table, "contact")["tags"], steward);
    assert_eq!(tags(column(&table, "digits")), ["PII.Sensitive"]);
}

/// A stored column as a create request's column: without what the server derives.
fn strip_server_fields(column: &mut Value) {
    if let Some(fields) = column.as_object_mut() {
        fields.remove("fullyQualifiedName");
        for child in fields
            .get_mut("children")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            strip_server_fields(child);
        }
    }
}

#[test]
fn the_read_capacity_cap_is_honoured_as_dynamodb_counts_it() {
    let key = "AKIDCAPACITY";
    let admin = Admin::new(&server().endpoint(), key);
    admin.create_table("bulk", &[("id", "S", "HASH")]);
    let padding = "x".repeat(3000);
    for i in 0..200 {
        admin.put_item(
            "bulk",
            json!({"id": {"S": format!("b{i:03}")}, "payload": {"S": padding}}),
        );
    }
    let workflow = Workflow::new("capacity", &server().endpoint(), key)
        .without_tags()
        .connection(
            "      connectionOptions:\n        sampleSize: 1000\n        sampleReadCapacityUnits: 10\n        sampleConvergenceItems: 0\n",
        );
    let dir = tempfile::tempdir().unwrap();
    let path = workflow.write(dir.path(), "workflow.yaml");
    let (_, records) = host::ingest_records(&path);
    let table = host::record_table(&records, "bulk");
    let report = &table["sampling"];
    let consumed = report["consumed_capacity"].as_f64().unwrap();
    assert!(
        consumed > 0.0,
        "DynamoDB reported no ConsumedCapacity: {report}"
    );
    assert!(
        consumed <= 10.0,
        "{consumed} RCU consumed for a cap of 10: {report}"
    );
    assert!(
        report["limits"]
            .as_array()
            .unwrap()
            .contains(&json!("ReadCapacity")),
        "{report}"
    );
    assert!(report["items"].as_u64().unwrap() < 200, "{report}");
    assert!(report["segments_read"].as_u64().unwrap() >= 1);
}

/// DataHub's `include_table_item`, on DynamoDB Local: items named by key are read first
/// (BatchGetItem), so an attribute only they hold gets its column although a bounded scan
/// misses it; the sample still stops at `sampleSize`.
#[test]
fn chosen_items_bring_the_attributes_a_bounded_scan_misses() {
    // Its own server: the other tests count what they list.
    let server = Server::start(Kind::DynamoDbLocal);
    let key = "AKIDCHOSEN";
    let admin = Admin::new(&server.endpoint(), key);
    admin.create_table("chosen", &[("id", "S", "HASH")]);
    for i in 0..30 {
        admin.put_item(
            "chosen",
            json!({"id": {"S": format!("c{i:02}")}, format!("only_{i:02}"): {"N": i.to_string()}}),
        );
    }
    let workflow = |extra: &str| {
        Workflow::new("chosen", &server.endpoint(), key)
            .without_tags()
            .connection(&format!(
                "      connectionOptions:\n        sampleSize: 3\n        sampleSegments: 1\n        sampleConvergenceItems: 0\n{extra}"
            ))
    };
    let only_columns = |entities: &[Value]| -> Vec<String> {
        let table = entities
            .iter()
            .find(|e| e["name"] == "chosen" && e.get("columns").is_some())
            .expect("the table");
        table["columns"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["name"].as_str())
            .filter(|n| n.starts_with("only_"))
            .map(String::from)
            .collect()
    };
    let (_, entities) = host::ingest_to_stdout(&workflow(""));
    let scanned = only_columns(&entities);
    assert_eq!(scanned.len(), 3, "{scanned:?}");
    let missed = (0..30)
        .map(|i| format!("{i:02}"))
        .find(|i| !scanned.contains(&format!("only_{i}")))
        .unwrap();
    let chosen = format!(
        "        includeTableItems: '{{\"chosen\": [{{\"id\": {{\"S\": \"c{missed}\"}}}}]}}'\n"
    );
    let (run, entities) = host::ingest_to_stdout(&workflow(&chosen));
    let columns = only_columns(&entities);
    assert!(
        columns.contains(&format!("only_{missed}")),
        "{columns:?}\n{}",
        run.stderr
    );
    assert_eq!(
        columns.len(),
        3,
        "the chosen item, then 2 scanned: {columns:?}"
    );
}
