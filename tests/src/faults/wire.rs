//! Just enough HTTP/1.1 to sit between a client and a DynamoDB server: messages with a
//! `Content-Length` or chunked body (read whole), keep-alive, and heads written byte for byte so
//! that faults can break them on purpose.

use std::io;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Largest request or response head accepted; anything bigger is not DynamoDB's traffic.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Headers that describe one hop, not the message: never forwarded as they are.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "te",
    "trailer",
    "upgrade",
    "expect",
    "proxy-connection",
];

#[derive(Debug, Clone)]
pub struct Request {
    /// `POST / HTTP/1.1`
    pub start_line: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The server closes the connection after this response.
    pub closes: bool,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The DynamoDB operation, from `X-Amz-Target: DynamoDB_20120810.DescribeTable`.
    pub fn operation(&self) -> String {
        self.header("x-amz-target")
            .map(|t| t.rsplit('.').next().unwrap_or(t).to_string())
            .unwrap_or_default()
    }

    /// The `TableName` of a JSON request body, if there is one.
    pub fn table_name(&self) -> Option<String> {
        let body: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        body.get("TableName")?.as_str().map(str::to_string)
    }

    /// The client asked to close the connection after the answer.
    pub fn wants_close(&self) -> bool {
        let http10 = self.start_line.ends_with("HTTP/1.0");
        match self.header("connection").map(str::to_ascii_lowercase) {
            Some(c) if c.contains("close") => true,
            Some(c) if c.contains("keep-alive") => false,
            _ => http10,
        }
    }

    /// The request as sent upstream: the same start line and end-to-end headers (the `Host`
    /// the client signed included), and a `Content-Length` body.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = format!("{}\r\n", self.start_line);
        for (name, value) in end_to_end(&self.headers) {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str(&format!("content-length: {}\r\n\r\n", self.body.len()));
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// A response head with this status, the end-to-end `headers`, the given `Content-Length`
/// (which need not be the length of what follows), and `Connection: close` when asked.
pub fn encode_head(
    status: u16,
    reason: &str,
    headers: &[(String, String)],
    content_length: usize,
    close: bool,
) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {reason}\r\n");
    for (name, value) in end_to_end(headers) {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("content-length: {content_length}\r\n"));
    if close {
        out.push_str("connection: close\r\n");
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// The next request on a connection, or `None` when the client closed it between requests.
pub async fn read_request(reader: &mut BufReader<TcpStream>) -> io::Result<Option<Request>> {
    let Some((start_line, headers)) = read_head(reader).await? else {
        return Ok(None);
    };
    if header(&headers, "expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue")) {
        reader
            .get_mut()
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .await?;
    }
    let body = match body_framing(&headers) {
        Framing::Chunked => read_chunked(reader).await?,
        Framing::Length(n) => read_exact(reader, n).await?,
        Framing::UntilClose => Vec::new(),
    };
    Ok(Some(Request {
        start_line,
        headers,
        body,
    }))
}

/// The response to a request; `None` when the server closed the connection without one.
pub async fn read_response<R: AsyncBufRead + Unpin>(
    reader: &mut R,
) -> io::Result<Option<Response>> {
    let Some((status_line, headers)) = read_head(reader).await? else {
        return Ok(None);
    };
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default().to_string();
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid(format!("bad status line `{status_line}`")))?;
    let reason = parts.next().unwrap_or_default().to_string();
    let no_body = status / 100 == 1 || status == 204 || status == 304;
    let mut closes = version == "HTTP/1.0"
        || header(&headers, "connection").is_some_and(|c| c.eq_ignore_ascii_case("close"));
    let body = match body_framing(&headers) {
        _ if no_body => Vec::new(),
        Framing::Chunked => read_chunked(reader).await?,
        Framing::Length(n) => read_exact(reader, n).await?,
        Framing::UntilClose => {
            closes = true;
            let mut body = Vec::new();
            reader.read_to_end(&mut body).await?;
            body
        }
    };
    Ok(Some(Response {
        status,
        reason,
        headers,
        body,
        closes,
    }))
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn end_to_end(headers: &[(String, String)]) -> impl Iterator<Item = &(String, String)> {
    headers
        .iter()
        .filter(|(n, _)| !HOP_BY_HOP.iter().any(|h| n.eq_ignore_ascii_case(h)))
}

enum Framing {
    Chunked,
    Length(usize),
    UntilClose,
}

fn body_framing(headers: &[(String, String)]) -> Framing {
    if header(headers, "transfer-encoding")
        .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"))
    {
        return Framing::Chunked;
    }
    match header(headers, "content-length").and_then(|n| n.trim().parse().ok()) {
        Some(n) => Framing::Length(n),
        None => Framing::UntilClose,
    }
}

/// The start line and headers, or `None` on a clean end of stream before the first byte.
async fn read_head<R: AsyncBufRead + Unpin>(
    reader: &mut R,
) -> io::Result<Option<(String, Vec<(String, String)>)>> {
    let mut read = 0;
    let mut start_line = String::new();
    // Tolerate the empty lines RFC 9112 allows before a message.
    while start_line.is_empty() {
        match read_line(reader, &mut read).await? {
            None => return Ok(None),
            Some(line) => start_line = line,
        }
    }
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader, &mut read)
            .await?
            .ok_or_else(|| invalid("the connection closed inside a message head"))?;
        if line.is_empty() {
            return Ok(Some((start_line, headers)));
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| invalid(format!("bad header line `{line}`")))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
}

/// One line without its CRLF; `None` at the end of the stream.
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    read: &mut usize,
) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    let n = reader.read_until(b'\n', &mut line).await?;
    if n == 0 {
        return Ok(None);
    }
    *read += n;
    if *read > MAX_HEAD_BYTES {
        return Err(invalid("message head too large"));
    }
    while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        line.pop();
    }
    String::from_utf8(line)
        .map(Some)
        .map_err(|_| invalid("a message head that is not UTF-8"))
}

async fn read_exact<R: AsyncRead + Unpin>(reader: &mut R, n: usize) -> io::Result<Vec<u8>> {
    let mut body = vec![0; n];
    reader.read_exact(&mut body).await?;
    Ok(body)
}

async fn read_chunked<R: AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut head_bytes = 0;
    loop {
        let line = read_line(reader, &mut head_bytes)
            .await?
            .ok_or_else(|| invalid("the connection closed inside a chunked body"))?;
        head_bytes = 0;
        let size = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16)
            .map_err(|_| invalid(format!("bad chunk size `{line}`")))?;
        if size == 0 {
            // trailers, up to the empty line
            while read_line(reader, &mut head_bytes)
                .await?
                .is_some_and(|l| !l.is_empty())
            {}
            return Ok(body);
        }
        body.extend(read_exact(reader, size).await?);
        read_line(reader, &mut head_bytes).await?;
    }
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}
