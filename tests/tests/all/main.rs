//! The end-to-end tests, one module per concern, linked into one binary: each test binary links
//! wasmtime and the host, and 21 of them took longer to link than to run (as wasmtime's own
//! `tests/all/main.rs`). `cargo test --release -p e2e --test all sandbox::` runs one module.

mod distribution;
mod dynamodb_local;
mod faults;
mod hostile_output;
mod hot_code;
mod json_logs;
mod multi_tenant;
mod openmetadata_sink;
mod openmetadata_standin;
mod operational;
mod pipeline_status;
mod portability;
mod profiler;
mod progress;
mod resolution;
mod run_report;
mod sampling;
mod sandbox;
mod scale;
mod second_connector;
mod signatures_moto;
mod size;
mod streaming;
mod wheel;
mod wire;
