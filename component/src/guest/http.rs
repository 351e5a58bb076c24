//! One HTTP exchange over `wasi:http/outgoing-handler`, written against the WASI types
//! directly (not a client library) so that every failure keeps the host's `error-code`: a
//! request body that cannot be written does not hide why the response never came, and a body
//! cut short says how it was cut.
//!
//! Requests carry `Content-Length`, as the AWS SDKs send them: some AWS front-ends and proxies
//! refuse a chunked body. One deadline bounds the whole exchange, from sending to the last
//! byte of the answer, so that an endpoint dripping its answer cannot hold a call forever.

use super::reactor::{self, Registered};
use crate::transport::{Request, Response, TransportError, TransportErrorKind};
use std::time::Duration;
use wasip2::http::outgoing_handler::{self, ErrorCode};
use wasip2::http::types::{
    Fields, IncomingResponse, Method, OutgoingBody, OutgoingRequest, Scheme,
};
use wasip2::io::streams::{InputStream, OutputStream, StreamError};

/// Bytes asked of the input stream per read.
const READ_CHUNK: u64 = 64 * 1024;

pub async fn exchange(
    request: Request,
    timeout: Duration,
    max_body: usize,
) -> Result<Response, TransportError> {
    within(timeout, send(request, max_body))
        .await
        .unwrap_or_else(|| {
            Err(timed_out(&format!(
                "no complete answer within {} s (requestTimeoutSeconds)",
                timeout.as_secs()
            )))
        })
}

async fn send(request: Request, max_body: usize) -> Result<Response, TransportError> {
    let (parts, body) = request.into_parts();
    let mut headers: Vec<(String, Vec<u8>)> = parts
        .headers
        .iter()
        .filter(|(name, _)| *name != http::header::CONTENT_LENGTH)
        .map(|(name, value)| (name.as_str().to_string(), value.as_bytes().to_vec()))
        .collect();
    headers.push((
        http::header::CONTENT_LENGTH.as_str().to_string(),
        body.len().to_string().into_bytes(),
    ));
    let fields = Fields::from_list(&headers)
        .map_err(|e| protocol(format!("header refused by the host: {e:?}")))?;
    let outgoing = OutgoingRequest::new(fields);
    let method = match parts.method.as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        other => Method::Other(other.to_string()),
    };
    let scheme = match parts.uri.scheme_str() {
        Some("http") => Scheme::Http,
        _ => Scheme::Https,
    };
    outgoing
        .set_method(&method)
        .and_then(|()| outgoing.set_scheme(Some(&scheme)))
        .and_then(|()| outgoing.set_authority(parts.uri.authority().map(|a| a.as_str())))
        .and_then(|()| outgoing.set_path_with_query(parts.uri.path_and_query().map(|p| p.as_str())))
        .map_err(|()| protocol(format!("request to {} refused by the host", parts.uri)))?;
    let outgoing_body = outgoing
        .body()
        .map_err(|()| protocol("request body unavailable"))?;

    // No `request-options`: wasmtime 48 never frees them, so a long run would exhaust its
    // handles. The deadline is the guest's own timer around the whole exchange instead.
    let pending = outgoing_handler::handle(outgoing, None).map_err(from_error_code)?;
    // If the body cannot be written, the response future says why; wait for it either way.
    let _ = write_body(outgoing_body, &body).await;

    let subscription = Registered::new(pending.subscribe());
    subscription.ready().await;
    drop(subscription);
    let incoming = match pending.get() {
        Some(Ok(Ok(incoming))) => incoming,
        Some(Ok(Err(code))) => return Err(from_error_code(code)),
        Some(Err(())) | None => return Err(protocol("the response was already taken")),
    };
    read_response(incoming, max_body).await
}

/// `future`'s output, or `None` when `limit` passes first.
async fn within<F: std::future::Future>(limit: Duration, future: F) -> Option<F::Output> {
    let future = std::pin::pin!(future);
    let timer = std::pin::pin!(reactor::sleep(limit));
    match futures_util::future::select(future, timer).await {
        futures_util::future::Either::Left((output, _)) => Some(output),
        futures_util::future::Either::Right(_) => None,
    }
}

fn timed_out(message: &str) -> TransportError {
    TransportError::new(TransportErrorKind::Timeout, message)
}

async fn write_body(body: OutgoingBody, bytes: &[u8]) -> Result<(), StreamError> {
    {
        let stream = body.write().map_err(|()| StreamError::Closed)?;
        write_all(&stream, bytes).await?;
        stream.flush()?;
        Registered::new(stream.subscribe()).ready().await;
        stream.check_write()?;
    }
    OutgoingBody::finish(body, None).map_err(|_| StreamError::Closed)
}

async fn write_all(stream: &OutputStream, mut bytes: &[u8]) -> Result<(), StreamError> {
    let ready = Registered::new(stream.subscribe());
    while !bytes.is_empty() {
        let permitted = stream.check_write()? as usize;
        if permitted == 0 {
            ready.ready().await;
            continue;
        }
        let (now, later) = bytes.split_at(permitted.min(bytes.len()));
        stream.write(now)?;
        bytes = later;
    }
    Ok(())
}

async fn read_response(
    incoming: IncomingResponse,
    max_body: usize,
) -> Result<Response, TransportError> {
    let mut builder = http::Response::builder().status(incoming.status());
    for (name, value) in incoming.headers().entries() {
        builder = builder.header(name, value);
    }
    let body = incoming
        .consume()
        .map_err(|()| protocol("the response body was already taken"))?;
    let bytes = {
        let stream = body
            .stream()
            .map_err(|()| protocol("the response body stream was already taken"))?;
        read_all(&stream, max_body).await?
    };
    drop(body);
    builder
        .body(bytes)
        .map_err(|e| protocol(format!("malformed response head: {e}")))
}

/// The whole body.
async fn read_all(stream: &InputStream, max_body: usize) -> Result<Vec<u8>, TransportError> {
    let ready = Registered::new(stream.subscribe());
    let mut out = Vec::new();
    loop {
        match stream.read(READ_CHUNK) {
            Ok(chunk) if chunk.is_empty() => ready.ready().await,
            Ok(chunk) => {
                if out.len() + chunk.len() > max_body {
                    return Err(TransportError::new(
                        TransportErrorKind::ResponseTooLarge,
                        format!("the response is larger than {max_body} bytes"),
                    ));
                }
                out.extend_from_slice(&chunk);
            }
            Err(StreamError::Closed) => return Ok(out),
            Err(StreamError::LastOperationFailed(error)) => {
                return Err(match wasip2::http::types::http_error_code(&error) {
                    Some(code) => from_error_code(code),
                    None => body_error(&error.to_debug_string()),
                });
            }
        }
    }
}

/// A body read that failed without an `error-code` (wasmtime 48 keeps its own error type for
/// body streams, which `http-error-code` does not recognise): classified by the host's message,
/// of which only the first line is kept (the rest can be a host backtrace).
fn body_error(debug: &str) -> TransportError {
    let first = debug.lines().next().unwrap_or_default().trim();
    if first.contains("timeout") {
        return TransportError::new(
            TransportErrorKind::Timeout,
            "timed out waiting for the rest of the response",
        );
    }
    let kind = if first.contains("body size") {
        TransportErrorKind::ResponseTooLarge
    } else {
        TransportErrorKind::ConnectionReset
    };
    TransportError::new(kind, format!("the response body was cut short: {first}"))
}

fn protocol(message: impl Into<String>) -> TransportError {
    TransportError::new(TransportErrorKind::Protocol, message)
}

pub fn from_error_code(code: ErrorCode) -> TransportError {
    use TransportErrorKind as K;
    let (kind, message) = match code {
        ErrorCode::HttpRequestDenied => (
            K::Denied,
            "the host does not allow requests to this destination".to_string(),
        ),
        ErrorCode::DnsTimeout => (K::Dns, "DNS lookup timed out".to_string()),
        ErrorCode::DnsError(payload) => (
            K::Dns,
            format!(
                "DNS lookup failed{}",
                payload.rcode.map(|r| format!(": {r}")).unwrap_or_default()
            ),
        ),
        ErrorCode::DestinationNotFound => (K::Dns, "destination not found".to_string()),
        ErrorCode::ConnectionRefused => (K::ConnectionRefused, "connection refused".to_string()),
        ErrorCode::DestinationUnavailable | ErrorCode::DestinationIpUnroutable => {
            (K::ConnectionRefused, "destination unavailable".to_string())
        }
        ErrorCode::DestinationIpProhibited => (
            K::Denied,
            "the host does not allow this destination address".to_string(),
        ),
        ErrorCode::ConnectionTerminated => (
            K::ConnectionReset,
            "connection closed by the server".to_string(),
        ),
        ErrorCode::HttpResponseIncomplete => {
            (K::ConnectionReset, "the response was cut short".to_string())
        }
        ErrorCode::ConnectionTimeout => (K::Timeout, "timed out connecting".to_string()),
        ErrorCode::ConnectionReadTimeout | ErrorCode::HttpResponseTimeout => {
            (K::Timeout, "timed out waiting for the response".to_string())
        }
        ErrorCode::ConnectionWriteTimeout => (K::Timeout, "timed out sending".to_string()),
        ErrorCode::TlsProtocolError => (K::Tls, "TLS protocol error".to_string()),
        ErrorCode::TlsCertificateError => (K::Tls, "TLS certificate not trusted".to_string()),
        ErrorCode::TlsAlertReceived(alert) => (
            K::Tls,
            format!(
                "TLS alert{}",
                alert
                    .alert_message
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ),
        ),
        ErrorCode::HttpResponseBodySize(size) => (
            K::ResponseTooLarge,
            format!(
                "the host refused a response body of {} bytes",
                size.map_or_else(|| "too many".to_string(), |s| s.to_string())
            ),
        ),
        ErrorCode::ConnectionLimitReached => (
            K::Timeout,
            "the host's connection limit was reached".to_string(),
        ),
        ErrorCode::InternalError(Some(message)) => (K::Protocol, message),
        ErrorCode::HttpProtocolError => (
            K::Protocol,
            "the server's answer is not valid HTTP".to_string(),
        ),
        other => (K::Protocol, format!("HTTP error: {other:?}")),
    };
    TransportError::new(kind, message)
}
