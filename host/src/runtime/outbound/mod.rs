//! The one door out of the sandbox: outgoing `wasi:http` requests. A request goes out only to
//! a destination on the run's allowlist (scheme, host and port of the request's authority,
//! never a `Host` header), only to addresses the allowlist permits, with a bounded number in
//! flight and a bounded response size; everything else is answered `HTTP-request-denied` and
//! logged for the tenant. Each run has its own connection pool: no connection is ever shared
//! between tenants.

mod body;
mod connector;
mod destination;

pub use connector::{Resolver, SystemResolver};
pub use destination::{
    Allowlist, Class, Declared, Destination, MAX_DECLARED_DESTINATIONS, classify,
};

use super::log::TenantLog;
use body::GuardedBody;
use connector::{ConnectError, GuardedConnector};
use http_body_util::BodyExt;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::error::Error as _;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

/// Bounds on a run's outgoing requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboundLimits {
    pub max_concurrent_requests: usize,
    pub max_response_bytes: u64,
    pub connect_timeout: Duration,
    /// Used when the guest sets no first-byte / between-bytes timeout, and as their ceiling.
    pub response_timeout: Duration,
}

/// The `wasi:http` hooks of one run.
pub struct OutboundPolicy {
    allowlist: Arc<Allowlist>,
    log: TenantLog,
    client: Client<GuardedConnector, WasiBody>,
    permits: Arc<Semaphore>,
    limits: OutboundLimits,
}

impl OutboundPolicy {
    pub fn new(
        allowlist: Arc<Allowlist>,
        resolver: Arc<dyn Resolver>,
        log: TenantLog,
        limits: OutboundLimits,
    ) -> Self {
        let connector = GuardedConnector::new(allowlist.clone(), resolver, limits.connect_timeout);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(limits.max_concurrent_requests)
            .build(connector);
        OutboundPolicy {
            allowlist,
            log,
            client,
            permits: Arc::new(Semaphore::new(limits.max_concurrent_requests.max(1))),
            limits,
        }
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
        // `user@host` would reach the host but put the guest's text in the Host header.
        let userinfo = request
            .uri()
            .authority()
            .is_some_and(|a| a.as_str().contains('@'));
        let destination = Destination::from_uri(request.uri()).filter(|_| !userinfo);
        let allowed = destination
            .as_ref()
            .is_some_and(|d| self.allowlist.allows(d));
        if !allowed {
            let shown = destination.map_or_else(|| request.uri().to_string(), |d| d.to_string());
            self.log.host(
                "WARN",
                &format!("HTTP request to {shown} denied: not on this run's allowlist"),
            );
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }
        let client = self.client.clone();
        let permits = self.permits.clone();
        let log = self.log.clone();
        let limits = self.limits;
        let first_byte = options
            .and_then(|o| o.first_byte_timeout)
            .map_or(limits.response_timeout, |t| t.min(limits.response_timeout));
        let between_bytes = options
            .and_then(|o| o.between_bytes_timeout)
            .map_or(limits.response_timeout, |t| t.min(limits.response_timeout));
        Box::new(async move {
            let permit = permits
                .acquire_owned()
                .await
                .map_err(|_| Error::ConnectionLimitReached)?;
            let response = tokio::time::timeout(first_byte, client.request(request))
                .await
                .map_err(|_| Error::ConnectionReadTimeout)?
                .map_err(|e| client_error(&e, &log))?;
            if let Some(length) = response
                .headers()
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                && length > limits.max_response_bytes
            {
                return Err(Error::HttpResponseBodySize(Some(length)));
            }
            let response = response.map(|body| {
                GuardedBody::new(body, limits.max_response_bytes, between_bytes, permit)
                    .boxed_unsync()
            });
            Ok((
                response,
                Box::new(async { Ok(()) }) as Box<dyn Future<Output = _> + Send>,
            ))
        })
    }
}

/// The guest-visible error for a failed request; refusals are logged for the tenant.
fn client_error(error: &hyper_util::client::legacy::Error, log: &TenantLog) -> Error {
    // A connection reset anywhere in the chain is what happened, whatever wraps it.
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            if matches!(
                io.kind(),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
            ) {
                return Error::ConnectionTerminated;
            }
        }
        source = cause.source();
    }
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(connect) = cause.downcast_ref::<ConnectError>() {
            return match connect {
                ConnectError::Denied(why) => {
                    log.host("WARN", &format!("HTTP connection refused: {why}"));
                    Error::HttpRequestDenied
                }
                ConnectError::Dns(why) => Error::DnsError {
                    rcode: Some(why.clone()),
                    info_code: None,
                },
                ConnectError::Refused(_) => Error::ConnectionRefused,
                ConnectError::Timeout => Error::ConnectionTimeout,
                ConnectError::Tls(e) if e.to_string().contains("certificate") => {
                    Error::TlsCertificateError
                }
                ConnectError::Tls(_) => Error::TlsProtocolError,
            };
        }
        if let Some(hyper) = cause.downcast_ref::<hyper::Error>() {
            return if hyper.is_incomplete_message() {
                Error::HttpResponseIncomplete
            } else if hyper.is_timeout() {
                Error::ConnectionReadTimeout
            } else if hyper.is_canceled() || hyper.is_closed() {
                Error::ConnectionTerminated
            } else {
                Error::HttpProtocolError
            };
        }
        source = cause.source();
    }
    if error.is_connect() {
        Error::ConnectionRefused
    } else {
        Error::HttpProtocolError
    }
}
