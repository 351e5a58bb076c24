//! `ddb-catalog`: runs a metadata connector (a WebAssembly component of the
//! `catalog:connector` world; the DynamoDB one by default) in a wasmtime sandbox for
//! OpenMetadata workflows, and writes the entities it returns to a sink. What the connector
//! is, reads and reaches, it declares itself (`connector`).

pub mod aws_credentials;
pub mod bounded;
pub mod cli;
pub mod code_pages;
pub mod commands;
pub mod component_path;
pub mod config_check;
pub mod config_keys;
pub mod connector;
pub mod distribution;
pub mod entities;
pub mod live_display;
pub mod logging;
pub mod openmetadata;
pub mod pipeline;
pub mod pipeline_status;
pub mod progress;
pub mod report;
pub mod runner;
pub mod runtime;
pub mod sanitize;
pub mod scope;
pub mod secret;
pub mod sink;
pub mod summary;
pub mod workflow;

#[cfg(test)]
mod layers;
