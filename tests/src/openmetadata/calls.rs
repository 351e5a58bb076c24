//! What the stand-in records for the tests to assert: every call in the order it was handled,
//! and every request body that broke OpenMetadata's JSON Schemas.

use serde_json::Value;

/// How a request authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <the configured token>`.
    Valid,
    /// No `Authorization` header, or not a `Bearer` one.
    Missing,
    /// A bearer token other than the configured one.
    Invalid,
}

/// One HTTP request and the stand-in's answer.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    /// The path as sent, still percent-encoded (`/api/v1/services/databaseServices/name/x`).
    pub path: String,
    /// The query parameters, decoded, in the order sent.
    pub query: Vec<(String, String)>,
    /// The request headers, names in lower case.
    pub headers: Vec<(String, String)>,
    pub auth: Auth,
    pub status: u16,
    /// The request body as JSON; `None` when empty or not JSON (see `body_text`).
    pub body: Option<Value>,
    pub body_text: String,
    /// The response body as JSON (every answer but an injected 503/504 is JSON).
    pub response: Option<Value>,
}

impl Call {
    /// The first value of query parameter `name`.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path with percent-escapes decoded (`.../name/svc."orders.v2"`).
    pub fn decoded_path(&self) -> String {
        super::http::percent_decode(&self.path, false)
    }

    /// `METHOD path status`, handy for asserting a sequence of calls.
    pub fn summary(&self) -> String {
        format!("{} {} {}", self.method, self.path, self.status)
    }
}

/// A request body that did not validate, answered with 400.
#[derive(Debug, Clone)]
pub struct SchemaViolation {
    /// The schema it broke (`createTable`, `tableProfile`, ...).
    pub schema: String,
    pub method: String,
    pub path: String,
    /// Every violation, with its JSON path.
    pub message: String,
    pub body: Value,
}
