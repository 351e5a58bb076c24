//! A server that keeps every request exactly as it came over the wire (head and body bytes),
//! for tests of what the connector puts on the wire. It answers just enough DynamoDB and STS
//! to let a connection test through: an empty `ListTables` page, and `AssumeRole` with fixed
//! temporary credentials (returned by [`WireRecorder::TEMPORARY`] so tests can look for them).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// One request as received: the head (request line and headers, CRLFs included) and the body
/// bytes as they followed it (chunk framing included, if any).
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub head: String,
    pub body: Vec<u8>,
}

impl RawRequest {
    /// The value of header `name` (any case), as sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then_some(value.trim())
        })
    }
}

pub struct WireRecorder {
    port: u16,
    requests: Arc<Mutex<Vec<RawRequest>>>,
}

impl WireRecorder {
    /// The temporary credentials its AssumeRole answers with: access key, secret, token.
    pub const TEMPORARY: [&'static str; 3] = [
        "ASIAWIRETEMPORARY1",
        "wire-temporary-secret-key-0123456789",
        "wire-temporary-session-token-abcdefghijklmnopqrstuvwxyz",
    ];

    pub fn start() -> WireRecorder {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind a loopback port");
        let port = listener.local_addr().expect("bound").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let recorded = recorded.clone();
                std::thread::spawn(move || serve(stream, &recorded));
            }
        });
        WireRecorder { port, requests }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn requests(&self) -> Vec<RawRequest> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(stream: std::net::TcpStream, recorded: &Mutex<Vec<RawRequest>>) {
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            head.push_str(&line);
            if line == "\r\n" || line == "\n" {
                break;
            }
        }
        let request = RawRequest {
            head,
            body: Vec::new(),
        };
        let body = match request.header("content-length") {
            Some(n) => {
                let mut body = vec![0; n.parse().unwrap_or(0)];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                body
            }
            None if request
                .header("transfer-encoding")
                .is_some_and(|t| t.eq_ignore_ascii_case("chunked")) =>
            {
                match read_chunked(&mut reader) {
                    Some(b) => b,
                    None => return,
                }
            }
            None => Vec::new(),
        };
        let request = RawRequest { body, ..request };
        let answer = answer(&request);
        recorded.lock().unwrap().push(request);
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n{}",
            answer.0,
            answer.1.len(),
            answer.1
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// The chunks' bytes with their framing, as they came.
fn read_chunked(reader: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut raw = Vec::new();
    loop {
        let mut size_line = String::new();
        reader.read_line(&mut size_line).ok()?;
        raw.extend_from_slice(size_line.as_bytes());
        let size = usize::from_str_radix(size_line.trim(), 16).ok()?;
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk).ok()?;
        raw.extend_from_slice(&chunk);
        if size == 0 {
            return Some(raw);
        }
    }
}

fn answer(request: &RawRequest) -> (&'static str, String) {
    if request.header("x-amz-target").is_some() {
        return (
            "application/x-amz-json-1.0",
            r#"{"TableNames":[]}"#.to_string(),
        );
    }
    let [key, secret, token] = WireRecorder::TEMPORARY;
    (
        "text/xml",
        format!(
            "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>{key}</AccessKeyId>\
             <SecretAccessKey>{secret}</SecretAccessKey><SessionToken>{token}</SessionToken>\
             <Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult>\
             </AssumeRoleResponse>"
        ),
    )
}
