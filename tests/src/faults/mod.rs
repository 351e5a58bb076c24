//! A fault-injecting HTTP proxy in front of a local DynamoDB server.
//!
//! It listens on a free loopback port, forwards each request to the upstream server, and
//! injects faults according to a [`Plan`]: per operation (`X-Amz-Target`) and optionally per
//! table (`TableName`), at a seeded rate or always. It counts what it sees in [`Stats`].
//!
//! ```no_run
//! use e2e::faults::{Fault, FaultProxy, Plan, Rule};
//! # let upstream = "http://127.0.0.1:8000";
//! let proxy = FaultProxy::start(
//!     upstream,
//!     Plan::seeded(42)
//!         .rule(Rule::on("DescribeTable").table("orders").always(Fault::InternalServerError))
//!         .rule(Rule::on("DescribeTable").at_rate(0.3, Fault::transient_mix())),
//! );
//! // point the workflow's endPointURL at proxy.endpoint(), run it, then:
//! let stats = proxy.stats();
//! # let _ = stats.total_faults();
//! ```

mod connection;
mod plan;
mod stats;
mod upstream;
mod wire;

pub use plan::{Fault, Plan, Rule};
pub use stats::Stats;

use connection::Shared;
use stats::Recorder;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

/// A running proxy; it stops when dropped.
pub struct FaultProxy {
    address: SocketAddr,
    shared: Arc<Shared>,
    runtime: Option<Runtime>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (`http://host:port`) that follows `plan`.
    pub fn start(upstream: &str, plan: Plan) -> FaultProxy {
        let upstream = upstream
            .trim_end_matches('/')
            .strip_prefix("http://")
            .unwrap_or_else(|| panic!("the fault proxy forwards to http:// only, not `{upstream}`"))
            .to_string();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fault-proxy")
            .enable_all()
            .build()
            .expect("a runtime for the fault proxy");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let address = listener.local_addr().expect("the listener's address");
        let shared = Arc::new(Shared {
            upstream,
            plan: Mutex::new(Arc::new(plan)),
            recorder: Arc::new(Recorder::default()),
        });
        let accepting = shared.clone();
        runtime.spawn(async move {
            let listener = TcpListener::from_std(listener).expect("a tokio listener");
            loop {
                // Accept errors (e.g. out of descriptors) are passing: keep accepting.
                if let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(connection::serve(stream, accepting.clone()));
                }
            }
        });
        FaultProxy {
            address,
            shared,
            runtime: Some(runtime),
        }
    }

    /// The URL to give clients, e.g. as the workflow's `endPointURL`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Follows `plan` from now on, its draws starting afresh (a plan installed twice injects
    /// the same faults both times).
    pub fn set_plan(&self, plan: Plan) {
        *self.shared.plan.lock().unwrap_or_else(|p| p.into_inner()) = Arc::new(plan);
        self.shared.recorder.restart_draws();
    }

    /// What the proxy saw since it started or since the last [`FaultProxy::reset_stats`].
    pub fn stats(&self) -> Stats {
        self.shared.recorder.snapshot()
    }

    pub fn reset_stats(&self) {
        self.shared.recorder.reset();
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
