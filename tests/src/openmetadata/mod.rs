//! A local stand-in for the OpenMetadata REST API, for end-to-end tests of the host's
//! `metadata-rest` sink: it answers what a real server of the chosen version (1.3.4 by default;
//! see [`SERVER_VERSIONS`]) answers for the calls such a sink makes, checks what a real server
//! checks (the bot token; every create request against that version's vendored JSON Schemas,
//! unknown fields refused as Jackson refuses them; the name patterns the exported schemas
//! lost; containers and tags that must exist; `DatabaseUtil`'s column and constraint rules),
//! and records every call, how many were in flight at once, and the order entities were
//! created in.
//!
//! ```no_run
//! use e2e::openmetadata::{Auth, Fault, OpenMetadata, RequestMatch, SERVER_VERSIONS};
//!
//! let om = OpenMetadata::start(); // or OpenMetadata::builder().tls().version("2.0.7").start()
//! // workflowConfig.openMetadataServerConfig: hostPort = om.host_port(),
//! // authProvider: openmetadata, securityConfig.jwtToken = om.token()
//! om.fail_next(RequestMatch::path("/api/v1/tables").method("PUT"), 2, Fault::TooManyRequests);
//! om.reject_table("broken", "Invalid table");
//! // ... run the workflow ...
//! let table = om.table("svc.db.default.\"orders.v2\"").unwrap();
//! assert_eq!(table["version"], 0.1);
//! assert!(om.calls().iter().all(|c| c.auth == Auth::Valid));
//! assert!(om.schema_violations().is_empty());
//! assert!(om.max_in_flight() <= 4);
//! om.reset_calls();
//! for version in SERVER_VERSIONS {
//!     let om = OpenMetadata::builder().version(version).start();
//!     // ... the same run against each version ...
//! }
//! ```
//!
//! Routes (base `/api`): `GET /v1/system/version` (no token needed, as in OpenMetadata); for
//! `services/databaseServices`, `databases`, `databaseSchemas`, `tables`, `classifications` and
//! `tags`: `GET` (list with paging), `PUT` (create or update), `POST` (create) on the
//! collection, `GET`/`DELETE` on `/name/{fqn}` and `/{id}`; `PUT /v1/tables/{id}/tableProfile`;
//! ingestion pipelines: `PUT /v1/services/ingestionPipelines`, `GET …/name/{fqn}`,
//! `PUT …/{fqn}/pipelineStatus` and `GET …/{fqn}/pipelineStatus/{runId}` (see
//! [`OpenMetadata::ingestion_pipeline`] and [`OpenMetadata::pipeline_statuses`]). On 2.x only
//! (404 on 1.x), for `databases`, `databaseSchemas` and `tables`: `PUT …/bulk` (a list of
//! create requests; see [`OpenMetadata::bulk_sizes`]) and `DELETE …/deleteStale`.

mod alternatives;
mod api;
mod bulk;
mod calls;
mod entity_type;
mod error;
mod faults;
pub mod fqn;
pub(crate) mod http;
mod ids;
mod names;
mod paging;
mod patch;
mod pipelines;
mod rules;
mod schemas;
mod server;
mod server_version;
mod stale;
mod store;
pub(crate) mod tls;
mod unrecognized;
mod validation;

pub use calls::{Auth, Call, SchemaViolation};
pub use entity_type::EntityType;
pub use faults::{Fault, RequestMatch};
pub use server::{Builder, DEFAULT_MAX_LIST_LIMIT, DEFAULT_TOKEN, DEFAULT_VERSION, OpenMetadata};
pub use server_version::{SERVER_VERSIONS, ServerVersion, major_minor};
