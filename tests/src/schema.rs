//! OpenMetadata 1.3's JSON Schemas of the requests it accepts (vendored in
//! `tests/schemas/openmetadata-1.3/`), to validate every request the host emits.

use jsonschema::Validator;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

pub const SCHEMAS: &[&str] = &[
    "createDatabaseService",
    "createDatabase",
    "createDatabaseSchema",
    "createTable",
    "tableProfile",
];

fn validators() -> &'static HashMap<&'static str, Validator> {
    static VALIDATORS: OnceLock<HashMap<&'static str, Validator>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        let dir = crate::workspace_root().join("tests/schemas/openmetadata-1.3");
        SCHEMAS
            .iter()
            .map(|name| {
                let path = dir.join(format!("{name}.schema.json"));
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
                let validator = jsonschema::draft7::options()
                    .should_validate_formats(true)
                    .build(&schema)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                (*name, validator)
            })
            .collect()
    })
}

/// Validates `value` against the named schema; the error lists every violation with its path.
pub fn validate(schema: &str, value: &Value) -> Result<(), String> {
    let validator = validators()
        .get(schema)
        .unwrap_or_else(|| panic!("no schema {schema}"));
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{}: {}", e.instance_path, e))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{schema}: {}", errors.join("; ")))
    }
}

/// Which create request a record of the file sink is, judged by its fields.
pub fn kind_of(record: &Value) -> &'static str {
    if record.get("serviceType").is_some() {
        "createDatabaseService"
    } else if record.get("columns").is_some() {
        "createTable"
    } else if record.get("database").is_some() {
        "createDatabaseSchema"
    } else if record.get("service").is_some() {
        "createDatabase"
    } else {
        panic!("unrecognised record: {record}")
    }
}
