//! A JSON document on a loopback port, for the JSON connector ([`crate::json_connector`]):
//! `GET /catalog.json` answers the body it was given. Started with a token, it wants
//! `Authorization: Bearer <token>`, and answers a wrong or missing one with 401 and the body
//! `invalid token: <the token it received>`: it echoes the secret on purpose, so that a test
//! can show that the host strikes it from what it reports. It counts the requests and records
//! each one's method, `Host` header and path; it stops when dropped.
//!
//! HTTP/1.1 as the OpenMetadata stand-in speaks it (one thread per connection, keep-alive,
//! the same parser: [`crate::openmetadata`]'s `http` module).

use crate::openmetadata::http::{self, Request, Response};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// The one path served.
pub const PATH: &str = "/catalog.json";

/// A request the server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub method: String,
    /// The `Host` header, if there was one.
    pub host: Option<String>,
    /// The path, without the query.
    pub path: String,
}

/// A running document server.
pub struct DocumentServer {
    port: u16,
    shared: Arc<Shared>,
    accept_thread: Option<JoinHandle<()>>,
}

struct Shared {
    body: Mutex<String>,
    token: Option<String>,
    stopping: AtomicBool,
    received: Mutex<Vec<Received>>,
    /// Each connection's socket (to shut it down on drop) and thread.
    connections: Mutex<Vec<(TcpStream, JoinHandle<()>)>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    fn handle(&self, request: Request) -> Response {
        lock(&self.received).push(Received {
            method: request.method.clone(),
            host: request.header("host").map(str::to_string),
            path: request.path.clone(),
        });
        if request.path != PATH {
            return text(404, format!("no document at {}", request.path));
        }
        if request.method != "GET" {
            return text(405, format!("{} is not allowed", request.method));
        }
        if let Some(token) = &self.token {
            let authorization = request.header("authorization").unwrap_or_default();
            let received = authorization
                .strip_prefix("Bearer ")
                .unwrap_or(authorization);
            if received != token {
                return text(401, format!("invalid token: {received}"));
            }
        }
        Response {
            status: 200,
            headers: vec![("Content-Type", "application/json".to_string())],
            body: lock(&self.body).clone().into_bytes(),
        }
    }
}

fn text(status: u16, body: String) -> Response {
    Response {
        status,
        headers: vec![("Content-Type", "text/plain; charset=utf-8".to_string())],
        body: body.into_bytes(),
    }
}

impl DocumentServer {
    /// Serves `body` to anyone.
    pub fn start(body: &str) -> DocumentServer {
        DocumentServer::serve(body, None)
    }

    /// Serves `body` to requests with `Authorization: Bearer <token>`.
    pub fn start_with_token(body: &str, token: &str) -> DocumentServer {
        DocumentServer::serve(body, Some(token.to_string()))
    }

    fn serve(body: &str, token: Option<String>) -> DocumentServer {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind a loopback port");
        let port = listener.local_addr().expect("bound address").port();
        let shared = Arc::new(Shared {
            body: Mutex::new(body.to_string()),
            token,
            stopping: AtomicBool::new(false),
            received: Mutex::new(Vec::new()),
            connections: Mutex::new(Vec::new()),
        });
        let accepting = shared.clone();
        let accept_thread = std::thread::Builder::new()
            .name(format!("json-document-{port}"))
            .spawn(move || accept(listener, accepting))
            .expect("start the accept thread");
        DocumentServer {
            port,
            shared,
            accept_thread: Some(accept_thread),
        }
    }

    /// `http://127.0.0.1:<port>/catalog.json`: the connector's `documentUrl`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{PATH}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves `body` from now on.
    pub fn set_body(&self, body: &str) {
        *lock(&self.shared.body) = body.to_string();
    }

    /// How many requests arrived, whatever their path or token.
    pub fn requests(&self) -> usize {
        lock(&self.shared.received).len()
    }

    /// Every request so far, in order of arrival.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.shared.received).clone()
    }

    /// The `Host` header of each request so far.
    pub fn hosts(&self) -> Vec<Option<String>> {
        self.received().into_iter().map(|r| r.host).collect()
    }

    /// The path of each request so far.
    pub fn paths(&self) -> Vec<String> {
        self.received().into_iter().map(|r| r.path).collect()
    }
}

fn accept(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let _ = stream.set_nodelay(true);
        let Ok(socket) = stream.try_clone() else {
            continue;
        };
        let serving = shared.clone();
        let thread = std::thread::spawn(move || {
            http::serve(&stream, &mut |request| serving.handle(request));
            // The clone kept for `Drop` would hold the connection open: close it now.
            let _ = stream.shutdown(Shutdown::Both);
        });
        lock(&shared.connections).push((socket, thread));
    }
}

impl Drop for DocumentServer {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees `stopping`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.accept_thread.take() {
            let _ = thread.join();
        }
        let connections = std::mem::take(&mut *lock(&self.shared.connections));
        for (socket, thread) in connections {
            let _ = socket.shutdown(Shutdown::Both);
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// One request on its own connection: the status and body of the answer.
    fn get(server: &DocumentServer, path: &str, authorization: Option<&str>) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port())).expect("connect");
        let mut request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n",
            server.port()
        );
        if let Some(value) = authorization {
            request.push_str(&format!("Authorization: {value}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        let status = answer[9..12].parse().expect("a status");
        let body = answer
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_string())
            .unwrap_or_default();
        (status, body)
    }

    #[test]
    fn serves_the_document_and_records_requests() {
        let server = DocumentServer::start(r#"{"tables": []}"#);
        assert!(server.url().ends_with("/catalog.json"));
        assert_eq!(
            get(&server, PATH, None),
            (200, r#"{"tables": []}"#.to_string())
        );
        assert_eq!(get(&server, "/other", None).0, 404);
        assert_eq!(server.requests(), 2);
        let host = format!("127.0.0.1:{}", server.port());
        assert_eq!(server.hosts(), [Some(host.clone()), Some(host)]);
        assert_eq!(server.paths(), [PATH, "/other"]);
    }

    #[test]
    fn a_wrong_token_is_echoed_in_a_401() {
        let server = DocumentServer::start_with_token("{}", "s3cr3t");
        assert_eq!(
            get(&server, PATH, Some("Bearer s3cr3t")),
            (200, "{}".into())
        );
        assert_eq!(
            get(&server, PATH, Some("Bearer guess")),
            (401, "invalid token: guess".into())
        );
        assert_eq!(get(&server, PATH, None), (401, "invalid token: ".into()));
        server.set_body("[]");
        assert_eq!(
            get(&server, PATH, Some("Bearer s3cr3t")),
            (200, "[]".into())
        );
        assert_eq!(server.requests(), 4);
    }
}
