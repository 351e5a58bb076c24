//! The connector's settings, read from flat `wasi:config/store` keys that mirror the
//! OpenMetadata workflow YAML (`source.serviceConnection.config` and `source.sourceConfig.config`).
//!
//! | key | YAML | |
//! |---|---|---|
//! | `serviceName` | `source.serviceName` | required |
//! | `awsConfig.<field>` | `serviceConnection.config.awsConfig.<field>` | `awsRegion` required |
//! | `databaseName` | `serviceConnection.config.databaseName` | default `default` |
//! | `connectionOptions.<name>` | `serviceConnection.config.connectionOptions` | tuning, below |
//! | `connectionArguments.<name>` | `serviceConnection.config.connectionArguments` | not used by DynamoDB |
//! | `sourceConfig.<field>` | `sourceConfig.config.<field>` | booleans `true`/`false` |
//! | `sourceConfig.<x>FilterPattern.includes` / `.excludes` | the filter's lists | JSON array of regexes |
//! | `loggerLevel` | `workflowConfig.loggerLevel` | `DEBUG`, `INFO`, `WARN`, `ERROR` |
//!
//! Unknown keys are refused with their name, so that a typo cannot go unnoticed.

use crate::error::ConnectorError;
use crate::filter::FilterPattern;
use crate::log::Level;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

pub mod keys {
    pub const SERVICE_NAME: &str = "serviceName";
    pub const ACCESS_KEY_ID: &str = "awsConfig.awsAccessKeyId";
    pub const SECRET_ACCESS_KEY: &str = "awsConfig.awsSecretAccessKey";
    pub const SESSION_TOKEN: &str = "awsConfig.awsSessionToken";
    pub const REGION: &str = "awsConfig.awsRegion";
    pub const ENDPOINT_URL: &str = "awsConfig.endPointURL";
    pub const PROFILE_NAME: &str = "awsConfig.profileName";
    pub const ASSUME_ROLE_ARN: &str = "awsConfig.assumeRoleArn";
    pub const ASSUME_ROLE_SESSION_NAME: &str = "awsConfig.assumeRoleSessionName";
    pub const ASSUME_ROLE_SOURCE_IDENTITY: &str = "awsConfig.assumeRoleSourceIdentity";
    pub const DATABASE_NAME: &str = "databaseName";
    pub const SERVICE_TYPE: &str = "type";
    pub const SUPPORTS_METADATA_EXTRACTION: &str = "supportsMetadataExtraction";
    pub const CONNECTION_OPTIONS: &str = "connectionOptions.";
    pub const CONNECTION_ARGUMENTS: &str = "connectionArguments.";
    pub const SOURCE_CONFIG_TYPE: &str = "sourceConfig.type";
    /// The profiler's sample (1.3 to 1.9, and 2.0's static `profileSampleConfig`).
    pub const PROFILE_SAMPLE: &str = "sourceConfig.profileSample";
    pub const PROFILE_SAMPLE_TYPE: &str = "sourceConfig.profileSampleType";
    /// 2.0's `profileSampleConfig` and the processor's `tableConfig`, as JSON documents.
    pub const PROFILE_SAMPLE_CONFIG: &str = "sourceConfig.profileSampleConfig";
    pub const PROCESSOR_TABLE_CONFIG: &str = "processor.tableConfig";
    /// The 1.3 profiler's PII tagging, and its threshold (auto-classification's too).
    pub const PROCESS_PII_SENSITIVE: &str = "sourceConfig.processPiiSensitive";
    pub const CONFIDENCE: &str = "sourceConfig.confidence";
    pub const ENABLE_AUTO_CLASSIFICATION: &str = "sourceConfig.enableAutoClassification";
    pub const SAMPLE_DATA_COUNT: &str = "sourceConfig.sampleDataCount";
    pub const INCLUDE_TABLES: &str = "sourceConfig.includeTables";
    pub const INCLUDE_VIEWS: &str = "sourceConfig.includeViews";
    pub const INCLUDE_TAGS: &str = "sourceConfig.includeTags";
    pub const MARK_DELETED_TABLES: &str = "sourceConfig.markDeletedTables";
    pub const USE_FQN_FOR_FILTERING: &str = "sourceConfig.useFqnForFiltering";
    pub const DATABASE_FILTER: &str = "sourceConfig.databaseFilterPattern";
    pub const SCHEMA_FILTER: &str = "sourceConfig.schemaFilterPattern";
    pub const TABLE_FILTER: &str = "sourceConfig.tableFilterPattern";
    /// The connection's own defaults (OpenMetadata 1.9+, "Default ... Filter Pattern"): used
    /// when the pipeline sets no pattern of that kind.
    pub const DEFAULT_DATABASE_FILTER: &str = "databaseFilterPattern";
    pub const DEFAULT_SCHEMA_FILTER: &str = "schemaFilterPattern";
    pub const DEFAULT_TABLE_FILTER: &str = "tableFilterPattern";
    /// Accepted as OpenMetadata's schemas allow them (1.6+, 2.0+); no effect here.
    pub const SUPPORTS_PROFILER: &str = "supportsProfiler";
    pub const AWS_ENABLED: &str = "awsConfig.enabled";
    pub const LOGGER_LEVEL: &str = "loggerLevel";

    /// `connectionOptions` this connector reads: their names, and their whole keys.
    pub mod options {
        pub const DESCRIBE_CONCURRENCY: &str = "describeConcurrency";
        pub const MAX_ATTEMPTS: &str = "maxAttempts";
        pub const REQUEST_TIMEOUT_SECONDS: &str = "requestTimeoutSeconds";
        pub const SAMPLE_SIZE: &str = "sampleSize";
        pub const STS_ENDPOINT_URL: &str = "stsEndpointURL";
        pub const DESCRIBE_CONCURRENCY_KEY: &str = "connectionOptions.describeConcurrency";
        pub const MAX_ATTEMPTS_KEY: &str = "connectionOptions.maxAttempts";
        pub const REQUEST_TIMEOUT_SECONDS_KEY: &str = "connectionOptions.requestTimeoutSeconds";
        pub const SAMPLE_SIZE_KEY: &str = "connectionOptions.sampleSize";
        pub const STS_ENDPOINT_URL_KEY: &str = "connectionOptions.stsEndpointURL";
        pub const SAMPLE_SEGMENTS: &str = "sampleSegments";
        pub const SAMPLE_READ_CAPACITY_UNITS: &str = "sampleReadCapacityUnits";
        pub const SAMPLE_SCAN_RATE: &str = "sampleScanRate";
        pub const SAMPLE_CONVERGENCE_ITEMS: &str = "sampleConvergenceItems";
        pub const SAMPLE_MAX_COLUMNS: &str = "sampleMaxColumns";
        pub const SAMPLE_SECONDS_PER_TABLE: &str = "sampleSecondsPerTable";
        pub const PII_CONFIDENCE: &str = "piiConfidence";
        pub const SAMPLE_SEGMENTS_KEY: &str = "connectionOptions.sampleSegments";
        pub const SAMPLE_READ_CAPACITY_UNITS_KEY: &str =
            "connectionOptions.sampleReadCapacityUnits";
        pub const SAMPLE_SCAN_RATE_KEY: &str = "connectionOptions.sampleScanRate";
        pub const SAMPLE_CONVERGENCE_ITEMS_KEY: &str = "connectionOptions.sampleConvergenceItems";
        pub const SAMPLE_MAX_COLUMNS_KEY: &str = "connectionOptions.sampleMaxColumns";
        pub const SAMPLE_SECONDS_PER_TABLE_KEY: &str = "connectionOptions.sampleSecondsPerTable";
        pub const CLASSIFY_PII_KEY: &str = "connectionOptions.classifyPii";
        pub const READ_TIME_TO_LIVE_KEY: &str = "connectionOptions.readTimeToLive";
        pub const READ_BACKUPS_KEY: &str = "connectionOptions.readBackups";
        pub const KINESIS_MESSAGING_SERVICE: &str = "kinesisMessagingService";
        pub const KINESIS_MESSAGING_SERVICE_KEY: &str = "connectionOptions.kinesisMessagingService";
        pub const S3_STORAGE_SERVICE: &str = "s3StorageService";
        pub const S3_STORAGE_SERVICE_KEY: &str = "connectionOptions.s3StorageService";
        pub const READ_RESOURCE_POLICY_KEY: &str = "connectionOptions.readResourcePolicy";
        pub const READ_KINESIS_DESTINATIONS_KEY: &str = "connectionOptions.readKinesisDestinations";
        pub const READ_CONTRIBUTOR_INSIGHTS_KEY: &str = "connectionOptions.readContributorInsights";
        pub const PII_CONFIDENCE_KEY: &str = "connectionOptions.piiConfidence";
        pub const INCLUDE_TABLE_ITEMS: &str = "includeTableItems";
        pub const INCLUDE_TABLE_ITEMS_KEY: &str = "connectionOptions.includeTableItems";
    }
}

/// A credential that must never be printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticCredentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: String,
    pub source_identity: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AwsSettings {
    pub region: String,
    pub endpoint_url: Option<String>,
    pub sts_endpoint_url: Option<String>,
    pub credentials: Option<StaticCredentials>,
    pub assume_role: Option<AssumeRole>,
}

#[derive(Debug, Clone)]
pub struct SourceSettings {
    pub include_tables: bool,
    pub include_tags: bool,
    pub mark_deleted_tables: bool,
    pub use_fqn_for_filtering: bool,
    pub database_filter: FilterPattern,
    pub schema_filter: FilterPattern,
    pub table_filter: FilterPattern,
}

/// How hard the connector works the service.
#[derive(Debug, Clone, PartialEq)]
pub struct Tuning {
    /// DescribeTable (and ListTagsOfResource) calls in flight at once.
    pub describe_concurrency: usize,
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// Time allowed for a whole request: sending it and reading the whole answer.
    pub request_timeout: Duration,
    /// Items to scan per table to infer non-key attributes; 0 turns scanning off.
    pub sample_size: u32,
    /// A profiler's sample (it replaces `sample_size`), and the tables with one of their own
    /// by FQN.
    pub profile_sample: Option<SampleRule>,
    pub table_samples: Vec<(String, SampleRule)>,
    /// Items the user names by key, per table, read first into its sample (BatchGetItem).
    pub chosen_items: BTreeMap<String, Vec<serde_json::Value>>,
    pub sampling: Sampling,
    /// The reads made per table beyond DescribeTable.
    pub reads: Reads,
    /// The OpenMetadata services lineage edges go to.
    pub lineage: LineageServices,
}

/// The OpenMetadata services that other connectors made for the account's other resources:
/// naming one turns on the lineage edges into it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineageServices {
    /// Kinesis data streams (topics).
    pub kinesis: Option<String>,
    /// S3 buckets (containers); also turns on ListExports and DescribeExport.
    pub s3: Option<String>,
}

/// Which of the per-table reads beyond DescribeTable (and tags and samples) a run makes; each
/// is on unless its `connectionOptions.read*` key turns it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reads {
    /// DescribeTimeToLive.
    pub time_to_live: bool,
    /// DescribeContinuousBackups.
    pub backups: bool,
    /// GetResourcePolicy.
    pub resource_policy: bool,
    /// DescribeKinesisStreamingDestination.
    pub kinesis_destinations: bool,
    /// DescribeContributorInsights.
    pub contributor_insights: bool,
}

impl Default for Reads {
    fn default() -> Self {
        Reads {
            time_to_live: true,
            backups: true,
            resource_policy: true,
            kinesis_destinations: true,
            contributor_insights: true,
        }
    }
}

/// How items are sampled, when `sample_size` is above 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Sampling {
    /// Parallel-scan segments the key space is divided into.
    pub segments: u32,
    /// Read capacity units a table's sample may consume.
    pub read_capacity_units: f64,
    /// Share of a provisioned table's read capacity per second the sample may use.
    pub scan_rate: f64,
    /// Stop once this many items in a row brought no new attribute path (0: never).
    pub convergence_items: u32,
    pub max_columns: usize,
    /// Time one table's sample may take.
    pub time_per_table: Duration,
    /// PII classification threshold (0–100); `None` when `classifyPii` is off.
    pub pii_threshold: Option<u8>,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling {
            segments: 16,
            read_capacity_units: 50.0,
            scan_rate: 0.5,
            convergence_items: 200,
            max_columns: crate::mapping::sample::MAX_COLUMNS,
            time_per_table: Duration::from_secs(60),
            pii_threshold: Some(80),
        }
    }
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            describe_concurrency: 16,
            max_attempts: 10,
            request_timeout: Duration::from_secs(30),
            sample_size: 0,
            profile_sample: None,
            table_samples: Vec::new(),
            chosen_items: BTreeMap::new(),
            sampling: Sampling::default(),
            reads: Reads::default(),
            lineage: LineageServices::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Which of OpenMetadata's workflows this run serves.
    pub pipeline: Pipeline,
    pub service_name: String,
    pub database_name: String,
    pub aws: AwsSettings,
    pub source: SourceSettings,
    pub tuning: Tuning,
    pub log_level: Level,
    /// Keys that were accepted but have no effect here, for a log line.
    pub ignored_keys: Vec<String>,
}

/// OpenMetadata's workflows over a database service (`sourceConfig.config.type`). The profiler
/// and auto-classification only sample: their sinks write profiles or column tags onto tables
/// that already exist, so no tag, operational read or lineage is read for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pipeline {
    #[default]
    Metadata,
    Profiler,
    AutoClassification,
}

/// How many items a profiler samples per table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ProfileSample {
    /// This share (0–100) of the table's `ItemCount`.
    Percentage(f64),
    Rows(u32),
}

impl ProfileSample {
    /// Items to sample from a table of `item_count` items (at least one of a table that has
    /// any), within the sample's bound.
    pub fn items(self, item_count: Option<u64>) -> u32 {
        match self {
            ProfileSample::Rows(n) => n,
            ProfileSample::Percentage(share) => {
                let count = item_count.unwrap_or(MAX_SAMPLE as u64) as f64;
                let items = (count * share / 100.0).ceil() as u64;
                items.clamp(u64::from(count > 0.0), MAX_SAMPLE as u64) as u32
            }
        }
    }
}

/// A profiler's sample for a table: one fixed sample, or 2.0's dynamic tiers (the first whose
/// row-count threshold the table reaches, from the highest); the whole table otherwise.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SampleRule {
    /// `(rowCountThreshold, sample)`, highest threshold first; a fixed sample is `(0, sample)`.
    tiers: Vec<(u64, ProfileSample)>,
}

impl SampleRule {
    pub fn fixed(sample: ProfileSample) -> SampleRule {
        SampleRule {
            tiers: vec![(0, sample)],
        }
    }

    /// Items to sample from a table of `item_count` items (unknown: the largest tier).
    pub fn items(&self, item_count: Option<u64>) -> u32 {
        let count = item_count.unwrap_or(u64::MAX);
        self.tiers
            .iter()
            .find(|(threshold, _)| count >= *threshold)
            .map_or(ProfileSample::Percentage(100.0), |(_, sample)| *sample)
            .items(item_count)
    }
}

/// A sample as OpenMetadata writes one: `value` a number, `kind` `PERCENTAGE` (the default)
/// or `ROWS`. `None` when `value` is absent.
fn sample_of(
    key: &str,
    value: &serde_json::Value,
    kind: &serde_json::Value,
) -> Result<Option<ProfileSample>> {
    if value.is_null() {
        return Ok(None);
    }
    let rows = match kind {
        serde_json::Value::Null => false,
        k if k == "PERCENTAGE" => false,
        k if k == "ROWS" => true,
        _ => {
            return Err(ConnectorError::config(
                key,
                "a profileSampleType is not PERCENTAGE or ROWS",
            ));
        }
    };
    let number = value.as_f64().filter(|n| n.is_finite());
    match (rows, number) {
        (true, Some(n)) if n >= 1.0 && n <= MAX_SAMPLE as f64 && n.fract() == 0.0 => {
            Ok(Some(ProfileSample::Rows(n as u32)))
        }
        (false, Some(n)) if n > 0.0 && n <= 100.0 => Ok(Some(ProfileSample::Percentage(n))),
        (true, _) => Err(ConnectorError::config(
            key,
            "a ROWS profileSample is a whole number from 1 to 100000",
        )),
        (false, _) => Err(ConnectorError::config(
            key,
            "a PERCENTAGE profileSample is a number above 0 to 100",
        )),
    }
}

/// 2.0's `profileSampleConfig`: `{"sampleConfigType": "STATIC" | "DYNAMIC", "config": …}`.
/// STATIC: `config.profileSample` and `profileSampleType`; DYNAMIC: `config.thresholds`
/// (`rowCountThreshold`, `profileSample`, `profileSampleType`), and without thresholds (smart
/// sampling) the whole table, within the sampling's limits.
fn sample_config(key: &str, document: &serde_json::Value) -> Result<Option<SampleRule>> {
    if !document.is_object() || !(document["config"].is_object() || document["config"].is_null()) {
        return Err(ConnectorError::config(
            key,
            "a profileSampleConfig is a mapping with a `config` mapping",
        ));
    }
    let config = &document["config"];
    if let Some(thresholds) = config["thresholds"].as_array() {
        if thresholds.len() > MAX_THRESHOLDS {
            return Err(ConnectorError::config(key, "more than 20 thresholds"));
        }
        let mut tiers = Vec::with_capacity(thresholds.len());
        for tier in thresholds {
            let threshold = tier["rowCountThreshold"]
                .as_u64()
                .filter(|t| *t >= 1)
                .ok_or_else(|| {
                    ConnectorError::config(
                        key,
                        "a threshold's rowCountThreshold is not a whole number from 1",
                    )
                })?;
            let sample = sample_of(key, &tier["profileSample"], &tier["profileSampleType"])?
                .ok_or_else(|| ConnectorError::config(key, "a threshold without profileSample"))?;
            // Highest threshold first (at most 20: an insertion, not a sort).
            let at = tiers
                .iter()
                .position(|(t, _)| *t < threshold)
                .unwrap_or(tiers.len());
            tiers.insert(at, (threshold, sample));
        }
        return Ok(Some(SampleRule { tiers }));
    }
    Ok(
        sample_of(key, &config["profileSample"], &config["profileSampleType"])?
            .map(SampleRule::fixed),
    )
}

const MAX_THRESHOLDS: usize = 20;

/// Keys named per table at most (one BatchGetItem), and the option's length at most.
const MAX_CHOSEN_ITEMS: usize = 100;
const MAX_CHOSEN_ITEMS_TEXT: usize = 64 * 1024;

/// The most items one table's sample reads.
pub const MAX_SAMPLE: u32 = 100_000;

pub const DEFAULT_DATABASE: &str = "default";
pub const DEFAULT_SESSION_NAME: &str = "OpenMetadataSession";
const MAX_DESCRIBE_CONCURRENCY: usize = 256;

type Result<T> = std::result::Result<T, ConnectorError>;

impl Settings {
    /// Reads settings from `(key, value)` pairs, as `wasi:config/store.get-all` returns them.
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<Settings>
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let map: BTreeMap<String, String> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Reader::new(map).read()
    }
}

struct Reader {
    map: BTreeMap<String, String>,
}

impl Reader {
    fn new(map: BTreeMap<String, String>) -> Self {
        Reader { map }
    }

    fn read(mut self) -> Result<Settings> {
        let log_level = match self.take(keys::LOGGER_LEVEL) {
            None => Level::Info,
            Some(v) => Level::parse(&v).ok_or_else(|| {
                ConnectorError::config(
                    keys::LOGGER_LEVEL,
                    format!("`{v}` is not one of DEBUG, INFO, WARN, ERROR"),
                )
            })?,
        };
        let service_name = self.required(keys::SERVICE_NAME)?;
        let database_name = self
            .take_non_empty(keys::DATABASE_NAME)
            .unwrap_or_else(|| DEFAULT_DATABASE.to_string());
        let aws = self.aws()?;
        let source = self.source()?;
        let tuning = self.tuning()?;

        let mut ignored_keys = Vec::new();
        for key in [
            keys::PROFILE_NAME,
            keys::SUPPORTS_METADATA_EXTRACTION,
            keys::SUPPORTS_PROFILER,
            keys::AWS_ENABLED,
            keys::INCLUDE_VIEWS,
        ] {
            if self.map.remove(key).is_some() {
                ignored_keys.push(key.to_string());
            }
        }
        if let Some(t) = self.take(keys::SERVICE_TYPE)
            && t != "DynamoDB"
        {
            return Err(ConnectorError::config(
                keys::SERVICE_TYPE,
                format!("`{t}` is not `DynamoDB`"),
            ));
        }
        let pipeline = match self.take(keys::SOURCE_CONFIG_TYPE).as_deref() {
            None | Some("DatabaseMetadata") => Pipeline::Metadata,
            Some("Profiler") => Pipeline::Profiler,
            Some("AutoClassification") => Pipeline::AutoClassification,
            Some(t) => {
                return Err(ConnectorError::config(
                    keys::SOURCE_CONFIG_TYPE,
                    format!("`{t}` is not DatabaseMetadata, Profiler or AutoClassification"),
                ));
            }
        };
        let mut source = source;
        let mut tuning = tuning;
        self.pipeline_settings(pipeline, &mut source, &mut tuning)?;
        let arguments: Vec<String> = self
            .map
            .keys()
            .filter(|k| k.starts_with(keys::CONNECTION_ARGUMENTS))
            .cloned()
            .collect();
        for key in arguments {
            self.map.remove(&key);
            ignored_keys.push(key);
        }
        let options: Vec<String> = self
            .map
            .keys()
            .filter(|k| k.starts_with(keys::CONNECTION_OPTIONS))
            .cloned()
            .collect();
        for key in options {
            self.map.remove(&key);
            ignored_keys.push(key);
        }
        if let Some(key) = self.map.keys().next() {
            return Err(ConnectorError::config(
                key.clone(),
                "unknown key (see the README's configuration keys for the ones this connector reads)",
            ));
        }
        Ok(Settings {
            pipeline,
            service_name: check_entity_name(keys::SERVICE_NAME, service_name)?,
            database_name: check_entity_name(keys::DATABASE_NAME, database_name)?,
            aws,
            source,
            tuning,
            log_level,
            ignored_keys,
        })
    }

    fn aws(&mut self) -> Result<AwsSettings> {
        let region = self.required(keys::REGION)?;
        if !region
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(ConnectorError::config(
                keys::REGION,
                format!("`{region}` is not a region name (letters, digits and '-')"),
            ));
        }
        let endpoint_url = self.take_non_empty(keys::ENDPOINT_URL);
        let sts_endpoint_url = self.take_option(options::STS_ENDPOINT_URL);
        let access_key_id = self.take_non_empty(keys::ACCESS_KEY_ID);
        let secret = self.take_non_empty(keys::SECRET_ACCESS_KEY);
        let token = self.take_non_empty(keys::SESSION_TOKEN);
        let credentials = match (access_key_id, secret) {
            (Some(id), Some(secret)) => Some(StaticCredentials {
                access_key_id: check_header_safe(keys::ACCESS_KEY_ID, id)?,
                secret_access_key: Secret(check_header_safe(keys::SECRET_ACCESS_KEY, secret)?),
                session_token: token
                    .map(|t| check_header_safe(keys::SESSION_TOKEN, t).map(Secret))
                    .transpose()?,
            }),
            (None, None) if token.is_none() => None,
            (Some(_), None) | (None, None) => {
                return Err(ConnectorError::config(
                    keys::SECRET_ACCESS_KEY,
                    "missing: give both awsAccessKeyId and awsSecretAccessKey",
                ));
            }
            (None, Some(_)) => {
                return Err(ConnectorError::config(
                    keys::ACCESS_KEY_ID,
                    "missing: give both awsAccessKeyId and awsSecretAccessKey",
                ));
            }
        };
        let assume_role = match self.take_non_empty(keys::ASSUME_ROLE_ARN) {
            Some(role_arn) => Some(AssumeRole {
                role_arn,
                session_name: self
                    .take_non_empty(keys::ASSUME_ROLE_SESSION_NAME)
                    .unwrap_or_else(|| DEFAULT_SESSION_NAME.to_string()),
                source_identity: self.take_non_empty(keys::ASSUME_ROLE_SOURCE_IDENTITY),
            }),
            None => {
                self.take(keys::ASSUME_ROLE_SESSION_NAME);
                self.take(keys::ASSUME_ROLE_SOURCE_IDENTITY);
                None
            }
        };
        Ok(AwsSettings {
            region,
            endpoint_url,
            sts_endpoint_url,
            credentials,
            assume_role,
        })
    }

    fn source(&mut self) -> Result<SourceSettings> {
        Ok(SourceSettings {
            include_tables: self.boolean(keys::INCLUDE_TABLES, true)?,
            include_tags: self.boolean(keys::INCLUDE_TAGS, true)?,
            mark_deleted_tables: self.boolean(keys::MARK_DELETED_TABLES, true)?,
            use_fqn_for_filtering: self.boolean(keys::USE_FQN_FOR_FILTERING, false)?,
            database_filter: self
                .filter_or_default(keys::DATABASE_FILTER, keys::DEFAULT_DATABASE_FILTER)?,
            schema_filter: self
                .filter_or_default(keys::SCHEMA_FILTER, keys::DEFAULT_SCHEMA_FILTER)?,
            table_filter: self.filter_or_default(keys::TABLE_FILTER, keys::DEFAULT_TABLE_FILTER)?,
        })
    }

    /// The pipeline's pattern; when it sets none (neither includes nor excludes), the
    /// connection's default of the same kind. Both are read and checked either way.
    fn filter_or_default(&mut self, pipeline: &str, connection: &str) -> Result<FilterPattern> {
        let own = self.filter(pipeline)?;
        let default = self.filter(connection)?;
        Ok(if own.is_empty() { default } else { own })
    }

    fn tuning(&mut self) -> Result<Tuning> {
        let defaults = Tuning::default();
        let describe_concurrency = self
            .option_number(
                options::DESCRIBE_CONCURRENCY,
                1,
                MAX_DESCRIBE_CONCURRENCY as u64,
            )?
            .map_or(defaults.describe_concurrency, |n| n as usize);
        let max_attempts = self
            .option_number(options::MAX_ATTEMPTS, 1, 20)?
            .map_or(defaults.max_attempts, |n| n as u32);
        let request_timeout = self
            .option_number(options::REQUEST_TIMEOUT_SECONDS, 1, 3600)?
            .map_or(defaults.request_timeout, Duration::from_secs);
        let sample_size = self
            .option_number(options::SAMPLE_SIZE, 0, 100_000)?
            .map_or(defaults.sample_size, |n| n as u32);
        let d = defaults.sampling;
        let classify_pii = self.boolean(options::CLASSIFY_PII_KEY, true)?;
        let pii_confidence = self
            .option_number(options::PII_CONFIDENCE, 0, 100)?
            .map_or(80, |n| n as u8);
        let sampling = Sampling {
            segments: self
                .option_number(options::SAMPLE_SEGMENTS, 1, 1_000)?
                .map_or(d.segments, |n| n as u32),
            read_capacity_units: self
                .option_decimal(
                    options::SAMPLE_READ_CAPACITY_UNITS,
                    0.5..=1_000_000.0,
                    "0.5 to 1000000",
                )?
                .unwrap_or(d.read_capacity_units),
            scan_rate: self
                .option_decimal(options::SAMPLE_SCAN_RATE, 0.01..=1.5, "0.01 to 1.5")?
                .unwrap_or(d.scan_rate),
            convergence_items: self
                .option_number(options::SAMPLE_CONVERGENCE_ITEMS, 0, 100_000)?
                .map_or(d.convergence_items, |n| n as u32),
            max_columns: self
                .option_number(options::SAMPLE_MAX_COLUMNS, 1, 10_000)?
                .map_or(d.max_columns, |n| n as usize),
            time_per_table: self
                .option_number(options::SAMPLE_SECONDS_PER_TABLE, 1, 3_600)?
                .map_or(d.time_per_table, Duration::from_secs),
            pii_threshold: classify_pii.then_some(pii_confidence),
        };
        Ok(Tuning {
            describe_concurrency,
            max_attempts,
            request_timeout,
            sample_size,
            profile_sample: None,
            table_samples: Vec::new(),
            chosen_items: self.chosen_items()?,
            sampling,
            reads: Reads {
                time_to_live: self.boolean(options::READ_TIME_TO_LIVE_KEY, true)?,
                backups: self.boolean(options::READ_BACKUPS_KEY, true)?,
                resource_policy: self.boolean(options::READ_RESOURCE_POLICY_KEY, true)?,
                kinesis_destinations: self.boolean(options::READ_KINESIS_DESTINATIONS_KEY, true)?,
                contributor_insights: self.boolean(options::READ_CONTRIBUTOR_INSIGHTS_KEY, true)?,
            },
            lineage: LineageServices {
                kinesis: self.take_option(options::KINESIS_MESSAGING_SERVICE),
                s3: self.take_option(options::S3_STORAGE_SERVICE),
            },
        })
    }

    /// The profiler's and auto-classification's options, onto the sampling they drive: only
    /// the sample is read (no tags, operational reads or lineage), every item of it is kept
    /// (no early stop once the attributes converge), and their own sample size and PII
    /// threshold apply.
    fn pipeline_settings(
        &mut self,
        pipeline: Pipeline,
        source: &mut SourceSettings,
        tuning: &mut Tuning,
    ) -> Result<()> {
        let sample = self.profile_rule()?;
        let table_samples = self.table_samples()?;
        let process_pii = self.boolean(keys::PROCESS_PII_SENSITIVE, false)?;
        let confidence = self.decimal(keys::CONFIDENCE, 0.0..=100.0, "0 to 100")?;
        let enable = self.boolean(keys::ENABLE_AUTO_CLASSIFICATION, true)?;
        let count = self.number(keys::SAMPLE_DATA_COUNT, 1, MAX_SAMPLE as u64)?;
        let threshold = confidence.map_or(80, |c| c.ceil() as u8);
        if pipeline == Pipeline::Metadata {
            return Ok(());
        }
        source.include_tags = false;
        tuning.reads = Reads {
            time_to_live: false,
            backups: false,
            resource_policy: false,
            kinesis_destinations: false,
            contributor_insights: false,
        };
        tuning.lineage = LineageServices::default();
        tuning.sampling.convergence_items = 0;
        match pipeline {
            Pipeline::Profiler => {
                // No sample given: the whole table, as OpenMetadata's profiler, within the
                // sample's capacity and time limits.
                tuning.profile_sample = Some(sample.unwrap_or_default());
                tuning.table_samples = table_samples;
                tuning.sampling.pii_threshold = process_pii.then_some(threshold);
            }
            _ => {
                tuning.sample_size = if enable {
                    count.map_or(50, |n| n as u32)
                } else {
                    tuning.chosen_items.clear();
                    0
                };
                tuning.sampling.pii_threshold = enable.then_some(threshold);
            }
        }
        Ok(())
    }

    /// The pipeline's sample: 1.x's `profileSample` with `profileSampleType` (default
    /// PERCENTAGE), or 2.0's `profileSampleConfig`; at most one of the two.
    fn profile_rule(&mut self) -> Result<Option<SampleRule>> {
        let kind = self.take_non_empty(keys::PROFILE_SAMPLE_TYPE);
        let value = self.take_non_empty(keys::PROFILE_SAMPLE);
        let flat = match value {
            None => None,
            Some(text) => {
                let number = crate::number::parse_f64(&text).map(serde_json::Value::from);
                let kind = kind.map(serde_json::Value::from).unwrap_or_default();
                sample_of(keys::PROFILE_SAMPLE, &number.unwrap_or_default(), &kind)?
            }
        };
        let document = self.document(keys::PROFILE_SAMPLE_CONFIG)?;
        let from_document = match &document {
            Some(config) => sample_config(keys::PROFILE_SAMPLE_CONFIG, config)?,
            None => None,
        };
        if flat.is_some() && document.is_some() {
            return Err(ConnectorError::config(
                keys::PROFILE_SAMPLE_CONFIG,
                "give profileSample or profileSampleConfig, not both",
            ));
        }
        Ok(flat.map(SampleRule::fixed).or(from_document))
    }

    /// The processor's `tableConfig`: the tables (by FQN) with a sample of their own.
    fn table_samples(&mut self) -> Result<Vec<(String, SampleRule)>> {
        let key = keys::PROCESSOR_TABLE_CONFIG;
        let Some(document) = self.document(key)? else {
            return Ok(Vec::new());
        };
        let entries = document
            .as_array()
            .ok_or_else(|| ConnectorError::config(key, "not a list of tables"))?;
        let mut rules = Vec::new();
        for entry in entries {
            let Some(fqn) = entry["fullyQualifiedName"].as_str() else {
                return Err(ConnectorError::config(
                    key,
                    "an entry without fullyQualifiedName",
                ));
            };
            let own = sample_of(key, &entry["profileSample"], &entry["profileSampleType"])?
                .map(SampleRule::fixed);
            let config = match entry.get("profileSampleConfig") {
                Some(config) if !config.is_null() => sample_config(key, config)?,
                _ => None,
            };
            if own.is_some() && config.is_some() {
                return Err(ConnectorError::config(
                    key,
                    "give profileSample or profileSampleConfig, not both",
                ));
            }
            if let Some(rule) = own.or(config) {
                rules.push((fqn.to_string(), rule));
            }
        }
        Ok(rules)
    }

    /// A document key's JSON (the host wrote it from the workflow).
    fn document(&mut self, key: &str) -> Result<Option<serde_json::Value>> {
        match self.take_non_empty(key) {
            None => Ok(None),
            Some(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|_| ConnectorError::config(key, "not a JSON document")),
        }
    }

    /// `connectionOptions.includeTableItems`: a JSON object of table names to lists of keys in
    /// DynamoDB's JSON (`{"orders": [{"id": {"S": "o-1"}}]}`), as DataHub's
    /// `include_table_item`. Bounded (100 keys a table, one BatchGetItem; 64 KiB in all); a key
    /// is one or two attributes of type S, N or B. Its values are never repeated in a message.
    fn chosen_items(&mut self) -> Result<BTreeMap<String, Vec<serde_json::Value>>> {
        use serde_json::Value;
        let key = options::INCLUDE_TABLE_ITEMS_KEY;
        let Some(text) = self.take_non_empty(key) else {
            return Ok(BTreeMap::new());
        };
        let fail = |why: String| ConnectorError::config(key, why);
        if text.len() > MAX_CHOSEN_ITEMS_TEXT {
            return Err(fail(format!(
                "longer than {} KiB",
                MAX_CHOSEN_ITEMS_TEXT / 1024
            )));
        }
        let Ok(Value::Object(tables)) = serde_json::from_str::<Value>(&text) else {
            return Err(fail(
                "not a JSON object of table names to lists of keys, e.g. {\"orders\": [{\"id\": {\"S\": \"o-1\"}}]}"
                    .to_string(),
            ));
        };
        let mut chosen = BTreeMap::new();
        for (table, keys) in tables {
            let shown: String = table.chars().take(255).collect();
            let named = |why: &str| fail(format!("table `{shown}`: {why}"));
            let Value::Array(keys) = keys else {
                return Err(named("not a list of keys"));
            };
            if keys.is_empty() || keys.len() > MAX_CHOSEN_ITEMS {
                return Err(named("give 1 to 100 keys"));
            }
            for item_key in &keys {
                let Some(attributes) = item_key.as_object() else {
                    return Err(named("a key is not an object of attributes"));
                };
                let typed = |v: &Value| {
                    v.as_object().is_some_and(|o| {
                        o.len() == 1
                            && o.iter().all(|(t, v)| {
                                matches!(t.as_str(), "S" | "N" | "B") && v.is_string()
                            })
                    })
                };
                if attributes.is_empty() || attributes.len() > 2 || !attributes.values().all(typed)
                {
                    return Err(named(
                        "a key is one or two attributes, each {\"S\"|\"N\"|\"B\": \"…\"}",
                    ));
                }
            }
            if keys.iter().enumerate().any(|(i, k)| keys[..i].contains(k)) {
                // DynamoDB refuses a BatchGetItem that names an item twice.
                return Err(named("a key is named twice"));
            }
            chosen.insert(table, keys);
        }
        Ok(chosen)
    }

    fn take(&mut self, key: &str) -> Option<String> {
        self.map.remove(key)
    }

    /// A value, with an empty string read as absent (as YAML's `key:` with nothing after it).
    fn take_non_empty(&mut self, key: &str) -> Option<String> {
        self.take(key).filter(|v| !v.trim().is_empty())
    }

    fn take_option(&mut self, name: &str) -> Option<String> {
        self.take_non_empty(&format!("{}{name}", keys::CONNECTION_OPTIONS))
    }

    fn required(&mut self, key: &str) -> Result<String> {
        self.take_non_empty(key)
            .ok_or_else(|| ConnectorError::config(key, "missing: this setting is required"))
    }

    fn boolean(&mut self, key: &str, default: bool) -> Result<bool> {
        match self.take(key) {
            None => Ok(default),
            Some(v) => match v.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(ConnectorError::config(
                    key,
                    format!("`{v}` is not `true` or `false`"),
                )),
            },
        }
    }

    fn option_number(&mut self, name: &str, min: u64, max: u64) -> Result<Option<u64>> {
        self.number(&format!("{}{name}", keys::CONNECTION_OPTIONS), min, max)
    }

    fn number(&mut self, key: &str, min: u64, max: u64) -> Result<Option<u64>> {
        let Some(v) = self.take_non_empty(key) else {
            return Ok(None);
        };
        match v.trim().parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(ConnectorError::config(
                key,
                format!("`{v}` is not a whole number from {min} to {max}"),
            )),
        }
    }

    /// `range_text` is the range as the user reads it; formatting floats would cost the
    /// component its float-printing code.
    fn option_decimal(
        &mut self,
        name: &str,
        range: std::ops::RangeInclusive<f64>,
        range_text: &str,
    ) -> Result<Option<f64>> {
        self.decimal(
            &format!("{}{name}", keys::CONNECTION_OPTIONS),
            range,
            range_text,
        )
    }

    fn decimal(
        &mut self,
        key: &str,
        range: std::ops::RangeInclusive<f64>,
        range_text: &str,
    ) -> Result<Option<f64>> {
        let Some(v) = self.take_non_empty(key) else {
            return Ok(None);
        };
        match crate::number::parse_f64(&v) {
            Some(n) if n.is_finite() && range.contains(&n) => Ok(Some(n)),
            _ => Err(ConnectorError::config(
                key,
                format!("`{v}` is not a number from {range_text}"),
            )),
        }
    }

    fn string_list(&mut self, key: &str) -> Result<Vec<String>> {
        let Some(v) = self.take(key) else {
            return Ok(Vec::new());
        };
        let expected = |why: String| {
            ConnectorError::config(
                key,
                format!("expected a JSON array of strings such as [\"^orders\"]: {why}"),
            )
        };
        match serde_json::from_str::<serde_json::Value>(&v).map_err(|e| expected(e.to_string()))? {
            serde_json::Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| match item {
                    serde_json::Value::String(s) => Ok(s),
                    other => Err(expected(format!(
                        "entry {i} is {}",
                        crate::dynamodb::read::describe(&other)
                    ))),
                })
                .collect(),
            other => Err(expected(format!(
                "found {}",
                crate::dynamodb::read::describe(&other)
            ))),
        }
    }

    fn filter(&mut self, prefix: &str) -> Result<FilterPattern> {
        let includes_key = format!("{prefix}.includes");
        let excludes_key = format!("{prefix}.excludes");
        let includes = self.string_list(&includes_key)?;
        let excludes = self.string_list(&excludes_key)?;
        FilterPattern::new(&includes, &excludes).map_err(|e| {
            ConnectorError::config(
                format!("{prefix}.{}[{}]", e.list, e.index),
                format!(
                    "`{}` is not a valid regular expression: {}",
                    e.pattern, e.message
                ),
            )
        })
    }
}

use keys::options;

/// OpenMetadata's `EntityName`: 1 to 256 characters, no `::`, and (for FQNs) no `"`.
fn check_entity_name(key: &str, name: String) -> Result<String> {
    let problem = if name.chars().count() > 256 {
        Some("is longer than 256 characters")
    } else if name.contains("::") {
        Some("contains `::`")
    } else if name.contains('"') {
        Some("contains '\"'")
    } else {
        None
    };
    match problem {
        Some(p) => Err(ConnectorError::config(
            key,
            format!("`{name}` {p}, which OpenMetadata does not accept in a name"),
        )),
        None => Ok(name),
    }
}

/// Credentials travel in HTTP headers: refuse characters a header cannot carry, and say so
/// without echoing the value.
fn check_header_safe(key: &str, value: String) -> Result<String> {
    if value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Ok(value)
    } else {
        Err(ConnectorError::config(
            key,
            "contains characters that are not printable ASCII (a stray newline?)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![
            ("serviceName", "local_dynamodb"),
            ("awsConfig.awsRegion", "us-east-1"),
            ("awsConfig.awsAccessKeyId", "AKIDEXAMPLE"),
            ("awsConfig.awsSecretAccessKey", "very-secret"),
        ]
    }

    fn with(extra: &[(&'static str, &'static str)]) -> Result<Settings> {
        let mut pairs = base();
        pairs.extend_from_slice(extra);
        Settings::from_pairs(pairs)
    }

    #[test]
    fn a_profiler_samples_its_profile_sample_and_reads_nothing_else() {
        let s = with(&[
            ("sourceConfig.type", "Profiler"),
            ("sourceConfig.profileSample", "25"),
        ])
        .unwrap();
        assert_eq!(s.pipeline, Pipeline::Profiler);
        assert!(!s.source.include_tags);
        assert!(!s.tuning.reads.time_to_live && !s.tuning.reads.backups);
        assert_eq!(s.tuning.sampling.convergence_items, 0);
        assert_eq!(s.tuning.sampling.pii_threshold, None);
        let sample = s.tuning.profile_sample.unwrap();
        assert_eq!(sample.items(Some(300)), 75);
        assert_eq!(sample.items(Some(1)), 1);
        assert_eq!(sample.items(Some(0)), 0);
        let rows = with(&[
            ("sourceConfig.type", "Profiler"),
            (
                "sourceConfig.profileSampleConfig",
                r#"{"sampleConfigType": "STATIC", "config": {"profileSample": 40, "profileSampleType": "ROWS"}}"#,
            ),
            ("sourceConfig.processPiiSensitive", "true"),
            ("sourceConfig.confidence", "90"),
        ])
        .unwrap();
        assert_eq!(
            rows.tuning.profile_sample,
            Some(SampleRule::fixed(ProfileSample::Rows(40)))
        );
        assert_eq!(rows.tuning.sampling.pii_threshold, Some(90));
        let whole = with(&[("sourceConfig.type", "Profiler")]).unwrap();
        assert_eq!(
            whole.tuning.profile_sample.unwrap().items(Some(1_000_000)),
            MAX_SAMPLE
        );
        let both = with(&[
            ("sourceConfig.type", "Profiler"),
            ("sourceConfig.profileSample", "10"),
            (
                "sourceConfig.profileSampleConfig",
                r#"{"config": {"profileSample": 10}}"#,
            ),
        ]);
        assert!(both.is_err());
        // 2.0's dynamic tiers: the highest threshold the table reaches; the whole table below.
        let tiers = with(&[
            ("sourceConfig.type", "Profiler"),
            (
                "sourceConfig.profileSampleConfig",
                r#"{"sampleConfigType": "DYNAMIC", "config": {"thresholds": [
                    {"rowCountThreshold": 1000, "profileSample": 50},
                    {"rowCountThreshold": 100000, "profileSample": 2000, "profileSampleType": "ROWS"}]}}"#,
            ),
            (
                "processor.tableConfig",
                r#"[{"fullyQualifiedName": "s.default.default.t", "profileSample": 7, "profileSampleType": "ROWS",
                     "columnConfig": {"excludeColumns": ["a"]}},
                    {"fullyQualifiedName": "s.default.default.u", "columnConfig": {}}]"#,
            ),
        ])
        .unwrap();
        let rule = tiers.tuning.profile_sample.unwrap();
        assert_eq!(rule.items(Some(500)), 500);
        assert_eq!(rule.items(Some(4_000)), 2_000);
        assert_eq!(rule.items(Some(1_000_000)), 2_000);
        let [(fqn, rule)] = tiers.tuning.table_samples.as_slice() else {
            panic!("{:?}", tiers.tuning.table_samples)
        };
        assert_eq!(
            (fqn.as_str(), rule.items(Some(500))),
            ("s.default.default.t", 7)
        );
        for bad in [
            r#"{"config": {"profileSample": 0}}"#,
            r#"{"config": {"profileSample": 2.5, "profileSampleType": "ROWS"}}"#,
            r#"{"config": {"thresholds": [{"profileSample": 5}]}}"#,
            r#"{"config": {"profileSample": 5, "profileSampleType": "ITEMS"}}"#,
            r#"[1, 2]"#,
            r#"{"config": 5}"#,
            "not json",
        ] {
            let error = with(&[
                ("sourceConfig.type", "Profiler"),
                ("sourceConfig.profileSampleConfig", bad),
            ])
            .unwrap_err();
            assert_eq!(
                config_key(error),
                "sourceConfig.profileSampleConfig",
                "{bad}"
            );
        }
        let zero = with(&[("sourceConfig.profileSample", "0")]).unwrap_err();
        assert_eq!(config_key(zero), "sourceConfig.profileSample");
    }

    #[test]
    fn auto_classification_samples_its_count_and_classifies_at_its_confidence() {
        let s = with(&[("sourceConfig.type", "AutoClassification")]).unwrap();
        assert_eq!(s.pipeline, Pipeline::AutoClassification);
        assert_eq!(s.tuning.sample_size, 50);
        assert_eq!(s.tuning.sampling.pii_threshold, Some(80));
        assert!(!s.source.include_tags);
        let off = with(&[
            ("sourceConfig.type", "AutoClassification"),
            ("sourceConfig.enableAutoClassification", "false"),
        ])
        .unwrap();
        assert_eq!(off.tuning.sample_size, 0);
        let custom = with(&[
            ("sourceConfig.type", "AutoClassification"),
            ("sourceConfig.sampleDataCount", "20"),
            ("sourceConfig.confidence", "65.5"),
        ])
        .unwrap();
        assert_eq!(custom.tuning.sample_size, 20);
        assert_eq!(custom.tuning.sampling.pii_threshold, Some(66));
        let metadata = with(&[("sourceConfig.confidence", "50")]).unwrap();
        assert_eq!(metadata.tuning.sampling.pii_threshold, Some(80));
    }

    #[test]
    fn chosen_items_are_a_bounded_object_of_keys_and_never_echoed() {
        let s = with(&[(
            "connectionOptions.includeTableItems",
            r#"{"orders": [{"id": {"S": "o-1"}, "at": {"N": "5"}}]}"#,
        )])
        .unwrap();
        assert_eq!(s.tuning.chosen_items["orders"].len(), 1);
        let many = format!(
            r#"{{"t": [{}]}}"#,
            vec![r#"{"id": {"S": "x"}}"#; 101].join(",")
        );
        for bad in [
            "[1]".to_string(),
            r#"{"t": []}"#.to_string(),
            r#"{"t": [{"id": {"M": {}}}]}"#.to_string(),
            r#"{"t": [{"a": {"S": "1"}, "b": {"S": "2"}, "c": {"S": "3"}}]}"#.to_string(),
            r#"{"t": [{"id": {"S": "secret-value-123"}}], "u": "x"}"#.to_string(),
            r#"{"t": [{"id": {"S": "secret-value-123"}}, {"id": {"S": "secret-value-123"}}]}"#
                .to_string(),
            many,
        ] {
            let leaked = "secret-value-123";
            let error = Settings::from_pairs([
                ("serviceName", "s"),
                ("awsConfig.awsRegion", "us-east-1"),
                ("connectionOptions.includeTableItems", bad.as_str()),
            ])
            .unwrap_err();
            let text = error.to_string();
            assert!(
                text.contains("connectionOptions.includeTableItems"),
                "{text}"
            );
            assert!(!text.contains(leaked), "{text}");
        }
    }

    fn config_key(err: ConnectorError) -> String {
        match err {
            ConnectorError::InvalidConfig { key, .. } => key,
            other => panic!("not a config error: {other:?}"),
        }
    }

    #[test]
    fn minimal_settings_take_openmetadata_defaults() {
        let s = with(&[]).unwrap();
        assert_eq!(s.service_name, "local_dynamodb");
        assert_eq!(s.database_name, "default");
        assert_eq!(s.aws.region, "us-east-1");
        assert!(s.source.include_tables);
        assert!(s.source.include_tags);
        assert!(s.source.mark_deleted_tables);
        assert!(!s.source.use_fqn_for_filtering);
        assert!(s.source.table_filter.is_empty());
        assert_eq!(s.tuning, Tuning::default());
        // The defaults the README and the configuration schema state.
        assert_eq!(s.tuning.describe_concurrency, 16);
        assert_eq!(s.tuning.max_attempts, 10);
        assert_eq!(s.tuning.request_timeout, Duration::from_secs(30));
        assert_eq!(s.tuning.sample_size, 0);
        let sampling = &s.tuning.sampling;
        assert_eq!(sampling.segments, 16);
        assert_eq!(sampling.read_capacity_units, 50.0);
        assert_eq!(sampling.scan_rate, 0.5);
        assert_eq!(sampling.convergence_items, 200);
        assert_eq!(sampling.max_columns, 1_000);
        assert_eq!(sampling.time_per_table, Duration::from_secs(60));
        assert_eq!(sampling.pii_threshold, Some(80));
        assert_eq!(s.log_level, Level::Info);
        let creds = s.aws.credentials.unwrap();
        assert_eq!(creds.access_key_id, "AKIDEXAMPLE");
        assert_eq!(creds.secret_access_key.expose(), "very-secret");
    }

    #[test]
    fn secrets_do_not_print() {
        let s = with(&[("awsConfig.awsSessionToken", "token-value")]).unwrap();
        let printed = format!("{s:?}");
        assert!(!printed.contains("very-secret"));
        assert!(!printed.contains("token-value"));
    }

    #[test]
    fn missing_region_names_the_key() {
        let err = Settings::from_pairs(vec![("serviceName", "s")]).unwrap_err();
        assert_eq!(config_key(err), "awsConfig.awsRegion");
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let err = with(&[("awsConfig.awsRegoin", "x")]).unwrap_err();
        assert_eq!(config_key(err), "awsConfig.awsRegoin");
    }

    #[test]
    fn half_a_key_pair_is_refused() {
        let err = Settings::from_pairs(vec![
            ("serviceName", "s"),
            ("awsConfig.awsRegion", "us-east-1"),
            ("awsConfig.awsAccessKeyId", "AKID"),
        ])
        .unwrap_err();
        assert_eq!(config_key(err), "awsConfig.awsSecretAccessKey");
    }

    #[test]
    fn no_credentials_is_allowed_here() {
        let s = Settings::from_pairs(vec![
            ("serviceName", "s"),
            ("awsConfig.awsRegion", "eu-west-1"),
        ])
        .unwrap();
        assert!(s.aws.credentials.is_none());
    }

    #[test]
    fn the_connections_default_filters_apply_when_the_pipeline_sets_none() {
        let default_only = with(&[("tableFilterPattern.excludes", r#"["^tmp_"]"#)]).unwrap();
        let t = &default_only.source.table_filter;
        assert!(t.verdict("tmp_x", "tableFilterPattern").dropped().is_some());
        assert!(
            t.verdict("orders", "tableFilterPattern")
                .dropped()
                .is_none()
        );
        // The pipeline's own pattern wins, whole: the default's excludes do not add to it.
        let both = with(&[
            ("tableFilterPattern.excludes", r#"["^tmp_"]"#),
            ("sourceConfig.tableFilterPattern.excludes", r#"["^old_"]"#),
        ])
        .unwrap();
        let t = &both.source.table_filter;
        assert!(t.verdict("tmp_x", "tableFilterPattern").dropped().is_none());
        assert!(t.verdict("old_x", "tableFilterPattern").dropped().is_some());
        // A bad default is an error even when the pipeline's pattern wins.
        let err = with(&[
            ("schemaFilterPattern.includes", r#"["(bad"]"#),
            ("sourceConfig.schemaFilterPattern.includes", r#"["ok"]"#),
        ])
        .unwrap_err();
        assert_eq!(config_key(err), "schemaFilterPattern.includes[0]");
    }

    #[test]
    fn filters_are_json_lists_and_errors_point_at_the_entry() {
        let s = with(&[
            (
                "sourceConfig.tableFilterPattern.includes",
                r#"["^orders", "users$"]"#,
            ),
            ("sourceConfig.useFqnForFiltering", "TRUE"),
        ])
        .unwrap();
        assert!(!s.source.table_filter.is_empty());
        assert!(s.source.use_fqn_for_filtering);

        let err = with(&[(
            "sourceConfig.tableFilterPattern.excludes",
            r#"["ok", "(bad"]"#,
        )])
        .unwrap_err();
        assert_eq!(
            config_key(err),
            "sourceConfig.tableFilterPattern.excludes[1]"
        );

        let err = with(&[("sourceConfig.tableFilterPattern.includes", "^orders")]).unwrap_err();
        assert_eq!(config_key(err), "sourceConfig.tableFilterPattern.includes");
    }

    #[test]
    fn booleans_are_strict() {
        let err = with(&[("sourceConfig.includeTags", "yes")]).unwrap_err();
        assert_eq!(config_key(err), "sourceConfig.includeTags");
    }

    #[test]
    fn tuning_options_are_bounded() {
        let s = with(&[
            ("connectionOptions.describeConcurrency", "4"),
            ("connectionOptions.maxAttempts", "3"),
            ("connectionOptions.sampleSize", "100"),
        ])
        .unwrap();
        assert_eq!(s.tuning.describe_concurrency, 4);
        assert_eq!(s.tuning.max_attempts, 3);
        assert_eq!(s.tuning.sample_size, 100);
        let err = with(&[("connectionOptions.describeConcurrency", "0")]).unwrap_err();
        assert_eq!(config_key(err), "connectionOptions.describeConcurrency");
    }

    #[test]
    fn sampling_options_are_read_and_bounded() {
        let s = with(&[
            ("connectionOptions.sampleSegments", "4"),
            ("connectionOptions.sampleReadCapacityUnits", "12.5"),
            ("connectionOptions.sampleScanRate", "0.25"),
            ("connectionOptions.classifyPii", "false"),
        ])
        .unwrap();
        assert_eq!(s.tuning.sampling.segments, 4);
        assert_eq!(s.tuning.sampling.read_capacity_units, 12.5);
        assert_eq!(s.tuning.sampling.scan_rate, 0.25);
        assert_eq!(s.tuning.sampling.pii_threshold, None);
        let s = with(&[("connectionOptions.piiConfidence", "90")]).unwrap();
        assert_eq!(s.tuning.sampling.pii_threshold, Some(90));
        for (key, value, says) in [
            (
                "connectionOptions.sampleScanRate",
                "7",
                "`7` is not a number from 0.01 to 1.5",
            ),
            (
                "connectionOptions.sampleScanRate",
                "NaN",
                "from 0.01 to 1.5",
            ),
            (
                "connectionOptions.sampleReadCapacityUnits",
                "0.1",
                "from 0.5 to 1000000",
            ),
        ] {
            match with(&[(key, value)]).unwrap_err() {
                ConnectorError::InvalidConfig { key: k, message } => {
                    assert_eq!(k, key);
                    assert!(message.contains(says), "{message}");
                }
                other => panic!("not a config error: {other:?}"),
            }
        }
    }

    #[test]
    fn open_maps_and_no_op_fields_are_accepted_and_reported() {
        let s = with(&[
            ("connectionOptions.someDriverOption", "x"),
            ("connectionArguments.authenticator", "sso"),
            ("awsConfig.profileName", "dev"),
            ("type", "DynamoDB"),
            ("sourceConfig.type", "DatabaseMetadata"),
        ])
        .unwrap();
        assert_eq!(
            s.ignored_keys,
            vec![
                "awsConfig.profileName",
                "connectionArguments.authenticator",
                "connectionOptions.someDriverOption"
            ]
        );
    }

    #[test]
    fn logger_level_accepts_warning() {
        let s = with(&[("loggerLevel", "WARNING")]).unwrap();
        assert_eq!(s.log_level, Level::Warn);
    }

    #[test]
    fn assume_role_defaults_session_name() {
        let s = with(&[(
            "awsConfig.assumeRoleArn",
            "arn:aws:iam::123456789012:role/r",
        )])
        .unwrap();
        let role = s.aws.assume_role.unwrap();
        assert_eq!(role.session_name, "OpenMetadataSession");
        assert_eq!(role.source_identity, None);
    }

    #[test]
    fn names_openmetadata_refuses_are_refused() {
        let err = Settings::from_pairs(vec![
            ("serviceName", "a::b"),
            ("awsConfig.awsRegion", "us-east-1"),
        ])
        .unwrap_err();
        assert_eq!(config_key(err), "serviceName");
    }

    #[test]
    fn control_characters_in_credentials_are_refused_without_echo() {
        let err = Settings::from_pairs(vec![
            ("serviceName", "s"),
            ("awsConfig.awsRegion", "us-east-1"),
            ("awsConfig.awsAccessKeyId", "AKID"),
            ("awsConfig.awsSecretAccessKey", "s3cr3t\nvalue"),
        ])
        .unwrap_err();
        assert!(!err.to_string().contains("s3cr3t"));
    }
}
