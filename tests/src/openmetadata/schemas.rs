//! The request schemas of each covered server version, vendored under `tests/schemas/` (see the
//! README of each folder), read and compiled the first time a request needs one and kept for
//! the rest of the test process: compiling the larger ones (a CreateIngestionPipeline of 2.0
//! is 800 kB) for every server started would slow every test down.

use super::server_version::ServerVersion;
use jsonschema::Validator;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;

/// One compiled schema, with its JSON (to find the class and known fields of an object when
/// a request has a field it does not know).
pub(crate) struct Schema {
    pub name: &'static str,
    pub json: Value,
    pub validator: Validator,
}

/// The schema `name` of `version` (`createTable`, `pipelineStatus`...). Two are not files of
/// their own: 1.3's `columnProfile` (a definition of `createTable`, to name the schema a
/// column profile breaks as the stand-in always has) and 2.0's `bulkDeleteStaleRequest`
/// (OpenMetadata's own draft-07 file, not a pydantic export). A missing file is a broken
/// checkout, not a bad request: it panics, and the server answers that request with a 500.
pub(crate) fn get(version: ServerVersion, name: &'static str) -> &'static Schema {
    static CACHE: Mutex<Option<HashMap<(ServerVersion, &'static str), &'static Schema>>> =
        Mutex::new(None);
    let mut cache = CACHE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let cache = cache.get_or_insert_with(HashMap::new);
    if let Some(schema) = cache.get(&(version, name)) {
        return schema;
    }
    let json = load(version, name);
    let label = format!("{name} ({})", version.schema_dir());
    let validator = crate::schema::compile_as(&label, &json, version.default_draft());
    // Leaked on purpose: a handful of schemas, kept for the whole test process.
    let schema: &'static Schema = Box::leak(Box::new(Schema {
        name,
        json,
        validator,
    }));
    cache.insert((version, name), schema);
    schema
}

fn load(version: ServerVersion, name: &str) -> Value {
    match (version, name) {
        (ServerVersion::V1_3, "columnProfile") => json!({
            "$ref": "#/definitions/ColumnProfile",
            "definitions": read("openmetadata-1.3/createTable.schema.json")["definitions"].clone(),
        }),
        (_, "bulkDeleteStaleRequest") => {
            read("openmetadata-2.0/schema/type/bulkDeleteStaleRequest.json")
        }
        _ => read(&format!("{}/{name}.schema.json", version.schema_dir())),
    }
}

fn read(relative: &str) -> Value {
    let path = crate::workspace_root().join("tests/schemas").join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_has_every_request_schema() {
        let names = [
            "createDatabaseService",
            "createDatabase",
            "createDatabaseSchema",
            "createTable",
            "createClassification",
            "createTag",
            "createTableProfile",
            "pipelineStatus",
        ];
        for version in ServerVersion::ALL {
            for name in names {
                let schema = get(version, name);
                assert_eq!(schema.json["additionalProperties"], false, "{name}");
                assert!(std::ptr::eq(schema, get(version, name)), "compiled once");
            }
        }
        let stale = get(ServerVersion::V2_0, "bulkDeleteStaleRequest");
        assert!(stale.validator.is_valid(&json!({
            "scopeFqn": "svc", "scopeEntityType": "service", "seenFqns": []
        })));
        assert!(!stale.validator.is_valid(&json!({"scopeFqn": "svc"})));
    }
}
