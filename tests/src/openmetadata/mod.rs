//! A local stand-in for the OpenMetadata 1.3 REST API, for end-to-end tests of the host's
//! `metadata-rest` sink: it answers what a real server answers for the calls such a sink makes,
//! checks what a real server checks (the bot token, every create request against the vendored
//! JSON Schemas, containers and tags that must exist, column rules), and records every call.
//!
//! ```no_run
//! use e2e::openmetadata::{Auth, Fault, OpenMetadata, RequestMatch};
//!
//! let om = OpenMetadata::start(); // or OpenMetadata::builder().tls().version("1.2.0").start()
//! // workflowConfig.openMetadataServerConfig: hostPort = om.host_port(),
//! // authProvider: openmetadata, securityConfig.jwtToken = om.token()
//! om.fail_next(RequestMatch::path("/api/v1/tables").method("PUT"), 2, Fault::TooManyRequests);
//! om.reject_table("broken", "Invalid table");
//! // ... run the workflow ...
//! let table = om.table("svc.db.default.\"orders.v2\"").unwrap();
//! assert_eq!(table["version"], 0.1);
//! assert!(om.calls().iter().all(|c| c.auth == Auth::Valid));
//! assert!(om.schema_violations().is_empty());
//! om.reset_calls();
//! ```
//!
//! Routes (base `/api`): `GET /v1/system/version` (no token needed, as in OpenMetadata); for
//! `services/databaseServices`, `databases`, `databaseSchemas`, `tables`, `classifications` and
//! `tags`: `GET` (list with paging), `PUT` (create or update), `POST` (create) on the
//! collection, `GET`/`DELETE` on `/name/{fqn}` and `/{id}`; `PUT /v1/tables/{id}/tableProfile`;
//! ingestion pipelines: `PUT /v1/services/ingestionPipelines`, `GET …/name/{fqn}`,
//! `PUT …/{fqn}/pipelineStatus` and `GET …/{fqn}/pipelineStatus/{runId}` (see
//! [`OpenMetadata::ingestion_pipeline`] and [`OpenMetadata::pipeline_statuses`]).

mod api;
mod calls;
mod entity_type;
mod error;
mod faults;
pub mod fqn;
pub(crate) mod http;
mod ids;
mod paging;
mod pipelines;
mod rules;
mod server;
mod store;
mod tls;
mod validation;

pub use calls::{Auth, Call, SchemaViolation};
pub use entity_type::EntityType;
pub use faults::{Fault, RequestMatch};
pub use server::{Builder, DEFAULT_MAX_LIST_LIMIT, DEFAULT_TOKEN, DEFAULT_VERSION, OpenMetadata};
