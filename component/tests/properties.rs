//! Property tests: whatever the configuration or the server sends, the parsers and the mapping
//! answer with a value or an error, never a panic (which in the component would be a trap).
//! `PROPTEST_CASES=100000 cargo test -p dynamodb-connector --test properties` runs them longer.

use dynamodb_connector::aws::error::ServiceError;
use dynamodb_connector::dynamodb::model::{DescribeTableOutput, ListTablesOutput, ListTagsOutput};
use dynamodb_connector::dynamodb::read;
use dynamodb_connector::filter::FilterPattern;
use dynamodb_connector::mapping::{self, Context};
use dynamodb_connector::settings::Settings;
use proptest::prelude::*;
use serde_json::Value;

/// Arbitrary JSON, biased towards DynamoDB's field names so that the mapping sees shapes close
/// to real answers, with wrong types and missing fields mixed in.
fn json() -> impl Strategy<Value = Value> {
    let names = prop::sample::select(vec![
        "Table",
        "TableName",
        "KeySchema",
        "AttributeDefinitions",
        "AttributeName",
        "AttributeType",
        "KeyType",
        "HASH",
        "RANGE",
        "S",
        "N",
        "B",
        "M",
        "L",
        "SS",
        "BOOL",
        "NULL",
        "ItemCount",
        "TableSizeBytes",
        "GlobalSecondaryIndexes",
        "LocalSecondaryIndexes",
        "IndexName",
        "Projection",
        "ProjectionType",
        "NonKeyAttributes",
        "BillingModeSummary",
        "BillingMode",
        "ProvisionedThroughput",
        "ReadCapacityUnits",
        "CreationDateTime",
        "SSEDescription",
        "StreamSpecification",
        "TableNames",
        "LastEvaluatedTableName",
        "Tags",
        "Key",
        "Value",
        "x",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[a-zA-Z0-9_.:-]{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "HASH",
            "RANGE",
            "S",
            "N",
            "B",
            "ACTIVE",
            "PAY_PER_REQUEST"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(names.clone().prop_map(String::from), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn context() -> Context<'static> {
    Context {
        region: "us-east-1",
        schema_fqn: "svc.default.default",
        read_at_ms: 0,
    }
}

proptest! {
    #[test]
    fn error_bodies_never_panic(status in 100u16..600, body in prop::collection::vec(any::<u8>(), 0..2048)) {
        let error = ServiceError::parse(status, &http::HeaderMap::new(), &body);
        prop_assert!(!error.code.is_empty());
        prop_assert!(error.message.chars().count() <= 1001);
        prop_assert!(!error.message.chars().any(char::is_control));
        let _ = error.class();
    }

    #[test]
    fn arbitrary_bytes_are_an_error_or_a_value(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = read::from_slice(&body, DescribeTableOutput::read);
        let _ = read::from_slice(&body, ListTablesOutput::read);
        let _ = read::from_slice(&body, ListTagsOutput::read);
    }

    #[test]
    fn any_json_describe_answer_maps_or_fails_cleanly(value in json()) {
        let wrapped = serde_json::json!({ "Table": value });
        if let Ok(out) = read::Object::root(&wrapped).and_then(|o| DescribeTableOutput::read(&o))
            && let Ok(mapped) = mapping::table("t", &out.table, &context())
        {
            let table = mapped.table;
            prop_assert!(!table.columns.is_empty());
            for column in &table.columns {
                prop_assert!(column.parent.is_none_or(|p| (p as usize) < table.columns.len()));
            }
        }
    }

    #[test]
    fn any_sampled_items_infer_columns_whose_parents_come_first(items in prop::collection::vec(json(), 0..8)) {
        let inferred = mapping::sample::infer(&items, &[]);
        prop_assert!(inferred.columns.len() <= mapping::sample::MAX_COLUMNS);
        for (i, column) in inferred.columns.iter().enumerate() {
            prop_assert!(column.parent.is_none_or(|p| (p as usize) < i));
        }
    }

    #[test]
    fn any_configuration_is_settings_or_a_named_error(
        pairs in prop::collection::vec(
            (
                prop::sample::select(vec![
                    "serviceName", "awsConfig.awsRegion", "awsConfig.awsAccessKeyId",
                    "awsConfig.awsSecretAccessKey", "awsConfig.endPointURL", "databaseName",
                    "sourceConfig.includeTags", "sourceConfig.tableFilterPattern.includes",
                    "sourceConfig.schemaFilterPattern.excludes", "connectionOptions.sampleSize",
                    "connectionOptions.describeConcurrency", "loggerLevel", "unknown.key",
                    "awsConfig.assumeRoleArn",
                ]),
                ".{0,24}",
            ),
            0..12,
        )
    ) {
        match Settings::from_pairs(pairs) {
            Ok(settings) => prop_assert!(!settings.service_name.is_empty()),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn any_filter_compiles_or_is_refused_and_never_hangs(pattern in ".{0,16}", name in "[a-zA-Z0-9_.-]{3,40}") {
        if let Ok(filter) = FilterPattern::new(std::slice::from_ref(&pattern), std::slice::from_ref(&pattern)) {
            // The step budget bounds every verdict; a watchdog turns a hang into a failure
            // (30 s for what takes microseconds: a hang detector, not a timing).
            let (done, verdict) = std::sync::mpsc::channel();
            let probe = name.clone();
            std::thread::spawn(move || {
                let _ = done.send(filter.verdict(&probe, "tableFilterPattern"));
            });
            prop_assert!(
                verdict.recv_timeout(std::time::Duration::from_secs(30)).is_ok(),
                "the filter {pattern:?} on {name:?} did not answer"
            );
        }
    }
}
