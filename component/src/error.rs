//! The error that stops a run (`connector-error` in WIT).

use crate::catalog::Failure;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum ConnectorError {
    /// A setting is missing or malformed; `key` is the configuration key at fault.
    InvalidConfig { key: String, message: String },
    /// The service refused the credentials or the signature, or denied the call.
    AccessDenied(Failure),
    /// The endpoint could not be reached.
    Unreachable(Failure),
    /// The service answered with an error that stops the run.
    Service(Failure),
    /// The service answered something that is not its protocol.
    InvalidResponse(Failure),
}

impl ConnectorError {
    pub fn config(key: impl Into<String>, message: impl Into<String>) -> Self {
        ConnectorError::InvalidConfig {
            key: key.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConnectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectorError::InvalidConfig { key, message } => {
                write!(f, "invalid configuration `{key}`: {message}")
            }
            ConnectorError::AccessDenied(failure) => write!(f, "access denied: {failure}"),
            ConnectorError::Unreachable(failure) => write!(f, "endpoint unreachable: {failure}"),
            ConnectorError::Service(failure) => write!(f, "service error: {failure}"),
            ConnectorError::InvalidResponse(failure) => write!(f, "invalid response: {failure}"),
        }
    }
}

impl std::error::Error for ConnectorError {}
