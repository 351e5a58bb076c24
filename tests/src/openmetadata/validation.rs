//! Request bodies checked against the JSON Schemas of the version the stand-in answers as
//! (`schemas.rs`): create requests, table profiles, ingestion pipelines and their statuses,
//! and 2.0's `bulkDeleteStaleRequest`. A refusal carries what the tests read
//! (`SchemaViolation`: the schema and every violation with its path) and what the server
//! answers (Jackson's `Unrecognized field …` for an unknown field, else the violations).

use super::entity_type::EntityType;
use super::server_version::ServerVersion;
use super::{alternatives, schemas, unrecognized};
use jsonschema::ValidationError;
use serde_json::Value;

/// A body that breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The schema it broke (`createTable`, `tableProfile`...).
    pub schema: &'static str,
    /// `<schema>: <path>: <violation>; …`, every violation.
    pub violations: String,
    /// The message of the server's 400.
    pub answer: String,
}

/// Validates a create request of `kind`.
pub(crate) fn create_request(
    version: ServerVersion,
    kind: EntityType,
    body: &Value,
) -> Result<(), Refusal> {
    against(version, kind.request_schema(), body)
}

/// Validates a CreateTableProfile. On 1.3 its `tableProfile` and each `columnProfile` are also
/// named separately (`tableProfile`, `columnProfile`), as the stand-in always has.
pub(crate) fn create_table_profile(version: ServerVersion, body: &Value) -> Result<(), Refusal> {
    against(version, "createTableProfile", body)?;
    if version == ServerVersion::V1_3 {
        against(version, "tableProfile", &body["tableProfile"])?;
        for profile in body["columnProfile"].as_array().into_iter().flatten() {
            against(version, "columnProfile", profile)?;
        }
    }
    Ok(())
}

/// Validates a CreateIngestionPipelineRequest.
pub(crate) fn create_ingestion_pipeline(
    version: ServerVersion,
    body: &Value,
) -> Result<(), Refusal> {
    against(version, "createIngestionPipeline", body)
}

/// Validates an AddLineage request. 1.3's schema set has no copy of `addLineage`; its
/// `AddLineage` (`api/lineage/addLineage.json`) has the shape of 1.6's, which is used for it.
pub(crate) fn add_lineage(version: ServerVersion, body: &Value) -> Result<(), Refusal> {
    let version = if version == ServerVersion::V1_3 {
        ServerVersion::V1_6
    } else {
        version
    };
    against(version, "addLineage", body)
}

/// Validates a PipelineStatus.
pub(crate) fn pipeline_status(version: ServerVersion, body: &Value) -> Result<(), Refusal> {
    against(version, "pipelineStatus", body)
}

/// Validates the body of `DELETE /v1/{collection}/deleteStale` (2.0's
/// `type/bulkDeleteStaleRequest.json`).
pub(crate) fn bulk_delete_stale(body: &Value) -> Result<(), Refusal> {
    against(ServerVersion::V2_0, "bulkDeleteStaleRequest", body)
}

/// Validates `body` against schema `name` of `version`.
pub(crate) fn against(
    version: ServerVersion,
    name: &'static str,
    body: &Value,
) -> Result<(), Refusal> {
    let schema = schemas::get(version, name);
    let errors: Vec<ValidationError> = schema.validator.iter_errors(body).collect();
    if errors.is_empty() {
        return Ok(());
    }
    let mut described = Vec::new();
    describe(&errors, &mut described);
    let violations = format!("{name}: {}", described.join("; "));
    let answer = match unrecognized::find(&errors) {
        Some(unknown) => {
            unrecognized::message(&schema.json, unrecognized::java_class(name), &unknown)
        }
        None => violations.clone(),
    };
    Err(Refusal {
        schema: schema.name,
        violations,
        answer,
    })
}

/// `<path>: <violation>` for each error. A failed `anyOf`/`oneOf` (every optional field of a
/// pydantic 2 export is `anyOf [X, null]`) is described by the alternative meant for the value
/// (`alternatives.rs`), which says what is wrong rather than "not valid under any of the
/// schemas".
fn describe(errors: &[ValidationError], out: &mut Vec<String>) {
    for error in errors {
        let meant = alternatives::context(error)
            .and_then(|context| alternatives::intended(context, alternatives::depth_of(error)))
            .filter(|branch| !branch.is_empty());
        match meant {
            Some(branch) => describe(branch, out),
            None => out.push(format!("{}: {}", error.instance_path, error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table() -> Value {
        json!({"name": "t", "databaseSchema": "svc.db.default",
               "columns": [{"name": "id", "dataType": "STRING"}]})
    }

    fn with(field: &str, value: Value) -> Value {
        let mut body = table();
        body[field] = value;
        body
    }

    fn create_table(version: ServerVersion, body: &Value) -> Result<(), Refusal> {
        create_request(version, EntityType::Table, body)
    }

    #[test]
    fn every_version_refuses_a_field_it_does_not_know() {
        for version in ServerVersion::ALL {
            assert_eq!(create_table(version, &table()), Ok(()), "{version:?}");
            let refusal = create_table(version, &with("rowCount", json!(3))).unwrap_err();
            assert_eq!(refusal.schema, "createTable");
            assert!(
                refusal.violations.contains("rowCount"),
                "{}",
                refusal.violations
            );
            assert!(
                refusal.answer.starts_with(
                    "Unrecognized field \"rowCount\" (class org.openmetadata.schema.api.data.\
                     CreateTable), not marked as ignorable ("
                ),
                "{}",
                refusal.answer
            );
        }
    }

    #[test]
    fn fields_follow_the_version() {
        let owner = json!({"id": "5c9d1a7e-2b3f-4e6a-9c8d-7f1e2d3c4b5a", "type": "user"});
        let v13 = ServerVersion::V1_3;
        assert_eq!(create_table(v13, &with("owner", owner.clone())), Ok(()));
        let refusal = create_table(v13, &with("owners", json!([owner.clone()]))).unwrap_err();
        assert!(refusal.answer.starts_with("Unrecognized field \"owners\""));
        for version in [
            ServerVersion::V1_6,
            ServerVersion::V1_9,
            ServerVersion::V2_0,
        ] {
            assert_eq!(
                create_table(version, &with("owners", json!([owner.clone()]))),
                Ok(())
            );
            let refusal = create_table(version, &with("owner", owner.clone())).unwrap_err();
            assert!(
                refusal.answer.starts_with("Unrecognized field \"owner\""),
                "{version:?}"
            );
        }
        let aliases = with("aliases", json!(["svc.db.default.synonym"]));
        for version in [
            ServerVersion::V1_3,
            ServerVersion::V1_6,
            ServerVersion::V1_9,
        ] {
            let refusal = create_table(version, &aliases).unwrap_err();
            assert!(refusal.answer.starts_with("Unrecognized field \"aliases\""));
        }
        assert_eq!(create_table(ServerVersion::V2_0, &aliases), Ok(()));
    }

    #[test]
    fn nested_unknown_fields_name_their_class() {
        let mut body = table();
        body["columns"][0]["extension"] = json!({});
        // `Column.extension` is new in 2.0.
        assert_eq!(create_table(ServerVersion::V2_0, &body), Ok(()));
        let refusal = create_table(ServerVersion::V1_9, &body).unwrap_err();
        assert!(
            refusal.answer.starts_with(
                "Unrecognized field \"extension\" (class org.openmetadata.schema.type.Column)"
            ),
            "{}",
            refusal.answer
        );
        assert!(refusal.answer.ends_with(
            "CreateTable[\"columns\"]->java.util.ArrayList[0]->org.openmetadata.schema.type.\
             Column[\"extension\"])"
        ));
    }

    #[test]
    fn other_violations_are_answered_with_their_paths() {
        for version in ServerVersion::ALL {
            let mut body = table();
            body["columns"][0]["dataType"] = json!("MAP_OF_THINGS");
            let refusal = create_table(version, &body).unwrap_err();
            assert_eq!(refusal.answer, refusal.violations);
            assert!(
                refusal.answer.contains("/columns/0/dataType"),
                "{}",
                refusal.answer
            );
            // An optional field (`anyOf [X, null]` from 1.6) is described by what is wrong in it.
            let bad_hash = with("sourceHash", json!("x".repeat(33)));
            let refusal = create_table(version, &bad_hash).unwrap_err();
            assert!(refusal.answer.contains("/sourceHash"), "{}", refusal.answer);
        }
    }

    #[test]
    fn other_requests_follow_the_version_too() {
        for version in ServerVersion::ALL {
            let classification = json!({"name": "PII", "description": "Personal data", "x": 1});
            let refusal =
                create_request(version, EntityType::Classification, &classification).unwrap_err();
            assert!(
                refusal.answer.contains("CreateClassification"),
                "{}",
                refusal.answer
            );
            let profile = json!({"tableProfile": {"timestamp": 1, "rowCount": 3}});
            assert_eq!(create_table_profile(version, &profile), Ok(()));
            let running =
                json!({"runId": "r", "pipelineState": "running", "startDate": 1, "timestamp": 1});
            assert_eq!(pipeline_status(version, &running), Ok(()));
        }
        // `stopped` is new in 2.0.
        let stopped = json!({"runId": "r", "pipelineState": "stopped"});
        assert!(pipeline_status(ServerVersion::V1_9, &stopped).is_err());
        assert_eq!(pipeline_status(ServerVersion::V2_0, &stopped), Ok(()));
        let stale = json!({"scopeFqn": "svc", "scopeEntityType": "service", "seenFqns": [],
                           "everything": true});
        let refusal = bulk_delete_stale(&stale).unwrap_err();
        assert!(
            refusal.answer.contains("BulkDeleteStaleRequest"),
            "{}",
            refusal.answer
        );
    }
}
