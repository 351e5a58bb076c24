//! OpenMetadata itself, whatever writes to it: its names ([`fqn`]), the versions of its server
//! and what each takes ([`server`]), and a client for its REST API ([`client`]). The
//! `metadata-rest` sink and the pipeline status are written through these.

pub mod client;
pub mod fqn;
pub mod server;
