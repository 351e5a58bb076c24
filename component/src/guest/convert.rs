//! Plain catalog values → the WIT records of `catalog:connector/types`.

use super::bindings::exports::catalog::connector::types as wit;
use crate::catalog as c;
use crate::error::ConnectorError;

impl From<c::DataType> for wit::DataType {
    fn from(t: c::DataType) -> Self {
        match t {
            c::DataType::String => wit::DataType::String,
            c::DataType::Number => wit::DataType::Number,
            c::DataType::Binary => wit::DataType::Binary,
            c::DataType::Boolean => wit::DataType::Boolean,
            c::DataType::Null => wit::DataType::Null,
            c::DataType::Map => wit::DataType::Map,
            c::DataType::Array => wit::DataType::Array,
            c::DataType::Union => wit::DataType::Union,
            c::DataType::Unknown => wit::DataType::Unknown,
        }
    }
}

impl From<c::ColumnConstraint> for wit::ColumnConstraint {
    fn from(t: c::ColumnConstraint) -> Self {
        match t {
            c::ColumnConstraint::PrimaryKey => wit::ColumnConstraint::PrimaryKey,
            c::ColumnConstraint::NotNull => wit::ColumnConstraint::NotNull,
            c::ColumnConstraint::Unique => wit::ColumnConstraint::Unique,
        }
    }
}

impl From<c::Column> for wit::Column {
    fn from(x: c::Column) -> Self {
        wit::Column {
            name: x.name,
            data_type: x.data_type.into(),
            data_type_display: x.data_type_display,
            array_data_type: x.array_data_type.map(Into::into),
            description: x.description,
            constraint: x.constraint.map(Into::into),
            ordinal_position: x.ordinal_position,
            parent: x.parent,
        }
    }
}

impl From<c::ConstraintType> for wit::ConstraintType {
    fn from(t: c::ConstraintType) -> Self {
        match t {
            c::ConstraintType::PrimaryKey => wit::ConstraintType::PrimaryKey,
            c::ConstraintType::SortKey => wit::ConstraintType::SortKey,
            c::ConstraintType::Unique => wit::ConstraintType::Unique,
            c::ConstraintType::ForeignKey => wit::ConstraintType::ForeignKey,
            c::ConstraintType::DistKey => wit::ConstraintType::DistKey,
        }
    }
}

impl From<c::TableConstraint> for wit::TableConstraint {
    fn from(x: c::TableConstraint) -> Self {
        wit::TableConstraint {
            constraint_type: x.constraint_type.into(),
            columns: x.columns,
        }
    }
}

impl From<c::TableType> for wit::TableType {
    fn from(t: c::TableType) -> Self {
        match t {
            c::TableType::Regular => wit::TableType::Regular,
            c::TableType::External => wit::TableType::External,
            c::TableType::View => wit::TableType::View,
        }
    }
}

impl From<c::TagLabel> for wit::TagLabel {
    fn from(x: c::TagLabel) -> Self {
        wit::TagLabel {
            classification: x.classification,
            tag: x.tag,
            tag_fqn: x.tag_fqn,
        }
    }
}

impl From<c::TableProfile> for wit::TableProfile {
    fn from(x: c::TableProfile) -> Self {
        wit::TableProfile {
            timestamp_ms: x.timestamp_ms,
            row_count: x.row_count,
            size_bytes: x.size_bytes,
            column_count: x.column_count,
            create_date_time: x.create_date_time,
        }
    }
}

impl From<c::ProvisionedThroughput> for wit::ProvisionedThroughput {
    fn from(x: c::ProvisionedThroughput) -> Self {
        wit::ProvisionedThroughput {
            read_capacity_units: x.read_capacity_units,
            write_capacity_units: x.write_capacity_units,
        }
    }
}

impl From<c::SecondaryIndex> for wit::SecondaryIndex {
    fn from(x: c::SecondaryIndex) -> Self {
        wit::SecondaryIndex {
            name: x.name,
            kind: match x.kind {
                c::IndexKind::Global => wit::IndexKind::Global,
                c::IndexKind::Local => wit::IndexKind::Local,
            },
            partition_key: x.partition_key,
            sort_key: x.sort_key,
            projection_type: x.projection_type,
            non_key_attributes: x.non_key_attributes,
            status: x.status,
            item_count: x.item_count,
            size_bytes: x.size_bytes,
            throughput: x.throughput.map(Into::into),
        }
    }
}

impl From<c::DynamoDbTable> for wit::DynamodbTable {
    fn from(x: c::DynamoDbTable) -> Self {
        wit::DynamodbTable {
            table_arn: x.table_arn,
            table_id: x.table_id,
            status: x.status,
            creation_date_time: x.creation_date_time,
            billing_mode: x.billing_mode,
            throughput: x.throughput.map(Into::into),
            indexes: x.indexes.into_iter().map(Into::into).collect(),
            stream: x.stream.map(|s| wit::StreamSettings {
                enabled: s.enabled,
                view_type: s.view_type,
                arn: s.arn,
            }),
            encryption: x.encryption.map(|e| wit::Encryption {
                status: e.status,
                sse_type: e.sse_type,
                kms_key_arn: e.kms_key_arn,
            }),
            table_class: x.table_class,
            deletion_protection: x.deletion_protection,
            item_count: x.item_count,
            size_bytes: x.size_bytes,
            replica_regions: x.replica_regions,
        }
    }
}

impl From<c::Table> for wit::Table {
    fn from(x: c::Table) -> Self {
        wit::Table {
            name: x.name,
            fully_qualified_name: x.fully_qualified_name,
            database_schema: x.database_schema,
            table_type: x.table_type.into(),
            description: x.description,
            columns: x.columns.into_iter().map(Into::into).collect(),
            table_constraints: x.table_constraints.into_iter().map(Into::into).collect(),
            source_url: x.source_url,
            tags: x.tags.into_iter().map(Into::into).collect(),
            profile: x.profile.map(Into::into),
            details: x.details.map(|d| match d {
                c::SourceDetails::DynamoDb(t) => wit::SourceDetails::Dynamodb(t.into()),
            }),
        }
    }
}

impl From<c::Failure> for wit::Failure {
    fn from(x: c::Failure) -> Self {
        wit::Failure {
            operation: x.operation,
            http_status: x.http_status,
            code: x.code,
            message: x.message,
            attempts: x.attempts,
        }
    }
}

impl From<c::TableOutcome> for wit::TableOutcome {
    fn from(x: c::TableOutcome) -> Self {
        wit::TableOutcome {
            name: x.name,
            status: match x.status {
                c::TableStatus::Ingested => wit::TableStatus::Ingested,
                c::TableStatus::Filtered(reason) => wit::TableStatus::Filtered(reason),
                c::TableStatus::Failed(failure) => wit::TableStatus::Failed(failure.into()),
            },
        }
    }
}

impl From<c::Ingestion> for wit::Ingestion {
    fn from(x: c::Ingestion) -> Self {
        wit::Ingestion {
            service: wit::DatabaseService {
                name: x.service.name,
                service_type: x.service.service_type,
            },
            database: wit::Database {
                name: x.database.name,
                fully_qualified_name: x.database.fully_qualified_name,
                service: x.database.service,
            },
            schema: wit::DatabaseSchema {
                name: x.schema.name,
                fully_qualified_name: x.schema.fully_qualified_name,
                database: x.schema.database,
            },
            tables: x.tables.into_iter().map(Into::into).collect(),
            outcomes: x.outcomes.into_iter().map(Into::into).collect(),
            listing_complete: x.listing_complete,
            warnings: x
                .warnings
                .into_iter()
                .map(|w| wit::Warning {
                    table: w.table,
                    message: w.message,
                })
                .collect(),
            stats: wit::CallStats {
                requests: x.stats.requests,
                retries: x.stats.retries,
                throttled: x.stats.throttled,
            },
        }
    }
}

impl From<c::ConnectionCheck> for wit::ConnectionCheck {
    fn from(x: c::ConnectionCheck) -> Self {
        wit::ConnectionCheck {
            endpoint: x.endpoint,
            region: x.region,
            tables_on_first_page: x.tables_on_first_page,
            more_tables: x.more_tables,
        }
    }
}

impl From<ConnectorError> for wit::ConnectorError {
    fn from(e: ConnectorError) -> Self {
        match e {
            ConnectorError::InvalidConfig { key, message } => {
                wit::ConnectorError::InvalidConfig(wit::ConfigProblem { key, message })
            }
            ConnectorError::AccessDenied(f) => wit::ConnectorError::AccessDenied(f.into()),
            ConnectorError::Unreachable(f) => wit::ConnectorError::Unreachable(f.into()),
            ConnectorError::Service(f) => wit::ConnectorError::Service(f.into()),
            ConnectorError::InvalidResponse(f) => wit::ConnectorError::InvalidResponse(f.into()),
        }
    }
}
