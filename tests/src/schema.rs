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

/// A vendored schema, as JSON.
pub fn read(name: &str) -> Value {
    let path = crate::workspace_root()
        .join("tests/schemas/openmetadata-1.3")
        .join(format!("{name}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("schema is JSON")
}

/// A draft-7 validator that also checks formats (`date-time`, `uri`...).
pub fn compile(name: &str, schema: &Value) -> Validator {
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A validator for a schema written for the draft its `$schema` names, or for `default` when it
/// names none (OpenMetadata's 1.3 exports are draft 7; the pydantic 2 exports of 1.6 and later
/// are 2020-12 and put keywords beside `$ref`, which draft 7 would ignore). Formats are checked.
pub fn compile_as(name: &str, schema: &Value, default: jsonschema::Draft) -> Validator {
    let options = jsonschema::options().should_validate_formats(true);
    let options = if schema.get("$schema").is_some() {
        options
    } else {
        options.with_draft(default)
    };
    options
        .build(schema)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `value` against `validator`; the error names the schema and lists every violation with its
/// path.
pub fn check(name: &str, validator: &Validator, value: &Value) -> Result<(), String> {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{}: {}", e.instance_path, e))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}: {}", errors.join("; ")))
    }
}

fn validators() -> &'static HashMap<&'static str, Validator> {
    static VALIDATORS: OnceLock<HashMap<&'static str, Validator>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        SCHEMAS
            .iter()
            .map(|name| (*name, compile(name, &read(name))))
            .collect()
    })
}

/// Validates `value` against the named schema; the error lists every violation with its path.
pub fn validate(schema: &str, value: &Value) -> Result<(), String> {
    let validator = validators()
        .get(schema)
        .unwrap_or_else(|| panic!("no schema {schema}"));
    check(schema, validator, value)
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
