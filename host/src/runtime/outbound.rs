//! The one door out of the sandbox: outgoing `wasi:http` requests. A request goes out only to a
//! destination on the run's allowlist (scheme, host and port of the request's authority, never
//! a `Host` header); everything else is answered `HTTP-request-denied` and logged for the
//! tenant.

use super::log::TenantLog;
use http::uri::{Scheme, Uri};
use std::fmt;
use std::sync::Arc;
use wasmtime_wasi_http::{RequestOptions, WasiBody, WasiHttpHooks};

/// A destination a run may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub https: bool,
    pub host: String,
    pub port: u16,
}

impl Destination {
    pub fn from_url(url: &str) -> Result<Destination, String> {
        let uri: Uri = url
            .trim()
            .parse()
            .map_err(|e| format!("`{url}` is not a URL: {e}"))?;
        Destination::from_uri(&uri)
            .ok_or_else(|| format!("`{url}` needs http:// or https:// and a host"))
    }

    fn from_uri(uri: &Uri) -> Option<Destination> {
        let https = match uri.scheme() {
            Some(s) if *s == Scheme::HTTPS => true,
            Some(s) if *s == Scheme::HTTP => false,
            _ => return None,
        };
        let host = uri
            .host()?
            .trim_matches(|c| c == '[' || c == ']')
            .to_ascii_lowercase();
        if host.is_empty() {
            return None;
        }
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        Some(Destination { https, host, port })
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.https { "https" } else { "http" };
        if self.host.contains(':') {
            write!(f, "{scheme}://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowlist {
    destinations: Vec<Destination>,
}

impl Allowlist {
    pub fn new(destinations: Vec<Destination>) -> Self {
        Allowlist { destinations }
    }

    pub fn destinations(&self) -> &[Destination] {
        &self.destinations
    }

    pub fn allows(&self, destination: &Destination) -> bool {
        self.destinations.contains(destination)
    }
}

/// The `wasi:http` hooks of one run.
pub struct OutboundPolicy {
    allowlist: Arc<Allowlist>,
    log: TenantLog,
}

impl OutboundPolicy {
    pub fn new(allowlist: Arc<Allowlist>, log: TenantLog) -> Self {
        OutboundPolicy { allowlist, log }
    }
}

type SendResult = wasmtime_wasi_http::Result<(
    http::Response<WasiBody>,
    Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
)>;

impl WasiHttpHooks for OutboundPolicy {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
    ) -> Box<dyn Future<Output = SendResult> + Send> {
        let destination = Destination::from_uri(request.uri());
        let allowed = destination
            .as_ref()
            .is_some_and(|d| self.allowlist.allows(d));
        if !allowed {
            let shown = destination.map_or_else(|| request.uri().to_string(), |d| d.to_string());
            self.log.host(
                "WARN",
                &format!("HTTP request to {shown} denied: not on this run's allowlist"),
            );
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        Box::new(async move {
            use http_body_util::BodyExt;
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn Future<Output = _> + Send>,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_normalise_scheme_host_and_port() {
        let d = Destination::from_url("http://LocalHost:8000").unwrap();
        assert_eq!(
            d,
            Destination {
                https: false,
                host: "localhost".into(),
                port: 8000
            }
        );
        let d = Destination::from_url("https://dynamodb.us-east-1.amazonaws.com").unwrap();
        assert_eq!(d.port, 443);
        assert_eq!(
            d.to_string(),
            "https://dynamodb.us-east-1.amazonaws.com:443"
        );
        assert!(Destination::from_url("ftp://x").is_err());
    }

    #[test]
    fn allowlist_matches_exactly() {
        let list = Allowlist::new(vec![
            Destination::from_url("http://127.0.0.1:8000").unwrap(),
        ]);
        assert!(list.allows(&Destination::from_url("http://127.0.0.1:8000/").unwrap()));
        assert!(!list.allows(&Destination::from_url("http://127.0.0.1:8001/").unwrap()));
        assert!(!list.allows(&Destination::from_url("https://127.0.0.1:8000/").unwrap()));
        assert!(!list.allows(&Destination::from_url("http://169.254.169.254/").unwrap()));
    }
}
