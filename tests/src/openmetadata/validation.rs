//! Request bodies checked against OpenMetadata 1.3's JSON Schemas: the create requests and
//! `tableProfile` through `crate::schema`; classifications, tags and profiles with the schemas
//! `crate::schema` does not list (`createClassification`, `createTag` and
//! `createTableProfile` vendored beside the others, `ColumnProfile` from `createTable`'s
//! definitions); ingestion pipelines and their statuses with `createIngestionPipeline` and
//! `pipelineStatus`.

use super::entity_type::EntityType;
use jsonschema::Validator;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Validates a create request of `kind`; the error names the schema and every violation.
pub(crate) fn create_request(kind: EntityType, body: &Value) -> Result<(), String> {
    let schema = kind.request_schema();
    match kind {
        EntityType::Classification | EntityType::Tag => validate_extra(schema, body),
        _ => crate::schema::validate(schema, body),
    }
}

/// Validates a CreateTableProfile: its shape, its `tableProfile` against `tableProfile`, each
/// `columnProfile` against `ColumnProfile`; the error is (schema, violations).
pub(crate) fn create_table_profile(body: &Value) -> Result<(), (&'static str, String)> {
    validate_extra("createTableProfile", body).map_err(|e| ("createTableProfile", e))?;
    crate::schema::validate("tableProfile", &body["tableProfile"])
        .map_err(|e| ("tableProfile", e))?;
    for profile in body["columnProfile"].as_array().into_iter().flatten() {
        validate_extra("columnProfile", profile).map_err(|e| ("columnProfile", e))?;
    }
    Ok(())
}

/// Validates a CreateIngestionPipelineRequest.
pub(crate) fn create_ingestion_pipeline(body: &Value) -> Result<(), String> {
    validate_extra("createIngestionPipeline", body)
}

/// Validates a PipelineStatus.
pub(crate) fn pipeline_status(body: &Value) -> Result<(), String> {
    validate_extra("pipelineStatus", body)
}

fn extra_validators() -> &'static HashMap<&'static str, Validator> {
    static VALIDATORS: OnceLock<HashMap<&'static str, Validator>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        let read = crate::schema::read;
        let column_profile = json!({
            "$ref": "#/definitions/ColumnProfile",
            "definitions": read("createTable")["definitions"].clone(),
        });
        [
            ("createTableProfile", read("createTableProfile")),
            ("createClassification", read("createClassification")),
            ("createTag", read("createTag")),
            ("createIngestionPipeline", read("createIngestionPipeline")),
            ("pipelineStatus", read("pipelineStatus")),
            ("columnProfile", column_profile),
        ]
        .into_iter()
        .map(|(name, schema)| (name, crate::schema::compile(name, &schema)))
        .collect()
    })
}

fn validate_extra(schema: &str, value: &Value) -> Result<(), String> {
    crate::schema::check(schema, &extra_validators()[schema], value)
}
