//! HTTP/1.1 on one connection, plain or TLS: requests read with `Content-Length` or chunked
//! bodies (and `Expect: 100-continue`), answered in order, kept alive until the client closes
//! or asks to.

use serde_json::{Value, json};
use std::io::{self, BufRead, BufReader, Read, Write};

const MAX_HEAD: usize = 64 * 1024;
const MAX_HEADERS: usize = 100;
const MAX_BODY: usize = 64 * 1024 * 1024;

#[derive(Debug)]
pub(crate) struct Request {
    pub method: String,
    /// As sent, still percent-encoded, without the query.
    pub path: String,
    pub query: Vec<(String, String)>,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, body: &Value) -> Response {
        Response {
            status,
            headers: vec![("Content-Type", "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// OpenMetadata's error body: `{"code":404,"message":"..."}`.
    /// An answer with no body, as JAX-RS's `Response.ok().build()`.
    pub fn empty(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn error(status: u16, message: &str) -> Response {
        Response::json(status, &json!({"code": status, "message": message}))
    }

    pub fn html(status: u16, html: String) -> Response {
        Response {
            status,
            headers: vec![("Content-Type", "text/html".into())],
            body: html.into_bytes(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: &str) -> Response {
        self.headers.push((name, value.to_string()));
        self
    }

    pub fn body_json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// Serves requests on `stream` until the client closes it, asks to close, or breaks the
/// protocol (answered with 400 or 413 before closing).
pub(crate) fn serve<S: Read + Write>(stream: S, handle: &mut dyn FnMut(Request) -> Response) {
    let mut reader = BufReader::new(stream);
    loop {
        let (request, keep_alive) = match read_request(&mut reader) {
            Ok(Some(read)) => read,
            Ok(None) => return,
            Err(Refusal::Io) => return,
            Err(Refusal::Answer(response)) => {
                let _ = write_response(reader.get_mut(), &response, false);
                return;
            }
        };
        let response = handle(request);
        if write_response(reader.get_mut(), &response, keep_alive).is_err() || !keep_alive {
            return;
        }
    }
}

enum Refusal {
    Io,
    Answer(Response),
}

impl From<io::Error> for Refusal {
    fn from(_: io::Error) -> Refusal {
        Refusal::Io
    }
}

fn bad_request() -> Refusal {
    Refusal::Answer(Response::error(400, "Bad Request"))
}

/// The next request and whether the connection stays open after it; `None` at a clean end.
fn read_request<S: Read + Write>(
    reader: &mut BufReader<S>,
) -> Result<Option<(Request, bool)>, Refusal> {
    let Some(head) = read_head(reader)? else {
        return Ok(None);
    };
    let mut header_slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut header_slots);
    if !matches!(parsed.parse(&head), Ok(httparse::Status::Complete(_))) {
        return Err(bad_request());
    }
    let method = parsed.method.ok_or_else(bad_request)?.to_string();
    let target = parsed.path.ok_or_else(bad_request)?;
    if !target.starts_with('/') {
        return Err(bad_request());
    }
    let http10 = parsed.version == Some(0);
    let headers: Vec<(String, String)> = parsed
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_ascii_lowercase(),
                String::from_utf8_lossy(h.value).trim().to_string(),
            )
        })
        .collect();
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, parse_query(query)),
        None => (target, Vec::new()),
    };
    let mut request = Request {
        method,
        path: path.to_string(),
        query,
        headers,
        body: Vec::new(),
    };
    let connection = request
        .header("connection")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let keep_alive = if http10 {
        connection.contains("keep-alive")
    } else {
        !connection.contains("close")
    };
    request.body = read_body(reader, &request)?;
    Ok(Some((request, keep_alive)))
}

/// The request line and headers, up to the empty line; `None` if the client closed first.
fn read_head<S: Read>(reader: &mut BufReader<S>) -> Result<Option<Vec<u8>>, Refusal> {
    let mut head = Vec::new();
    loop {
        let start = head.len();
        let read = reader
            .by_ref()
            .take((MAX_HEAD - start + 1) as u64)
            .read_until(b'\n', &mut head)?;
        if read == 0 {
            return if head.is_empty() {
                Ok(None)
            } else {
                Err(Refusal::Io)
            };
        }
        if head.len() > MAX_HEAD {
            return Err(Refusal::Answer(Response::error(
                431,
                "Request Header Fields Too Large",
            )));
        }
        let line = &head[start..];
        if line == b"\r\n" || line == b"\n" {
            if start == 0 {
                // Blank lines before a request line are to be ignored (RFC 9112, 2.2).
                head.clear();
                continue;
            }
            return Ok(Some(head));
        }
    }
}

fn read_body<S: Read + Write>(
    reader: &mut BufReader<S>,
    request: &Request,
) -> Result<Vec<u8>, Refusal> {
    let chunked = match request.header("transfer-encoding") {
        None => false,
        Some(te) if te.eq_ignore_ascii_case("chunked") => true,
        Some(_) => {
            return Err(Refusal::Answer(Response::error(
                501,
                "Transfer-Encoding not supported",
            )));
        }
    };
    let lengths: Vec<&str> = request
        .headers
        .iter()
        .filter(|(k, _)| k == "content-length")
        .map(|(_, v)| v.as_str())
        .collect();
    if chunked && !lengths.is_empty() {
        return Err(bad_request());
    }
    let length = match lengths.split_first() {
        None => 0,
        Some((first, rest)) => {
            if rest.iter().any(|other| other != first) {
                return Err(bad_request());
            }
            first.parse::<usize>().map_err(|_| bad_request())?
        }
    };
    if length > MAX_BODY {
        return Err(Refusal::Answer(Response::error(413, "Payload Too Large")));
    }
    if (chunked || length > 0)
        && request
            .header("expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    {
        let stream = reader.get_mut();
        stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        stream.flush()?;
    }
    if chunked {
        return read_chunked(reader);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(body)
}

fn read_chunked<S: Read>(reader: &mut BufReader<S>) -> Result<Vec<u8>, Refusal> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader)?;
        let size = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16).map_err(|_| bad_request())?;
        if size == 0 {
            // Trailer fields, up to the empty line.
            while !read_line(reader)?.is_empty() {}
            return Ok(body);
        }
        if body.len() + size > MAX_BODY {
            return Err(Refusal::Answer(Response::error(413, "Payload Too Large")));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        if !read_line(reader)?.is_empty() {
            return Err(bad_request());
        }
    }
}

/// One line without its line ending.
fn read_line<S: Read>(reader: &mut BufReader<S>) -> Result<String, Refusal> {
    let mut line = Vec::new();
    reader
        .by_ref()
        .take(MAX_HEAD as u64)
        .read_until(b'\n', &mut line)?;
    if !line.ends_with(b"\n") {
        return Err(bad_request());
    }
    let text = String::from_utf8(line).map_err(|_| bad_request())?;
    Ok(text.trim_end_matches(['\r', '\n']).to_string())
}

fn write_response<W: Write>(
    stream: &mut W,
    response: &Response,
    keep_alive: bool,
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n", response.body.len()));
    head.push_str(if keep_alive {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });
    stream.write_all(head.as_bytes())?;
    stream.write_all(&response.body)?;
    stream.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

/// `a=1&b=x%20y` as decoded pairs; `+` is a space, as Jersey reads query parameters.
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name, true), percent_decode(value, true))
        })
        .collect()
}

/// Decodes `%XX` escapes (a malformed one stays as it is), and `+` as a space if asked.
pub(crate) fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(high), Some(low)) => {
                        decoded.push((high * 16 + low) as u8);
                        i += 3;
                        continue;
                    }
                    _ => decoded.push(b'%'),
                }
            }
            b'+' if plus_is_space => decoded.push(b' '),
            byte => decoded.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_escapes_and_plus() {
        assert_eq!(percent_decode("a%22b.c%22", false), "a\"b.c\"");
        assert_eq!(percent_decode("a+b", false), "a+b");
        assert_eq!(percent_decode("a+b%2B", true), "a b+");
        assert_eq!(percent_decode("100%", false), "100%");
        assert_eq!(percent_decode("%zz%4", false), "%zz%4");
        assert_eq!(
            parse_query("limit=10&after=YQ%3D%3D&flag"),
            [
                ("limit".to_string(), "10".to_string()),
                ("after".to_string(), "YQ==".to_string()),
                ("flag".to_string(), String::new()),
            ]
        );
    }
}
