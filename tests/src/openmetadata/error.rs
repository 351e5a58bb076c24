//! An error answer of the REST API, as OpenMetadata words it.

use super::entity_type::EntityType;
use super::http::Response;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub message: String,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 400,
            message: message.into(),
        }
    }

    /// `<type> instance for <name or id> not found`.
    pub fn not_found(kind: EntityType, key: &str) -> ApiError {
        ApiError::not_found_named(kind.name(), key)
    }

    pub fn not_found_named(type_name: &str, key: &str) -> ApiError {
        ApiError {
            status: 404,
            message: format!("{type_name} instance for {key} not found"),
        }
    }

    /// What Jersey answers when no resource matches, or a path or query parameter does not
    /// convert (a malformed UUID, a non-numeric `limit`, an unknown `include`).
    pub fn no_resource() -> ApiError {
        ApiError {
            status: 404,
            message: "HTTP 404 Not Found".into(),
        }
    }

    pub fn response(&self) -> Response {
        Response::error(self.status, &self.message)
    }
}
