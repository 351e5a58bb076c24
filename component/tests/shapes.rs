//! Property tests over DynamoDB's own shapes: a valid DescribeTable, ListTables or Scan answer
//! with one thing changed at a time (a field missing, of another type, out of range, or a
//! name holding anything), parsed by the connector's own deserializers and mapped. The
//! properties: never a panic, and what must hold of a valid answer holds (keys become columns
//! and constraints, statistics that are not counts are left out with a note, never both).
//! `PROPTEST_CASES=100000 cargo test --release -p dynamodb-connector --test shapes` runs longer.

use dynamodb_connector::dynamodb::model::{
    DescribeTableOutput, ListTablesOutput, ListTagsOutput, Statistic,
};
use dynamodb_connector::dynamodb::read::{Object, ReadError};
use dynamodb_connector::mapping::{self, Context};
use proptest::prelude::*;
use serde_json::{Value, json};

fn read<T>(value: &Value, read: fn(&Object) -> Result<T, ReadError>) -> Result<T, ReadError> {
    read(&Object::root(value)?)
}

fn context() -> Context<'static> {
    Context {
        region: "us-east-1",
        schema_fqn: "svc.default.default",
        read_at_ms: 0,
    }
}

/// A description as DynamoDB writes one, for table `t`.
fn valid_description(hash_type: &str, range: Option<&str>, indexes: usize) -> Value {
    let mut keys = vec![json!({"AttributeName": "pk", "KeyType": "HASH"})];
    let mut attributes = vec![json!({"AttributeName": "pk", "AttributeType": hash_type})];
    if let Some(range_type) = range {
        keys.push(json!({"AttributeName": "sk", "KeyType": "RANGE"}));
        attributes.push(json!({"AttributeName": "sk", "AttributeType": range_type}));
    }
    let gsis: Vec<Value> = (0..indexes)
        .map(|i| {
            attributes.push(json!({"AttributeName": format!("g{i}"), "AttributeType": "S"}));
            json!({
                "IndexName": format!("gsi{i}"),
                "KeySchema": [{"AttributeName": format!("g{i}"), "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b"]},
                "IndexStatus": "ACTIVE",
                "ItemCount": 3,
                "IndexSizeBytes": 300,
                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
            })
        })
        .collect();
    json!({"Table": {
        "TableName": "t",
        "TableStatus": "ACTIVE",
        "TableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/t",
        "TableId": "0b3e5c0e-0000-4000-8000-000000000000",
        "CreationDateTime": 1_709_294_400.5,
        "KeySchema": keys,
        "AttributeDefinitions": attributes,
        "ItemCount": 12,
        "TableSizeBytes": 3400,
        "BillingModeSummary": {"BillingMode": "PROVISIONED"},
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5, "NumberOfDecreasesToday": 0},
        "GlobalSecondaryIndexes": gsis,
        "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"},
        "LatestStreamArn": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2024",
        "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": "arn:aws:kms:k"},
        "TableClassSummary": {"TableClass": "STANDARD"},
        "DeletionProtectionEnabled": false,
        "Replicas": [{"RegionName": "eu-west-1"}]
    }})
}

/// Values of every JSON type, numbers at the edges included.
fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop_oneof![Just(-1.5), Just(1e30), Just(0.5), Just(-0.0), any::<f64>()]
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::String),
        Just(json!([])),
        Just(json!({})),
        Just(json!([{"AttributeName": "x", "KeyType": "HASH"}])),
    ]
}

/// Paths of the fields a description has, as JSON pointers under `/Table`.
const FIELDS: &[&str] = &[
    "/Table/TableName",
    "/Table/TableStatus",
    "/Table/TableArn",
    "/Table/CreationDateTime",
    "/Table/KeySchema",
    "/Table/KeySchema/0",
    "/Table/KeySchema/0/AttributeName",
    "/Table/KeySchema/0/KeyType",
    "/Table/AttributeDefinitions",
    "/Table/AttributeDefinitions/0/AttributeType",
    "/Table/ItemCount",
    "/Table/TableSizeBytes",
    "/Table/BillingModeSummary",
    "/Table/BillingModeSummary/BillingMode",
    "/Table/ProvisionedThroughput/ReadCapacityUnits",
    "/Table/ProvisionedThroughput/WriteCapacityUnits",
    "/Table/GlobalSecondaryIndexes",
    "/Table/GlobalSecondaryIndexes/0/IndexName",
    "/Table/GlobalSecondaryIndexes/0/KeySchema",
    "/Table/GlobalSecondaryIndexes/0/Projection",
    "/Table/GlobalSecondaryIndexes/0/ItemCount",
    "/Table/GlobalSecondaryIndexes/0/IndexSizeBytes",
    "/Table/StreamSpecification",
    "/Table/StreamSpecification/StreamEnabled",
    "/Table/SSEDescription/Status",
    "/Table/Replicas",
    "/Table/DeletionProtectionEnabled",
];

/// `description` with the field at `path` replaced by `value` (or removed).
fn mutate(mut description: Value, path: &str, value: Option<Value>) -> Value {
    let (parent, key) = path.rsplit_once('/').unwrap();
    if let Some(container) = description.pointer_mut(parent) {
        match (container, value) {
            (Value::Object(map), Some(v)) => {
                map.insert(key.to_string(), v);
            }
            (Value::Object(map), None) => {
                map.remove(key);
            }
            (Value::Array(items), v) => {
                if let Ok(i) = key.parse::<usize>()
                    && i < items.len()
                {
                    match v {
                        Some(v) => items[i] = v,
                        None => {
                            items.remove(i);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    description
}

fn key_type() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["S", "N", "B"])
}

proptest! {
    /// A valid description maps to a table with its keys as columns and constraints.
    #[test]
    fn valid_descriptions_map_to_their_keys(
        hash in key_type(),
        range in prop::option::of(key_type()),
        indexes in 0usize..4,
    ) {
        let out = read(&valid_description(hash, range, indexes), DescribeTableOutput::read).unwrap();
        let mapped = mapping::table("t", &out.table, &context()).unwrap();
        prop_assert!(mapped.notes.is_empty());
        let table = mapped.table;
        prop_assert_eq!(&table.columns[0].name, "pk");
        prop_assert_eq!(table.columns.len(), 1 + usize::from(range.is_some()) + indexes);
        // As OpenMetadata's server takes keys: a hash-only table's key column is the primary
        // key; a hash + range table has PRIMARY_KEY and SORT_KEY table constraints and no
        // column constraint. Never one column constraint and a table constraint at once.
        let key_columns = table.columns.iter().filter(|c| c.constraint.is_some()).count();
        prop_assert_eq!(key_columns, usize::from(range.is_none()));
        prop_assert_eq!(table.table_constraints.len(), 2 * usize::from(range.is_some()));
        prop_assert_eq!(table.profile.unwrap().row_count, Some(12));
    }

    /// One field changed anywhere: an error that says why, or a table; never a panic. A
    /// statistic that is not a count is left out with a note, and the table is kept.
    #[test]
    fn one_field_changed_is_a_table_or_a_clean_error(
        hash in key_type(),
        field in prop::sample::select(FIELDS.to_vec()),
        value in prop::option::of(any_value()),
    ) {
        let description = mutate(valid_description(hash, Some("N"), 1), field, value.clone());
        match read(&description, DescribeTableOutput::read) {
            Err(e) => prop_assert!(!e.to_string().is_empty()),
            Ok(out) => match mapping::table("t", &out.table, &context()) {
                Err(why) => prop_assert!(!why.is_empty()),
                Ok(mapped) => {
                    let statistic = field.ends_with("ItemCount")
                        || field.ends_with("SizeBytes")
                        || field.ends_with("CapacityUnits");
                    let invalid = matches!(out.table.item_count, Some(Statistic::Invalid(_)))
                        || matches!(out.table.table_size_bytes, Some(Statistic::Invalid(_)));
                    if invalid {
                        prop_assert!(statistic && !mapped.notes.is_empty());
                    }
                    for note in &mapped.notes {
                        prop_assert!(note.contains("the statistic is left out"), "{}", note);
                    }
                    for column in &mapped.table.columns {
                        prop_assert!(!column.name.is_empty());
                    }
                }
            },
        }
    }

    /// ListTables pages with names of any text and continuations of any kind.
    #[test]
    fn list_pages_parse_or_fail_cleanly(
        names in prop::collection::vec(".{0,300}", 0..20),
        last in prop::option::of(any_value()),
        extra in any_value(),
    ) {
        let mut page = json!({"TableNames": names, "Extra": extra});
        if let Some(last) = last {
            page["LastEvaluatedTableName"] = last;
        }
        match read(&page, ListTablesOutput::read) {
            Ok(out) => prop_assert_eq!(out.table_names.len(), names.len()),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    /// Tags with keys and values of any text map to labels or to notes, never a panic, and a
    /// label's FQN is never longer than OpenMetadata allows.
    #[test]
    fn tags_map_to_labels_or_notes(
        tags in prop::collection::vec((".{0,150}", ".{0,150}"), 0..10),
    ) {
        let page = json!({"Tags": tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect::<Vec<_>>()});
        let out = read(&page, ListTagsOutput::read).unwrap();
        let (labels, notes) = mapping::tags::labels(&out.tags);
        prop_assert!(labels.len() + notes.len() <= tags.len());
        for label in labels {
            prop_assert!(label.tag_fqn.chars().count() <= 128);
        }
    }

    /// Scan items in DynamoDB's typed JSON, nested maps and lists of maps included, infer
    /// columns whose parents come first, within the column cap.
    #[test]
    fn typed_items_infer_well_formed_columns(items in prop::collection::vec(item(), 0..12)) {
        let inferred = mapping::sample::infer(&items, &[]);
        prop_assert!(inferred.columns.len() <= mapping::sample::MAX_COLUMNS);
        for (i, column) in inferred.columns.iter().enumerate() {
            prop_assert!(column.parent.is_none_or(|p| (p as usize) < i));
        }
    }
}

/// An attribute value in DynamoDB's typed JSON (`{"S": ...}`, `{"M": {...}}`, ...).
fn attribute() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        ".{0,20}".prop_map(|s| json!({"S": s})),
        "-?[0-9]{1,20}(\\.[0-9]{1,5})?".prop_map(|n| json!({"N": n})),
        "[A-Za-z0-9+/]{0,12}".prop_map(|b| json!({"B": b})),
        any::<bool>().prop_map(|b| json!({"BOOL": b})),
        Just(json!({"NULL": true})),
        prop::collection::vec(".{0,8}", 0..4).prop_map(|v| json!({"SS": v})),
        prop::collection::vec("[0-9]{1,4}", 0..4).prop_map(|v| json!({"NS": v})),
        any_value().prop_map(|v| json!({"S": v})),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::btree_map("[a-z]{1,6}", inner.clone(), 0..5)
                .prop_map(|m| json!({"M": m})),
            prop::collection::vec(inner, 0..5).prop_map(|l| json!({"L": l})),
        ]
    })
}

fn item() -> impl Strategy<Value = Value> {
    prop::collection::btree_map("[a-zA-Z_]{1,8}", attribute(), 0..8).prop_map(|m| json!(m))
}
