//! Serving one client connection: read each request, count it, draw its fault, and answer:
//! forwarded as it is, forwarded and then damaged, or not forwarded at all.

use super::Plan;
use super::plan::Fault;
use super::stats::{InFlight, Recorder};
use super::upstream::Upstream;
use super::wire::{self, Request, Response};
use std::io;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// What every connection of a proxy shares.
pub(super) struct Shared {
    pub(super) upstream: String,
    pub(super) plan: Mutex<Arc<Plan>>,
    pub(super) recorder: Arc<Recorder>,
}

impl Shared {
    fn plan(&self) -> Arc<Plan> {
        self.plan.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Bytes per write of a huge body.
const HUGE_BODY_WRITE: usize = 64 * 1024;

pub(super) async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    shared.recorder.connection();
    let _ = stream.set_nodelay(true);
    let mut client = BufReader::new(stream);
    let mut upstream = Upstream::new(&shared.upstream);
    while let Ok(Some(request)) = wire::read_request(&mut client).await {
        let operation = request.operation();
        let table = request.table_name();
        let plan = shared.plan();
        let (nth, in_flight) = shared.recorder.arrive(&operation, table.as_deref());
        let fault = plan.decide(&operation, table.as_deref(), nth);
        if let Some(fault) = &fault {
            shared.recorder.fault(fault.name(), fault.is_throttling());
        }
        if !plan.added_latency().is_zero() {
            tokio::time::sleep(plan.added_latency()).await;
        }
        let exchange = Exchange {
            client: &mut client,
            upstream: &mut upstream,
            request: &request,
            recorder: &shared.recorder,
            in_flight: Some(in_flight),
        };
        let keep_open = exchange.answer(fault).await;
        if !matches!(keep_open, Ok(true)) || request.wants_close() {
            return;
        }
    }
}

struct Exchange<'a> {
    client: &'a mut BufReader<TcpStream>,
    upstream: &'a mut Upstream,
    request: &'a Request,
    recorder: &'a Recorder,
    /// Counted out just before the answer's last byte leaves, so that a client never has an
    /// answer (and sends its next request) while the proxy still counts it in flight.
    in_flight: Option<InFlight>,
}

impl Exchange<'_> {
    /// Answers the request, faulted or not; `Ok(true)` when the connection stays usable.
    async fn answer(mut self, fault: Option<Fault>) -> io::Result<bool> {
        let Some(fault) = fault else {
            return self.relay(|response| response).await;
        };
        if let Some((status, code, message)) = fault.error_answer() {
            let body = serde_json::json!({
                "__type": format!("com.amazonaws.dynamodb.v20120810#{code}"),
                "message": message,
            });
            self.write_json(status, body.to_string().as_bytes()).await?;
            return Ok(true);
        }
        match fault {
            Fault::ConnectionReset => {
                self.in_flight = None;
                // SO_LINGER 0: closing sends RST instead of FIN.
                self.client.get_ref().set_zero_linger()?;
                Ok(false)
            }
            Fault::SlowHead(delay) => {
                tokio::time::sleep(delay).await;
                self.relay(|response| response).await
            }
            Fault::SlowBody(per_byte) => {
                let Some(response) = self.forward().await? else {
                    return Ok(true);
                };
                let head = self.head_of(&response, response.body.len());
                let Some((last, body)) = response.body.split_last() else {
                    self.finish(&head).await?;
                    return Ok(true);
                };
                self.write(&head).await?;
                for byte in body {
                    tokio::time::sleep(per_byte).await;
                    self.write(std::slice::from_ref(byte)).await?;
                }
                tokio::time::sleep(per_byte).await;
                self.finish(std::slice::from_ref(last)).await?;
                Ok(true)
            }
            Fault::TruncatedBody => {
                let Some(response) = self.forward().await? else {
                    return Ok(true);
                };
                let head = self.head_of(&response, response.body.len());
                self.write(&head).await?;
                self.write(&response.body[..response.body.len() / 2])
                    .await?;
                self.in_flight = None;
                self.client.get_mut().shutdown().await?;
                Ok(false)
            }
            Fault::MalformedJson => {
                self.relay(|mut response| {
                    response.status = 200;
                    response.reason = "OK".into();
                    response.body.truncate(response.body.len() / 2);
                    response
                })
                .await
            }
            Fault::HugeBody(size) => {
                self.write_huge_json(size).await?;
                Ok(true)
            }
            Fault::Answer { status, body } => {
                self.write_json(status, body.as_bytes()).await?;
                Ok(true)
            }
            Fault::NotHttp => {
                self.finish(b"SSH-2.0-OpenSSH_9.6 this is not HTTP\r\n\r\n")
                    .await?;
                self.client.get_mut().shutdown().await?;
                Ok(false)
            }
            Fault::Throttling
            | Fault::ProvisionedThroughputExceeded
            | Fault::RequestLimitExceeded
            | Fault::InternalServerError
            | Fault::ServiceUnavailable
            | Fault::ServiceError { .. } => unreachable!("error answers are written above"),
        }
    }

    /// Forwards the request and passes on the answer as `change` leaves it.
    async fn relay(&mut self, change: impl FnOnce(Response) -> Response) -> io::Result<bool> {
        let Some(response) = self.forward().await? else {
            return Ok(true);
        };
        let response = change(response);
        let mut answer = self.head_of(&response, response.body.len());
        answer.extend_from_slice(&response.body);
        self.finish(&answer).await?;
        Ok(!response.closes)
    }

    /// The upstream answer, or `None` when there is none and the client got a 502 instead.
    async fn forward(&mut self) -> io::Result<Option<Response>> {
        match self.upstream.exchange(self.request).await {
            Ok(response) => Ok(Some(response)),
            Err(error) => {
                self.recorder.upstream_error();
                let body = serde_json::json!({
                    "__type": "FaultProxy#UpstreamUnavailable",
                    "message": format!("the fault proxy could not reach its upstream server: {error}"),
                });
                self.write_with_status(502, "Bad Gateway", &[], body.to_string().as_bytes())
                    .await?;
                Ok(None)
            }
        }
    }

    fn head_of(&self, response: &Response, content_length: usize) -> Vec<u8> {
        wire::encode_head(
            response.status,
            &response.reason,
            &response.headers,
            content_length,
            response.closes,
        )
    }

    /// A JSON answer with DynamoDB's headers.
    async fn write_json(&mut self, status: u16, body: &[u8]) -> io::Result<()> {
        let reason = match status {
            200 => "OK",
            400 => "Bad Request",
            500 => "Internal Server Error",
            503 => "Service Unavailable",
            _ => "Status",
        };
        let headers = dynamodb_headers(body);
        self.write_with_status(status, reason, &headers, body).await
    }

    async fn write_with_status(
        &mut self,
        status: u16,
        reason: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> io::Result<()> {
        let mut answer = wire::encode_head(status, reason, headers, body.len(), false);
        answer.extend_from_slice(body);
        self.finish(&answer).await
    }

    /// HTTP 200 with a JSON object of exactly `size` bytes (or its bare frame if smaller).
    async fn write_huge_json(&mut self, size: usize) -> io::Result<()> {
        let prefix = br#"{"Table":{"TableName":"huge","Padding":""#;
        let suffix = br#""}}"#;
        let padding = size.saturating_sub(prefix.len() + suffix.len());
        let length = prefix.len() + padding + suffix.len();
        let headers = vec![(
            "content-type".to_string(),
            "application/x-amz-json-1.0".to_string(),
        )];
        let head = wire::encode_head(200, "OK", &headers, length, false);
        self.write(&head).await?;
        self.write(prefix).await?;
        let block = vec![b'a'; HUGE_BODY_WRITE];
        let mut left = padding;
        while left > 0 {
            let n = left.min(block.len());
            self.write(&block[..n]).await?;
            left -= n;
        }
        self.finish(suffix).await
    }

    async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.client.get_mut().write_all(bytes).await
    }

    /// Writes the end of the answer, counting the request out before its last byte.
    async fn finish(&mut self, bytes: &[u8]) -> io::Result<()> {
        let (last, rest) = bytes.split_last().expect("an answer ends with a byte");
        self.write(rest).await?;
        self.in_flight = None;
        self.write(std::slice::from_ref(last)).await
    }
}

/// The headers DynamoDB puts on its JSON answers.
fn dynamodb_headers(body: &[u8]) -> Vec<(String, String)> {
    vec![
        ("content-type".into(), "application/x-amz-json-1.0".into()),
        ("x-amzn-requestid".into(), request_id(body)),
        ("x-amz-crc32".into(), crc32(body).to_string()),
    ]
}

/// A request id in DynamoDB's shape (52 upper-case alphanumerics), derived from the body so
/// that runs stay reproducible.
fn request_id(body: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut state = u64::from(crc32(body)) | 1 << 40;
    (0..52)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ALPHABET[(state % ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}

/// CRC-32 (IEEE), as in DynamoDB's `x-amz-crc32` header.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(super::crc32(b"123456789"), 0xcbf4_3926);
    }
}
