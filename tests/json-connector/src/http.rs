//! The one GET of the document, on `wasi:http/outgoing-handler`, and what its answer means:
//! an error the host's HTTP client reports is `unreachable`, 401 and 403 are `access-denied`,
//! any other status that is not 2xx is `service`, and a 2xx body larger than 8 MiB is
//! `invalid-response` (read no further than that). A failure quotes the server's own words
//! (the start of its body): a host must strike any secret from them.

use crate::bindings::exports::catalog::connector::types::{ConnectorError, Failure};
use crate::url::DocumentUrl;
use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, IncomingBody, IncomingResponse, Method, OutgoingRequest, RequestOptions,
    Scheme, http_error_code,
};
use wasip2::io::streams::StreamError;

/// The largest document read.
pub const MAX_DOCUMENT: usize = 8 << 20;
/// Of a body that is not the document, no more is read than a failure quotes.
const MAX_ERROR_BODY: usize = 8 << 10;
/// The most of the server's words a failure quotes.
const MAX_QUOTE_CHARS: usize = 500;
const OPERATION: &str = "GET";

const SECOND_NS: u64 = 1_000_000_000;

/// A 2xx answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// GETs `url`, with `Authorization: Bearer <token>` when there is a token.
pub fn get(url: &DocumentUrl, token: Option<&str>) -> Result<Answer, ConnectorError> {
    let response = send(url, token)?;
    let status = response.status();
    let limit = if (200..300).contains(&status) {
        MAX_DOCUMENT
    } else {
        MAX_ERROR_BODY
    };
    let body = read_body(&response, limit)?;
    answer(status, body)
}

/// What a status and the body read (at most `limit + 1` bytes) mean.
fn answer(status: u16, body: Vec<u8>) -> Result<Answer, ConnectorError> {
    if (200..300).contains(&status) {
        if body.len() > MAX_DOCUMENT {
            return Err(ConnectorError::InvalidResponse(failure(
                Some(status),
                "DocumentTooLarge",
                format!("the document is larger than {} MiB", MAX_DOCUMENT >> 20),
            )));
        }
        return Ok(Answer { status, body });
    }
    let failure = failure(Some(status), reason(status), quote(&body));
    Err(match status {
        401 | 403 => ConnectorError::AccessDenied(failure),
        _ => ConnectorError::Service(failure),
    })
}

/// A 2xx body that is not the document: `problem`, and how the body begins.
pub fn not_the_document(answer: &Answer, problem: &str) -> ConnectorError {
    ConnectorError::InvalidResponse(failure(
        Some(answer.status),
        "InvalidDocument",
        format!("{problem}; the body begins: {}", quote(&answer.body)),
    ))
}

fn send(url: &DocumentUrl, token: Option<&str>) -> Result<IncomingResponse, ConnectorError> {
    let headers = Fields::new();
    let header = |name: &str, value: &[u8]| {
        headers
            .append(name, value)
            .map_err(|_| refused(&format!("the `{name}` header")))
    };
    header("accept", b"application/json")?;
    if let Some(token) = token {
        header("authorization", format!("Bearer {token}").as_bytes())?;
    }
    let request = OutgoingRequest::new(headers);
    let scheme = if url.https {
        Scheme::Https
    } else {
        Scheme::Http
    };
    request
        .set_method(&Method::Get)
        .map_err(|()| refused("the method"))?;
    request
        .set_scheme(Some(&scheme))
        .map_err(|()| refused("the scheme"))?;
    request
        .set_authority(Some(&url.authority()))
        .map_err(|()| refused("the authority"))?;
    request
        .set_path_with_query(Some(&url.path_and_query))
        .map_err(|()| refused("the path"))?;
    let options = RequestOptions::new();
    // A host may keep its own timeouts and refuse these: then its own apply.
    let _ = options.set_connect_timeout(Some(10 * SECOND_NS));
    let _ = options.set_first_byte_timeout(Some(30 * SECOND_NS));
    let _ = options.set_between_bytes_timeout(Some(30 * SECOND_NS));
    let future = outgoing_handler::handle(request, Some(options)).map_err(|e| unreachable(&e))?;
    loop {
        match future.get() {
            Some(Ok(Ok(response))) => return Ok(response),
            Some(Ok(Err(e))) => return Err(unreachable(&e)),
            Some(Err(())) => return Err(refused("the response (taken twice)")),
            None => future.subscribe().block(),
        }
    }
}

/// Up to `limit + 1` bytes of the body (one more than allowed shows that there was more).
fn read_body(response: &IncomingResponse, limit: usize) -> Result<Vec<u8>, ConnectorError> {
    let body = response.consume().map_err(|()| refused("the body"))?;
    let stream = body.stream().map_err(|()| refused("the body's stream"))?;
    let mut bytes = Vec::new();
    let mut error = None;
    while bytes.len() <= limit {
        let want = (limit + 1 - bytes.len()).min(64 << 10) as u64;
        match stream.blocking_read(want) {
            Ok(chunk) => bytes.extend_from_slice(&chunk),
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(e)) => {
                error = Some(match http_error_code(&e) {
                    Some(code) => unreachable(&code),
                    None => ConnectorError::Unreachable(failure(
                        None,
                        "StreamError",
                        format!(
                            "the body broke off: {}",
                            e.to_debug_string().lines().next().unwrap_or_default()
                        ),
                    )),
                });
                break;
            }
        }
    }
    // The stream is a child of the body: it goes first.
    drop(stream);
    drop(IncomingBody::finish(body));
    match error {
        Some(error) => Err(error),
        None => Ok(bytes),
    }
}

/// An error of the host's HTTP client: its case is the code, all of it the message.
fn unreachable(code: &ErrorCode) -> ConnectorError {
    let text = format!("{code:?}");
    let text = text.strip_prefix("ErrorCode::").unwrap_or(&text);
    let kind: String = text
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    ConnectorError::Unreachable(failure(None, kind, text.to_string()))
}

/// The host refused part of the request.
fn refused(what: &str) -> ConnectorError {
    ConnectorError::Unreachable(failure(
        None,
        "RequestRefused",
        format!("the host refused {what}"),
    ))
}

fn failure(status: Option<u16>, code: impl Into<String>, message: String) -> Failure {
    Failure {
        operation: OPERATION.to_string(),
        http_status: status,
        code: code.into(),
        message,
        attempts: 1,
    }
}

/// The start of a body, as text: at most 500 characters, `…` when there was more.
pub fn quote(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if text.trim().is_empty() {
        return "(an empty body)".to_string();
    }
    let mut chars = text.chars();
    let mut quoted: String = chars.by_ref().take(MAX_QUOTE_CHARS).collect();
    if chars.next().is_some() {
        quoted.push('…');
    }
    quoted
}

/// A status's reason phrase (RFC 9110), or `HTTP <status>`.
pub fn reason(status: u16) -> String {
    let phrase = match status {
        100 => "Continue",
        101 => "Switching Protocols",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => return format!("HTTP {status}"),
    };
    phrase.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(status: u16, body: &[u8]) -> ConnectorError {
        answer(status, body.to_vec()).unwrap_err()
    }

    #[test]
    fn a_2xx_body_is_the_answer() {
        let ok = answer(200, b"{}".to_vec()).unwrap();
        assert_eq!((ok.status, ok.body.as_slice()), (200, &b"{}"[..]));
        assert!(answer(204, Vec::new()).is_ok());
    }

    #[test]
    fn statuses_are_errors_that_quote_the_server() {
        let ConnectorError::AccessDenied(f) = failed(401, b"invalid token: s3cr3t") else {
            panic!("401 is access-denied")
        };
        assert_eq!(f.operation, "GET");
        assert_eq!(f.http_status, Some(401));
        assert_eq!(f.code, "Unauthorized");
        assert_eq!(f.message, "invalid token: s3cr3t");
        assert_eq!(f.attempts, 1);
        assert!(
            matches!(failed(403, b""), ConnectorError::AccessDenied(f) if f.code == "Forbidden" && f.message == "(an empty body)")
        );
        assert!(matches!(failed(404, b"no"), ConnectorError::Service(f) if f.code == "Not Found"));
        assert!(matches!(failed(302, b""), ConnectorError::Service(f) if f.code == "Found"));
        assert!(matches!(failed(599, b""), ConnectorError::Service(f) if f.code == "HTTP 599"));
    }

    #[test]
    fn a_document_over_8_mib_is_refused() {
        assert!(answer(200, vec![b' '; MAX_DOCUMENT]).is_ok());
        let ConnectorError::InvalidResponse(f) =
            answer(200, vec![b' '; MAX_DOCUMENT + 1]).unwrap_err()
        else {
            panic!("too large is invalid-response")
        };
        assert_eq!(
            (f.http_status, f.code.as_str()),
            (Some(200), "DocumentTooLarge")
        );
    }

    #[test]
    fn quotes_stop_at_500_characters() {
        let long = "é".repeat(600);
        let quoted = quote(long.as_bytes());
        assert_eq!(quoted.chars().count(), 501);
        assert!(quoted.ends_with("é…"));
        assert_eq!(quote(&"x".repeat(500).into_bytes()), "x".repeat(500));
        assert_eq!(quote(b"\xff\xfeok"), "\u{fffd}\u{fffd}ok");
    }

    #[test]
    fn a_body_that_is_not_the_document_is_quoted_with_the_problem() {
        let answer = Answer {
            status: 200,
            body: b"<html>".to_vec(),
        };
        let ConnectorError::InvalidResponse(f) = not_the_document(&answer, "the body is not JSON")
        else {
            panic!("invalid-response")
        };
        assert_eq!(f.code, "InvalidDocument");
        assert_eq!(f.message, "the body is not JSON; the body begins: <html>");
    }
}
