//! A minimal client on `wasi:http/outgoing-handler`, kept close to the interface so that every
//! refusal is reported as the host gave it (a setter's `Err(())`, an `error-code`).

use crate::settings::Target;
use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, FutureIncomingResponse, HeaderError, IncomingBody, IncomingResponse, Method,
    OutgoingRequest, Scheme, http_error_code,
};
use wasip2::io::streams::StreamError;

pub struct Request<'a> {
    pub scheme: Scheme,
    pub authority: &'a str,
    pub path: &'a str,
    pub headers: Fields,
}

impl<'a> Request<'a> {
    /// A GET of `path` at `target`, with a header naming the probe so that a test server
    /// can tell which probe reached it.
    pub fn get(target: &'a Target, path: &'a str, probe: &str) -> Request<'a> {
        Request {
            scheme: scheme(target.https),
            authority: &target.authority,
            path,
            headers: probe_headers(probe),
        }
    }
}

pub fn scheme(https: bool) -> Scheme {
    if https { Scheme::Https } else { Scheme::Http }
}

/// Headers with `x-hostile-probe: <probe>`.
pub fn probe_headers(probe: &str) -> Fields {
    let fields = Fields::new();
    fields
        .append("x-hostile-probe", probe.as_bytes())
        .expect("an ordinary header is accepted");
    fields
}

/// Sends `request` and waits for the answer; says what happened, in the words of the tests:
/// `refused: <setter>`, the `error-code` (`HttpRequestDenied`, ...), or
/// `status <code>, <n> body bytes` (with `, then <error>` when the body broke off).
pub fn fetch(request: Request<'_>) -> String {
    match start(request) {
        Err(refusal) => refusal,
        Ok(future) => match finish(&future) {
            Err(code) => code_name(&code),
            Ok(response) => describe(&response),
        },
    }
}

/// Hands `request` to the host; the refusal of a setter or of `handle` is the error.
pub fn start(request: Request<'_>) -> Result<FutureIncomingResponse, String> {
    let outgoing = OutgoingRequest::new(request.headers);
    outgoing
        .set_method(&Method::Get)
        .map_err(|()| "refused: method".to_string())?;
    outgoing
        .set_scheme(Some(&request.scheme))
        .map_err(|()| "refused: scheme".to_string())?;
    outgoing
        .set_authority(Some(request.authority))
        .map_err(|()| "refused: authority".to_string())?;
    outgoing
        .set_path_with_query(Some(request.path))
        .map_err(|()| "refused: path".to_string())?;
    outgoing_handler::handle(outgoing, None).map_err(|code| code_name(&code))
}

/// The case of an `error-code` with its payload, as the WIT names it in Rust:
/// `HttpRequestDenied`, `HttpResponseBodySize(Some(1024))`.
pub fn code_name(code: &ErrorCode) -> String {
    let text = format!("{code:?}");
    match text.strip_prefix("ErrorCode::") {
        Some(name) => name.to_string(),
        None => text,
    }
}

/// Waits for the response to a started request.
pub fn finish(future: &FutureIncomingResponse) -> Result<IncomingResponse, ErrorCode> {
    loop {
        match future.get() {
            Some(Ok(result)) => return result,
            Some(Err(())) => {
                return Err(ErrorCode::InternalError(Some(
                    "the response was already taken".to_string(),
                )));
            }
            None => future.subscribe().block(),
        }
    }
}

/// The case of a `header-error`: `Forbidden`, `InvalidSyntax`, `Immutable`.
pub fn header_error_name(error: &HeaderError) -> &'static str {
    match error {
        HeaderError::InvalidSyntax => "InvalidSyntax",
        HeaderError::Forbidden => "Forbidden",
        HeaderError::Immutable => "Immutable",
    }
}

/// `status <code>, <n> body bytes`, reading (and dropping) the whole body.
pub fn describe(response: &IncomingResponse) -> String {
    let status = response.status();
    let (bytes, error) = read_body(response);
    match error {
        None => format!("status {status}, {bytes} body bytes"),
        Some(error) => format!("status {status}, {bytes} body bytes, then {error}"),
    }
}

fn read_body(response: &IncomingResponse) -> (u64, Option<String>) {
    let Ok(body) = response.consume() else {
        return (0, Some("no body".to_string()));
    };
    let Ok(stream) = body.stream() else {
        return (0, Some("no body stream".to_string()));
    };
    let mut bytes = 0;
    let mut error = None;
    loop {
        match stream.blocking_read(64 << 10) {
            Ok(chunk) => bytes += chunk.len() as u64,
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(e)) => {
                error = Some(match http_error_code(&e) {
                    Some(code) => code_name(&code),
                    // The first line: what follows may be the host's backtrace.
                    None => {
                        let text = e.to_debug_string();
                        format!("error: {}", text.lines().next().unwrap_or_default())
                    }
                });
                break;
            }
        }
    }
    // The stream is a child of the body: it goes first.
    drop(stream);
    drop(IncomingBody::finish(body));
    (bytes, error)
}
