//! Plain catalog values → the WIT records of `catalog:connector/types`.

use super::bindings::exports::catalog::connector::types as wit;
use crate::catalog as c;
use crate::error::ConnectorError;
use crate::manifest as m;

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
            c::DataType::Set => wit::DataType::Set,
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
            tags: x.tags.into_iter().map(Into::into).collect(),
            coverage: x.coverage.map(|c| wit::ColumnCoverage {
                sampled: c.sampled,
                present: c.present,
                types: c
                    .types
                    .into_iter()
                    .map(|t| wit::TypeCount {
                        type_name: t.type_name,
                        values: t.values,
                    })
                    .collect(),
            }),
            profile: x.profile.map(|p| wit::ColumnProfile {
                values_count: p.values_count,
                null_count: p.null_count,
                distinct_count: p.distinct_count,
                unique_count: p.unique_count,
                min: p.min,
                max: p.max,
                min_length: p.min_length,
                max_length: p.max_length,
                mean: p.mean,
                mean_length: p.mean_length,
            }),
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
            label_type: match x.label_type {
                c::LabelType::Manual => wit::LabelType::Manual,
                c::LabelType::Propagated => wit::LabelType::Propagated,
                c::LabelType::Automated => wit::LabelType::Automated,
                c::LabelType::Derived => wit::LabelType::Derived,
            },
            state: match x.state {
                c::LabelState::Suggested => wit::LabelState::Suggested,
                c::LabelState::Confirmed => wit::LabelState::Confirmed,
            },
        }
    }
}

impl From<c::SamplingReport> for wit::SamplingReport {
    fn from(x: c::SamplingReport) -> Self {
        wit::SamplingReport {
            items: x.items,
            total_segments: x.total_segments,
            segments_read: x.segments_read,
            scan_requests: x.scan_requests,
            consumed_capacity: x.consumed_capacity,
            limits: x
                .limits
                .into_iter()
                .map(|l| match l {
                    c::SamplingLimit::SampleSize => wit::SamplingLimit::SampleSize,
                    c::SamplingLimit::ReadCapacity => wit::SamplingLimit::ReadCapacity,
                    c::SamplingLimit::ReadRate => wit::SamplingLimit::ReadRate,
                    c::SamplingLimit::Converged => wit::SamplingLimit::Converged,
                    c::SamplingLimit::PageLimit => wit::SamplingLimit::PageLimit,
                    c::SamplingLimit::ColumnCap => wit::SamplingLimit::ColumnCap,
                    c::SamplingLimit::Time => wit::SamplingLimit::Time,
                })
                .collect(),
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
            replicas: x
                .replicas
                .into_iter()
                .map(|r| wit::Replica {
                    region: r.region,
                    status: r.status,
                    table_class: r.table_class,
                })
                .collect(),
            on_demand_limits: x.on_demand_limits.map(|l| wit::OnDemandLimits {
                max_read_request_units: l.max_read_request_units,
                max_write_request_units: l.max_write_request_units,
            }),
            warm_throughput: x.warm_throughput.map(|w| wit::WarmThroughput {
                read_units_per_second: w.read_units_per_second,
                write_units_per_second: w.write_units_per_second,
                status: w.status,
            }),
            time_to_live: x.time_to_live.map(|t| wit::TimeToLive {
                status: t.status,
                attribute_name: t.attribute_name,
            }),
            continuous_backups: x.continuous_backups.map(|b| wit::ContinuousBackups {
                point_in_time_recovery: b.point_in_time_recovery,
                recovery_period_days: b.recovery_period_days,
                earliest_restorable: b.earliest_restorable,
                latest_restorable: b.latest_restorable,
            }),
            resource_policy: x.resource_policy.map(|p| wit::ResourcePolicy {
                attached: p.attached,
                revision_id: p.revision_id,
                grants: p.grants.into_iter().map(Into::into).collect(),
                public: p.public,
                note: p.note,
            }),
            kinesis_destinations: x.kinesis_destinations.map(|list| {
                list.into_iter()
                    .map(|k| wit::KinesisDestination {
                        stream_arn: k.stream_arn,
                        status: k.status,
                        precision: k.precision,
                    })
                    .collect()
            }),
            contributor_insights: x.contributor_insights.map(|c| wit::ContributorInsights {
                status: c.status,
                mode: c.mode,
            }),
        }
    }
}

impl From<c::AccessGrant> for wit::AccessGrant {
    fn from(x: c::AccessGrant) -> Self {
        wit::AccessGrant {
            effect: match x.effect {
                c::PolicyEffect::Allow => wit::PolicyEffect::Allow,
                c::PolicyEffect::Deny => wit::PolicyEffect::Deny,
            },
            principals: x.principals,
            access: x
                .access
                .into_iter()
                .map(|a| match a {
                    c::AccessLevel::Read => wit::AccessLevel::Read,
                    c::AccessLevel::Write => wit::AccessLevel::Write,
                    c::AccessLevel::Describe => wit::AccessLevel::Describe,
                    c::AccessLevel::Manage => wit::AccessLevel::Manage,
                })
                .collect(),
            conditional: x.conditional,
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
            lineage: x
                .lineage
                .into_iter()
                .map(|e| wit::LineageEdge {
                    entity_type: match e.entity_type {
                        c::LineageEntity::Topic => wit::LineageEntity::Topic,
                        c::LineageEntity::Container => wit::LineageEntity::Container,
                    },
                    fully_qualified_name: e.fully_qualified_name,
                    description: e.description,
                })
                .collect(),
            sampling: x.sampling.map(Into::into),
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

impl From<c::Warning> for wit::Warning {
    fn from(w: c::Warning) -> Self {
        wit::Warning {
            table: w.table,
            message: w.message,
        }
    }
}

impl From<c::CallStats> for wit::CallStats {
    fn from(s: c::CallStats) -> Self {
        wit::CallStats {
            requests: s.requests,
            retries: s.retries,
            throttled: s.throttled,
        }
    }
}

impl From<c::DatabaseService> for wit::DatabaseService {
    fn from(x: c::DatabaseService) -> Self {
        wit::DatabaseService {
            name: x.name,
            service_type: x.service_type,
        }
    }
}

impl From<c::Database> for wit::Database {
    fn from(x: c::Database) -> Self {
        wit::Database {
            name: x.name,
            fully_qualified_name: x.fully_qualified_name,
            service: x.service,
        }
    }
}

impl From<c::DatabaseSchema> for wit::DatabaseSchema {
    fn from(x: c::DatabaseSchema) -> Self {
        wit::DatabaseSchema {
            name: x.name,
            fully_qualified_name: x.fully_qualified_name,
            database: x.database,
        }
    }
}

impl From<c::RunScope> for wit::RunScope {
    fn from(x: c::RunScope) -> Self {
        wit::RunScope {
            service: x.service.into(),
            database: x.database.into(),
            schema: x.schema.into(),
        }
    }
}

impl From<c::Batch> for wit::Batch {
    fn from(x: c::Batch) -> Self {
        wit::Batch {
            tables: x.tables.into_iter().map(Into::into).collect(),
            outcomes: x.outcomes.into_iter().map(Into::into).collect(),
            warnings: x.warnings.into_iter().map(Into::into).collect(),
            progress: wit::Progress {
                listed: x.progress.listed,
                listing_complete: x.progress.listing_complete,
                stats: x.progress.stats.into(),
            },
        }
    }
}

impl From<c::Ingestion> for wit::Ingestion {
    fn from(x: c::Ingestion) -> Self {
        wit::Ingestion {
            service: x.service.into(),
            database: x.database.into(),
            schema: x.schema.into(),
            tables: x.tables.into_iter().map(Into::into).collect(),
            outcomes: x.outcomes.into_iter().map(Into::into).collect(),
            listing_complete: x.listing_complete,
            warnings: x.warnings.into_iter().map(Into::into).collect(),
            stats: x.stats.into(),
        }
    }
}

impl From<c::ConnectionCheck> for wit::ConnectionCheck {
    fn from(x: c::ConnectionCheck) -> Self {
        wit::ConnectionCheck {
            operation: x.operation,
            endpoint: x.endpoint,
            region: Some(x.region),
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

impl From<m::Manifest> for wit::ConnectorManifest {
    fn from(x: m::Manifest) -> Self {
        wit::ConnectorManifest {
            source_type: x.source_type,
            service_type: x.service_type,
            pipeline_types: x.pipeline_types,
            step_name: x.step_name,
            credentials: match x.credentials {
                m::CredentialProvider::None => wit::CredentialProvider::None,
                m::CredentialProvider::Aws => wit::CredentialProvider::Aws,
            },
            keys: x
                .keys
                .into_iter()
                .map(|k| wit::ConfigKey {
                    name: k.name,
                    yaml_path: k.yaml_path,
                    yaml_aliases: k.yaml_aliases,
                    shape: match k.shape {
                        m::ValueShape::Scalar => wit::ValueShape::Scalar,
                        m::ValueShape::List => wit::ValueShape::List,
                        m::ValueShape::Document => wit::ValueShape::Document,
                    },
                    secret: k.secret,
                    stored: k.stored,
                    lineage_service: k.lineage_service,
                })
                .collect(),
            open_maps: x
                .open_maps
                .into_iter()
                .map(|o| wit::OpenMap {
                    prefix: o.prefix,
                    yaml_path: o.yaml_path,
                })
                .collect(),
            classifications: x
                .classifications
                .into_iter()
                .map(|c| wit::ClassificationDeclaration {
                    name: c.name,
                    description: c.description,
                    tags: c
                        .tags
                        .into_iter()
                        .map(|t| wit::TagDeclaration {
                            name: t.name,
                            description: t.description,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

impl From<m::Destination> for wit::Destination {
    fn from(x: m::Destination) -> Self {
        wit::Destination {
            scheme: x.scheme,
            host: x.host,
            port: x.port,
            purpose: x.purpose,
        }
    }
}
