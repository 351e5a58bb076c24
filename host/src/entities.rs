//! The component's entities as OpenMetadata create requests (`CreateDatabaseServiceRequest`,
//! `CreateDatabaseRequest`, `CreateDatabaseSchemaRequest`, `CreateTableRequest`), checked
//! against OpenMetadata's rules first: the component is untrusted, so a malformed entity is
//! reported as that table's failure instead of being sent on.

use crate::runtime::bindings::types as wit;
use crate::workflow::Workflow;
use serde_json::{Map, Value, json};

/// The requests of one run, in the order OpenMetadata creates them.
#[derive(Debug, Clone)]
pub struct Requests {
    pub service: Value,
    pub database: Value,
    pub schema: Value,
    pub tables: Vec<TableRequest>,
    /// Tables whose entity broke OpenMetadata's rules: (table name, why).
    pub rejected: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct TableRequest {
    pub name: String,
    pub fully_qualified_name: String,
    /// The `CreateTableRequest`, with its `sourceHash`.
    pub request: Value,
    /// OpenMetadata's `TableProfile` of the table, stored beside it by the REST sink.
    pub profile: Option<Value>,
    /// `(classification, tag)` of each of its tag labels.
    pub tags: Vec<(String, String)>,
}

impl Requests {
    /// All requests as one list: service, database, schema, then tables.
    pub fn all(&self) -> Vec<&Value> {
        [&self.service, &self.database, &self.schema]
            .into_iter()
            .chain(self.tables.iter().map(|t| &t.request))
            .collect()
    }
}

pub fn build(ingestion: &wit::Ingestion, workflow: &Workflow) -> Requests {
    let mut tables = Vec::with_capacity(ingestion.tables.len());
    let mut rejected = Vec::new();
    for table in &ingestion.tables {
        match table_request(table, &ingestion.schema.fully_qualified_name) {
            Ok(mut request) => {
                request["sourceHash"] = json!(source_hash(&request));
                tables.push(TableRequest {
                    name: table.name.clone(),
                    fully_qualified_name: table.fully_qualified_name.clone(),
                    request,
                    profile: table.profile.as_ref().map(profile),
                    tags: table
                        .tags
                        .iter()
                        .map(|t| (t.classification.clone(), t.tag.clone()))
                        .collect(),
                })
            }
            Err(why) => rejected.push((table.name.clone(), why)),
        }
    }
    Requests {
        service: service_request(&ingestion.service, workflow),
        database: json!({
            "name": ingestion.database.name,
            "service": ingestion.database.service,
        }),
        schema: json!({
            "name": ingestion.schema.name,
            "database": ingestion.schema.database,
        }),
        tables,
        rejected,
    }
}

/// The service with its connection, minus secrets: the secret key and session token never
/// leave the host. `storeServiceConnection: false` leaves the connection out altogether.
fn service_request(service: &wit::DatabaseService, workflow: &Workflow) -> Value {
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
        let connection = workflow.connection();
        let aws = &connection.aws_config;
        let mut aws_config = Map::new();
        aws_config.insert("awsRegion".into(), json!(aws.aws_region));
        for (key, value) in [
            ("awsAccessKeyId", &aws.aws_access_key_id),
            ("endPointURL", &aws.end_point_url),
            ("profileName", &aws.profile_name),
            ("assumeRoleArn", &aws.assume_role_arn),
            ("assumeRoleSessionName", &aws.assume_role_session_name),
            ("assumeRoleSourceIdentity", &aws.assume_role_source_identity),
        ] {
            if let Some(value) = value {
                aws_config.insert(key.into(), json!(value));
            }
        }
        let mut config = Map::new();
        config.insert("type".into(), json!("DynamoDB"));
        config.insert("awsConfig".into(), Value::Object(aws_config));
        if let Some(database) = workflow.database_name() {
            config.insert("databaseName".into(), json!(database));
        }
        request["connection"] = json!({ "config": config });
    }
    request
}

/// A digest of the request (OpenMetadata's `sourceHash`, at most 32 characters): equal for two
/// runs over an unchanged table, so that the sink need not send it again.
pub fn source_hash(request: &Value) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(request.to_string().as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// OpenMetadata's `TableProfile`: what DescribeTable says of the table's size, and when.
fn profile(p: &wit::TableProfile) -> Value {
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

fn table_request(table: &wit::Table, schema_fqn: &str) -> Result<Value, String> {
    check_name("table name", &table.name)?;
    if table.database_schema != schema_fqn {
        return Err(format!(
            "table `{}` claims schema `{}`, not this run's `{schema_fqn}`",
            table.name, table.database_schema
        ));
    }
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
        request.insert("sourceUrl".into(), json!(url));
    }
    if !table.tags.is_empty() {
        let tags = table
            .tags
            .iter()
            .map(|t| {
                if t.tag_fqn.is_empty() || t.tag_fqn.chars().count() > MAX_TAG_FQN_CHARS {
                    return Err(format!(
                        "tag `{}` must have 1 to {MAX_TAG_FQN_CHARS} characters",
                        t.tag_fqn
                    ));
                }
                Ok(json!({
                    "tagFQN": t.tag_fqn,
                    "source": "Classification",
                    "labelType": "Automated",
                    "state": "Confirmed",
                }))
            })
            .collect::<Result<Vec<_>, _>>()?;
        request.insert("tags".into(), Value::Array(tags));
    }
    Ok(Value::Object(request))
}

/// The flat column list (children name their parent's index) as OpenMetadata's nested
/// `columns` / `children`. A parent must come before its children.
fn columns(flat: &[wit::Column]) -> Result<Vec<Value>, String> {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); flat.len()];
    let mut roots = Vec::new();
    for (index, column) in flat.iter().enumerate() {
        check_name("column name", &column.name)?;
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
            // OpenMetadata refuses a BINARY column without a length; DynamoDB declares none,
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
