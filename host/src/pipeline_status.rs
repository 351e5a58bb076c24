//! OpenMetadata's pipeline status: how a run shows up under the service's "Ingestions" tab when
//! the workflow names its ingestion pipeline (`ingestionPipelineFQN: <service>.<pipeline>`), in
//! the calls and the order of OpenMetadata 1.3's own workflow (`workflow/base.py`):
//!
//! 1. `GET /v1/services/ingestionPipelines/name/{fqn}`; when absent and the service exists
//!    (`GET /v1/services/databaseServices/name/{service}`), `PUT /v1/services/ingestionPipelines`
//!    with a `CreateIngestionPipelineRequest` (the workflow's `sourceConfig`, `pipelineType`
//!    `metadata`, `airflowConfig` `{}`);
//! 2. at the start, `PUT …/{fqn}/pipelineStatus` with `pipelineState: running`, `runId`,
//!    `startDate` and `timestamp`;
//! 3. at the end, `GET …/{fqn}/pipelineStatus/{runId}`, then `PUT …/{fqn}/pipelineStatus` with
//!    the final state, `endDate` and the steps' `StepSummary` list.
//!
//! One addition: when the service did not exist at the start (a first run, whose sink creates
//! it), the pipeline is looked for again at the end and, once created, gets the final status.
//!
//! Nothing here fails a run: a status that cannot be written is a warning ([`Outcome::problem`]).

use crate::openmetadata::client::{ApiError, OpenMetadataClient};
use crate::openmetadata::fqn::{self, encode, quote};
use crate::sanitize;
use crate::summary::{PipelineState, PipelineStatusOutcome as Outcome, StepSummary};
use crate::workflow::{OpenMetadataConnection, SourcePipeline};
use serde_json::{Value, json};
use std::fmt;

/// Why a pipeline status could not be written.
#[derive(Debug, Clone)]
pub enum PipelineStatusError {
    /// `ingestionPipelineFQN` is not `<service>.<pipeline>`.
    InvalidFqn(String),
    /// The OpenMetadata client could not be set up (`hostPort`, TLS, headers).
    Client(String),
    /// Reading the pipeline or its service failed.
    Read { what: String, error: ApiError },
    /// The pipeline is absent and so is its service: nothing to attach it to yet.
    NoService { service: String },
    /// Creating the pipeline failed.
    Create(ApiError),
    /// Writing a status failed.
    Write {
        state: &'static str,
        error: ApiError,
    },
}

impl fmt::Display for PipelineStatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PipelineStatusError::InvalidFqn(why) => write!(f, "`ingestionPipelineFQN` {why}"),
            PipelineStatusError::Client(why) => write!(f, "{why}"),
            PipelineStatusError::Read { what, error } => write!(f, "reading {what}: {error}"),
            PipelineStatusError::NoService { service } => write!(
                f,
                "the ingestion pipeline does not exist and neither does its service `{service}` to create it in"
            ),
            PipelineStatusError::Create(error) => {
                write!(f, "creating the ingestion pipeline: {error}")
            }
            PipelineStatusError::Write { state, error } => {
                write!(f, "writing the `{state}` status: {error}")
            }
        }
    }
}

impl std::error::Error for PipelineStatusError {}

/// The two parts of `<service>.<pipeline>` (either may be quoted, as OpenMetadata quotes a
/// name holding a dot).
pub fn split_fqn(fqn: &str) -> Result<(String, String), PipelineStatusError> {
    fqn::split_two(fqn).map_err(PipelineStatusError::InvalidFqn)
}

/// The workflow's `sourceConfig` as a `CreateIngestionPipelineRequest` carries it: the keys the
/// YAML set, with its `type` (`DatabaseMetadata` when it sets none).
pub fn source_config_json(config: &SourcePipeline) -> Value {
    let mut config = serde_json::to_value(config).unwrap_or_default();
    drop_nulls(&mut config);
    if config.get("type").is_none() {
        config["type"] = json!("DatabaseMetadata");
    }
    json!({ "config": config })
}

/// Leaves out what the YAML did not set (serialised as null), at every depth.
fn drop_nulls(value: &mut Value) {
    if let Some(object) = value.as_object_mut() {
        object.retain(|_, v| !v.is_null());
        object.values_mut().for_each(drop_nulls);
    }
}

/// Writes one run's status to its ingestion pipeline.
pub struct PipelineStatusWriter {
    client: OpenMetadataClient,
    fqn: String,
    service: String,
    name: String,
    run_id: String,
    source_config: Value,
    /// `metadata`, `profiler` or `autoClassification`.
    pipeline_type: &'static str,
    /// The pipeline exists on the server (found or created).
    found: bool,
    created: bool,
    running_written: bool,
    started_ms: u64,
}

impl PipelineStatusWriter {
    pub fn new(
        server: &OpenMetadataConnection,
        fqn: &str,
        run_id: &str,
        source_config: Value,
        pipeline_type: &'static str,
    ) -> Result<PipelineStatusWriter, PipelineStatusError> {
        let (service, name) = split_fqn(fqn)?;
        let client = OpenMetadataClient::new(server)
            .map_err(|e| PipelineStatusError::Client(format!("{e:#}")))?;
        Ok(PipelineStatusWriter {
            client,
            fqn: fqn.trim().to_string(),
            service,
            name,
            run_id: run_id.to_string(),
            source_config,
            pipeline_type,
            found: false,
            created: false,
            running_written: false,
            started_ms: 0,
        })
    }

    /// Finds or creates the pipeline and writes `running` (OpenMetadata's start of a run).
    pub async fn start(&mut self, started_ms: u64) -> Result<(), PipelineStatusError> {
        self.started_ms = started_ms;
        self.find_or_create().await?;
        let status = json!({
            "runId": self.run_id,
            "pipelineState": "running",
            "startDate": started_ms,
            "timestamp": started_ms,
        });
        self.put_status(&status, "running").await?;
        self.running_written = true;
        Ok(())
    }

    /// Writes the final state with `endDate` and the steps; never fails, says what went wrong.
    pub async fn finish(
        mut self,
        state: PipelineState,
        steps: &[StepSummary],
        ended_ms: u64,
    ) -> Outcome {
        let problem = self.write_final(state, steps, ended_ms).await.err();
        Outcome {
            fqn: sanitize::name(&self.fqn).to_string(),
            run_id: sanitize::name(&self.run_id).to_string(),
            created: self.created,
            running_written: self.running_written,
            state: problem.is_none().then_some(state),
            problem: problem.map(|e| sanitize::message(&e.to_string()).to_string()),
        }
    }

    async fn write_final(
        &mut self,
        state: PipelineState,
        steps: &[StepSummary],
        ended_ms: u64,
    ) -> Result<(), PipelineStatusError> {
        if !self.found {
            // The service may exist now: the sink creates it on a first run.
            self.find_or_create().await?;
        }
        let mut status = json!({
            "runId": self.run_id,
            "startDate": self.started_ms,
            "timestamp": self.started_ms,
        });
        if self.running_written {
            // OpenMetadata reads the run back and completes it.
            let path = format!("{}/{}", self.status_path(), encode(&self.run_id));
            match self.client.get(&path).await {
                Ok(stored) => {
                    for key in ["startDate", "timestamp"] {
                        if let Some(value) = stored.get(key).filter(|v| v.is_u64()) {
                            status[key] = value.clone();
                        }
                    }
                }
                Err(error) if error.status == 404 => {}
                Err(error) => {
                    return Err(PipelineStatusError::Read {
                        what: format!("run `{}` of the pipeline", self.run_id),
                        error,
                    });
                }
            }
        }
        status["pipelineState"] = json!(state.as_str());
        status["endDate"] = json!(ended_ms);
        status["status"] = serde_json::to_value(steps).unwrap_or_else(|_| json!([]));
        self.put_status(&status, state.as_str()).await
    }

    async fn find_or_create(&mut self) -> Result<(), PipelineStatusError> {
        let by_name = format!("/v1/services/ingestionPipelines/name/{}", encode(&self.fqn));
        match self.client.get(&by_name).await {
            Ok(_) => {
                self.found = true;
                return Ok(());
            }
            Err(error) if error.status == 404 => {}
            Err(error) => {
                return Err(PipelineStatusError::Read {
                    what: "the ingestion pipeline".into(),
                    error,
                });
            }
        }
        let service_path = format!(
            "/v1/services/databaseServices/name/{}",
            encode(&quote(&self.service))
        );
        let service = match self.client.get(&service_path).await {
            Ok(service) => service,
            Err(error) if error.status == 404 => {
                return Err(PipelineStatusError::NoService {
                    service: sanitize::name(&self.service).to_string(),
                });
            }
            Err(error) => {
                return Err(PipelineStatusError::Read {
                    what: format!("the service `{}`", sanitize::name(&self.service)),
                    error,
                });
            }
        };
        let Some(id) = service["id"].as_str() else {
            return Err(PipelineStatusError::Read {
                what: format!("the service `{}`", sanitize::name(&self.service)),
                error: ApiError {
                    status: 200,
                    message: "the answer has no id".into(),
                },
            });
        };
        let request = json!({
            "name": self.name,
            "service": { "id": id, "type": "databaseService" },
            "pipelineType": self.pipeline_type,
            "sourceConfig": self.source_config,
            "airflowConfig": {},
        });
        self.client
            .put("/v1/services/ingestionPipelines", &request)
            .await
            .map_err(PipelineStatusError::Create)?;
        self.found = true;
        self.created = true;
        Ok(())
    }

    fn status_path(&self) -> String {
        format!(
            "/v1/services/ingestionPipelines/{}/pipelineStatus",
            encode(&self.fqn)
        )
    }

    async fn put_status(
        &self,
        status: &Value,
        state: &'static str,
    ) -> Result<(), PipelineStatusError> {
        self.client
            .put(&self.status_path(), status)
            .await
            .map(|_| ())
            .map_err(|error| PipelineStatusError::Write { state, error })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::FilterPattern;

    #[test]
    fn fqns_split_into_service_and_pipeline() {
        assert_eq!(
            split_fqn("svc.metadata_pipeline").unwrap(),
            ("svc".into(), "metadata_pipeline".into())
        );
        assert_eq!(
            split_fqn("\"my.svc\".\"pipe.1\"").unwrap(),
            ("my.svc".into(), "pipe.1".into())
        );
        for bad in ["svc", "svc.", ".pipe", "a.b.c", "\"svc.pipe"] {
            let error = split_fqn(bad).unwrap_err().to_string();
            assert!(error.starts_with("`ingestionPipelineFQN`"), "{error}");
        }
    }

    #[test]
    fn the_source_config_carries_what_the_yaml_set() {
        let config = SourcePipeline {
            include_tags: Some(false),
            table_filter_pattern: Some(FilterPattern {
                includes: vec![],
                excludes: vec!["^tmp_".into()],
            }),
            ..SourcePipeline::default()
        };
        assert_eq!(
            source_config_json(&config),
            json!({"config": {
                "type": "DatabaseMetadata",
                "includeTags": false,
                "tableFilterPattern": {"includes": [], "excludes": ["^tmp_"]},
            }})
        );
    }

    #[test]
    fn an_outcome_says_what_was_written_or_why_not() {
        let mut outcome = Outcome {
            fqn: "svc.pipe".into(),
            run_id: "r1".into(),
            created: true,
            running_written: true,
            state: Some(PipelineState::PartialSuccess),
            problem: None,
        };
        assert_eq!(
            outcome.describe(),
            "Pipeline status: partialSuccess written to OpenMetadata for svc.pipe (run r1, pipeline created)"
        );
        outcome.state = None;
        outcome.problem = Some("writing the `failed` status: HTTP 503: down".into());
        assert!(
            outcome
                .describe()
                .ends_with(": writing the `failed` status: HTTP 503: down")
        );
    }
}
