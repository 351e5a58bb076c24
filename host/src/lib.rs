//! `ddb-catalog`: runs the DynamoDB metadata connector (a WebAssembly component) in a wasmtime
//! sandbox for OpenMetadata workflows, and writes the entities it returns to a sink.

pub mod aws_credentials;
pub mod bounded;
pub mod cli;
pub mod code_pages;
pub mod commands;
pub mod component_path;
pub mod config_check;
pub mod config_keys;
pub mod distribution;
pub mod entities;
pub mod live_display;
pub mod logging;
pub mod openmetadata;
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
