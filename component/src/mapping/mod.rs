//! DescribeTable → catalog table: key attributes as typed columns with their constraints, the
//! table's keys as table constraints, the AWS console link, the profile figures, the
//! machine-readable DynamoDB details and a readable Markdown description.

mod description;
pub mod lineage;
pub mod operational;
mod policy;
pub mod sample;
pub mod tags;
pub mod ttl;

use crate::catalog::{
    Column, ColumnConstraint, ConstraintType, DataType, DynamoDbTable, Encryption, IndexKind,
    OnDemandLimits, ProvisionedThroughput, Replica, SecondaryIndex, SourceDetails, StreamSettings,
    Table, TableConstraint, TableProfile, TableType, WarmThroughput,
};
use crate::dynamodb::model::{
    IndexDescription, KeySchemaElement, ProvisionedThroughputDescription, Statistic,
    TableDescription,
};
use crate::{endpoint, fqn, time};
use std::cell::RefCell;

pub use description::{markdown, one_decimal, sampling_paragraph};

/// What the mapping needs besides the description.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub region: &'a str,
    pub schema_fqn: &'a str,
    /// When the description was read, ms since the Unix epoch.
    pub read_at_ms: u64,
}

/// The keys of a table or index: partition (HASH) and optional sort (RANGE) attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    pub partition: String,
    pub sort: Option<String>,
}

/// A table entity, and what could not be taken from the description without failing it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    pub table: Table,
    /// e.g. a statistic that is not a count, left out.
    pub notes: Vec<String>,
}

/// Statistics read from a description; those that are not counts are noted and left out.
#[derive(Default)]
struct Statistics {
    notes: RefCell<Vec<String>>,
}

impl Statistics {
    fn read(&self, field: impl FnOnce() -> String, statistic: &Option<Statistic>) -> Option<u64> {
        match statistic.as_ref()? {
            Statistic::Value(n) => Some(*n),
            Statistic::Invalid(what) => {
                self.notes.borrow_mut().push(format!(
                    "DescribeTable's {} {what}; the statistic is left out",
                    field()
                ));
                None
            }
        }
    }
}

/// Maps a description to a table entity. `listed_name` is the name ListTables gave; an answer
/// about another table, or one that breaks DynamoDB's own rules, is an error naming the fault.
pub fn table(listed_name: &str, desc: &TableDescription, ctx: &Context) -> Result<Mapped, String> {
    if let Some(name) = &desc.table_name
        && name != listed_name
    {
        return Err(format!("DescribeTable answered about table `{name}`"));
    }
    let statistics = Statistics::default();
    let keys = keys(&desc.key_schema).map_err(|e| format!("KeySchema: {e}"))?;
    let indexes = indexes(desc, &statistics)?;
    let columns = columns(desc, &keys, &indexes)?;

    let table_constraints = key_constraints(&keys);

    let details = details(desc, indexes, &statistics);
    let profile = TableProfile {
        timestamp_ms: ctx.read_at_ms,
        row_count: details.item_count,
        size_bytes: details.size_bytes,
        column_count: columns.iter().filter(|c| c.parent.is_none()).count() as u32,
        create_date_time: details.creation_date_time.clone(),
    };
    let quoted = fqn::quote_name(listed_name)?;
    let table = Table {
        name: listed_name.to_string(),
        fully_qualified_name: format!("{}.{quoted}", ctx.schema_fqn),
        database_schema: ctx.schema_fqn.to_string(),
        table_type: TableType::Regular,
        description: Some(markdown(&keys, &columns, &details)),
        columns,
        table_constraints,
        source_url: Some(endpoint::console_url(ctx.region, listed_name)),
        tags: Vec::new(),
        profile: Some(profile),
        details: Some(SourceDetails::DynamoDb(details)),
        sampling: None,
        lineage: Vec::new(),
    };
    Ok(Mapped {
        table,
        notes: statistics.notes.into_inner(),
    })
}

/// The table constraints of a table's keys, as OpenMetadata's own DynamoDB connector (2.0.7,
/// `dynamodb/metadata.py`) shapes them for what its server accepts: a hash + range table gets
/// `PRIMARY_KEY [hash, range]` and `SORT_KEY [range]`; a hash-only table gets none, its key
/// column carrying `constraint: PRIMARY_KEY` instead (see [`key_column_constraint`]). The server
/// (`DatabaseUtil.validateConstraints`) refuses several `PRIMARY_KEY` columns, and a
/// `PRIMARY_KEY` table constraint beside a `PRIMARY_KEY` column.
pub fn key_constraints(keys: &Keys) -> Vec<TableConstraint> {
    let Some(sort) = &keys.sort else {
        return Vec::new();
    };
    vec![
        TableConstraint {
            constraint_type: ConstraintType::PrimaryKey,
            columns: vec![keys.partition.clone(), sort.clone()],
        },
        TableConstraint {
            constraint_type: ConstraintType::SortKey,
            columns: vec![sort.clone()],
        },
    ]
}

/// The column constraint of a key attribute: `PRIMARY_KEY` on the partition key of a hash-only
/// table, none on either key of a hash + range table (its table constraints say it).
pub fn key_column_constraint(keys: &Keys, attribute: &str) -> Option<ColumnConstraint> {
    (keys.sort.is_none() && keys.partition == attribute).then_some(ColumnConstraint::PrimaryKey)
}

pub fn keys(schema: &[KeySchemaElement]) -> Result<Keys, String> {
    let mut partition = None;
    let mut sort = None;
    for element in schema {
        let slot = match element.key_type.as_str() {
            "HASH" => &mut partition,
            "RANGE" => &mut sort,
            other => return Err(format!("unknown KeyType `{other}`")),
        };
        if slot.replace(element.attribute_name.clone()).is_some() {
            return Err(format!("more than one {} key", element.key_type));
        }
    }
    let partition = partition.ok_or("no HASH (partition) key")?;
    Ok(Keys { partition, sort })
}

pub fn scalar_type(attribute_type: &str) -> Option<DataType> {
    match attribute_type {
        "S" => Some(DataType::String),
        "N" => Some(DataType::Number),
        "B" => Some(DataType::Binary),
        _ => None,
    }
}

/// The table's key attributes first (partition, sort), then the other declared attributes
/// (the keys of its indexes), each with its declared type.
fn columns(
    desc: &TableDescription,
    keys: &Keys,
    indexes: &[SecondaryIndex],
) -> Result<Vec<Column>, String> {
    let declared = |name: &str| -> Result<DataType, String> {
        let definition = desc
            .attribute_definitions
            .iter()
            .find(|d| d.attribute_name == name)
            .ok_or_else(|| format!("key attribute `{name}` is not in AttributeDefinitions"))?;
        scalar_type(&definition.attribute_type).ok_or_else(|| {
            format!(
                "attribute `{name}` has type `{}`, not S, N or B",
                definition.attribute_type
            )
        })
    };
    let mut columns = Vec::new();
    let mut push = |name: &str, constraint, description: String| -> Result<(), String> {
        let data_type = declared(name)?;
        let mut column = Column::new(
            name,
            data_type,
            data_type.display_name(),
            columns.len() as u32 + 1,
        );
        column.description = Some(description);
        column.constraint = constraint;
        columns.push(column);
        Ok(())
    };
    push(
        &keys.partition,
        key_column_constraint(keys, &keys.partition),
        "Partition key (HASH).".to_string(),
    )?;
    if let Some(sort) = &keys.sort {
        push(
            sort,
            key_column_constraint(keys, sort),
            "Sort key (RANGE).".to_string(),
        )?;
    }
    for definition in &desc.attribute_definitions {
        let name = definition.attribute_name.as_str();
        if name == keys.partition || Some(name) == keys.sort.as_deref() {
            continue;
        }
        let uses: Vec<String> = indexes
            .iter()
            .flat_map(|index| {
                let role = if index.partition_key == name {
                    Some("partition")
                } else if index.sort_key.as_deref() == Some(name) {
                    Some("sort")
                } else {
                    None
                };
                role.map(|role| format!("{role} key of index `{}`", index.name))
            })
            .collect();
        let description = if uses.is_empty() {
            "Declared attribute.".to_string()
        } else {
            format!("{}.", capitalize(&uses.join(", ")))
        };
        push(name, None, description)?;
    }
    Ok(columns)
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => std::iter::once(first.to_ascii_uppercase())
            .chain(chars)
            .collect(),
        None => String::new(),
    }
}

fn indexes(
    desc: &TableDescription,
    statistics: &Statistics,
) -> Result<Vec<SecondaryIndex>, String> {
    let global = desc
        .global_secondary_indexes
        .iter()
        .map(|i| index(i, IndexKind::Global, statistics));
    let local = desc
        .local_secondary_indexes
        .iter()
        .map(|i| index(i, IndexKind::Local, statistics));
    global.chain(local).collect()
}

fn index(
    desc: &IndexDescription,
    kind: IndexKind,
    statistics: &Statistics,
) -> Result<SecondaryIndex, String> {
    let name = desc
        .index_name
        .clone()
        .ok_or("a secondary index has no IndexName")?;
    let keys = keys(&desc.key_schema).map_err(|e| format!("index `{name}`: {e}"))?;
    let projection = desc.projection.clone().unwrap_or_default();
    let field = {
        let name = name.clone();
        move |what: &str| format!("{what} of index `{name}`")
    };
    Ok(SecondaryIndex {
        name,
        kind,
        partition_key: keys.partition,
        sort_key: keys.sort,
        projection_type: projection
            .projection_type
            .unwrap_or_else(|| "ALL".to_string()),
        non_key_attributes: projection.non_key_attributes,
        status: desc.index_status.clone(),
        item_count: statistics.read(|| field("ItemCount"), &desc.item_count),
        size_bytes: statistics.read(|| field("IndexSizeBytes"), &desc.index_size_bytes),
        throughput: desc
            .provisioned_throughput
            .as_ref()
            .and_then(|t| throughput(t, statistics, &field("ProvisionedThroughput"))),
    })
}

/// Provisioned capacity, or `None` for on-demand (which DynamoDB reports as zeros).
fn throughput(
    desc: &ProvisionedThroughputDescription,
    statistics: &Statistics,
    field: &str,
) -> Option<ProvisionedThroughput> {
    let read = statistics
        .read(
            || format!("{field}.ReadCapacityUnits"),
            &desc.read_capacity_units,
        )
        .unwrap_or(0);
    let write = statistics
        .read(
            || format!("{field}.WriteCapacityUnits"),
            &desc.write_capacity_units,
        )
        .unwrap_or(0);
    (read > 0 || write > 0).then_some(ProvisionedThroughput {
        read_capacity_units: read,
        write_capacity_units: write,
    })
}

fn details(
    desc: &TableDescription,
    indexes: Vec<SecondaryIndex>,
    statistics: &Statistics,
) -> DynamoDbTable {
    let billing_mode = desc
        .billing_mode_summary
        .as_ref()
        .and_then(|b| b.billing_mode.clone())
        // DynamoDB omits the summary for tables that were always provisioned.
        .unwrap_or_else(|| "PROVISIONED".to_string());
    let stream = desc.stream_specification.as_ref().map(|s| StreamSettings {
        enabled: s.stream_enabled.unwrap_or(false),
        view_type: s.stream_view_type.clone(),
        arn: desc.latest_stream_arn.clone(),
    });
    let encryption = desc.sse_description.as_ref().map(|s| Encryption {
        status: s.status.clone().unwrap_or_else(|| "ENABLED".to_string()),
        sse_type: s.sse_type.clone(),
        kms_key_arn: s.kms_master_key_arn.clone(),
    });
    DynamoDbTable {
        table_arn: desc.table_arn.clone(),
        table_id: desc.table_id.clone(),
        status: desc.table_status.clone(),
        creation_date_time: desc
            .creation_date_time
            .and_then(time::rfc3339_from_epoch_seconds),
        billing_mode,
        throughput: desc
            .provisioned_throughput
            .as_ref()
            .and_then(|t| throughput(t, statistics, "ProvisionedThroughput")),
        indexes,
        stream,
        encryption,
        table_class: desc
            .table_class_summary
            .as_ref()
            .and_then(|c| c.table_class.clone()),
        deletion_protection: desc.deletion_protection_enabled.unwrap_or(false),
        item_count: statistics.read(|| "ItemCount".to_string(), &desc.item_count),
        size_bytes: statistics.read(|| "TableSizeBytes".to_string(), &desc.table_size_bytes),
        replicas: desc
            .replicas
            .iter()
            .filter_map(|r| {
                Some(Replica {
                    region: r.region_name.clone()?,
                    status: r.replica_status.clone(),
                    table_class: r.table_class.clone(),
                })
            })
            .collect(),
        on_demand_limits: desc.on_demand_throughput.as_ref().and_then(|t| {
            let limits = OnDemandLimits {
                max_read_request_units: ceiling(t.max_read_request_units),
                max_write_request_units: ceiling(t.max_write_request_units),
            };
            (limits.max_read_request_units.is_some() || limits.max_write_request_units.is_some())
                .then_some(limits)
        }),
        warm_throughput: desc.warm_throughput.as_ref().and_then(|w| {
            Some(WarmThroughput {
                read_units_per_second: ceiling(w.read_units_per_second)?,
                write_units_per_second: ceiling(w.write_units_per_second)?,
                status: w.status.clone(),
            })
        }),
        ..DynamoDbTable::default()
    }
}

/// A request-unit ceiling: a positive whole number; DynamoDB's `-1` (and anything else) is
/// none.
fn ceiling(value: Option<f64>) -> Option<u64> {
    value
        .filter(|v| *v >= 1.0 && v.fract() == 0.0 && *v < 1.0e15)
        .map(|v| v as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamodb::model::DescribeTableOutput;

    fn describe(json: &str) -> TableDescription {
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        let root = crate::dynamodb::read::Object::root(&value).unwrap();
        DescribeTableOutput::read(&root).unwrap().table
    }

    fn ctx() -> Context<'static> {
        Context {
            region: "us-east-1",
            schema_fqn: "svc.default.default",
            read_at_ms: 1_700_000_000_000,
        }
    }

    const ORDERS: &str = r#"{"Table":{
        "TableName":"orders.v2","TableStatus":"ACTIVE","CreationDateTime":1709294400,
        "ItemCount":3,"TableSizeBytes":120,"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/orders.v2",
        "KeySchema":[{"AttributeName":"customer","KeyType":"HASH"},{"AttributeName":"placed_at","KeyType":"RANGE"}],
        "AttributeDefinitions":[{"AttributeName":"customer","AttributeType":"S"},
            {"AttributeName":"placed_at","AttributeType":"N"},{"AttributeName":"status","AttributeType":"S"},
            {"AttributeName":"blob","AttributeType":"B"}],
        "ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":2},
        "GlobalSecondaryIndexes":[{"IndexName":"by_status","KeySchema":[{"AttributeName":"status","KeyType":"HASH"},
            {"AttributeName":"placed_at","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"},
            "IndexStatus":"ACTIVE","ItemCount":3,"IndexSizeBytes":60,
            "ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}],
        "LocalSecondaryIndexes":[{"IndexName":"by_blob","KeySchema":[{"AttributeName":"customer","KeyType":"HASH"},
            {"AttributeName":"blob","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["total"]}}]
    }}"#;

    #[test]
    fn keys_become_typed_primary_key_columns_and_constraints() {
        let t = table("orders.v2", &describe(ORDERS), &ctx()).unwrap().table;
        assert_eq!(t.fully_qualified_name, "svc.default.default.\"orders.v2\"");
        assert_eq!(t.database_schema, "svc.default.default");
        assert_eq!(t.table_type, TableType::Regular);
        let names: Vec<_> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["customer", "placed_at", "status", "blob"]);
        let types: Vec<_> = t.columns.iter().map(|c| c.data_type).collect();
        assert_eq!(
            types,
            [
                DataType::String,
                DataType::Number,
                DataType::String,
                DataType::Binary
            ]
        );
        // Hash + range: no column constraint, the keys are the table's constraints.
        assert_eq!(t.columns[0].constraint, None);
        assert_eq!(t.columns[1].constraint, None);
        assert_eq!(t.columns[2].constraint, None);
        assert_eq!(
            t.columns[2].description.as_deref(),
            Some("Partition key of index `by_status`.")
        );
        assert_eq!(
            t.columns
                .iter()
                .map(|c| c.ordinal_position)
                .collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
        assert_eq!(
            t.table_constraints,
            vec![
                TableConstraint {
                    constraint_type: ConstraintType::PrimaryKey,
                    columns: vec!["customer".into(), "placed_at".into()]
                },
                TableConstraint {
                    constraint_type: ConstraintType::SortKey,
                    columns: vec!["placed_at".into()]
                },
            ]
        );
        assert_eq!(
            t.source_url.as_deref(),
            Some(
                "https://us-east-1.console.aws.amazon.com/dynamodbv2/home?region=us-east-1#table?name=orders.v2"
            )
        );
    }

    #[test]
    fn details_and_profile() {
        let t = table("orders.v2", &describe(ORDERS), &ctx()).unwrap().table;
        let Some(SourceDetails::DynamoDb(d)) = &t.details else {
            panic!("no details")
        };
        assert_eq!(d.billing_mode, "PROVISIONED");
        assert_eq!(
            d.throughput,
            Some(ProvisionedThroughput {
                read_capacity_units: 5,
                write_capacity_units: 2
            })
        );
        assert_eq!(d.indexes.len(), 2);
        assert_eq!(d.indexes[0].kind, IndexKind::Global);
        assert_eq!(d.indexes[0].sort_key.as_deref(), Some("placed_at"));
        assert_eq!(d.indexes[1].kind, IndexKind::Local);
        assert_eq!(d.indexes[1].non_key_attributes, vec!["total"]);
        assert_eq!(
            d.creation_date_time.as_deref(),
            Some("2024-03-01T12:00:00.000Z")
        );
        let p = t.profile.unwrap();
        assert_eq!(p.row_count, Some(3));
        assert_eq!(p.size_bytes, Some(120));
        assert_eq!(p.column_count, 4);
        assert_eq!(p.timestamp_ms, 1_700_000_000_000);
    }

    #[test]
    fn hash_only_table_has_no_sort_key_constraint() {
        let d = describe(
            r#"{"Table":{"TableName":"users","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
            "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"B"}],
            "BillingModeSummary":{"BillingMode":"PAY_PER_REQUEST"},
            "ProvisionedThroughput":{"ReadCapacityUnits":0,"WriteCapacityUnits":0}}}"#,
        );
        let t = table("users", &d, &ctx()).unwrap().table;
        assert_eq!(t.columns.len(), 1);
        assert_eq!(t.columns[0].data_type, DataType::Binary);
        // Hash only: the key column is the primary key, and no table constraint repeats it.
        assert_eq!(t.columns[0].constraint, Some(ColumnConstraint::PrimaryKey));
        assert_eq!(t.table_constraints, vec![]);
        let Some(SourceDetails::DynamoDb(details)) = t.details else {
            panic!()
        };
        assert_eq!(details.billing_mode, "PAY_PER_REQUEST");
        assert_eq!(details.throughput, None);
    }

    #[test]
    fn statistics_that_are_not_counts_are_left_out_with_a_note() {
        let d = describe(
            r#"{"Table":{"TableName":"users","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
            "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
            "ItemCount":-5,"TableSizeBytes":"big",
            "ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":1.5},
            "GlobalSecondaryIndexes":[{"IndexName":"g","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
                "IndexSizeBytes":18446744073709551616,"ItemCount":3}]}}"#,
        );
        let mapped = table("users", &d, &ctx()).unwrap();
        let profile = mapped.table.profile.as_ref().unwrap();
        assert_eq!((profile.row_count, profile.size_bytes), (None, None));
        let Some(SourceDetails::DynamoDb(details)) = &mapped.table.details else {
            panic!()
        };
        assert_eq!(details.indexes[0].item_count, Some(3));
        assert_eq!(details.indexes[0].size_bytes, None);
        assert_eq!(details.throughput.unwrap().read_capacity_units, 5);
        assert_eq!(
            mapped.notes,
            vec![
                "DescribeTable's IndexSizeBytes of index `g` 1.8446744073709552e+19 is beyond 64 bits; the statistic is left out".to_string(),
                "DescribeTable's ProvisionedThroughput.WriteCapacityUnits 1.5 is not a whole number; the statistic is left out".to_string(),
                "DescribeTable's ItemCount -5 is negative; the statistic is left out".to_string(),
                "DescribeTable's TableSizeBytes \"big\" is not a number; the statistic is left out".to_string(),
            ]
        );
    }

    #[test]
    fn malformed_descriptions_are_errors_that_say_why() {
        let no_hash =
            describe(r#"{"Table":{"KeySchema":[{"AttributeName":"a","KeyType":"RANGE"}]}}"#);
        assert!(
            table("t", &no_hash, &ctx())
                .unwrap_err()
                .contains("no HASH")
        );
        let undeclared =
            describe(r#"{"Table":{"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}]}}"#);
        assert!(
            table("t", &undeclared, &ctx())
                .unwrap_err()
                .contains("not in AttributeDefinitions")
        );
        let odd_type = describe(
            r#"{"Table":{"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],
            "AttributeDefinitions":[{"AttributeName":"a","AttributeType":"BOOL"}]}}"#,
        );
        assert!(
            table("t", &odd_type, &ctx())
                .unwrap_err()
                .contains("not S, N or B")
        );
        let other = describe(
            r#"{"Table":{"TableName":"other","KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],
            "AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}]}}"#,
        );
        assert!(table("t", &other, &ctx()).unwrap_err().contains("`other`"));
    }
}
