//! Catalog entities, shaped after OpenMetadata's create requests. These mirror the records of
//! `wit/connector.wit` (`catalog:connector/types`); the guest layer converts one into the other.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    String,
    Number,
    Binary,
    Boolean,
    Null,
    Map,
    Array,
    Set,
    Union,
    Unknown,
}

impl DataType {
    /// The lower-case name used in `data-type-display` (`string`, `map`, ...).
    pub fn display_name(self) -> &'static str {
        match self {
            DataType::String => "string",
            DataType::Number => "number",
            DataType::Binary => "binary",
            DataType::Boolean => "boolean",
            DataType::Null => "null",
            DataType::Map => "map",
            DataType::Array => "array",
            DataType::Set => "set",
            DataType::Union => "union",
            DataType::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnConstraint {
    PrimaryKey,
    NotNull,
    Unique,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeCount {
    pub type_name: String,
    pub values: u32,
}

/// How much of a sample had an inferred column, and as what.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnCoverage {
    pub sampled: u32,
    pub present: u32,
    /// Most frequent first.
    pub types: Vec<TypeCount>,
}

/// Column metrics from the sample (OpenMetadata's `ColumnProfile`); never a string value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnProfile {
    pub values_count: u64,
    pub null_count: u64,
    pub distinct_count: Option<u64>,
    pub unique_count: Option<u64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub min_length: Option<u32>,
    pub max_length: Option<u32>,
    pub mean_length: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub data_type: DataType,
    pub data_type_display: String,
    pub array_data_type: Option<DataType>,
    pub description: Option<String>,
    pub constraint: Option<ColumnConstraint>,
    /// 1-based position among its siblings.
    pub ordinal_position: u32,
    /// Index in the table's `columns` of the column this one is nested in.
    pub parent: Option<u32>,
    pub tags: Vec<TagLabel>,
    pub coverage: Option<ColumnCoverage>,
    pub profile: Option<ColumnProfile>,
}

impl Column {
    /// A column with a type and a position, nothing else known yet.
    pub fn new(
        name: impl Into<String>,
        data_type: DataType,
        data_type_display: impl Into<String>,
        ordinal_position: u32,
    ) -> Column {
        Column {
            name: name.into(),
            data_type,
            data_type_display: data_type_display.into(),
            array_data_type: None,
            description: None,
            constraint: None,
            ordinal_position,
            parent: None,
            tags: Vec::new(),
            coverage: None,
            profile: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintType {
    PrimaryKey,
    SortKey,
    Unique,
    ForeignKey,
    DistKey,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableConstraint {
    pub constraint_type: ConstraintType,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableType {
    Regular,
    External,
    View,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelType {
    Manual,
    Propagated,
    Automated,
    Derived,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelState {
    Suggested,
    Confirmed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TagLabel {
    pub classification: String,
    pub tag: String,
    pub tag_fqn: String,
    pub label_type: LabelType,
    pub state: LabelState,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableProfile {
    pub timestamp_ms: u64,
    pub row_count: Option<u64>,
    pub size_bytes: Option<u64>,
    pub column_count: u32,
    pub create_date_time: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProvisionedThroughput {
    pub read_capacity_units: u64,
    pub write_capacity_units: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    Global,
    Local,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecondaryIndex {
    pub name: String,
    pub kind: IndexKind,
    pub partition_key: String,
    pub sort_key: Option<String>,
    pub projection_type: String,
    pub non_key_attributes: Vec<String>,
    pub status: Option<String>,
    pub item_count: Option<u64>,
    pub size_bytes: Option<u64>,
    pub throughput: Option<ProvisionedThroughput>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StreamSettings {
    pub enabled: bool,
    pub view_type: Option<String>,
    pub arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Encryption {
    pub status: String,
    pub sse_type: Option<String>,
    pub kms_key_arn: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DynamoDbTable {
    pub table_arn: Option<String>,
    pub table_id: Option<String>,
    pub status: Option<String>,
    pub creation_date_time: Option<String>,
    pub billing_mode: String,
    pub throughput: Option<ProvisionedThroughput>,
    pub indexes: Vec<SecondaryIndex>,
    pub stream: Option<StreamSettings>,
    pub encryption: Option<Encryption>,
    pub table_class: Option<String>,
    pub deletion_protection: bool,
    pub item_count: Option<u64>,
    pub size_bytes: Option<u64>,
    /// The table's replicas when it is a global table (this region's among them).
    pub replicas: Vec<Replica>,
    /// An on-demand table's ceilings on request units per second.
    pub on_demand_limits: Option<OnDemandLimits>,
    pub warm_throughput: Option<WarmThroughput>,
    /// `None` when it was not read (`connectionOptions.readTimeToLive: false`, or not allowed).
    pub time_to_live: Option<TimeToLive>,
    /// `None` when not read (`connectionOptions.readBackups: false`, or not allowed).
    pub continuous_backups: Option<ContinuousBackups>,
    /// `None` when not read (`connectionOptions.readResourcePolicy: false`, or not allowed).
    pub resource_policy: Option<ResourcePolicy>,
    /// `None` when not read (`connectionOptions.readKinesisDestinations: false`, or not allowed).
    pub kinesis_destinations: Option<Vec<KinesisDestination>>,
    /// `None` when not read (`connectionOptions.readContributorInsights: false`, or not allowed).
    pub contributor_insights: Option<ContributorInsights>,
}

/// One replica of a global table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replica {
    pub region: String,
    /// E.g. `ACTIVE`, `CREATING`, `REGION_DISABLED`.
    pub status: Option<String>,
    /// When it differs from the table's own class.
    pub table_class: Option<String>,
}

/// `None` for a side means no ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnDemandLimits {
    pub max_read_request_units: Option<u64>,
    pub max_write_request_units: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarmThroughput {
    pub read_units_per_second: u64,
    pub write_units_per_second: u64,
    pub status: Option<String>,
}

/// Point-in-time recovery (DescribeContinuousBackups).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContinuousBackups {
    /// `ENABLED` or `DISABLED`.
    pub point_in_time_recovery: String,
    pub recovery_period_days: Option<u32>,
    /// RFC 3339; moves with time, so it is in the details but not the description.
    pub earliest_restorable: Option<String>,
    pub latest_restorable: Option<String>,
}

/// A summary of the table's resource-based policy (GetResourcePolicy); never the document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourcePolicy {
    /// Whether the table has a policy at all.
    pub attached: bool,
    pub revision_id: Option<String>,
    pub grants: Vec<AccessGrant>,
    /// Some statement allows anyone (`"Principal": "*"`) without a condition.
    pub public: bool,
    /// Why the summary is incomplete (a statement it could not read, or too many), if it is.
    pub note: Option<String>,
}

/// Who may (or may not) do what, from one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessGrant {
    pub effect: PolicyEffect,
    /// `anyone`, `account 111122223333`, an IAM ARN, or `service glue.amazonaws.com`; with
    /// `NotPrincipal`, `anyone except …`.
    pub principals: Vec<String>,
    pub access: Vec<AccessLevel>,
    /// The statement has a `Condition`.
    pub conditional: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PolicyEffect {
    Allow,
    Deny,
}

/// What a set of DynamoDB actions amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AccessLevel {
    /// Items: GetItem, Query, Scan, exports, streams.
    Read,
    /// Items: PutItem, UpdateItem, DeleteItem, imports.
    Write,
    /// Metadata: Describe*, List*.
    Describe,
    /// The table itself: UpdateTable, DeleteTable, tags, backups, policies.
    Manage,
}

/// A Kinesis data stream the table's changes are copied to (DescribeKinesisStreamingDestination).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KinesisDestination {
    pub stream_arn: String,
    pub status: Option<String>,
    pub precision: Option<String>,
}

/// CloudWatch Contributor Insights on the table (DescribeContributorInsights).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContributorInsights {
    pub status: String,
    pub mode: Option<String>,
}

/// A table's time to live (DescribeTimeToLive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeToLive {
    /// `ENABLING`, `DISABLING`, `ENABLED` or `DISABLED`.
    pub status: String,
    /// The attribute whose epoch-seconds value says when an item expires.
    pub attribute_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SourceDetails {
    DynamoDb(DynamoDbTable),
}

#[derive(Debug, Clone, PartialEq)]
pub struct DatabaseService {
    pub name: String,
    pub service_type: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Database {
    pub name: String,
    pub fully_qualified_name: String,
    /// FQN of the service.
    pub service: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DatabaseSchema {
    pub name: String,
    pub fully_qualified_name: String,
    pub database: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamplingLimit {
    SampleSize,
    ReadCapacity,
    ReadRate,
    Converged,
    PageLimit,
    ColumnCap,
    Time,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SamplingReport {
    pub items: u32,
    pub total_segments: u32,
    pub segments_read: u32,
    pub scan_requests: u32,
    pub consumed_capacity: f64,
    pub limits: Vec<SamplingLimit>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub fully_qualified_name: String,
    pub database_schema: String,
    pub table_type: TableType,
    pub description: Option<String>,
    pub columns: Vec<Column>,
    pub table_constraints: Vec<TableConstraint>,
    pub source_url: Option<String>,
    pub tags: Vec<TagLabel>,
    pub profile: Option<TableProfile>,
    pub details: Option<SourceDetails>,
    pub sampling: Option<SamplingReport>,
    /// Edges to entities other connectors catalog (the table is upstream of each).
    pub lineage: Vec<LineageEdge>,
}

/// An edge from a table to an entity in a service the configuration names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineageEdge {
    pub entity_type: LineageEntity,
    /// The entity's FQN, its service first.
    pub fully_qualified_name: String,
    /// Why the data flows there.
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineageEntity {
    /// A messaging service's topic (a Kinesis data stream).
    Topic,
    /// A storage service's container (an S3 bucket).
    Container,
}

/// Why a call failed: which call, what the server (or the network) said.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub operation: String,
    pub http_status: Option<u16>,
    pub code: String,
    pub message: String,
    pub attempts: u32,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} failed", self.operation)?;
        if let Some(status) = self.http_status {
            write!(f, " with HTTP {status}")?;
        }
        write!(f, ": {}: {}", self.code, self.message)?;
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum TableStatus {
    Ingested,
    Filtered(String),
    Failed(Failure),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableOutcome {
    pub name: String,
    pub status: TableStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub table: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallStats {
    pub requests: u32,
    pub retries: u32,
    pub throttled: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ingestion {
    pub service: DatabaseService,
    pub database: Database,
    pub schema: DatabaseSchema,
    pub tables: Vec<Table>,
    pub outcomes: Vec<TableOutcome>,
    pub listing_complete: bool,
    pub warnings: Vec<Warning>,
    pub stats: CallStats,
}

/// What a run catalogs: its service, database and schema.
#[derive(Debug, Clone, PartialEq)]
pub struct RunScope {
    pub service: DatabaseService,
    pub database: Database,
    pub schema: DatabaseSchema,
}

/// Running totals of a streamed run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub listed: u64,
    pub listing_complete: bool,
    pub stats: CallStats,
}

/// What a streamed run hands over at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub tables: Vec<Table>,
    pub outcomes: Vec<TableOutcome>,
    pub warnings: Vec<Warning>,
    pub progress: Progress,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionCheck {
    pub operation: String,
    pub endpoint: String,
    pub region: String,
    pub tables_on_first_page: u32,
    pub more_tables: bool,
}
