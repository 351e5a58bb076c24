//! The connector's configuration, declared: every `wasi:config/store` key it reads, with its
//! type, whether it is required, its default, whether it is secret and what it means, as a
//! JSON Schema (draft 7) of the object of keys and (string) values. The component exports it
//! (`configuration-schema`), a platform renders a form from it, and the host checks a
//! configuration against it before a run. `settings.rs` reads the same keys; a test checks the
//! two agree.

use crate::settings::keys::{self, options};
use serde_json::{Map, Value, json};

/// What a key's (string) value holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// `true` or `false` (any case).
    Boolean,
    /// A whole number in this range.
    Integer {
        min: u64,
        max: u64,
    },
    /// A decimal number.
    Decimal,
    /// One of these words.
    OneOf(&'static [&'static str]),
    /// An http:// or https:// URL.
    Url,
    /// A JSON array of regular expressions.
    Patterns,
    /// A part of the workflow with structure of its own (a mapping or a list), as JSON text.
    Document,
}

/// One key.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub default: Option<&'static str>,
    pub secret: bool,
    /// Where it comes from in OpenMetadata's workflow YAML; [`CONNECTION`] stands for
    /// `CONNECTION.<name>` (a `connectionOptions` entry).
    pub yaml: &'static str,
    /// Other paths read as this one (an old spelling).
    pub yaml_aliases: &'static [&'static str],
    pub description: &'static str,
    /// Its value names an OpenMetadata service the connector draws lineage edges into.
    pub lineage_service: bool,
}

/// A key's full path in the workflow YAML.
pub fn yaml_path(k: &Key) -> String {
    if k.yaml == CONNECTION {
        format!("{CONNECTION}.{}", k.name)
    } else {
        k.yaml.to_string()
    }
}

const fn key(name: &'static str, kind: Kind, yaml: &'static str, description: &'static str) -> Key {
    Key {
        name,
        kind,
        required: false,
        default: None,
        secret: false,
        yaml,
        yaml_aliases: &[],
        description,
        lineage_service: false,
    }
}

const fn lineage_service(mut k: Key) -> Key {
    k.lineage_service = true;
    k
}

const fn alias(mut k: Key, aliases: &'static [&'static str]) -> Key {
    k.yaml_aliases = aliases;
    k
}

const fn required(mut k: Key) -> Key {
    k.required = true;
    k
}

const fn default(mut k: Key, value: &'static str) -> Key {
    k.default = Some(value);
    k
}

const fn secret(mut k: Key) -> Key {
    k.secret = true;
    k
}

const CONNECTION: &str = "source.serviceConnection.config";
const SOURCE: &str = "source.sourceConfig.config";

/// Every key the connector reads.
pub const KEYS: &[Key] = &[
    required(key(
        keys::SERVICE_NAME,
        Kind::Text,
        "source.serviceName",
        "The OpenMetadata database service the tables belong to (1 to 256 characters, no `::` or `\"`).",
    )),
    required(key(
        keys::REGION,
        Kind::Text,
        "source.serviceConnection.config.awsConfig.awsRegion",
        "The AWS region, e.g. `us-east-1`: it picks the endpoint and signs the requests.",
    )),
    key(
        keys::ACCESS_KEY_ID,
        Kind::Text,
        "source.serviceConnection.config.awsConfig.awsAccessKeyId",
        "The access key id. With the secret key; when both are absent the host supplies credentials from its usual chain.",
    ),
    secret(key(
        keys::SECRET_ACCESS_KEY,
        Kind::Text,
        "source.serviceConnection.config.awsConfig.awsSecretAccessKey",
        "The secret access key.",
    )),
    secret(key(
        keys::SESSION_TOKEN,
        Kind::Text,
        "source.serviceConnection.config.awsConfig.awsSessionToken",
        "A session token, for temporary credentials.",
    )),
    key(
        keys::ENDPOINT_URL,
        Kind::Url,
        "source.serviceConnection.config.awsConfig.endPointURL",
        "The DynamoDB endpoint; default `https://dynamodb.<region>.amazonaws.com`.",
    ),
    key(
        keys::PROFILE_NAME,
        Kind::Text,
        "source.serviceConnection.config.awsConfig.profileName",
        "A shared-credentials profile: resolved by the host, no effect in the component.",
    ),
    key(
        keys::ASSUME_ROLE_ARN,
        Kind::Text,
        "source.serviceConnection.config.awsConfig.assumeRoleArn",
        "A role to assume with STS AssumeRole before calling DynamoDB.",
    ),
    default(
        key(
            keys::ASSUME_ROLE_SESSION_NAME,
            Kind::Text,
            "source.serviceConnection.config.awsConfig.assumeRoleSessionName",
            "The session name of the assumed role.",
        ),
        "OpenMetadataSession",
    ),
    key(
        keys::ASSUME_ROLE_SOURCE_IDENTITY,
        Kind::Text,
        "source.serviceConnection.config.awsConfig.assumeRoleSourceIdentity",
        "The source identity of the assumed role.",
    ),
    default(
        alias(
            key(
                keys::DATABASE_NAME,
                Kind::Text,
                "source.serviceConnection.config.databaseName",
                "The OpenMetadata database the schema belongs to.",
            ),
            // The v1.3 docs' spelling.
            &["source.serviceConnection.config.database"],
        ),
        "default",
    ),
    default(
        key(
            keys::SERVICE_TYPE,
            Kind::OneOf(&["DynamoDB"]),
            "source.serviceConnection.config.type",
            "The service type.",
        ),
        "DynamoDB",
    ),
    key(
        keys::SUPPORTS_METADATA_EXTRACTION,
        Kind::Boolean,
        "source.serviceConnection.config.supportsMetadataExtraction",
        "Accepted as OpenMetadata's schema allows it; no effect.",
    ),
    default(
        key(
            keys::SOURCE_CONFIG_TYPE,
            Kind::OneOf(&["DatabaseMetadata", "Profiler", "AutoClassification"]),
            "source.sourceConfig.config.type",
            "The workflow: metadata (the entities), the profiler (profiles of the tables already in OpenMetadata, from a sample) or auto-classification (PII tags on their columns).",
        ),
        "DatabaseMetadata",
    ),
    key(
        keys::PROFILE_SAMPLE,
        Kind::Decimal,
        "source.sourceConfig.config.profileSample",
        "Profiler: the sample, a percentage of the table's items (above 0 to 100) or a number of items (with profileSampleType ROWS); default the whole table, within the sample's capacity and time limits.",
    ),
    key(
        keys::PROFILE_SAMPLE_TYPE,
        Kind::OneOf(&["PERCENTAGE", "ROWS"]),
        "source.sourceConfig.config.profileSampleType",
        "Profiler: what profileSample counts; default PERCENTAGE.",
    ),
    key(
        keys::PROFILE_SAMPLE_CONFIG,
        Kind::Document,
        "source.sourceConfig.config.profileSampleConfig",
        "Profiler (OpenMetadata 2.0): the sample, STATIC (config.profileSample and profileSampleType) or DYNAMIC (config.thresholds: the first whose rowCountThreshold the table's item count reaches, from the highest; the whole table below the lowest or without thresholds).",
    ),
    key(
        keys::PROCESSOR_TABLE_CONFIG,
        Kind::Document,
        "processor.config.tableConfig",
        "Profiler: per table (fullyQualifiedName), its own profileSample, profileSampleType or profileSampleConfig, which win over the pipeline's.",
    ),
    default(
        key(
            keys::PROCESS_PII_SENSITIVE,
            Kind::Boolean,
            "source.sourceConfig.config.processPiiSensitive",
            "Profiler (OpenMetadata 1.3): also tag the sampled columns that hold personal data.",
        ),
        "false",
    ),
    default(
        key(
            keys::CONFIDENCE,
            Kind::Decimal,
            "source.sourceConfig.config.confidence",
            "Profiler (1.3) and auto-classification: the confidence (0 to 100) a PII tag needs.",
        ),
        "80",
    ),
    default(
        key(
            keys::ENABLE_AUTO_CLASSIFICATION,
            Kind::Boolean,
            "source.sourceConfig.config.enableAutoClassification",
            "Auto-classification: tag the columns that hold personal data; false samples nothing.",
        ),
        "true",
    ),
    default(
        key(
            keys::SAMPLE_DATA_COUNT,
            Kind::Integer {
                min: 1,
                max: 100_000,
            },
            "source.sourceConfig.config.sampleDataCount",
            "Auto-classification: the items sampled per table to classify its columns.",
        ),
        "50",
    ),
    default(
        key(
            keys::INCLUDE_TABLES,
            Kind::Boolean,
            "source.sourceConfig.config.includeTables",
            "List and ingest tables.",
        ),
        "true",
    ),
    key(
        keys::INCLUDE_VIEWS,
        Kind::Boolean,
        "source.sourceConfig.config.includeViews",
        "Accepted; DynamoDB has no views.",
    ),
    default(
        key(
            keys::INCLUDE_TAGS,
            Kind::Boolean,
            "source.sourceConfig.config.includeTags",
            "Read each table's AWS tags (ListTagsOfResource) as OpenMetadata classifications and tags.",
        ),
        "true",
    ),
    default(
        key(
            keys::MARK_DELETED_TABLES,
            Kind::Boolean,
            "source.sourceConfig.config.markDeletedTables",
            "Let the sink soft-delete the schema's tables the listing no longer returns.",
        ),
        "true",
    ),
    default(
        key(
            keys::USE_FQN_FOR_FILTERING,
            Kind::Boolean,
            "source.sourceConfig.config.useFqnForFiltering",
            "Match the filter patterns against fully qualified names.",
        ),
        "false",
    ),
    key(
        "databaseFilterPattern.includes",
        Kind::Patterns,
        "source.serviceConnection.config.databaseFilterPattern.includes",
        "The connection's default database includes (OpenMetadata 1.9+): used when the pipeline's sourceConfig sets no databaseFilterPattern.",
    ),
    key(
        "databaseFilterPattern.excludes",
        Kind::Patterns,
        "source.serviceConnection.config.databaseFilterPattern.excludes",
        "The connection's default database excludes (OpenMetadata 1.9+).",
    ),
    key(
        "schemaFilterPattern.includes",
        Kind::Patterns,
        "source.serviceConnection.config.schemaFilterPattern.includes",
        "The connection's default schema includes (OpenMetadata 1.9+): used when the pipeline's sourceConfig sets no schemaFilterPattern.",
    ),
    key(
        "schemaFilterPattern.excludes",
        Kind::Patterns,
        "source.serviceConnection.config.schemaFilterPattern.excludes",
        "The connection's default schema excludes (OpenMetadata 1.9+).",
    ),
    key(
        "tableFilterPattern.includes",
        Kind::Patterns,
        "source.serviceConnection.config.tableFilterPattern.includes",
        "The connection's default table includes (OpenMetadata 1.9+): used when the pipeline's sourceConfig sets no tableFilterPattern.",
    ),
    key(
        "tableFilterPattern.excludes",
        Kind::Patterns,
        "source.serviceConnection.config.tableFilterPattern.excludes",
        "The connection's default table excludes (OpenMetadata 1.9+).",
    ),
    key(
        keys::SUPPORTS_PROFILER,
        Kind::Boolean,
        "source.serviceConnection.config.supportsProfiler",
        "Accepted as OpenMetadata's schema allows it (1.6+); no effect.",
    ),
    key(
        keys::AWS_ENABLED,
        Kind::Boolean,
        "source.serviceConnection.config.awsConfig.enabled",
        "Accepted as OpenMetadata's schema allows it (2.0+); no effect.",
    ),
    key(
        "sourceConfig.databaseFilterPattern.includes",
        Kind::Patterns,
        "source.sourceConfig.config.databaseFilterPattern.includes",
        "Regexes (Python `re.match`, case-insensitive) a database name must match.",
    ),
    key(
        "sourceConfig.databaseFilterPattern.excludes",
        Kind::Patterns,
        "source.sourceConfig.config.databaseFilterPattern.excludes",
        "Regexes that leave a database out.",
    ),
    key(
        "sourceConfig.schemaFilterPattern.includes",
        Kind::Patterns,
        "source.sourceConfig.config.schemaFilterPattern.includes",
        "Regexes a schema name must match.",
    ),
    key(
        "sourceConfig.schemaFilterPattern.excludes",
        Kind::Patterns,
        "source.sourceConfig.config.schemaFilterPattern.excludes",
        "Regexes that leave a schema out.",
    ),
    key(
        "sourceConfig.tableFilterPattern.includes",
        Kind::Patterns,
        "source.sourceConfig.config.tableFilterPattern.includes",
        "Regexes a table name must match; non-empty includes win over excludes.",
    ),
    key(
        "sourceConfig.tableFilterPattern.excludes",
        Kind::Patterns,
        "source.sourceConfig.config.tableFilterPattern.excludes",
        "Regexes that leave a table out (it is listed as filtered, never described).",
    ),
    default(
        key(
            keys::LOGGER_LEVEL,
            Kind::OneOf(&["DEBUG", "INFO", "WARN", "WARNING", "ERROR"]),
            "workflowConfig.loggerLevel",
            "The least level the connector logs.",
        ),
        "INFO",
    ),
    default(
        key(
            options::DESCRIBE_CONCURRENCY_KEY,
            Kind::Integer { min: 1, max: 256 },
            CONNECTION,
            "DescribeTable (and tag) calls in flight at once.",
        ),
        "16",
    ),
    default(
        key(
            options::MAX_ATTEMPTS_KEY,
            Kind::Integer { min: 1, max: 20 },
            CONNECTION,
            "Attempts per call; throttling, 5xx, resets and timeouts are retried with backoff.",
        ),
        "10",
    ),
    default(
        key(
            options::REQUEST_TIMEOUT_SECONDS_KEY,
            Kind::Integer { min: 1, max: 3600 },
            CONNECTION,
            "Seconds a whole request may take, answer included.",
        ),
        "30",
    ),
    default(
        key(
            options::SAMPLE_SIZE_KEY,
            Kind::Integer {
                min: 0,
                max: 100_000,
            },
            CONNECTION,
            "Items sampled per table to infer the non-key attributes; 0 turns sampling off (a Scan costs read capacity).",
        ),
        "0",
    ),
    key(
        options::INCLUDE_TABLE_ITEMS_KEY,
        Kind::Text,
        CONNECTION,
        "Items read into a table's sample first, by key (BatchGetItem), so that rare attributes get their columns too: a JSON object of table names to lists of up to 100 keys in DynamoDB's JSON, e.g. {\"orders\": [{\"id\": {\"S\": \"o-1\"}}]} (as DataHub's include_table_item). Their read capacity counts against sampleReadCapacityUnits; their values never leave the component.",
    ),
    lineage_service(key(
        options::KINESIS_MESSAGING_SERVICE_KEY,
        Kind::Text,
        CONNECTION,
        "The OpenMetadata messaging service of the account's Kinesis data streams (made by its Kinesis connector): a table that streams to one gets a lineage edge to its topic.",
    )),
    lineage_service(key(
        options::S3_STORAGE_SERVICE_KEY,
        Kind::Text,
        CONNECTION,
        "The OpenMetadata storage service of the account's S3 buckets (made by its S3 connector): a table exported to S3 (ListExports, DescribeExport) gets a lineage edge to the bucket's container.",
    )),
    key(
        options::STS_ENDPOINT_URL_KEY,
        Kind::Url,
        CONNECTION,
        "The STS endpoint for assumeRoleArn; default `https://sts.<region>.amazonaws.com`.",
    ),
    default(
        key(
            options::SAMPLE_SEGMENTS_KEY,
            Kind::Integer { min: 1, max: 1_000 },
            CONNECTION,
            "Parallel-scan segments a sampled table's key space is divided into; the sample reads them in an order spread across the key space.",
        ),
        "16",
    ),
    default(
        key(
            options::SAMPLE_READ_CAPACITY_UNITS_KEY,
            Kind::Decimal,
            CONNECTION,
            "Read capacity units one table's sample may consume (counted with ReturnConsumedCapacity).",
        ),
        "50",
    ),
    default(
        key(
            options::SAMPLE_SCAN_RATE_KEY,
            Kind::Decimal,
            CONNECTION,
            "Share of a provisioned table's read capacity per second the sample may use (like Glue's scanRate).",
        ),
        "0.5",
    ),
    default(
        key(
            options::SAMPLE_CONVERGENCE_ITEMS_KEY,
            Kind::Integer {
                min: 0,
                max: 100_000,
            },
            CONNECTION,
            "Stop sampling a table once this many items in a row brought no new attribute path; 0 never stops early.",
        ),
        "200",
    ),
    default(
        key(
            options::SAMPLE_MAX_COLUMNS_KEY,
            Kind::Integer {
                min: 1,
                max: 10_000,
            },
            CONNECTION,
            "Columns a table may gain from its sample.",
        ),
        "1000",
    ),
    default(
        key(
            options::SAMPLE_SECONDS_PER_TABLE_KEY,
            Kind::Integer { min: 1, max: 3_600 },
            CONNECTION,
            "Seconds one table's sample may take.",
        ),
        "60",
    ),
    default(
        key(
            options::CLASSIFY_PII_KEY,
            Kind::Boolean,
            CONNECTION,
            "Classify the sampled columns as PII (names and values, inside the component; values never leave it).",
        ),
        "true",
    ),
    default(
        key(
            options::READ_TIME_TO_LIVE_KEY,
            Kind::Boolean,
            CONNECTION,
            "Read each table's time to live (DescribeTimeToLive): its attribute gets a column and a description.",
        ),
        "true",
    ),
    default(
        key(
            options::READ_BACKUPS_KEY,
            Kind::Boolean,
            CONNECTION,
            "Read each table's point-in-time recovery (DescribeContinuousBackups).",
        ),
        "true",
    ),
    default(
        key(
            options::READ_RESOURCE_POLICY_KEY,
            Kind::Boolean,
            CONNECTION,
            "Read each table's resource-based policy (GetResourcePolicy), summarised as who may read, write, describe or manage it.",
        ),
        "true",
    ),
    default(
        key(
            options::READ_KINESIS_DESTINATIONS_KEY,
            Kind::Boolean,
            CONNECTION,
            "Read the Kinesis data streams each table streams to (DescribeKinesisStreamingDestination).",
        ),
        "true",
    ),
    default(
        key(
            options::READ_CONTRIBUTOR_INSIGHTS_KEY,
            Kind::Boolean,
            CONNECTION,
            "Read whether Contributor Insights watches each table (DescribeContributorInsights).",
        ),
        "true",
    ),
    default(
        key(
            options::PII_CONFIDENCE_KEY,
            Kind::Integer { min: 0, max: 100 },
            CONNECTION,
            "The confidence (0 to 100) a PII finding needs to become a suggested tag.",
        ),
        "80",
    ),
];

/// A prefix of keys accepted with any value: the entries of a YAML mapping.
pub struct OpenPrefix {
    pub prefix: &'static str,
    pub yaml: &'static str,
    pub description: &'static str,
}

/// Prefixes of keys accepted with any value and not used (OpenMetadata allows any there).
pub const OPEN_PREFIXES: &[OpenPrefix] = &[
    OpenPrefix {
        prefix: keys::CONNECTION_OPTIONS,
        yaml: "source.serviceConnection.config.connectionOptions",
        description: "Other connectionOptions: accepted, not used by this connector.",
    },
    OpenPrefix {
        prefix: keys::CONNECTION_ARGUMENTS,
        yaml: "source.serviceConnection.config.connectionArguments",
        description: "connectionArguments: accepted, not used by DynamoDB.",
    },
];

/// The schema, as JSON text.
pub fn json() -> String {
    schema().to_string()
}

pub fn schema() -> Value {
    let mut properties = Map::new();
    for k in KEYS {
        properties.insert(k.name.to_string(), property(k));
    }
    let pattern_properties: Map<String, Value> = OPEN_PREFIXES
        .iter()
        .map(|p| {
            (
                format!("^{}", p.prefix.replace('.', "\\.")),
                json!({"type": "string", "description": p.description, "x-workflow-yaml": p.yaml}),
            )
        })
        .collect();
    let required: Vec<&str> = KEYS.iter().filter(|k| k.required).map(|k| k.name).collect();
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://github.com/ddb-catalog/dynamodb-connector/configuration.schema.json",
        "title": "DynamoDB metadata connector: configuration",
        "description": format!(
            "The wasi:config/store keys the connector reads, all string-valued, flattened from \
             OpenMetadata's workflow YAML ({CONNECTION}, {SOURCE}). `writeOnly` marks a secret."
        ),
        "type": "object",
        "properties": properties,
        "patternProperties": pattern_properties,
        "additionalProperties": false,
        "required": required,
    })
}

fn property(k: &Key) -> Value {
    let mut p = Map::new();
    p.insert("type".into(), json!("string"));
    p.insert("description".into(), json!(k.description));
    p.insert("x-workflow-yaml".into(), json!(yaml_path(k)));
    match k.kind {
        Kind::Text => {}
        Kind::Boolean => {
            p.insert(
                "pattern".into(),
                json!("^\\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])\\s*$"),
            );
            p.insert("x-kind".into(), json!("boolean"));
        }
        Kind::Integer { min, max } => {
            p.insert("pattern".into(), json!("^\\s*[0-9]+\\s*$"));
            p.insert("x-kind".into(), json!("integer"));
            p.insert("x-minimum".into(), json!(min));
            p.insert("x-maximum".into(), json!(max));
        }
        Kind::Decimal => {
            p.insert("pattern".into(), json!("^\\s*[0-9]+(\\.[0-9]+)?\\s*$"));
            p.insert("x-kind".into(), json!("decimal"));
        }
        Kind::OneOf(values) => {
            p.insert("enum".into(), json!(values));
        }
        Kind::Url => {
            p.insert("pattern".into(), json!("^https?://"));
            p.insert("format".into(), json!("uri"));
        }
        Kind::Patterns => {
            p.insert("x-kind".into(), json!("json-array-of-regex"));
            p.insert("contentMediaType".into(), json!("application/json"));
        }
        Kind::Document => {
            p.insert("x-kind".into(), json!("json-document"));
            p.insert("contentMediaType".into(), json!("application/json"));
        }
    }
    if let Some(default) = k.default {
        p.insert("default".into(), json!(default));
    }
    if k.secret {
        p.insert("writeOnly".into(), json!(true));
        p.insert("x-secret".into(), json!(true));
    }
    Value::Object(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    /// A value the settings accept for `k`.
    fn sample(k: &Key) -> String {
        if k.name == options::INCLUDE_TABLE_ITEMS_KEY {
            return r#"{"t": [{"id": {"S": "a"}}]}"#.into();
        }
        if k.name == keys::PROCESSOR_TABLE_CONFIG {
            return "[]".into();
        }
        match k.kind {
            Kind::Text => "sample-value".into(),
            Kind::Boolean => "true".into(),
            Kind::Integer { min, .. } => min.max(1).to_string(),
            Kind::Decimal => "1".into(),
            Kind::OneOf(values) => values[0].into(),
            Kind::Url => "http://127.0.0.1:8000".into(),
            Kind::Patterns => "[\"^a\"]".into(),
            Kind::Document => "{}".into(),
        }
    }

    #[test]
    fn every_declared_key_is_read_by_the_settings_and_the_required_ones_are_required() {
        // 2.0's spelling of the profiler's sample excludes 1.x's: read on its own.
        let exclusive = keys::PROFILE_SAMPLE_CONFIG;
        let all: Vec<(String, String)> = KEYS
            .iter()
            .filter(|k| k.name != keys::ASSUME_ROLE_ARN && k.name != exclusive)
            .map(|k| (k.name.to_string(), sample(k)))
            .collect();
        Settings::from_pairs(all.clone()).unwrap();
        let mut alone = all.clone();
        alone.retain(|(n, _)| n != keys::PROFILE_SAMPLE);
        alone.push((
            exclusive.to_string(),
            r#"{"config": {"profileSample": 1}}"#.to_string(),
        ));
        Settings::from_pairs(alone).unwrap();
        for k in KEYS.iter().filter(|k| k.required) {
            let without: Vec<(String, String)> =
                all.iter().filter(|(n, _)| n != k.name).cloned().collect();
            let error = Settings::from_pairs(without).unwrap_err().to_string();
            assert!(error.contains(k.name), "{error}");
        }
    }

    #[test]
    fn every_declared_default_is_what_the_settings_use_without_the_key() {
        let base = [("serviceName", "s"), ("awsConfig.awsRegion", "us-east-1")];
        let without = format!("{:?}", Settings::from_pairs(base).unwrap());
        let mut checked = 0;
        for k in KEYS.iter() {
            let Some(default) = k.default else { continue };
            let mut pairs: Vec<(&str, &str)> = base.to_vec();
            pairs.push((k.name, default));
            let with = Settings::from_pairs(pairs)
                .unwrap_or_else(|e| panic!("{} = {default}: {e}", k.name));
            assert_eq!(format!("{with:?}"), without, "{} = {default}", k.name);
            checked += 1;
        }
        assert!(checked >= 20, "{checked} defaults declared");
    }

    #[test]
    fn an_undeclared_key_is_refused_by_the_settings_too() {
        let error = Settings::from_pairs([
            ("serviceName", "s"),
            ("awsConfig.awsRegion", "us-east-1"),
            ("sourceConfig.includeTablez", "true"),
        ])
        .unwrap_err()
        .to_string();
        assert!(error.contains("sourceConfig.includeTablez"), "{error}");
        assert!(!KEYS.iter().any(|k| k.name == "sourceConfig.includeTablez"));
    }

    #[test]
    fn the_schema_names_secrets_defaults_and_required_keys() {
        let schema = schema();
        assert_eq!(
            schema["required"],
            json!(["serviceName", "awsConfig.awsRegion"])
        );
        let secret = &schema["properties"]["awsConfig.awsSecretAccessKey"];
        assert_eq!(secret["writeOnly"], true);
        assert_eq!(
            schema["properties"]["sourceConfig.includeTags"]["default"],
            "true"
        );
        assert_eq!(
            schema["properties"]["connectionOptions.describeConcurrency"]["x-maximum"],
            256
        );
        assert_eq!(schema["additionalProperties"], false);
        assert!(schema["patternProperties"]["^connectionOptions\\."].is_object());
        assert!(serde_json::from_str::<Value>(&json()).is_ok());
    }
}
