//! DynamoDB's JSON 1.0 protocol: the requests the connector makes and the answers it reads.

pub mod client;
mod json_path;
pub mod model;
pub mod operations;

pub use client::DynamoDb;
