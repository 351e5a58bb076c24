//! The parts of DynamoDB's answers the connector reads. Unknown fields are ignored; a missing
//! list or a `null` reads as empty. A field of the wrong type is an error that names it,
//! except statistics (counts, sizes, capacities): one that is not a count is kept as
//! [`Statistic::Invalid`] so that the table is still ingested without it.

use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ListTablesOutput {
    #[serde(default, deserialize_with = "null_as_default")]
    pub table_names: Vec<String>,
    #[serde(default)]
    pub last_evaluated_table_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeTableOutput {
    pub table: TableDescription,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct TableDescription {
    #[serde(default)]
    pub table_name: Option<String>,
    #[serde(default)]
    pub table_status: Option<String>,
    #[serde(default)]
    pub creation_date_time: Option<f64>,
    #[serde(default)]
    pub provisioned_throughput: Option<ProvisionedThroughputDescription>,
    #[serde(default)]
    pub table_size_bytes: Option<Statistic>,
    #[serde(default)]
    pub item_count: Option<Statistic>,
    #[serde(default)]
    pub table_arn: Option<String>,
    #[serde(default)]
    pub table_id: Option<String>,
    #[serde(default)]
    pub billing_mode_summary: Option<BillingModeSummary>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub key_schema: Vec<KeySchemaElement>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub attribute_definitions: Vec<AttributeDefinition>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub local_secondary_indexes: Vec<IndexDescription>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub global_secondary_indexes: Vec<IndexDescription>,
    #[serde(default)]
    pub stream_specification: Option<StreamSpecification>,
    #[serde(default)]
    pub latest_stream_arn: Option<String>,
    #[serde(default, rename = "SSEDescription")]
    pub sse_description: Option<SseDescription>,
    #[serde(default)]
    pub table_class_summary: Option<TableClassSummary>,
    #[serde(default)]
    pub deletion_protection_enabled: Option<bool>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub replicas: Vec<ReplicaDescription>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ProvisionedThroughputDescription {
    #[serde(default)]
    pub read_capacity_units: Option<Statistic>,
    #[serde(default)]
    pub write_capacity_units: Option<Statistic>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct BillingModeSummary {
    #[serde(default)]
    pub billing_mode: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct KeySchemaElement {
    pub attribute_name: String,
    /// `HASH` or `RANGE`.
    pub key_type: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDefinition {
    pub attribute_name: String,
    /// `S`, `N` or `B`.
    pub attribute_type: String,
}

/// A global or local secondary index (the two descriptions share these fields).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct IndexDescription {
    #[serde(default)]
    pub index_name: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub key_schema: Vec<KeySchemaElement>,
    #[serde(default)]
    pub projection: Option<Projection>,
    #[serde(default)]
    pub index_status: Option<String>,
    #[serde(default)]
    pub index_size_bytes: Option<Statistic>,
    #[serde(default)]
    pub item_count: Option<Statistic>,
    #[serde(default)]
    pub provisioned_throughput: Option<ProvisionedThroughputDescription>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Projection {
    #[serde(default)]
    pub projection_type: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub non_key_attributes: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct StreamSpecification {
    #[serde(default)]
    pub stream_enabled: Option<bool>,
    #[serde(default)]
    pub stream_view_type: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct SseDescription {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, rename = "SSEType")]
    pub sse_type: Option<String>,
    #[serde(default, rename = "KMSMasterKeyArn")]
    pub kms_master_key_arn: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct TableClassSummary {
    #[serde(default)]
    pub table_class: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicaDescription {
    #[serde(default)]
    pub region_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsOutput {
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub next_token: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A count, size or capacity as DynamoDB reports it: a non-negative whole number (also
/// accepted as an integral float, `12.0`), or what came instead, described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statistic {
    Value(u64),
    /// Not a count: negative, beyond 64 bits, fractional, or not a number. The text says what
    /// it was, shortened.
    Invalid(String),
}

impl Statistic {
    pub fn value(&self) -> Option<u64> {
        match self {
            Statistic::Value(n) => Some(*n),
            Statistic::Invalid(_) => None,
        }
    }
}

impl<'de> Deserialize<'de> for Statistic {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(match &value {
            serde_json::Value::Number(number) => match number.as_u64() {
                Some(n) => Statistic::Value(n),
                None => match number.as_f64() {
                    Some(f) if f >= 0.0 && f.fract() == 0.0 && f < 1.8e19 => {
                        Statistic::Value(f as u64)
                    }
                    _ if number.as_i64().is_some_and(|n| n < 0) => {
                        Statistic::Invalid(format!("{number} is negative"))
                    }
                    Some(f) if f < 0.0 => Statistic::Invalid(format!("{number} is negative")),
                    Some(f) if f.fract() != 0.0 => {
                        Statistic::Invalid(format!("{number} is not a whole number"))
                    }
                    _ => Statistic::Invalid(format!(
                        "{} is beyond 64 bits",
                        shorten(&number.to_string())
                    )),
                },
            },
            other => Statistic::Invalid(format!("{} is not a number", shorten(&other.to_string()))),
        })
    }
}

/// At most 40 characters of a value, for a warning.
fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_tables_pages() {
        let page: ListTablesOutput =
            serde_json::from_str(r#"{"TableNames":["a","b"],"LastEvaluatedTableName":"b"}"#)
                .unwrap();
        assert_eq!(page.table_names, vec!["a", "b"]);
        assert_eq!(page.last_evaluated_table_name.as_deref(), Some("b"));
        let last: ListTablesOutput = serde_json::from_str(r#"{"TableNames":null}"#).unwrap();
        assert!(last.table_names.is_empty());
        assert_eq!(last.last_evaluated_table_name, None);
    }

    #[test]
    fn describe_table_with_everything() {
        let out: DescribeTableOutput = serde_json::from_str(
            r#"{"Table":{
                "TableName":"orders","TableStatus":"ACTIVE","CreationDateTime":1709294400.5,
                "ItemCount":12,"TableSizeBytes":3400.0,
                "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
                "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],
                "BillingModeSummary":{"BillingMode":"PAY_PER_REQUEST"},
                "ProvisionedThroughput":{"ReadCapacityUnits":0,"WriteCapacityUnits":0,"NumberOfDecreasesToday":0},
                "GlobalSecondaryIndexes":[{"IndexName":"g","KeySchema":[{"AttributeName":"sk","KeyType":"HASH"}],
                    "Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["x"]},"IndexStatus":"ACTIVE"}],
                "LocalSecondaryIndexes":null,
                "SSEDescription":{"Status":"ENABLED","SSEType":"KMS","KMSMasterKeyArn":"arn:kms"},
                "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"},
                "TableClassSummary":{"TableClass":"STANDARD"},
                "DeletionProtectionEnabled":true,
                "SomethingNew":{"x":1}
            }}"#,
        )
        .unwrap();
        let t = out.table;
        assert_eq!(t.table_size_bytes, Some(Statistic::Value(3400)));
        assert_eq!(t.key_schema.len(), 2);
        assert!(t.local_secondary_indexes.is_empty());
        assert_eq!(
            t.global_secondary_indexes[0]
                .projection
                .as_ref()
                .unwrap()
                .non_key_attributes,
            vec!["x"]
        );
        assert_eq!(
            t.sse_description.unwrap().kms_master_key_arn.as_deref(),
            Some("arn:kms")
        );
        assert_eq!(t.deletion_protection_enabled, Some(true));
    }

    #[test]
    fn wrong_types_are_errors_naming_the_field() {
        let err = serde_json::from_str::<DescribeTableOutput>(r#"{"Table":{"TableStatus":7}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected"), "{err}");
        assert!(serde_json::from_str::<DescribeTableOutput>(r#"{"NotTable":{}}"#).is_err());
    }

    #[test]
    fn statistics_that_are_not_counts_are_kept_as_invalid() {
        let item_count = |json: &str| {
            serde_json::from_str::<DescribeTableOutput>(&format!(
                r#"{{"Table":{{"ItemCount":{json}}}}}"#
            ))
            .unwrap()
            .table
            .item_count
            .unwrap()
        };
        assert_eq!(item_count("12"), Statistic::Value(12));
        assert_eq!(item_count("12.0"), Statistic::Value(12));
        assert_eq!(
            item_count("-1"),
            Statistic::Invalid("-1 is negative".into())
        );
        assert_eq!(
            item_count("-1.5"),
            Statistic::Invalid("-1.5 is negative".into())
        );
        assert_eq!(
            item_count("2.5"),
            Statistic::Invalid("2.5 is not a whole number".into())
        );
        assert_eq!(
            item_count("18446744073709551616"),
            Statistic::Invalid("1.8446744073709552e+19 is beyond 64 bits".into())
        );
        assert_eq!(
            item_count(r#""many""#),
            Statistic::Invalid(r#""many" is not a number"#.into())
        );
        assert_eq!(
            item_count("[1]"),
            Statistic::Invalid("[1] is not a number".into())
        );
        let long = format!("\"{}\"", "x".repeat(100));
        assert!(matches!(item_count(&long), Statistic::Invalid(m) if m.chars().count() < 60));
    }
}
