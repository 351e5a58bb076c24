//! [`Transport`] on WASI: requests through `wasi:http/outgoing-handler` (via `wstd`), sleeping
//! on `wasi:clocks/monotonic-clock`, the time from `wasi:clocks/wall-clock`.

use crate::transport::{
    MAX_RESPONSE_BYTES, Request, Response, Transport, TransportError, TransportErrorKind,
};
use http_body_util::{BodyExt, Limited};
use std::cell::Cell;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};
use wstd::http::{Client, ErrorCode};

pub struct WasiTransport {
    client: Client,
    rng: Cell<u64>,
}

impl WasiTransport {
    pub fn new(request_timeout: Duration) -> Self {
        let mut client = Client::new();
        client.set_first_byte_timeout(request_timeout);
        client.set_between_bytes_timeout(request_timeout);
        // std's RandomState is seeded from wasi:random, which std imports anyway.
        let seed = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        WasiTransport {
            client,
            rng: Cell::new(seed | 1),
        }
    }
}

impl Transport for WasiTransport {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let response = self.client.send(request).await.map_err(request_error)?;
        let (parts, body) = response.into_parts();
        let collected = Limited::new(body.into_boxed_body(), MAX_RESPONSE_BYTES)
            .collect()
            .await
            .map_err(|e| body_error(&*e))?;
        Ok(Response::from_parts(parts, collected.to_bytes().to_vec()))
    }

    async fn sleep(&self, duration: Duration) {
        wstd::task::sleep(duration.into()).await;
    }

    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn random(&self) -> u64 {
        // xorshift64*
        let mut x = self.rng.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.set(x);
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn request_error(error: wstd::http::Error) -> TransportError {
    match error.downcast_ref::<ErrorCode>() {
        Some(code) => from_error_code(code),
        None => TransportError::new(TransportErrorKind::Protocol, format!("{error:#}")),
    }
}

fn body_error(error: &(dyn std::error::Error + Send + Sync + 'static)) -> TransportError {
    if error.is::<http_body_util::LengthLimitError>() {
        return TransportError::new(
            TransportErrorKind::ResponseTooLarge,
            format!("the response is larger than {MAX_RESPONSE_BYTES} bytes"),
        );
    }
    if let Some(code) = error.downcast_ref::<ErrorCode>() {
        return from_error_code(code);
    }
    TransportError::new(
        TransportErrorKind::ConnectionReset,
        format!("the response body was cut short: {error}"),
    )
}

fn from_error_code(code: &ErrorCode) -> TransportError {
    use TransportErrorKind as K;
    let kind = match code {
        ErrorCode::HttpRequestDenied => K::Denied,
        ErrorCode::DnsTimeout | ErrorCode::DnsError(_) | ErrorCode::DestinationNotFound => K::Dns,
        ErrorCode::ConnectionRefused
        | ErrorCode::DestinationUnavailable
        | ErrorCode::DestinationIpUnroutable => K::ConnectionRefused,
        ErrorCode::DestinationIpProhibited => K::Denied,
        ErrorCode::ConnectionTerminated | ErrorCode::HttpResponseIncomplete => K::ConnectionReset,
        ErrorCode::ConnectionTimeout
        | ErrorCode::ConnectionReadTimeout
        | ErrorCode::ConnectionWriteTimeout
        | ErrorCode::HttpResponseTimeout => K::Timeout,
        ErrorCode::TlsProtocolError
        | ErrorCode::TlsCertificateError
        | ErrorCode::TlsAlertReceived(_) => K::Tls,
        ErrorCode::HttpResponseBodySize(_) => K::ResponseTooLarge,
        _ => K::Protocol,
    };
    TransportError::new(kind, describe(code))
}

fn describe(code: &ErrorCode) -> String {
    match code {
        ErrorCode::HttpRequestDenied => {
            "the host does not allow requests to this destination".to_string()
        }
        ErrorCode::DnsError(payload) => format!(
            "DNS lookup failed{}",
            payload
                .rcode
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
        ErrorCode::ConnectionRefused => "connection refused".to_string(),
        ErrorCode::ConnectionTerminated => "connection closed by the server".to_string(),
        ErrorCode::ConnectionTimeout => "timed out connecting".to_string(),
        ErrorCode::ConnectionReadTimeout | ErrorCode::HttpResponseTimeout => {
            "timed out waiting for the response".to_string()
        }
        ErrorCode::InternalError(Some(message)) => message.clone(),
        other => format!("{other:?}"),
    }
}
