//! 2.x's bulk create-or-update, `PUT /v1/{databases|databaseSchemas|tables}/bulk?async=false&
//! overrideMetadata=false` with a JSON list of create requests (the 2.0 sink sends databases,
//! schemas and tables this way, in batches of 100), and the `BulkOperationResult` it answers
//! (`type/bulkOperationResult.json`), which `stale.rs` answers too.
//!
//! Each row is checked and stored exactly as a single PUT of it would be; a row's failure is
//! reported in the result and does not affect the others. As `ingestion/api/topology_runner.py`
//! (2.0) relies on, a row whose `sourceHash` equals the stored entity's is skipped: the entity
//! stays as it is, at the same version.

use super::api::{Backend, flag, json_body, now};
use super::entity_type::EntityType;
use super::error::ApiError;
use super::http::{Request, Response};
use super::store::is_deleted;
use serde_json::{Value, json};

impl Backend {
    /// Answers a bulk PUT (the route exists on 2.x only; the caller checked).
    pub(super) fn bulk_put(
        &mut self,
        kind: EntityType,
        request: &Request,
    ) -> Result<Response, ApiError> {
        if flag(request, "async") {
            // The server would answer 202 with a job id; no sink of this project asks for it.
            return Err(ApiError::bad_request(
                "The stand-in answers bulk requests synchronously only (async=false)",
            ));
        }
        let body = json_body(request)?;
        let Some(rows) = body.as_array() else {
            // What Jackson says when the body is not a list of create requests.
            return Err(ApiError::bad_request(format!(
                "Cannot deserialize value of type `java.util.ArrayList<{}>` from {} value",
                super::unrecognized::java_class(kind.request_schema()),
                json_kind(&body)
            )));
        };
        self.bulk_calls.push((kind, rows.len()));
        let mut result = BulkResult::default();
        for row in rows {
            match self.bulk_row(kind, row, &request.path) {
                Ok((fqn, status)) => result.passed(json!(fqn), status),
                Err(error) => result.failed(row.clone(), &error),
            }
        }
        Ok(Response::json(200, &result.to_json()))
    }

    /// One row, as a single PUT of it: its FQN and 201 (created) or 200 (updated, unchanged or
    /// skipped for its `sourceHash`).
    fn bulk_row(
        &mut self,
        kind: EntityType,
        row: &Value,
        path: &str,
    ) -> Result<(String, u16), ApiError> {
        self.accept_create_request(kind, row, "PUT", path)?;
        if let Some(hash) = row.get("sourceHash").filter(|h| h.is_string()) {
            let fqn = self.store.fqn_for(kind, row)?;
            let unchanged = self
                .store
                .by_fqn(kind, &fqn)
                .is_some_and(|stored| !is_deleted(stored) && stored["sourceHash"] == *hash);
            if unchanged {
                return Ok((fqn, 200));
            }
        }
        let (entity, created) = self.store.upsert(kind, row, now())?;
        let fqn = entity["fullyQualifiedName"].as_str().unwrap_or_default();
        Ok((fqn.to_string(), if created { 201 } else { 200 }))
    }
}

/// A `BulkOperationResult` being built: `successRequest` entries are
/// `{"request": <FQN>, "status": 200|201}`, `failedRequest` entries
/// `{"request": <what failed>, "message": <the server's message>, "status": <its status>}`.
#[derive(Debug, Default)]
pub(super) struct BulkResult {
    dry_run: bool,
    succeeded: Vec<Value>,
    failed: Vec<Value>,
}

impl BulkResult {
    /// A result; `dry_run` says nothing was changed.
    pub fn new(dry_run: bool) -> BulkResult {
        BulkResult {
            dry_run,
            ..BulkResult::default()
        }
    }

    pub fn passed(&mut self, request: Value, status: u16) {
        self.succeeded
            .push(json!({"request": request, "status": status}));
    }

    pub fn failed(&mut self, request: Value, error: &ApiError) {
        self.failed.push(json!({
            "request": request,
            "message": error.message,
            "status": error.status,
        }));
    }

    /// `success` when nothing failed (an empty request too), `failure` when nothing passed,
    /// else `partialSuccess`.
    pub fn to_json(&self) -> Value {
        let status = match (self.succeeded.len(), self.failed.len()) {
            (_, 0) => "success",
            (0, _) => "failure",
            _ => "partialSuccess",
        };
        json!({
            "dryRun": self.dry_run,
            "status": status,
            "numberOfRowsProcessed": self.succeeded.len() + self.failed.len(),
            "numberOfRowsPassed": self.succeeded.len(),
            "numberOfRowsFailed": self.failed.len(),
            "successRequest": self.succeeded,
            "failedRequest": self.failed,
        })
    }
}

/// Jackson's word for the JSON value a list was expected in place of.
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "Object",
        Value::String(_) => "String",
        Value::Number(_) => "Number",
        Value::Bool(_) => "Boolean",
        Value::Null => "Null",
        Value::Array(_) => "Array",
    }
}

#[cfg(test)]
mod tests {
    use super::super::api::Settings;
    use super::super::server_version::ServerVersion;
    use super::*;

    const TOKEN: &str = "t";

    fn backend(version: &str) -> Backend {
        let settings = Settings {
            token: TOKEN.into(),
            version: version.into(),
            max_limit: 1000,
        };
        let mut backend = Backend::new(settings, "http://127.0.0.1:1/api");
        let service = json!({"name": "svc", "serviceType": "DynamoDB"});
        backend.put(EntityType::DatabaseService, &service).unwrap();
        backend
    }

    fn put(backend: &mut Backend, path: &str, body: &Value) -> (u16, Value) {
        let request = Request {
            method: "PUT".into(),
            path: path.into(),
            query: vec![("async".into(), "false".into())],
            headers: vec![
                ("authorization".into(), format!("Bearer {TOKEN}")),
                ("content-type".into(), "application/json".into()),
            ],
            body: body.to_string().into_bytes(),
        };
        let response = backend.handle(request);
        (response.status, response.body_json().unwrap_or_default())
    }

    fn database(name: &str, hash: &str) -> Value {
        json!({"name": name, "service": "svc", "sourceHash": hash})
    }

    #[test]
    fn rows_pass_or_fail_on_their_own() {
        let mut backend = backend("2.0.7");
        let rows = json!([database("a", "h1"), {"name": "b", "service": "svc", "owner": {}},
                          database("c", "h1"), {"name": "d", "service": "nowhere"}]);
        let (status, result) = put(&mut backend, "/api/v1/databases/bulk", &rows);
        assert_eq!(status, 200);
        assert_eq!(result["status"], "partialSuccess");
        assert_eq!(
            (
                &result["numberOfRowsProcessed"],
                &result["numberOfRowsPassed"],
                &result["numberOfRowsFailed"]
            ),
            (&json!(4), &json!(2), &json!(2))
        );
        assert_eq!(
            result["successRequest"],
            json!([{"request": "svc.a", "status": 201}, {"request": "svc.c", "status": 201}])
        );
        assert_eq!(result["failedRequest"][0]["request"], rows[1]);
        assert_eq!(result["failedRequest"][0]["status"], 400);
        let message = result["failedRequest"][0]["message"].as_str().unwrap();
        assert!(
            message.starts_with("Unrecognized field \"owner\""),
            "{message}"
        );
        assert_eq!(
            result["failedRequest"][1]["message"],
            "databaseService instance for nowhere not found"
        );
        assert_eq!(result["failedRequest"][1]["status"], 404);
        assert_eq!(backend.bulk_calls, [(EntityType::Database, 4)]);
        assert_eq!(backend.violations.len(), 1);
        let schema = super::super::schemas::get(ServerVersion::V2_0, "bulkOperationResult");
        assert!(schema.validator.is_valid(&result), "{result}");
    }

    #[test]
    fn an_unchanged_source_hash_is_skipped() {
        let mut backend = backend("2.0.7");
        put(
            &mut backend,
            "/api/v1/databases/bulk",
            &json!([database("a", "h1")]),
        );
        let mut described = database("a", "h1");
        described["description"] = json!("changed, same hash");
        let (_, result) = put(&mut backend, "/api/v1/databases/bulk", &json!([described]));
        assert_eq!(
            result["successRequest"],
            json!([{"request": "svc.a", "status": 200}])
        );
        let stored = backend.store.by_fqn(EntityType::Database, "svc.a").unwrap();
        assert_eq!(
            (stored.get("description"), &stored["version"]),
            (None, &json!(0.1))
        );
        described["sourceHash"] = json!("h2");
        put(&mut backend, "/api/v1/databases/bulk", &json!([described]));
        let stored = backend.store.by_fqn(EntityType::Database, "svc.a").unwrap();
        assert_eq!(stored["version"], 0.2);
        assert_eq!(stored["description"], "changed, same hash");
    }

    #[test]
    fn bulk_takes_a_list_and_exists_on_2_x_only() {
        let mut backend = backend("2.0.7");
        let (status, error) = put(&mut backend, "/api/v1/tables/bulk", &database("a", "h"));
        assert_eq!(status, 400);
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("from Object value")
        );
        let (status, result) = put(&mut backend, "/api/v1/tables/bulk", &json!([]));
        assert_eq!((status, &result["status"]), (200, &json!("success")));
        for version in ["1.3.4", "1.6.13", "1.9.17"] {
            let mut backend = self::backend(version);
            let (status, _) = put(&mut backend, "/api/v1/databases/bulk", &json!([]));
            assert_eq!(status, 404, "{version}");
            assert!(backend.bulk_calls.is_empty());
        }
    }

    #[test]
    fn nothing_passed_is_a_failure() {
        let mut result = BulkResult::default();
        result.failed(json!({}), &ApiError::bad_request("no"));
        assert_eq!(result.to_json()["status"], "failure");
        result.passed(json!("x"), 201);
        assert_eq!(result.to_json()["status"], "partialSuccess");
    }
}
