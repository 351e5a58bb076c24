//! DynamoDB's JSON 1.0 protocol: the requests the connector makes and the answers it reads.

pub mod client;
pub mod model;
pub mod operations;
pub mod read;

pub use client::DynamoDb;
