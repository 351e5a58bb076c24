//! Calling AWS services: SigV4 signing, error classification, retries with backoff.

pub mod call;
pub mod error;
pub mod retry;
pub mod signing;
pub mod sts;
