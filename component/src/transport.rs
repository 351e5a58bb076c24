//! What the connector needs from its environment: send an HTTP request, sleep, read the clock,
//! draw jitter. In the component this is `wasi:http` and `wasi:clocks` (see `guest::runtime`);
//! native unit tests drive the same code with scripted responses.

use std::future::Future;
use std::time::{Duration, SystemTime};

pub type Request = http::Request<Vec<u8>>;
pub type Response = http::Response<Vec<u8>>;

/// Why a request got no HTTP response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// The host refused the destination (not on the allowlist).
    Denied,
    /// The host name did not resolve.
    Dns,
    ConnectionRefused,
    /// The connection was reset or closed before a full response.
    ConnectionReset,
    Timeout,
    Tls,
    /// The response was larger than the connector accepts.
    ResponseTooLarge,
    /// Malformed HTTP, or anything else.
    Protocol,
}

impl TransportErrorKind {
    pub fn code(self) -> &'static str {
        match self {
            TransportErrorKind::Denied => "HttpRequestDenied",
            TransportErrorKind::Dns => "DnsError",
            TransportErrorKind::ConnectionRefused => "ConnectionRefused",
            TransportErrorKind::ConnectionReset => "ConnectionReset",
            TransportErrorKind::Timeout => "Timeout",
            TransportErrorKind::Tls => "TlsError",
            TransportErrorKind::ResponseTooLarge => "ResponseTooLarge",
            TransportErrorKind::Protocol => "HttpProtocolError",
        }
    }

    /// Worth another attempt: the next try may well succeed (botocore retries the same
    /// connection errors). A destination the host refused, a name that does not resolve, a
    /// TLS failure or an answer that is not HTTP will be the same next time.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            TransportErrorKind::ConnectionRefused
                | TransportErrorKind::ConnectionReset
                | TransportErrorKind::Timeout
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    pub kind: TransportErrorKind,
    pub message: String,
}

impl TransportError {
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError {
            kind,
            message: message.into(),
        }
    }
}

pub trait Transport {
    /// Sends a request and reads the whole response body.
    fn send(&self, request: Request) -> impl Future<Output = Result<Response, TransportError>>;
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()>;
    fn now(&self) -> SystemTime;
    /// A uniformly random number, for backoff jitter.
    fn random(&self) -> u64;
    /// Ready when nothing the transport waits on is ready without blocking: a streamed run
    /// then hands over what it has instead of waiting for more. Always ready by default.
    fn poll_idle(&self, _cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        std::task::Poll::Ready(())
    }
}

/// Largest response body the connector reads (DescribeTable answers are a few KB; a Scan page
/// is at most 1 MB of items, whose JSON encoding is larger).
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

impl<T: Transport + ?Sized> Transport for &T {
    fn send(&self, request: Request) -> impl Future<Output = Result<Response, TransportError>> {
        (**self).send(request)
    }
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> {
        (**self).sleep(duration)
    }
    fn now(&self) -> SystemTime {
        (**self).now()
    }
    fn random(&self) -> u64 {
        (**self).random()
    }
    fn poll_idle(&self, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        (**self).poll_idle(cx)
    }
}
