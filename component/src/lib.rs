//! DynamoDB metadata connector.
//!
//! Everything except `guest` is plain Rust that compiles and is unit-tested on the native
//! target: settings, request building and signing, response parsing, filters, the mapping to
//! catalog entities and the ingestion flow (generic over a [`transport::Transport`]). The
//! `guest` module is the thin layer that binds this to WIT, `wasi:config` and `wasi:http`.

pub mod aws;
pub mod catalog;
pub mod config_schema;
pub mod dynamodb;
pub mod endpoint;
pub mod error;
pub mod filter;
pub mod fqn;
pub mod ingest;
pub mod log;
pub mod manifest;
pub mod mapping;
pub mod number;
pub mod pii;
pub mod pyre;
pub mod settings;
pub mod time;
pub mod transport;

#[cfg(test)]
mod testing;

#[cfg(target_arch = "wasm32")]
mod guest;
