//! The component's entities as OpenMetadata create requests (`CreateDatabaseServiceRequest`,
//! `CreateDatabaseRequest`, `CreateDatabaseSchemaRequest`, `CreateTableRequest`), checked
//! against OpenMetadata's rules first: the component is untrusted, so a malformed entity is
//! reported as that table's failure instead of being sent on.

use crate::config_keys::Bound;
use crate::runtime::bindings::types as wit;
use crate::scope::Scope;
use crate::workflow::Workflow;
use serde_json::{Map, Value, json};

/// The requests for what a run catalogs, before its tables: service, database, schema.
#[derive(Debug, Clone)]
pub struct ScopeRequests {
    pub service: Value,
    pub database: Value,
    pub schema: Value,
    /// The schema's FQN, as the connector wrote it: every table must belong to it.
    pub schema_fqn: String,
}

impl ScopeRequests {
    pub fn all(&self) -> [&Value; 3] {
        [&self.service, &self.database, &self.schema]
    }
}

#[derive(Debug, Clone)]
pub struct TableRequest {
    pub name: String,
    pub fully_qualified_name: String,
    /// The `CreateTableRequest`, with its `sourceHash`.
    pub request: Value,
    /// OpenMetadata's `CreateTableProfileRequest` of the table (table and column profiles),
    /// stored beside it by the REST sink.
    pub profile: Option<Value>,
    /// `(classification, tag)` of each tag label on the table and its columns.
    pub tags: Vec<(String, String)>,
    /// Edges from the table, each into a service the workflow names.
    pub lineage: Vec<Lineage>,
}

/// An edge from a table to an entity of another service, as the sink adds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lineage {
    /// OpenMetadata's entity type: `topic` or `container`.
    pub entity_type: &'static str,
    pub fully_qualified_name: String,
    pub description: String,
}

/// Lineage edges taken per table at most, the longest FQN and description kept.
pub const MAX_LINEAGE_EDGES: usize = 16;
const MAX_LINEAGE_FQN_CHARS: usize = 1024;
const MAX_LINEAGE_DESCRIPTION_CHARS: usize = 1024;

/// The tables of one batch as create requests; those that break OpenMetadata's rules are
/// rejected with the reason instead.
#[derive(Debug, Clone, Default)]
pub struct TableRequests {
    pub tables: Vec<TableRequest>,
    /// (table name, why) for each table whose entity was refused.
    pub rejected: Vec<(String, String)>,
    /// Tables handed over again (the same FQN as one before): refused, counted once.
    pub repeated: Vec<String>,
    /// (table name, why) for a table some of whose lineage edges were refused.
    pub lineage_refused: Vec<(String, String)>,
}

/// The FQNs of the tables a run has handed over so far, kept compactly (a 64-bit keyed hash
/// each), to refuse a repeat.
#[derive(Debug, Default)]
pub struct Seen {
    hasher: std::hash::RandomState,
    fqns: std::collections::HashSet<u64>,
}

impl Seen {
    /// Whether `fqn` is new (and now seen).
    pub fn insert(&mut self, fqn: &str) -> bool {
        use std::hash::BuildHasher;
        self.fqns.insert(self.hasher.hash_one(fqn))
    }
}

pub fn scope_requests(scope: &wit::RunScope, workflow: &Workflow, bound: &Bound) -> ScopeRequests {
    ScopeRequests {
        service: service_request(&scope.service, workflow, bound),
        database: json!({
            "name": scope.database.name,
            "service": scope.database.service,
        }),
        schema: json!({
            "name": scope.schema.name,
            "database": scope.schema.database,
        }),
        schema_fqn: scope.schema.fully_qualified_name.clone(),
    }
}

/// The tables of a batch as create requests. Each must sit in `scope` under its own name, and
/// be new to the run (`seen`): a repeat, in this batch or an earlier one, is refused.
/// `lineage_services`: the services the workflow lets lineage edges reach.
pub fn table_requests(
    tables: &[wit::Table],
    scope: &Scope,
    seen: &mut Seen,
    lineage_services: &[String],
) -> TableRequests {
    let mut out = TableRequests::default();
    for table in tables {
        if let Err(why) = scope.check_table(table) {
            out.rejected.push((table.name.clone(), why));
            continue;
        }
        if !seen.insert(&table.fully_qualified_name) {
            out.repeated.push(table.name.clone());
            continue;
        }
        match table_request(table) {
            Ok(mut request) => {
                request["sourceHash"] = json!(source_hash(&request));
                let labels = table
                    .tags
                    .iter()
                    .chain(table.columns.iter().flat_map(|c| c.tags.iter()));
                let mut tags: Vec<(String, String)> = Vec::new();
                for label in labels {
                    let pair = (label.classification.clone(), label.tag.clone());
                    if !tags.contains(&pair) {
                        tags.push(pair);
                    }
                }
                out.tables.push(TableRequest {
                    name: table.name.clone(),
                    fully_qualified_name: table.fully_qualified_name.clone(),
                    request,
                    profile: table.profile.as_ref().map(|p| profile(p, &table.columns)),
                    tags,
                    lineage: {
                        let (edges, refused) = lineage(&table.lineage, lineage_services);
                        if let Some(why) = refused {
                            out.lineage_refused.push((table.name.clone(), why));
                        }
                        edges
                    },
                })
            }
            Err(why) => out.rejected.push((table.name.clone(), why)),
        }
    }
    out
}

/// The edges a table may have: at most [`MAX_LINEAGE_EDGES`], each into a service of
/// `allowed`, with a plain `<service>.<name>` FQN; and why others were refused, if any were.
fn lineage(edges: &[wit::LineageEdge], allowed: &[String]) -> (Vec<Lineage>, Option<String>) {
    let mut kept: Vec<Lineage> = Vec::new();
    let (mut out_of_scope, mut malformed, mut beyond) = (Vec::new(), 0usize, 0usize);
    for edge in edges {
        let fqn = &edge.fully_qualified_name;
        let service = (fqn.chars().count() <= MAX_LINEAGE_FQN_CHARS)
            .then(|| crate::openmetadata::fqn::split_two(fqn).ok())
            .flatten()
            .map(|(service, _)| service);
        let Some(service) = service else {
            malformed += 1;
            continue;
        };
        if !allowed.contains(&service) {
            if out_of_scope.len() < 3 && !out_of_scope.contains(&service) {
                out_of_scope.push(service);
            }
            continue;
        }
        if kept.len() == MAX_LINEAGE_EDGES {
            beyond += 1;
            continue;
        }
        if kept.iter().any(|k| k.fully_qualified_name == *fqn) {
            continue;
        }
        kept.push(Lineage {
            entity_type: match edge.entity_type {
                wit::LineageEntity::Topic => "topic",
                wit::LineageEntity::Container => "container",
            },
            fully_qualified_name: fqn.clone(),
            description: edge
                .description
                .chars()
                .take(MAX_LINEAGE_DESCRIPTION_CHARS)
                .collect(),
        });
    }
    let mut why = Vec::new();
    if !out_of_scope.is_empty() {
        let names: Vec<String> = out_of_scope
            .iter()
            .map(|s| format!("`{}`", crate::sanitize::name(s)))
            .collect();
        why.push(format!(
            "lineage into {} refused: the workflow names {}",
            names.join(", "),
            if allowed.is_empty() {
                "no lineage service".to_string()
            } else {
                allowed
                    .iter()
                    .map(|s| format!("`{}`", crate::sanitize::name(s)))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ));
    }
    if malformed > 0 {
        why.push(format!(
            "{malformed} lineage edge(s) refused: not a `<service>.<name>` FQN of at most {MAX_LINEAGE_FQN_CHARS} characters"
        ));
    }
    if beyond > 0 {
        why.push(format!(
            "{beyond} lineage edge(s) beyond {MAX_LINEAGE_EDGES} per table left out"
        ));
    }
    (kept, (!why.is_empty()).then(|| why.join("; ")))
}

/// The service with its connection, minus secrets: the keys the connector marks secret never
/// leave the host ([`Bound::stored_connection`]). `storeServiceConnection: false` leaves the
/// connection out altogether.
fn service_request(service: &wit::DatabaseService, workflow: &Workflow, bound: &Bound) -> Value {
    let mut request = json!({
        "name": service.name,
        "serviceType": service.service_type,
    });
    let store_connection = workflow
        .workflow_config
        .as_ref()
        .and_then(|c| c.open_metadata_server_config.as_ref())
        .and_then(|c| c.store_service_connection)
        .unwrap_or(true);
    if store_connection {
        request["connection"] = bound.stored_connection.clone();
    }
    request
}

/// A digest of the request (OpenMetadata's `sourceHash`, at most 32 characters): equal for two
/// runs over an unchanged table, so that the sink need not send it again.
pub fn source_hash(request: &Value) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    // The same bytes as `request.to_string()`, hashed as they are written. Neither a `Value`
    // nor the hasher can fail.
    let _ = serde_json::to_writer(&mut hasher, request);
    let digest = hasher.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// OpenMetadata's `CreateTableProfileRequest`: what DescribeTable says of the table's size,
/// and when, and the metrics of each top-level column profiled from the sample.
fn profile(p: &wit::TableProfile, columns: &[wit::Column]) -> Value {
    let column_profiles: Vec<Value> = columns
        .iter()
        .filter(|c| c.parent.is_none())
        .filter_map(|c| {
            c.profile
                .as_ref()
                .map(|cp| column_profile(&c.name, c.data_type, cp, p.timestamp_ms))
        })
        .collect();
    json!({ "tableProfile": table_profile(p), "columnProfile": column_profiles })
}

/// A column's metrics by OpenMetadata's own definitions (its profiler's `metrics/static/` and
/// `metrics/composed/`), over the sampled items, where an item without the attribute holds NULL:
/// - `valuesCount` counts the non-null values (`count.py`), `nullCount` the nulls
///   (`null_count.py`), `nullProportion` is `nullCount / (valuesCount + nullCount)`
///   (`null_ratio.py`); the distinct and unique proportions are over `valuesCount`;
/// - `min`, `max` and `mean` apply to a quantifiable column (numbers), `minLength`,
///   `maxLength` and `mean` (the mean length) to a concatenable one (strings): a column of mixed
///   types (`UNION`) is neither, and gets none of them.
fn column_profile(
    name: &str,
    data_type: wit::DataType,
    p: &wit::ColumnProfile,
    timestamp_ms: u64,
) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), json!(name));
    out.insert("timestamp".into(), json!(timestamp_ms));
    // The contract's `values-count` counts every sampled item, missing and null included.
    let sampled = p.values_count;
    let non_null = sampled.saturating_sub(p.null_count);
    out.insert("valuesCount".into(), json!(non_null));
    out.insert("nullCount".into(), json!(p.null_count));
    if sampled > 0 {
        out.insert(
            "nullProportion".into(),
            json!(p.null_count as f64 / sampled as f64),
        );
    }
    for (key, value) in [
        ("distinctCount", p.distinct_count),
        ("uniqueCount", p.unique_count),
    ] {
        if let Some(count) = value {
            out.insert(key.into(), json!(count));
            if non_null > 0 {
                let proportion = key.replace("Count", "Proportion");
                out.insert(proportion, json!(count as f64 / non_null as f64));
            }
        }
    }
    let finite = |v: Option<f64>| v.filter(|v| v.is_finite());
    match data_type {
        wit::DataType::Number => {
            for (key, value) in [("min", p.min), ("max", p.max), ("mean", p.mean)] {
                if let Some(v) = finite(value) {
                    out.insert(key.into(), json!(v));
                }
            }
        }
        wit::DataType::String => {
            if let Some(v) = finite(p.mean_length) {
                out.insert("mean".into(), json!(v));
            }
            if let Some(n) = p.min_length {
                out.insert("minLength".into(), json!(n));
            }
            if let Some(n) = p.max_length {
                out.insert("maxLength".into(), json!(n));
            }
        }
        _ => {}
    }
    Value::Object(out)
}

/// OpenMetadata's `TableProfile`: what DescribeTable says of the table's size, and when.
fn table_profile(p: &wit::TableProfile) -> Value {
    let mut out = Map::new();
    out.insert("timestamp".into(), json!(p.timestamp_ms));
    if let Some(rows) = p.row_count {
        out.insert("rowCount".into(), json!(rows));
    }
    if let Some(bytes) = p.size_bytes {
        out.insert("sizeInByte".into(), json!(bytes));
    }
    out.insert("columnCount".into(), json!(p.column_count));
    if let Some(created) = &p.create_date_time {
        out.insert("createDateTime".into(), json!(created));
    }
    Value::Object(out)
}

const MAX_NAME_CHARS: usize = 256;
const MAX_FQN_CHARS: usize = 3072;
const MAX_TAG_FQN_CHARS: usize = 128;
const MAX_URL_CHARS: usize = 2048;

fn check_name(what: &str, name: &str) -> Result<(), String> {
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "{what} `{name}` must have 1 to {MAX_NAME_CHARS} characters"
        ));
    }
    if name.contains("::") {
        return Err(format!("{what} `{name}` contains `::`"));
    }
    Ok(())
}

fn table_request(table: &wit::Table) -> Result<Value, String> {
    check_name("table name", &table.name)?;
    if table.fully_qualified_name.chars().count() > MAX_FQN_CHARS {
        return Err(format!(
            "table `{}` has an FQN longer than {MAX_FQN_CHARS}",
            table.name
        ));
    }
    let mut request = Map::new();
    request.insert("name".into(), json!(table.name));
    request.insert("tableType".into(), json!(table_type(table.table_type)));
    if let Some(description) = &table.description {
        request.insert("description".into(), json!(description));
    }
    request.insert("columns".into(), Value::Array(columns(&table.columns)?));
    if !table.table_constraints.is_empty() {
        let constraints: Vec<Value> = table
            .table_constraints
            .iter()
            .map(|c| {
                json!({
                    "constraintType": constraint_type(c.constraint_type),
                    "columns": c.columns,
                })
            })
            .collect();
        request.insert("tableConstraints".into(), Value::Array(constraints));
    }
    request.insert("databaseSchema".into(), json!(table.database_schema));
    if let Some(url) = &table.source_url {
        request.insert("sourceUrl".into(), json!(source_url(url)?));
    }
    if !table.tags.is_empty() {
        request.insert("tags".into(), tag_labels(&table.tags)?);
    }
    Ok(Value::Object(request))
}

/// OpenMetadata's `TagLabel`s.
fn tag_labels(labels: &[wit::TagLabel]) -> Result<Value, String> {
    labels
        .iter()
        .map(|t| {
            if t.tag_fqn.is_empty() || t.tag_fqn.chars().count() > MAX_TAG_FQN_CHARS {
                return Err(format!(
                    "tag `{}` must have 1 to {MAX_TAG_FQN_CHARS} characters",
                    t.tag_fqn
                ));
            }
            check_name("classification", &t.classification)?;
            check_name("tag", &t.tag)?;
            Ok(json!({
                "tagFQN": t.tag_fqn,
                "source": "Classification",
                "labelType": label_type(t.label_type),
                "state": match t.state {
                    wit::LabelState::Suggested => "Suggested",
                    wit::LabelState::Confirmed => "Confirmed",
                },
            }))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

fn label_type(t: wit::LabelType) -> &'static str {
    match t {
        wit::LabelType::Manual => "Manual",
        wit::LabelType::Propagated => "Propagated",
        wit::LabelType::Automated => "Automated",
        wit::LabelType::Derived => "Derived",
    }
}

/// The connector's console link, only if it is an https URL; anything outside the characters
/// a URL may hold is percent-encoded (the guest's text never reaches a URL raw).
fn source_url(url: &str) -> Result<String, String> {
    if !url.starts_with("https://") || url.chars().count() > MAX_URL_CHARS {
        return Err(format!(
            "its sourceUrl is not an https URL of at most {MAX_URL_CHARS} characters"
        ));
    }
    let mut out = String::with_capacity(url.len());
    for byte in url.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Ok(out)
}

/// The flat column list (children name their parent's index) as OpenMetadata's nested
/// `columns` / `children`. A parent must come before its children.
fn columns(flat: &[wit::Column]) -> Result<Vec<Value>, String> {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); flat.len()];
    let mut roots = Vec::new();
    for (index, column) in flat.iter().enumerate() {
        check_name("column name", &column.name)?;
        tag_labels(&column.tags)?;
        match column.parent {
            None => roots.push(index),
            Some(parent) if (parent as usize) < index => children[parent as usize].push(index),
            Some(parent) => {
                return Err(format!(
                    "column `{}` names parent #{parent}, which does not come before it",
                    column.name
                ));
            }
        }
    }
    fn render(index: usize, flat: &[wit::Column], children: &[Vec<usize>]) -> Value {
        let column = &flat[index];
        let mut out = Map::new();
        out.insert("name".into(), json!(column.name));
        out.insert("dataType".into(), json!(data_type(column.data_type)));
        out.insert("dataTypeDisplay".into(), json!(column.data_type_display));
        if column.data_type == wit::DataType::Binary {
            // OpenMetadata refuses a BINARY column without a length; a source may declare none,
            // so 1 stands for "unspecified", as OpenMetadata's own connectors write it.
            out.insert("dataLength".into(), json!(1));
        }
        if let Some(t) = column.array_data_type {
            out.insert("arrayDataType".into(), json!(data_type(t)));
        }
        if let Some(description) = &column.description {
            out.insert("description".into(), json!(description));
        }
        if let Some(constraint) = column.constraint {
            out.insert("constraint".into(), json!(column_constraint(constraint)));
        }
        if !column.tags.is_empty() {
            // Checked with the rest of the table before rendering.
            out.insert(
                "tags".into(),
                tag_labels(&column.tags).unwrap_or_else(|_| Value::Array(Vec::new())),
            );
        }
        out.insert("ordinalPosition".into(), json!(column.ordinal_position));
        if !children[index].is_empty() {
            let nested = children[index]
                .iter()
                .map(|&child| render(child, flat, children))
                .collect();
            out.insert("children".into(), Value::Array(nested));
        }
        Value::Object(out)
    }
    Ok(roots
        .into_iter()
        .map(|index| render(index, flat, &children))
        .collect())
}

pub fn data_type(t: wit::DataType) -> &'static str {
    match t {
        wit::DataType::String => "STRING",
        wit::DataType::Number => "NUMBER",
        wit::DataType::Binary => "BINARY",
        wit::DataType::Boolean => "BOOLEAN",
        wit::DataType::Null => "NULL",
        wit::DataType::Map => "MAP",
        wit::DataType::Array => "ARRAY",
        wit::DataType::Set => "SET",
        wit::DataType::Union => "UNION",
        wit::DataType::Unknown => "UNKNOWN",
    }
}

fn column_constraint(c: wit::ColumnConstraint) -> &'static str {
    match c {
        wit::ColumnConstraint::PrimaryKey => "PRIMARY_KEY",
        wit::ColumnConstraint::NotNull => "NOT_NULL",
        wit::ColumnConstraint::Unique => "UNIQUE",
    }
}

fn constraint_type(c: wit::ConstraintType) -> &'static str {
    match c {
        wit::ConstraintType::PrimaryKey => "PRIMARY_KEY",
        wit::ConstraintType::SortKey => "SORT_KEY",
        wit::ConstraintType::Unique => "UNIQUE",
        wit::ConstraintType::ForeignKey => "FOREIGN_KEY",
        wit::ConstraintType::DistKey => "DIST_KEY",
    }
}

fn table_type(t: wit::TableType) -> &'static str {
    match t {
        wit::TableType::Regular => "Regular",
        wit::TableType::External => "External",
        wit::TableType::View => "View",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_hash_is_the_sha256_of_the_compact_json() {
        // python3: hashlib.sha256(json.dumps(v, separators=(",", ":"),
        //          ensure_ascii=False).encode()).hexdigest()[:32]
        let request =
            json!({"name": "orders.v2 表", "columns": [{"name": "id", "dataType": "STRING"}]});
        assert_eq!(source_hash(&request), "8260288d43dc18d87959f59af61c5d48");
    }

    fn sampled(values: u64, nulls: u64) -> wit::ColumnProfile {
        wit::ColumnProfile {
            values_count: values,
            null_count: nulls,
            distinct_count: Some(20),
            unique_count: Some(19),
            min: Some(1.0),
            max: Some(299.0),
            mean: Some(150.0),
            min_length: Some(2),
            max_length: Some(12),
            mean_length: Some(8.6),
        }
    }

    #[test]
    fn a_profile_counts_non_null_values_as_openmetadata_does() {
        // An attribute in 21 of 222 sampled items: 21 values, 201 nulls (it was sent as
        // valuesCount 222 with nullCount 201, which OpenMetadata reads as 47 % null).
        let sent = column_profile("rare", wit::DataType::Number, &sampled(222, 201), 7);
        assert_eq!(sent["valuesCount"], 21);
        assert_eq!(sent["nullCount"], 201);
        assert_eq!(sent["nullProportion"], 201.0 / 222.0);
        assert_eq!(sent["distinctProportion"], 20.0 / 21.0);
        assert_eq!(sent["uniqueProportion"], 19.0 / 21.0);
        assert_eq!(
            (
                sent["min"].as_f64(),
                sent["max"].as_f64(),
                sent["mean"].as_f64()
            ),
            (Some(1.0), Some(299.0), Some(150.0))
        );
        for metric in ["minLength", "maxLength"] {
            assert!(sent.get(metric).is_none(), "{sent}");
        }
    }

    #[test]
    fn a_mean_is_the_mean_length_of_a_string_column_and_absent_on_mixed_ones() {
        let string = column_profile("note", wit::DataType::String, &sampled(10, 0), 7);
        assert_eq!(string["mean"], 8.6);
        assert_eq!(
            (string["minLength"].as_u64(), string["maxLength"].as_u64()),
            (Some(2), Some(12))
        );
        assert!(
            string.get("min").is_none() && string.get("max").is_none(),
            "{string}"
        );
        // Numbers and strings: the mean string length beside a numeric range contradicted
        // itself; OpenMetadata computes neither on a column of mixed types.
        let mixed = column_profile("mixed", wit::DataType::Union, &sampled(10, 0), 7);
        for metric in ["min", "max", "mean", "minLength", "maxLength"] {
            assert!(mixed.get(metric).is_none(), "{mixed}");
        }
        assert_eq!(mixed["valuesCount"], 10);
    }
}
