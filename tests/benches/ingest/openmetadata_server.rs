//! The few answers OpenMetadata's own `metadata ingest` needs from an OpenMetadata server when
//! its sink is a file: the server version, DynamoDB's test-connection definition (its workflow
//! runs the connection test first) and the service by name. Lists are empty and every other
//! entity is a 404, which the workflow takes as "not there yet": it writes the create request
//! to its sink. Read-only, on a free loopback port, stopped with the benchmark.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

pub struct OpenMetadataServer {
    port: u16,
    /// `METHOD path` of every request answered with a 404.
    not_found: Arc<Mutex<Vec<String>>>,
}

impl OpenMetadataServer {
    /// Serves `service` (a DynamoDB service reaching `endpoint`).
    pub fn start(service: &str, endpoint: &str) -> OpenMetadataServer {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("a loopback port");
        let port = listener.local_addr().expect("its address").port();
        let not_found = Arc::new(Mutex::new(Vec::new()));
        let routes = Arc::new(Routes {
            service: service_entity(service, endpoint),
            service_path: format!("/api/v1/services/databaseServices/name/{service}"),
        });
        let recorded = not_found.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (routes, recorded) = (routes.clone(), recorded.clone());
                std::thread::spawn(move || serve(stream, &routes, &recorded));
            }
        });
        OpenMetadataServer { port, not_found }
    }

    /// `openMetadataServerConfig.hostPort`.
    pub fn host_port(&self) -> String {
        format!("http://127.0.0.1:{}/api", self.port)
    }

    pub fn not_found(&self) -> Vec<String> {
        self.not_found.lock().unwrap().clone()
    }
}

struct Routes {
    service: Value,
    service_path: String,
}

impl Routes {
    fn answer(&self, target: &str) -> Option<Value> {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        match path {
            "/api/v1/system/version" => Some(json!({
                "version": "1.3.4",
                "revision": "benchmark",
                "timestamp": 0,
            })),
            "/api/v1/services/testConnectionDefinitions/name/DynamoDB.testConnectionDefinition" => {
                Some(test_connection_definition())
            }
            p if p == self.service_path => Some(self.service.clone()),
            _ if query.split('&').any(|q| q.starts_with("limit=")) => Some(json!({
                "data": [],
                "paging": {"total": 0},
            })),
            _ => None,
        }
    }
}

/// One connection, kept alive: each request's head (and body, skipped) in, one answer out.
fn serve(stream: TcpStream, routes: &Routes, not_found: &Mutex<Vec<String>>) {
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut head = Vec::new();
        loop {
            let mut line = Vec::new();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            head.extend_from_slice(&line);
            if line == b"\r\n" || line == b"\n" {
                break;
            }
        }
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut request = httparse::Request::new(&mut headers);
        if !matches!(request.parse(&head), Ok(httparse::Status::Complete(_))) {
            return;
        }
        let method = request.method.unwrap_or_default().to_string();
        let path = request.path.unwrap_or_default().to_string();
        let length: usize = request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("content-length"))
            .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (status, body) = match routes.answer(&path).filter(|_| method == "GET") {
            Some(entity) => ("200 OK", entity),
            None => {
                not_found.lock().unwrap().push(format!("{method} {path}"));
                (
                    "404 Not Found",
                    json!({"code": 404, "message": format!("{path} not found")}),
                )
            }
        };
        let body = body.to_string();
        let answer = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

/// OpenMetadata 1.3's definition: one mandatory step, ListTables.
fn test_connection_definition() -> Value {
    json!({
        "id": "0b6a7f0e-6a3c-4a54-9d3e-1f1c2b3a4d5e",
        "name": "DynamoDB",
        "fullyQualifiedName": "DynamoDB.testConnectionDefinition",
        "displayName": "DynamoDB Test Connection",
        "steps": [{
            "name": "ListTables",
            "description": "From a given schema, list the tables belonging to that schema.",
            "errorMessage": "Failed to fetch tables, please validate if the user has enough privilege to fetch tables.",
            "mandatory": true,
            "shortCircuit": false,
        }],
        "version": 0.1,
        "updatedAt": 0,
        "updatedBy": "admin",
        "deleted": false,
    })
}

fn service_entity(service: &str, endpoint: &str) -> Value {
    json!({
        "id": "5f0c3a8e-2d4b-4c6a-8e1f-3b2a1c0d9e8f",
        "name": service,
        "fullyQualifiedName": service,
        "serviceType": "DynamoDB",
        "connection": {"config": {
            "type": "DynamoDB",
            "awsConfig": {"awsRegion": "us-east-1", "endPointURL": endpoint},
        }},
        "version": 0.1,
        "updatedAt": 0,
        "updatedBy": "admin",
        "deleted": false,
    })
}
