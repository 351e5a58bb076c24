//! OpenMetadata's ingestion pipelines and their run statuses, as a workflow reports itself:
//! `PUT /v1/services/ingestionPipelines` (a CreateIngestionPipelineRequest, in a database
//! service that must exist), `GET …/name/{fqn}`, `PUT …/{fqn}/pipelineStatus` (a
//! PipelineStatus; one per `runId`, a later PUT of the same run replaces it) and
//! `GET …/{fqn}/pipelineStatus/{runId}`. Bodies are checked against the server version's
//! `createIngestionPipeline` and `pipelineStatus` schemas by the caller.

use super::entity_type::EntityType;
use super::error::ApiError;
use super::http::percent_decode;
use super::{fqn, ids};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The collection under `/api/v1/`.
pub(crate) const COLLECTION: &str = "services/ingestionPipelines";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PipelineRoute {
    Collection,
    ByName(String),
    /// `…/{fqn}/pipelineStatus`
    Status(String),
    /// `…/{fqn}/pipelineStatus/{runId}`
    StatusRun(String, String),
}

impl PipelineRoute {
    /// The route of a path under `/api/v1/services/ingestionPipelines`, if it is one.
    pub fn parse(path: &str) -> Option<PipelineRoute> {
        let rest = path.strip_prefix("/api/v1/")?.strip_prefix(COLLECTION)?;
        if rest.is_empty() {
            return Some(PipelineRoute::Collection);
        }
        let segments: Vec<String> = rest
            .strip_prefix('/')?
            .split('/')
            .map(|s| percent_decode(s, false))
            .collect();
        match segments.as_slice() {
            [name, fqn] if name == "name" && !fqn.is_empty() => {
                Some(PipelineRoute::ByName(fqn.clone()))
            }
            [fqn, status] if status == "pipelineStatus" && !fqn.is_empty() => {
                Some(PipelineRoute::Status(fqn.clone()))
            }
            [fqn, status, run]
                if status == "pipelineStatus" && !fqn.is_empty() && !run.is_empty() =>
            {
                Some(PipelineRoute::StatusRun(fqn.clone(), run.clone()))
            }
            _ => None,
        }
    }

    pub fn methods(&self) -> &'static [&'static str] {
        match self {
            PipelineRoute::Collection => &["PUT"],
            PipelineRoute::ByName(_) | PipelineRoute::StatusRun(..) => &["GET"],
            PipelineRoute::Status(_) => &["PUT"],
        }
    }
}

/// The pipelines and the statuses of their runs.
#[derive(Debug, Default)]
pub(crate) struct Pipelines {
    by_fqn: BTreeMap<String, Value>,
    /// Per pipeline FQN, each run's latest status, in the order the runs first appeared.
    statuses: BTreeMap<String, Vec<Value>>,
}

impl Pipelines {
    /// Creates or updates a pipeline from a (schema-valid) CreateIngestionPipelineRequest whose
    /// service is `service` (a stored database service); returns it and whether it is new.
    pub fn upsert(
        &mut self,
        request: &Value,
        service: &Value,
        base_url: &str,
        now: u64,
    ) -> Result<(Value, bool), ApiError> {
        let name = request["name"].as_str().unwrap_or_default();
        let service_fqn = service["fullyQualifiedName"].as_str().unwrap_or_default();
        let fqn = fqn::add(service_fqn, name).map_err(ApiError::bad_request)?;
        let previous = self.by_fqn.get(&fqn);
        let created = previous.is_none();
        let id = previous
            .and_then(|p| p["id"].as_str())
            .map(String::from)
            .unwrap_or_else(ids::uuid_v4);
        let version = previous
            .and_then(|p| p["version"].as_f64())
            .map(|v| ((v * 10.0).round() + 1.0) / 10.0)
            .unwrap_or(0.1);
        let mut pipeline = json!({
            "id": id,
            "name": name,
            "fullyQualifiedName": fqn,
            "pipelineType": request["pipelineType"],
            "sourceConfig": request["sourceConfig"],
            "airflowConfig": request["airflowConfig"],
            "loggerLevel": request.get("loggerLevel").cloned().unwrap_or(json!("INFO")),
            "service": {
                "id": service["id"],
                "type": EntityType::DatabaseService.name(),
                "name": service["name"],
                "fullyQualifiedName": service["fullyQualifiedName"],
                "deleted": service["deleted"],
                "href": service["href"],
            },
            "deployed": false,
            "enabled": true,
            "version": version,
            "updatedAt": now,
            "updatedBy": super::store::UPDATED_BY,
            "href": format!("{base_url}/v1/{COLLECTION}/{id}"),
            "deleted": false,
        });
        for key in ["displayName", "description", "owner", "owners"] {
            if let Some(value) = request.get(key) {
                pipeline[key] = value.clone();
            }
        }
        self.by_fqn.insert(fqn, pipeline.clone());
        Ok((pipeline, created))
    }

    pub fn by_fqn(&self, name: &str) -> Option<&Value> {
        let fqn = fqn::normalize(name).ok()?;
        self.by_fqn.get(&fqn)
    }

    /// Records a (schema-valid) status of a stored pipeline; returns the pipeline.
    pub fn put_status(&mut self, name: &str, status: &Value) -> Result<Value, ApiError> {
        let pipeline = self
            .by_fqn(name)
            .cloned()
            .ok_or_else(|| ApiError::not_found_named("ingestionPipeline", name))?;
        let fqn = pipeline["fullyQualifiedName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let runs = self.statuses.entry(fqn).or_default();
        match runs.iter_mut().find(|s| s["runId"] == status["runId"]) {
            Some(stored) => *stored = status.clone(),
            None => runs.push(status.clone()),
        }
        Ok(pipeline)
    }

    pub fn status(&self, name: &str, run_id: &str) -> Result<&Value, ApiError> {
        let pipeline = self
            .by_fqn(name)
            .ok_or_else(|| ApiError::not_found_named("ingestionPipeline", name))?;
        let fqn = pipeline["fullyQualifiedName"].as_str().unwrap_or_default();
        self.statuses
            .get(fqn)
            .into_iter()
            .flatten()
            .find(|s| s["runId"] == run_id)
            .ok_or_else(|| ApiError::not_found_named("pipelineStatus", run_id))
    }

    /// Each run's latest status, in the order the runs first appeared.
    pub fn statuses(&self, name: &str) -> Vec<Value> {
        let Ok(fqn) = fqn::normalize(name) else {
            return Vec::new();
        };
        self.statuses.get(&fqn).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let base = "/api/v1/services/ingestionPipelines";
        assert_eq!(PipelineRoute::parse(base), Some(PipelineRoute::Collection));
        assert_eq!(
            PipelineRoute::parse(&format!("{base}/name/svc.pipe")),
            Some(PipelineRoute::ByName("svc.pipe".into()))
        );
        assert_eq!(
            PipelineRoute::parse(&format!("{base}/%22my.svc%22.pipe/pipelineStatus")),
            Some(PipelineRoute::Status("\"my.svc\".pipe".into()))
        );
        assert_eq!(
            PipelineRoute::parse(&format!("{base}/svc.pipe/pipelineStatus/r-1")),
            Some(PipelineRoute::StatusRun("svc.pipe".into(), "r-1".into()))
        );
        assert_eq!(PipelineRoute::parse(&format!("{base}/svc.pipe")), None);
        assert_eq!(
            PipelineRoute::parse("/api/v1/services/databaseServices"),
            None
        );
    }

    #[test]
    fn a_run_keeps_its_latest_status() {
        let mut pipelines = Pipelines::default();
        let service = json!({"id": ids::uuid_v4(), "name": "svc", "fullyQualifiedName": "svc"});
        let request = json!({"name": "pipe", "pipelineType": "metadata",
            "sourceConfig": {"config": {}}, "airflowConfig": {}});
        let (pipeline, created) = pipelines
            .upsert(&request, &service, "http://x/api", 1)
            .unwrap();
        assert!(created);
        assert_eq!(pipeline["fullyQualifiedName"], "svc.pipe");
        pipelines
            .put_status(
                "svc.pipe",
                &json!({"runId": "a", "pipelineState": "running"}),
            )
            .unwrap();
        pipelines
            .put_status(
                "svc.pipe",
                &json!({"runId": "a", "pipelineState": "success"}),
            )
            .unwrap();
        assert_eq!(pipelines.statuses("svc.pipe").len(), 1);
        assert_eq!(
            pipelines.status("svc.pipe", "a").unwrap()["pipelineState"],
            "success"
        );
        assert_eq!(pipelines.status("svc.pipe", "b").unwrap_err().status, 404);
        assert_eq!(
            pipelines
                .put_status("svc.other", &json!({}))
                .unwrap_err()
                .status,
            404
        );
    }
}
