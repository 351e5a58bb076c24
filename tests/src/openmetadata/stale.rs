//! 2.x's `DELETE /v1/{databases|databaseSchemas|tables}/deleteStale`: the 2.0 sink's way to
//! mark deleted what a run no longer saw (`ingestion/api/delete.py`; on a 404 it falls back on
//! listing and deleting by id, as 1.x sinks do). The body is a `bulkDeleteStaleRequest`
//! (`type/bulkDeleteStaleRequest.json`): `scopeFqn`, `scopeEntityType` (service, database or
//! databaseSchema) and `seenFqns` required; `dryRun` (false), `hardDelete` (false) and
//! `recursive` (true). Every live entity of the collection under the scope whose FQN was not
//! seen is deleted (soft unless `hardDelete`); the answer is a `BulkOperationResult` with the
//! deleted FQNs in `successRequest` (or those that would be, on a dry run).

use super::api::{Backend, json_body, now};
use super::bulk::BulkResult;
use super::entity_type::EntityType;
use super::error::ApiError;
use super::fqn;
use super::http::{Request, Response};
use super::store::Include;
use super::validation;
use serde_json::{Value, json};
use std::collections::HashSet;

impl Backend {
    /// Answers a deleteStale (the route exists on 2.x only; the caller checked).
    pub(super) fn delete_stale(
        &mut self,
        kind: EntityType,
        request: &Request,
    ) -> Result<Response, ApiError> {
        let body = json_body(request)?;
        if let Err(refusal) = validation::bulk_delete_stale(&body) {
            return Err(self.violation(refusal, &request.method, &request.path, &body));
        }
        let scope_type = body["scopeEntityType"].as_str().unwrap_or_default();
        let scope_kind = match scope_type {
            "service" => EntityType::DatabaseService,
            "database" => EntityType::Database,
            "databaseSchema" => EntityType::DatabaseSchema,
            other => {
                return Err(ApiError::bad_request(format!(
                    "Invalid scopeEntityType {other}: expected service, database or databaseSchema"
                )));
            }
        };
        let scope_name = body["scopeFqn"].as_str().unwrap_or_default();
        let scope = self
            .store
            .by_fqn(scope_kind, scope_name)
            .filter(|e| Include::NonDeleted.admits(e))
            .ok_or_else(|| ApiError::not_found(scope_kind, scope_name))?;
        let scope_fqn = scope["fullyQualifiedName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        // `a."b"` and `a.b` name the same entity.
        let seen: HashSet<String> = body["seenFqns"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|f| fqn::normalize(f).unwrap_or_else(|_| f.to_string()))
            .collect();
        let stale: Vec<String> = self
            .store
            .list(kind, &[scope_fqn], Include::NonDeleted)
            .into_iter()
            .filter_map(|e| e["fullyQualifiedName"].as_str())
            .filter(|f| !seen.contains(*f))
            .map(String::from)
            .collect();
        let option = |name: &str, default: bool| body[name].as_bool().unwrap_or(default);
        let (hard, recursive) = (option("hardDelete", false), option("recursive", true));
        let dry_run = option("dryRun", false);
        let mut result = BulkResult::new(dry_run);
        for fqn in stale {
            if dry_run {
                result.passed(json!(fqn), 200);
                continue;
            }
            match self.store.delete(kind, &fqn, recursive, hard, now()) {
                Ok(_) => result.passed(json!(fqn), 200),
                Err(error) => result.failed(json!(fqn), &error),
            }
        }
        Ok(Response::json(200, &result.to_json()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::api::Settings;
    use super::super::store::is_deleted;
    use super::*;

    fn backend() -> Backend {
        let settings = Settings {
            token: "t".into(),
            version: "2.0.7".into(),
            max_limit: 1000,
        };
        let mut backend = Backend::new(settings, "http://127.0.0.1:1/api");
        let service = json!({"name": "svc", "serviceType": "DynamoDB"});
        backend.put(EntityType::DatabaseService, &service).unwrap();
        for (kind, body) in [
            (
                EntityType::Database,
                json!({"name": "db", "service": "svc"}),
            ),
            (
                EntityType::DatabaseSchema,
                json!({"name": "default", "database": "svc.db"}),
            ),
            (
                EntityType::DatabaseSchema,
                json!({"name": "other", "database": "svc.db"}),
            ),
        ] {
            backend.put(kind, &body).unwrap();
        }
        for (schema, table) in [("default", "kept"), ("default", "stale"), ("other", "away")] {
            let body = json!({"name": table, "databaseSchema": format!("svc.db.{schema}"),
                              "columns": [{"name": "id", "dataType": "STRING"}]});
            backend.put(EntityType::Table, &body).unwrap();
        }
        backend
    }

    fn delete_stale(backend: &mut Backend, body: Value) -> (u16, Value) {
        let request = Request {
            method: "DELETE".into(),
            path: "/api/v1/tables/deleteStale".into(),
            query: Vec::new(),
            headers: vec![
                ("authorization".into(), "Bearer t".into()),
                ("content-type".into(), "application/json".into()),
            ],
            body: body.to_string().into_bytes(),
        };
        let response = backend.handle(request);
        (response.status, response.body_json().unwrap_or_default())
    }

    fn deleted(backend: &Backend) -> Vec<String> {
        backend
            .store
            .all(EntityType::Table)
            .filter(|t| is_deleted(t))
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn deletes_what_the_scope_holds_and_the_run_did_not_see() {
        let mut backend = backend();
        let dry = json!({"scopeFqn": "svc.db.default", "scopeEntityType": "databaseSchema",
                         "seenFqns": ["svc.db.default.kept"], "dryRun": true});
        let (status, result) = delete_stale(&mut backend, dry);
        assert_eq!(status, 200);
        assert_eq!(
            result["successRequest"],
            json!([{"request": "svc.db.default.stale", "status": 200}])
        );
        assert_eq!(result["dryRun"], true);
        assert!(deleted(&backend).is_empty());

        let body = json!({"scopeFqn": "svc.db.default", "scopeEntityType": "databaseSchema",
                          "seenFqns": ["svc.db.\"default\".kept"]});
        let (_, result) = delete_stale(&mut backend, body.clone());
        assert_eq!(result["status"], "success");
        assert_eq!(result["numberOfRowsPassed"], 1);
        assert_eq!(deleted(&backend), ["stale"]);
        // Nothing left to delete: an empty success.
        let (_, again) = delete_stale(&mut backend, body);
        assert_eq!(again["numberOfRowsProcessed"], 0);

        // A wider scope reaches the other schema's tables.
        let service = json!({"scopeFqn": "svc", "scopeEntityType": "service",
                             "seenFqns": ["svc.db.default.kept"], "hardDelete": true});
        let (_, result) = delete_stale(&mut backend, service);
        assert_eq!(
            result["successRequest"],
            json!([{"request": "svc.db.other.away", "status": 200}])
        );
        assert!(
            backend
                .store
                .by_fqn(EntityType::Table, "svc.db.other.away")
                .is_none()
        );
    }

    #[test]
    fn refuses_what_the_server_refuses() {
        let mut backend = backend();
        let (status, _) = delete_stale(&mut backend, json!({"scopeFqn": "svc"}));
        assert_eq!(status, 400);
        assert_eq!(backend.violations[0].schema, "bulkDeleteStaleRequest");
        let table_scope = json!({"scopeFqn": "svc.db.default.kept", "scopeEntityType": "table",
                                 "seenFqns": []});
        assert_eq!(delete_stale(&mut backend, table_scope).0, 400);
        let nowhere = json!({"scopeFqn": "nowhere", "scopeEntityType": "service", "seenFqns": []});
        let (status, error) = delete_stale(&mut backend, nowhere);
        assert_eq!(
            (status, &error["message"]),
            (
                404,
                &json!("databaseService instance for nowhere not found")
            )
        );
        assert!(deleted(&backend).is_empty());
    }
}
