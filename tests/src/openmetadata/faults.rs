//! Failures a test can ask for: the next few requests to some path answered by an overloaded
//! or unreachable gateway, and PUTs of a given table always refused.

use std::collections::HashMap;

/// An answer a gateway in front of OpenMetadata gives instead of OpenMetadata's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After: 0` and a JSON body.
    TooManyRequests,
    /// 503 with an HTML body, as nginx gives when the server is down.
    ServiceUnavailable,
    /// 504 with an HTML body, as nginx gives when the server is too slow.
    GatewayTimeout,
    /// 200 with a body of 65 MiB: more than a client should hold.
    Oversized,
}

impl Fault {
    pub fn status(self) -> u16 {
        match self {
            Fault::TooManyRequests => 429,
            Fault::ServiceUnavailable => 503,
            Fault::GatewayTimeout => 504,
            Fault::Oversized => 200,
        }
    }
}

/// Which requests a fault applies to: a path prefix (`/api/v1/tables`), and a method or any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestMatch {
    method: Option<String>,
    path_prefix: String,
}

impl RequestMatch {
    /// Requests of any method whose path starts with `prefix`.
    pub fn path(prefix: &str) -> RequestMatch {
        RequestMatch {
            method: None,
            path_prefix: prefix.to_string(),
        }
    }

    /// Only requests with this method.
    pub fn method(mut self, method: &str) -> RequestMatch {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method) && path.starts_with(&self.path_prefix)
    }
}

#[derive(Debug, Default)]
pub(crate) struct Faults {
    /// Matched in order; each has the number of requests it still fails.
    pending: Vec<(RequestMatch, usize, Fault)>,
    /// Table name -> the 400 message every PUT or POST of it gets.
    rejected_tables: HashMap<String, String>,
}

impl Faults {
    pub fn fail_next(&mut self, requests: RequestMatch, count: usize, fault: Fault) {
        if count > 0 {
            self.pending.push((requests, count, fault));
        }
    }

    /// The fault this request gets, if any, counting it against its rule.
    pub fn take(&mut self, method: &str, path: &str) -> Option<Fault> {
        let index = self
            .pending
            .iter()
            .position(|(requests, _, _)| requests.matches(method, path))?;
        let (_, remaining, fault) = &mut self.pending[index];
        let fault = *fault;
        *remaining -= 1;
        if *remaining == 0 {
            self.pending.remove(index);
        }
        Some(fault)
    }

    pub fn reject_table(&mut self, name: &str, message: &str) {
        self.rejected_tables
            .insert(name.to_string(), message.to_string());
    }

    pub fn table_rejection(&self, name: &str) -> Option<&str> {
        self.rejected_tables.get(name).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_count_down_in_order() {
        let mut faults = Faults::default();
        faults.fail_next(
            RequestMatch::path("/api/v1/tables").method("put"),
            2,
            Fault::TooManyRequests,
        );
        faults.fail_next(RequestMatch::path("/api/v1/"), 1, Fault::GatewayTimeout);
        assert_eq!(
            faults.take("GET", "/api/v1/tables"),
            Some(Fault::GatewayTimeout)
        );
        assert_eq!(faults.take("GET", "/api/v1/tables"), None);
        assert_eq!(
            faults.take("PUT", "/api/v1/tables"),
            Some(Fault::TooManyRequests)
        );
        assert_eq!(
            faults.take("PUT", "/api/v1/tables"),
            Some(Fault::TooManyRequests)
        );
        assert_eq!(faults.take("PUT", "/api/v1/tables"), None);
    }
}
