//! The keys the connector reads, declared once: where each is in OpenMetadata's workflow YAML,
//! whether it is required or secret, and what its value may be. The manifest (what a host
//! needs to build the configuration from a workflow) and the configuration schema (a JSON
//! Schema, draft 7, of the `wasi:config/store` keys and their string values) both come from
//! [`KEYS`], and `settings.rs` reads the same keys.

use crate::bindings::exports::catalog::connector::types::{
    ConfigKey, ConnectorManifest, CredentialProvider, ValueShape,
};
use serde_json::{Map, Value, json};

pub const SERVICE_NAME: &str = "serviceName";
pub const TYPE: &str = "type";
pub const SOURCE_PYTHON_CLASS: &str = "sourcePythonClass";
pub const DOCUMENT_URL: &str = "documentUrl";
pub const BEARER_TOKEN: &str = "bearerToken";
pub const PIPELINE_TYPE: &str = "sourceConfig.type";
pub const INCLUDES: &str = "sourceConfig.tableFilterPattern.includes";
pub const EXCLUDES: &str = "sourceConfig.tableFilterPattern.excludes";
pub const LOGGER_LEVEL: &str = "loggerLevel";

/// OpenMetadata's `DatabaseServiceType` of the service: its connection schema,
/// `CustomDatabaseConnection`, has `type`, `sourcePythonClass`, `connectionOptions` (a string
/// map) and `supportsMetadataExtraction`.
pub const SERVICE_TYPE: &str = "CustomDatabase";
/// The only `sourceConfig.config.type` it runs.
pub const PIPELINE: &str = "DatabaseMetadata";
/// OpenMetadata's `LogLevels`.
pub const LOG_LEVELS: [&str; 4] = ["DEBUG", "INFO", "WARN", "ERROR"];

const CONNECTION: &str = "source.serviceConnection.config";
const OPTIONS: &str = "source.serviceConnection.config.connectionOptions";
const SOURCE_CONFIG: &str = "source.sourceConfig.config";

/// What a key's value may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// One of these words.
    OneOf(&'static [&'static str]),
    /// An `http://` or `https://` URL.
    Url,
    /// A JSON array of table name patterns (see `filter.rs`).
    Patterns,
}

/// One `wasi:config/store` key.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub name: &'static str,
    /// Its dotted path in the workflow YAML.
    pub yaml: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub secret: bool,
    pub default: Option<&'static str>,
    pub description: &'static str,
}

const fn key(name: &'static str, yaml: &'static str, kind: Kind, description: &'static str) -> Key {
    Key {
        name,
        yaml,
        kind,
        required: false,
        secret: false,
        default: None,
        description,
    }
}

const fn required(mut k: Key) -> Key {
    k.required = true;
    k
}

const fn secret(mut k: Key) -> Key {
    k.secret = true;
    k
}

const fn default(mut k: Key, value: &'static str) -> Key {
    k.default = Some(value);
    k
}

/// Every key, in the order of the workflow YAML.
pub const KEYS: [Key; 9] = [
    required(key(
        SERVICE_NAME,
        "source.serviceName",
        Kind::Text,
        "Name of the OpenMetadata database service the document's tables belong to.",
    )),
    default(
        key(
            TYPE,
            "source.serviceConnection.config.type",
            Kind::OneOf(&[SERVICE_TYPE]),
            "The service's type: CustomDatabase.",
        ),
        SERVICE_TYPE,
    ),
    key(
        SOURCE_PYTHON_CLASS,
        "source.serviceConnection.config.sourcePythonClass",
        Kind::Text,
        "CustomDatabaseConnection's Python class: accepted, not used.",
    ),
    required(key(
        DOCUMENT_URL,
        "source.serviceConnection.config.connectionOptions.documentUrl",
        Kind::Url,
        "http:// or https:// URL of the JSON document to catalog.",
    )),
    secret(key(
        BEARER_TOKEN,
        "source.serviceConnection.config.connectionOptions.bearerToken",
        Kind::Text,
        "Sent as `Authorization: Bearer <token>` with the GET of the document.",
    )),
    default(
        key(
            PIPELINE_TYPE,
            "source.sourceConfig.config.type",
            Kind::OneOf(&[PIPELINE]),
            "The pipeline's type: DatabaseMetadata.",
        ),
        PIPELINE,
    ),
    key(
        INCLUDES,
        "source.sourceConfig.config.tableFilterPattern.includes",
        Kind::Patterns,
        "Table name patterns to keep, as a JSON array: `^prefix` keeps names that start with \
         prefix, any other pattern names that contain it. None: every table.",
    ),
    key(
        EXCLUDES,
        "source.sourceConfig.config.tableFilterPattern.excludes",
        Kind::Patterns,
        "Table name patterns to leave out (listed as filtered), as a JSON array, read like \
         includes.",
    ),
    default(
        key(
            LOGGER_LEVEL,
            "workflowConfig.loggerLevel",
            Kind::OneOf(&LOG_LEVELS),
            "The lowest level of the log lines the connector writes to stderr.",
        ),
        "INFO",
    ),
];

pub fn find(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name)
}

/// What the connector is to a host: a `CustomDatabase` source whose keys come from the
/// workflow's source and its `loggerLevel`, needing no credentials but the workflow's own.
pub fn manifest() -> ConnectorManifest {
    ConnectorManifest {
        source_type: "json-catalog".to_string(),
        service_type: SERVICE_TYPE.to_string(),
        pipeline_types: vec![PIPELINE.to_string()],
        step_name: "JSON catalog".to_string(),
        credentials: CredentialProvider::None,
        keys: KEYS
            .iter()
            .map(|k| ConfigKey {
                name: k.name.to_string(),
                yaml_path: k.yaml.to_string(),
                yaml_aliases: Vec::new(),
                shape: match k.kind {
                    Kind::Patterns => ValueShape::List,
                    _ => ValueShape::Scalar,
                },
                secret: k.secret,
                // What its connection schema (`CustomDatabaseConnection`) keeps: the class and
                // the document's address under `connectionOptions`; never the token.
                stored: matches!(k.name, DOCUMENT_URL | SOURCE_PYTHON_CLASS),
                lineage_service: false,
            })
            .collect(),
        open_maps: Vec::new(),
        classifications: Vec::new(),
    }
}

/// The configuration schema, as JSON text.
pub fn configuration_schema() -> String {
    schema().to_string()
}

pub fn schema() -> Value {
    let properties: Map<String, Value> = KEYS
        .iter()
        .map(|k| (k.name.to_string(), property(k)))
        .collect();
    let required: Vec<&str> = KEYS.iter().filter(|k| k.required).map(|k| k.name).collect();
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "JSON catalog connector: configuration",
        "description": format!(
            "The wasi:config/store keys the connector reads, all string-valued, flattened from \
             OpenMetadata's workflow YAML ({CONNECTION}, {OPTIONS}, {SOURCE_CONFIG}, \
             workflowConfig.loggerLevel); `x-workflow-yaml` gives each key's path. `writeOnly` \
             marks a secret."
        ),
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "required": required,
    })
}

fn property(k: &Key) -> Value {
    let mut p = Map::new();
    p.insert("type".into(), json!("string"));
    p.insert("description".into(), json!(k.description));
    p.insert("x-workflow-yaml".into(), json!(k.yaml));
    match k.kind {
        Kind::Text => {}
        Kind::OneOf(words) => {
            p.insert("enum".into(), json!(words));
        }
        Kind::Url => {
            p.insert("pattern".into(), json!("^https?://"));
            p.insert("format".into(), json!("uri"));
        }
        Kind::Patterns => {
            p.insert("contentMediaType".into(), json!("application/json"));
            p.insert("x-kind".into(), json!("json-array-of-patterns"));
        }
    }
    if k.required {
        p.insert("minLength".into(), json!(1));
    }
    if let Some(default) = k.default {
        p.insert("default".into(), json!(default));
    }
    if k.secret {
        p.insert("writeOnly".into(), json!(true));
    }
    Value::Object(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_declares_every_key_and_nothing_else() {
        let schema = schema();
        assert_eq!(schema["additionalProperties"], json!(false));
        assert_eq!(schema["required"], json!(["serviceName", "documentUrl"]));
        let properties = schema["properties"].as_object().unwrap();
        assert_eq!(properties.len(), KEYS.len());
        for k in KEYS {
            let p = &properties[k.name];
            assert_eq!(p["type"], "string");
            assert_eq!(p["x-workflow-yaml"], k.yaml);
        }
        assert_eq!(properties[BEARER_TOKEN]["writeOnly"], json!(true));
        assert_eq!(properties[TYPE]["enum"], json!(["CustomDatabase"]));
        assert_eq!(
            properties[PIPELINE_TYPE]["enum"],
            json!(["DatabaseMetadata"])
        );
        assert_eq!(properties[DOCUMENT_URL]["pattern"], "^https?://");
        assert!(
            properties
                .iter()
                .filter(|(name, _)| *name != BEARER_TOKEN)
                .all(|(_, p)| p.get("writeOnly").is_none())
        );
    }

    #[test]
    fn the_manifest_reads_only_the_source_and_the_logger_level() {
        let manifest = manifest();
        assert_eq!(manifest.source_type, "json-catalog");
        assert_eq!(manifest.service_type, "CustomDatabase");
        assert_eq!(manifest.pipeline_types, ["DatabaseMetadata"]);
        assert!(manifest.open_maps.is_empty());
        for k in &manifest.keys {
            assert!(
                k.yaml_path == "source.serviceName"
                    || k.yaml_path.starts_with("source.serviceConnection.config.")
                    || k.yaml_path.starts_with("source.sourceConfig.config.")
                    || k.yaml_path == "workflowConfig.loggerLevel",
                "{}",
                k.yaml_path
            );
        }
        let secrets: Vec<&str> = manifest
            .keys
            .iter()
            .filter(|k| k.secret)
            .map(|k| k.name.as_str())
            .collect();
        assert_eq!(secrets, [BEARER_TOKEN]);
        let lists: Vec<&str> = manifest
            .keys
            .iter()
            .filter(|k| k.shape == ValueShape::List)
            .map(|k| k.name.as_str())
            .collect();
        assert_eq!(lists, [INCLUDES, EXCLUDES]);
    }
}
