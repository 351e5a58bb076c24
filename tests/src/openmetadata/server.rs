//! The stand-in as a test holds it: started on a free loopback port (HTTP or HTTPS), one
//! thread per connection, stopped when dropped; accessors for what it recorded and holds, and
//! the knobs a test turns.

use super::api::{Backend, Settings};
use super::calls::{Call, SchemaViolation};
use super::entity_type::EntityType;
use super::faults::{Fault, RequestMatch};
use super::http::{self, Response};
#[cfg(doc)]
use super::server_version::SERVER_VERSIONS;
use super::server_version::ServerVersion;
use super::store::is_deleted;
use super::tls::Tls;
use serde_json::Value;
use std::io::Write;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A JWT-shaped bot token (never verified as a JWT: the stand-in compares it whole).
pub const DEFAULT_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IkdiMzg5YS05Zjc2LWdkanMtYTkyai0wMjQyYms5NDM1NiJ9.eyJpc3MiOiJvcGVuLW1ldGFkYXRhLm9yZyIsInN1YiI6ImluZ2VzdGlvbi1ib3QiLCJlbWFpbCI6ImluZ2VzdGlvbi1ib3RAb3Blbm1ldGFkYXRhLm9yZyIsImlzQm90Ijp0cnVlLCJ0b2tlblR5cGUiOiJCT1QiLCJpYXQiOjE3MTUwMDAwMDAsImV4cCI6bnVsbH0.ZTJlIHN0YW5kLWluOiBub3QgYSByZWFsIHNpZ25hdHVyZQ";

pub const DEFAULT_VERSION: &str = "1.3.4";

/// OpenMetadata 1.3's bound on `limit` in its list endpoints (`@Max(1000000)`).
pub const DEFAULT_MAX_LIST_LIMIT: u64 = 1_000_000;

/// How to start an [`OpenMetadata`].
#[derive(Debug, Clone)]
pub struct Builder {
    token: String,
    version: String,
    tls: bool,
    max_list_limit: u64,
    latency: Duration,
}

impl Builder {
    /// The bearer token every request must carry (default [`DEFAULT_TOKEN`]).
    pub fn token(mut self, token: &str) -> Builder {
        self.token = token.to_string();
        self
    }

    /// What `/v1/system/version` reports (default [`DEFAULT_VERSION`]); its major.minor picks
    /// the behaviour ([`ServerVersion::of`]): the schemas every request is checked against,
    /// the field names of `fields=`, and on 2.x the bulk routes. [`SERVER_VERSIONS`] lists the
    /// versions the tests cover.
    pub fn version(mut self, version: &str) -> Builder {
        self.version = version.to_string();
        self
    }

    /// Serve HTTPS with a certificate from a CA made for this server (see
    /// [`OpenMetadata::ca_certificate`]).
    pub fn tls(mut self) -> Builder {
        self.tls = true;
        self
    }

    /// Time each answer takes, as a remote server's would (requests on different connections
    /// still overlap).
    pub fn latency(mut self, latency: Duration) -> Builder {
        self.latency = latency;
        self
    }

    /// The largest `limit` list endpoints accept (default [`DEFAULT_MAX_LIST_LIMIT`]).
    pub fn max_list_limit(mut self, limit: u64) -> Builder {
        self.max_list_limit = limit;
        self
    }

    pub fn start(self) -> OpenMetadata {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind a loopback port");
        let port = listener.local_addr().expect("bound address").port();
        let tls = self.tls.then(Tls::new);
        let scheme = if tls.is_some() { "https" } else { "http" };
        let host_port = format!("{scheme}://127.0.0.1:{port}/api");
        let settings = Settings {
            token: self.token,
            version: self.version,
            max_limit: self.max_list_limit,
        };
        let shared = Arc::new(Shared {
            backend: Mutex::new(Backend::new(settings, &host_port)),
            stopping: AtomicBool::new(false),
            connections: Mutex::new(Vec::new()),
            accepted: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            latency: self.latency,
            arrivals: Mutex::new(Vec::new()),
            leaks: Mutex::new(Vec::new()),
            violations_read: AtomicBool::new(false),
        });
        let tls_config = tls.as_ref().map(|t| t.config.clone());
        let accepting = shared.clone();
        let accept_thread = std::thread::Builder::new()
            .name(format!("openmetadata-{port}"))
            .spawn(move || accept(listener, accepting, tls_config))
            .expect("start the accept thread");
        OpenMetadata {
            port,
            host_port,
            shared,
            tls,
            accept_thread: Some(accept_thread),
        }
    }
}

/// A local OpenMetadata REST API of the configured version (see the module documentation).
pub struct OpenMetadata {
    port: u16,
    host_port: String,
    shared: Arc<Shared>,
    tls: Option<Tls>,
    accept_thread: Option<JoinHandle<()>>,
}

struct Shared {
    backend: Mutex<Backend>,
    stopping: AtomicBool,
    /// Each connection's socket (to shut it down on drop) and thread.
    connections: Mutex<Vec<(TcpStream, JoinHandle<()>)>>,
    accepted: AtomicUsize,
    /// Requests being handled now (from arrival, through the configured latency and the wait
    /// for the backend, to the answer), and the most seen at once.
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    latency: Duration,
    /// When each request arrived: `(instant, method, path)`.
    arrivals: Mutex<Vec<(Instant, String, String)>>,
    /// `METHOD path` of each request whose body held a secret the tests registered.
    leaks: Mutex<Vec<String>>,
    /// Whether the test looked at the schema violations (else none may be left at the end).
    violations_read: AtomicBool,
}

impl Shared {
    fn backend(&self) -> MutexGuard<'_, Backend> {
        self.backend
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Answers a request; a panic of the stand-in itself becomes a recorded 500.
    fn handle(&self, request: http::Request) -> Response {
        let _in_flight = InFlight::enter(self);
        self.arrivals
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((Instant::now(), request.method.clone(), request.path.clone()));
        let body = String::from_utf8_lossy(&request.body);
        let headers = request
            .headers
            .iter()
            .filter(|(name, _)| name != "authorization")
            .map(|(_, value)| value.as_str());
        if crate::host::secrets()
            .iter()
            .any(|s| body.contains(s.as_str()) || headers.clone().any(|v| v.contains(s.as_str())))
        {
            self.leaks
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(format!("{} {}", request.method, request.path));
        }
        if !self.latency.is_zero() {
            std::thread::sleep(self.latency);
        }
        let mut backend = self.backend();
        let method = request.method.clone();
        let path = request.path.clone();
        std::panic::catch_unwind(AssertUnwindSafe(|| backend.handle(request))).unwrap_or_else(
            |panic| {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Response::error(
                    500,
                    &format!("the stand-in panicked on {method} {path}: {message}"),
                )
            },
        )
    }
}

/// Counts a request in flight for as long as it lives.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> InFlight<'a> {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

fn accept(listener: TcpListener, shared: Arc<Shared>, tls: Option<Arc<rustls::ServerConfig>>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        let _ = stream.set_nodelay(true);
        let Ok(socket) = stream.try_clone() else {
            continue;
        };
        let serving = shared.clone();
        let tls = tls.clone();
        let thread = std::thread::spawn(move || {
            let mut handle = |request| serving.handle(request);
            match tls {
                None => http::serve(&stream, &mut handle),
                Some(config) => {
                    if let Ok(connection) = rustls::ServerConnection::new(config) {
                        let mut tls_stream = rustls::StreamOwned::new(connection, &stream);
                        http::serve(&mut tls_stream, &mut handle);
                        tls_stream.conn.send_close_notify();
                        let _ = tls_stream.flush();
                    }
                }
            }
            // The clone kept for `Drop` would hold the connection open: close it now.
            let _ = stream.shutdown(Shutdown::Both);
        });
        let mut connections = shared
            .connections
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        connections.push((socket, thread));
    }
}

impl OpenMetadata {
    /// An HTTP server with the default token and version.
    pub fn start() -> OpenMetadata {
        OpenMetadata::builder().start()
    }

    pub fn builder() -> Builder {
        Builder {
            token: DEFAULT_TOKEN.to_string(),
            version: DEFAULT_VERSION.to_string(),
            tls: false,
            max_list_limit: DEFAULT_MAX_LIST_LIMIT,
            latency: Duration::ZERO,
        }
    }

    /// When each request arrived, with its method and path (still percent-encoded).
    pub fn arrivals(&self) -> Vec<(Instant, String, String)> {
        self.shared
            .arrivals
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The workflow's `openMetadataServerConfig.hostPort`: `http(s)://127.0.0.1:<port>/api`.
    pub fn host_port(&self) -> &str {
        &self.host_port
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn token(&self) -> String {
        self.shared.backend().settings.token.clone()
    }

    /// The CA certificate (PEM) that verifies an HTTPS server, for `sslConfig.certificatePath`.
    pub fn ca_certificate(&self) -> Option<&Path> {
        self.tls.as_ref().map(|t| t.ca_certificate.as_path())
    }

    /// How many connections clients opened (keep-alive reuses one).
    pub fn connections_accepted(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// Every call since the start or the last [`reset_calls`](Self::reset_calls), in the order
    /// they were answered.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.backend().calls.clone()
    }

    /// Forgets the calls, schema violations and bulk sizes recorded so far, and the most
    /// requests seen in flight (entities, their creation order and profiles stay).
    pub fn reset_calls(&self) {
        let mut backend = self.shared.backend();
        backend.calls.clear();
        backend.violations.clear();
        backend.bulk_calls.clear();
        self.shared.max_in_flight.store(0, Ordering::SeqCst);
    }

    /// The most requests handled at once so far: a request counts from its arrival, through
    /// the configured [`latency`](Builder::latency), to its answer. Shows whether a client
    /// overlapped its calls, and that it kept within its bound.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    /// The number of rows of each 2.x bulk PUT (`…/bulk`) whose body was a list, in the order
    /// received (to assert a sink's batch size).
    pub fn bulk_sizes(&self) -> Vec<usize> {
        self.bulk_calls()
            .into_iter()
            .map(|(_, rows)| rows)
            .collect()
    }

    /// [`bulk_sizes`](Self::bulk_sizes) with the type each call was for.
    pub fn bulk_calls(&self) -> Vec<(EntityType, usize)> {
        self.shared.backend().bulk_calls.clone()
    }

    /// Each entity as it was first stored, with its type, in order (seeded ones too; one
    /// hard-deleted and created again comes again): shows that a sink stored containers
    /// before what they contain.
    pub fn creation_order(&self) -> Vec<(EntityType, String)> {
        self.shared.backend().store.creation_order().to_vec()
    }

    /// The behaviour of the version the server reports now.
    pub fn server_version(&self) -> ServerVersion {
        self.shared.backend().server_version()
    }

    /// The request bodies refused for breaking a JSON Schema. A test that never asks finds
    /// out anyway: the stand-in fails the test when it is dropped with violations left.
    pub fn schema_violations(&self) -> Vec<SchemaViolation> {
        self.shared.violations_read.store(true, Ordering::SeqCst);
        self.shared.backend().violations.clone()
    }

    /// `METHOD path` of every request whose body or headers (the bot's own `Authorization`
    /// aside) held a secret the tests registered ([`crate::host::register_secret`]).
    pub fn secret_leaks(&self) -> Vec<String> {
        self.shared
            .leaks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// An entity by FQN, deleted or not, as stored (every field).
    pub fn entity(&self, kind: EntityType, fqn: &str) -> Option<Value> {
        self.shared.backend().store.by_fqn(kind, fqn).cloned()
    }

    /// All entities of a type, deleted ones too, in FQN order.
    pub fn entities(&self, kind: EntityType) -> Vec<Value> {
        self.shared.backend().store.all(kind).cloned().collect()
    }

    pub fn service(&self, fqn: &str) -> Option<Value> {
        self.entity(EntityType::DatabaseService, fqn)
    }

    pub fn database(&self, fqn: &str) -> Option<Value> {
        self.entity(EntityType::Database, fqn)
    }

    pub fn database_schema(&self, fqn: &str) -> Option<Value> {
        self.entity(EntityType::DatabaseSchema, fqn)
    }

    pub fn table(&self, fqn: &str) -> Option<Value> {
        self.entity(EntityType::Table, fqn)
    }

    pub fn classification(&self, fqn: &str) -> Option<Value> {
        self.entity(EntityType::Classification, fqn)
    }

    pub fn tag(&self, fqn: &str) -> Option<Value> {
        self.entity(EntityType::Tag, fqn)
    }

    /// Adds a topic or container (`kind`) of another service, as its connector would have made
    /// it; returns its id.
    pub fn add_other(&self, kind: &str, fqn: &str) -> String {
        self.shared.backend().store.add_other(kind, fqn)
    }

    /// Every lineage edge: (from id, to id, the edge as last sent).
    pub fn lineage(&self) -> Vec<(String, String, Value)> {
        self.shared.backend().store.lineage()
    }

    /// The soft-deleted tables, in FQN order.
    pub fn deleted_tables(&self) -> Vec<Value> {
        self.shared
            .backend()
            .store
            .all(EntityType::Table)
            .filter(|t| is_deleted(t))
            .cloned()
            .collect()
    }

    /// An ingestion pipeline by FQN (`<service>.<pipeline>`), as stored.
    pub fn ingestion_pipeline(&self, fqn: &str) -> Option<Value> {
        self.shared.backend().pipelines.by_fqn(fqn).cloned()
    }

    /// The statuses of a pipeline's runs: each run's latest, in the order the runs first
    /// appeared.
    pub fn pipeline_statuses(&self, fqn: &str) -> Vec<Value> {
        self.shared.backend().pipelines.statuses(fqn)
    }

    /// Every CreateTableProfile accepted for a table, in the order received.
    pub fn profiles(&self, table_fqn: &str) -> Vec<Value> {
        self.shared.backend().store.profile_history(table_fqn)
    }

    /// Creates or updates an entity as a PUT would, without recording a call; panics if a real
    /// server would refuse the request.
    pub fn seed(&self, kind: EntityType, request: &Value) -> Value {
        self.shared
            .backend()
            .put(kind, request)
            .unwrap_or_else(|e| panic!("seeding {} {request}: {e:?}", kind.name()))
            .0
    }

    /// The next `count` requests that `requests` matches get `fault` instead of an answer.
    pub fn fail_next(&self, requests: RequestMatch, count: usize, fault: Fault) {
        self.shared
            .backend()
            .faults
            .fail_next(requests, count, fault);
    }

    /// Every PUT or POST of a table named `name` is refused with 400 and `message`.
    pub fn reject_table(&self, name: &str, message: &str) {
        self.shared.backend().faults.reject_table(name, message);
    }

    /// Changes what `/v1/system/version` reports from now on, and with it the behaviour (see
    /// [`Builder::version`]).
    pub fn set_version(&self, version: &str) {
        self.shared.backend().settings.version = version.to_string();
    }
}

impl Drop for OpenMetadata {
    /// Stops the server; and, unless the test is failing already, fails it when a request
    /// carried a secret, or broke a schema without the test looking at the violations.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let leaks = self.secret_leaks();
            assert!(
                leaks.is_empty(),
                "secrets reached OpenMetadata in: {leaks:?}"
            );
            if !self.shared.violations_read.load(Ordering::SeqCst) {
                let violations = self.shared.backend().violations.clone();
                assert!(
                    violations.is_empty(),
                    "request bodies broke OpenMetadata's schemas: {violations:#?}"
                );
            }
        }
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees `stopping`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.accept_thread.take() {
            let _ = thread.join();
        }
        let connections = std::mem::take(
            &mut *self
                .shared
                .connections
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        for (socket, thread) in connections {
            let _ = socket.shutdown(Shutdown::Both);
            let _ = thread.join();
        }
    }
}
