//! Support for the end-to-end tests: local DynamoDB servers on free ports, an admin client to
//! seed them, the `ddb-catalog` binary and its component, workflow files, and OpenMetadata's
//! JSON Schemas to validate what comes out; and two test-only guests of the world, the hostile
//! guest and a JSON document connector with its document server.

pub mod admin;
pub mod catalog;
pub mod collect;
pub mod faults;
pub mod host;
pub mod hostile;
pub mod json_connector;
pub mod json_document;
pub mod openmetadata;
pub mod registry;
pub mod schema;
pub mod servers;
pub mod summary;
pub mod wire;
pub mod workflow;

use std::path::PathBuf;

/// The workspace root (this crate lives in `<root>/tests`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}
