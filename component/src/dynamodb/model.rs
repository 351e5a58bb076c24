//! The parts of DynamoDB's answers the connector reads ([`super::read`] says how: unknown
//! fields are ignored; a missing list or a `null` reads as empty; a field of the wrong type is
//! an error that names it), except statistics (counts, sizes, capacities): one that is not a
//! count is kept as [`Statistic::Invalid`] so that the table is still ingested without it.

use super::read::{Object, Result, shorten};
use serde_json::Value;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListTablesOutput {
    pub table_names: Vec<String>,
    pub last_evaluated_table_name: Option<String>,
}

impl ListTablesOutput {
    pub fn read(o: &Object) -> Result<Self> {
        Ok(ListTablesOutput {
            table_names: o.strings("TableNames")?,
            last_evaluated_table_name: o.opt_string("LastEvaluatedTableName")?,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DescribeTableOutput {
    pub table: TableDescription,
}

impl DescribeTableOutput {
    pub fn read(o: &Object) -> Result<Self> {
        Ok(DescribeTableOutput {
            table: TableDescription::read(&o.object("Table")?)?,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableDescription {
    pub table_name: Option<String>,
    pub table_status: Option<String>,
    pub creation_date_time: Option<f64>,
    pub provisioned_throughput: Option<ProvisionedThroughputDescription>,
    pub table_size_bytes: Option<Statistic>,
    pub item_count: Option<Statistic>,
    pub table_arn: Option<String>,
    pub table_id: Option<String>,
    pub billing_mode_summary: Option<BillingModeSummary>,
    pub key_schema: Vec<KeySchemaElement>,
    pub attribute_definitions: Vec<AttributeDefinition>,
    pub local_secondary_indexes: Vec<IndexDescription>,
    pub global_secondary_indexes: Vec<IndexDescription>,
    pub stream_specification: Option<StreamSpecification>,
    pub latest_stream_arn: Option<String>,
    pub sse_description: Option<SseDescription>,
    pub table_class_summary: Option<TableClassSummary>,
    pub deletion_protection_enabled: Option<bool>,
    pub replicas: Vec<ReplicaDescription>,
    pub on_demand_throughput: Option<OnDemandThroughput>,
    pub warm_throughput: Option<WarmThroughput>,
}

impl TableDescription {
    pub fn read(o: &Object) -> Result<Self> {
        Ok(TableDescription {
            table_name: o.opt_string("TableName")?,
            table_status: o.opt_string("TableStatus")?,
            creation_date_time: o.opt_number("CreationDateTime")?,
            provisioned_throughput: o
                .opt_object("ProvisionedThroughput")?
                .map(|p| ProvisionedThroughputDescription::read(&p)),
            table_size_bytes: o.opt_value("TableSizeBytes").map(Statistic::from_value),
            item_count: o.opt_value("ItemCount").map(Statistic::from_value),
            table_arn: o.opt_string("TableArn")?,
            table_id: o.opt_string("TableId")?,
            billing_mode_summary: o
                .opt_object("BillingModeSummary")?
                .map(|b| -> Result<_> {
                    Ok(BillingModeSummary {
                        billing_mode: b.opt_string("BillingMode")?,
                    })
                })
                .transpose()?,
            key_schema: o.objects("KeySchema", KeySchemaElement::read)?,
            attribute_definitions: o.objects("AttributeDefinitions", |a| {
                Ok(AttributeDefinition {
                    attribute_name: a.string("AttributeName")?,
                    attribute_type: a.string("AttributeType")?,
                })
            })?,
            local_secondary_indexes: o.objects("LocalSecondaryIndexes", IndexDescription::read)?,
            global_secondary_indexes: o
                .objects("GlobalSecondaryIndexes", IndexDescription::read)?,
            stream_specification: o
                .opt_object("StreamSpecification")?
                .map(|s| -> Result<_> {
                    Ok(StreamSpecification {
                        stream_enabled: s.opt_bool("StreamEnabled")?,
                        stream_view_type: s.opt_string("StreamViewType")?,
                    })
                })
                .transpose()?,
            latest_stream_arn: o.opt_string("LatestStreamArn")?,
            sse_description: o
                .opt_object("SSEDescription")?
                .map(|s| -> Result<_> {
                    Ok(SseDescription {
                        status: s.opt_string("Status")?,
                        sse_type: s.opt_string("SSEType")?,
                        kms_master_key_arn: s.opt_string("KMSMasterKeyArn")?,
                    })
                })
                .transpose()?,
            table_class_summary: o
                .opt_object("TableClassSummary")?
                .map(|t| -> Result<_> {
                    Ok(TableClassSummary {
                        table_class: t.opt_string("TableClass")?,
                    })
                })
                .transpose()?,
            deletion_protection_enabled: o.opt_bool("DeletionProtectionEnabled")?,
            replicas: o.objects("Replicas", |r| {
                Ok(ReplicaDescription {
                    region_name: r.opt_string("RegionName")?,
                    replica_status: r.opt_string("ReplicaStatus")?,
                    table_class: r
                        .opt_object("ReplicaTableClassSummary")?
                        .map(|t| t.opt_string("TableClass"))
                        .transpose()?
                        .flatten(),
                })
            })?,
            on_demand_throughput: o
                .opt_object("OnDemandThroughput")?
                .map(|t| -> Result<_> {
                    Ok(OnDemandThroughput {
                        max_read_request_units: t.opt_number("MaxReadRequestUnits")?,
                        max_write_request_units: t.opt_number("MaxWriteRequestUnits")?,
                    })
                })
                .transpose()?,
            warm_throughput: o
                .opt_object("WarmThroughput")?
                .map(|t| -> Result<_> {
                    Ok(WarmThroughput {
                        read_units_per_second: t.opt_number("ReadUnitsPerSecond")?,
                        write_units_per_second: t.opt_number("WriteUnitsPerSecond")?,
                        status: t.opt_string("Status")?,
                    })
                })
                .transpose()?,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProvisionedThroughputDescription {
    pub read_capacity_units: Option<Statistic>,
    pub write_capacity_units: Option<Statistic>,
}

impl ProvisionedThroughputDescription {
    fn read(o: &Object) -> Self {
        ProvisionedThroughputDescription {
            read_capacity_units: o.opt_value("ReadCapacityUnits").map(Statistic::from_value),
            write_capacity_units: o.opt_value("WriteCapacityUnits").map(Statistic::from_value),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct BillingModeSummary {
    pub billing_mode: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeySchemaElement {
    pub attribute_name: String,
    /// `HASH` or `RANGE`.
    pub key_type: String,
}

impl KeySchemaElement {
    fn read(o: &Object) -> Result<Self> {
        Ok(KeySchemaElement {
            attribute_name: o.string("AttributeName")?,
            key_type: o.string("KeyType")?,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttributeDefinition {
    pub attribute_name: String,
    /// `S`, `N` or `B`.
    pub attribute_type: String,
}

/// A global or local secondary index (the two descriptions share these fields).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexDescription {
    pub index_name: Option<String>,
    pub key_schema: Vec<KeySchemaElement>,
    pub projection: Option<Projection>,
    pub index_status: Option<String>,
    pub index_size_bytes: Option<Statistic>,
    pub item_count: Option<Statistic>,
    pub provisioned_throughput: Option<ProvisionedThroughputDescription>,
}

impl IndexDescription {
    fn read(o: &Object) -> Result<Self> {
        Ok(IndexDescription {
            index_name: o.opt_string("IndexName")?,
            key_schema: o.objects("KeySchema", KeySchemaElement::read)?,
            projection: o
                .opt_object("Projection")?
                .map(|p| -> Result<_> {
                    Ok(Projection {
                        projection_type: p.opt_string("ProjectionType")?,
                        non_key_attributes: p.strings("NonKeyAttributes")?,
                    })
                })
                .transpose()?,
            index_status: o.opt_string("IndexStatus")?,
            index_size_bytes: o.opt_value("IndexSizeBytes").map(Statistic::from_value),
            item_count: o.opt_value("ItemCount").map(Statistic::from_value),
            provisioned_throughput: o
                .opt_object("ProvisionedThroughput")?
                .map(|p| ProvisionedThroughputDescription::read(&p)),
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Projection {
    pub projection_type: Option<String>,
    pub non_key_attributes: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamSpecification {
    pub stream_enabled: Option<bool>,
    pub stream_view_type: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SseDescription {
    pub status: Option<String>,
    pub sse_type: Option<String>,
    pub kms_master_key_arn: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableClassSummary {
    pub table_class: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplicaDescription {
    pub region_name: Option<String>,
    pub replica_status: Option<String>,
    pub table_class: Option<String>,
}

/// An on-demand table's ceilings; `-1` (or absent) is no ceiling.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OnDemandThroughput {
    pub max_read_request_units: Option<f64>,
    pub max_write_request_units: Option<f64>,
}

/// What the table can serve at once without scaling.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WarmThroughput {
    pub read_units_per_second: Option<f64>,
    pub write_units_per_second: Option<f64>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListTagsOutput {
    pub tags: Vec<Tag>,
    pub next_token: Option<String>,
}

impl ListTagsOutput {
    pub fn read(o: &Object) -> Result<Self> {
        Ok(ListTagsOutput {
            tags: o.objects("Tags", |t| {
                Ok(Tag {
                    key: t.string("Key")?,
                    value: t.opt_string("Value")?.unwrap_or_default(),
                })
            })?,
            next_token: o.opt_string("NextToken")?,
        })
    }
}

/// `DescribeTimeToLive`'s `TimeToLiveDescription`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeToLiveOutput {
    /// `ENABLING`, `DISABLING`, `ENABLED` or `DISABLED`.
    pub status: String,
    pub attribute_name: Option<String>,
}

impl TimeToLiveOutput {
    pub fn read(o: &Object) -> Result<Self> {
        let description = o.opt_object("TimeToLiveDescription")?;
        Ok(match description {
            Some(d) => TimeToLiveOutput {
                status: d
                    .opt_string("TimeToLiveStatus")?
                    .unwrap_or_else(|| "DISABLED".to_string()),
                attribute_name: d.opt_string("AttributeName")?,
            },
            None => TimeToLiveOutput {
                status: "DISABLED".to_string(),
                attribute_name: None,
            },
        })
    }
}

/// `DescribeContinuousBackups`'s `ContinuousBackupsDescription`.
#[derive(Debug, Clone, PartialEq)]
pub struct ContinuousBackupsOutput {
    /// `ENABLED` or `DISABLED`.
    pub status: String,
    /// `ENABLED` or `DISABLED`.
    pub point_in_time_recovery: String,
    pub recovery_period_days: Option<f64>,
    /// Epoch seconds.
    pub earliest_restorable: Option<f64>,
    pub latest_restorable: Option<f64>,
}

impl ContinuousBackupsOutput {
    pub fn read(o: &Object) -> Result<Self> {
        let d = o.object("ContinuousBackupsDescription")?;
        let pitr = d.opt_object("PointInTimeRecoveryDescription")?;
        let pitr_field = |read: &dyn Fn(&Object) -> Result<Option<f64>>| -> Result<Option<f64>> {
            pitr.as_ref().map(read).transpose().map(Option::flatten)
        };
        Ok(ContinuousBackupsOutput {
            status: d.string("ContinuousBackupsStatus")?,
            point_in_time_recovery: pitr
                .as_ref()
                .map(|p| p.opt_string("PointInTimeRecoveryStatus"))
                .transpose()?
                .flatten()
                .unwrap_or_else(|| "DISABLED".to_string()),
            recovery_period_days: pitr_field(&|p| p.opt_number("RecoveryPeriodInDays"))?,
            earliest_restorable: pitr_field(&|p| p.opt_number("EarliestRestorableDateTime"))?,
            latest_restorable: pitr_field(&|p| p.opt_number("LatestRestorableDateTime"))?,
        })
    }
}

/// `GetResourcePolicy`: the policy document, as the JSON text IAM keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourcePolicyOutput {
    pub policy: String,
    pub revision_id: Option<String>,
}

impl ResourcePolicyOutput {
    pub fn read(o: &Object) -> Result<Self> {
        Ok(ResourcePolicyOutput {
            policy: o.string("Policy")?,
            revision_id: o.opt_string("RevisionId")?,
        })
    }
}

/// `DescribeKinesisStreamingDestination`.
#[derive(Debug, Clone, PartialEq)]
pub struct KinesisDestinationOutput {
    pub stream_arn: String,
    /// `ENABLING`, `ACTIVE`, `DISABLING`, `DISABLED`, `ENABLE_FAILED` or `UPDATING`.
    pub status: Option<String>,
    pub status_description: Option<String>,
    /// `MILLISECOND` or `MICROSECOND`.
    pub precision: Option<String>,
}

impl KinesisDestinationOutput {
    pub fn read_all(o: &Object) -> Result<Vec<Self>> {
        o.objects("KinesisDataStreamDestinations", |d| {
            Ok(KinesisDestinationOutput {
                stream_arn: d.string("StreamArn")?,
                status: d.opt_string("DestinationStatus")?,
                status_description: d.opt_string("DestinationStatusDescription")?,
                precision: d.opt_string("ApproximateCreationDateTimePrecision")?,
            })
        })
    }
}

/// `ListExports`: the table's exports to S3 (one page; AWS names no order).
#[derive(Debug, Clone, PartialEq)]
pub struct ExportSummary {
    pub export_arn: String,
    /// `IN_PROGRESS`, `COMPLETED` or `FAILED`.
    pub status: Option<String>,
}

impl ExportSummary {
    pub fn read_all(o: &Object) -> Result<Vec<Self>> {
        o.objects("ExportSummaries", |e| {
            Ok(ExportSummary {
                export_arn: e.string("ExportArn")?,
                status: e.opt_string("ExportStatus")?,
            })
        })
    }
}

/// `DescribeExport`: where an export went.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOutput {
    pub bucket: String,
    pub prefix: Option<String>,
}

impl ExportOutput {
    pub fn read(o: &Object) -> Result<Self> {
        let d = o.object("ExportDescription")?;
        Ok(ExportOutput {
            bucket: d.string("S3Bucket")?,
            prefix: d.opt_string("S3Prefix")?,
        })
    }
}

/// `DescribeContributorInsights` of the table itself.
#[derive(Debug, Clone, PartialEq)]
pub struct ContributorInsightsOutput {
    /// `ENABLING`, `ENABLED`, `DISABLING`, `DISABLED` or `FAILED`.
    pub status: String,
    /// `ACCESSED_AND_THROTTLED_KEYS` or `THROTTLED_KEYS`.
    pub mode: Option<String>,
}

impl ContributorInsightsOutput {
    pub fn read(o: &Object) -> Result<Self> {
        Ok(ContributorInsightsOutput {
            status: o
                .opt_string("ContributorInsightsStatus")?
                .unwrap_or_else(|| "DISABLED".to_string()),
            mode: o.opt_string("ContributorInsightsMode")?,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    pub key: String,
    pub value: String,
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

impl Statistic {
    /// Reads a statistic leniently: whatever came, the table is still ingested.
    pub fn from_value(value: &Value) -> Statistic {
        match value {
            Value::Number(number) => match number.as_u64() {
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T>(json: &str, read: fn(&Object) -> Result<T>) -> Result<T> {
        let value: Value = serde_json::from_str(json).unwrap();
        read(&Object::root(&value)?)
    }

    #[test]
    fn list_tables_pages() {
        let page = read(
            r#"{"TableNames":["a","b"],"LastEvaluatedTableName":"b"}"#,
            ListTablesOutput::read,
        )
        .unwrap();
        assert_eq!(page.table_names, vec!["a", "b"]);
        assert_eq!(page.last_evaluated_table_name.as_deref(), Some("b"));
        let last = read(r#"{"TableNames":null}"#, ListTablesOutput::read).unwrap();
        assert!(last.table_names.is_empty());
        assert_eq!(last.last_evaluated_table_name, None);
    }

    #[test]
    fn describe_table_with_everything() {
        let out = read(
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
            DescribeTableOutput::read,
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
        let err = read(r#"{"Table":{"TableStatus":7}}"#, DescribeTableOutput::read)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "at `Table.TableStatus`: expected a string, found the number 7"
        );
        let err = read(
            r#"{"Table":{"KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":7}]}}"#,
            DescribeTableOutput::read,
        )
        .unwrap_err();
        assert_eq!(err.path, "Table.KeySchema[1].AttributeName");
        assert_eq!(
            read(
                r#"{"Table":{"KeySchema":"many"}}"#,
                DescribeTableOutput::read
            )
            .unwrap_err()
            .path,
            "Table.KeySchema"
        );
        assert_eq!(
            read(r#"{"NotTable":{}}"#, DescribeTableOutput::read)
                .unwrap_err()
                .to_string(),
            "at `Table`: expected an object, found nothing"
        );
    }

    #[test]
    fn statistics_that_are_not_counts_are_kept_as_invalid() {
        let item_count = |json: &str| {
            read(
                &format!(r#"{{"Table":{{"ItemCount":{json}}}}}"#),
                DescribeTableOutput::read,
            )
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
