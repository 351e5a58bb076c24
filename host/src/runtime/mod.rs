//! Running the connector component in a sandbox: one engine and one pre-instantiated component
//! for the process, one store per run with its own configuration, allowlist, limits and log.

pub mod bindings;
pub mod engine;
mod guest_clock;
pub mod limits;
pub mod log;
pub mod outbound;
mod state;

use bindings::MetadataSourcePre;
use bindings::types::{ConnectionCheck, ConnectorError, Ingestion};
use limits::Limits;
use log::TenantLog;
use outbound::{Allowlist, OutboundLimits, OutboundPolicy};
use state::RunState;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use wasmtime::Result;
use wasmtime::component::Linker;
use wasmtime::error::Context as _;
use wasmtime::{Engine, Store, UpdateDeadline};

pub use engine::Origin;

/// Which export to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Ingest,
    TestConnection,
}

/// One run of the component for one tenant.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub tenant: String,
    pub call: Call,
    pub config: Vec<(String, String)>,
    pub allowlist: Allowlist,
    /// Values to strike from the tenant's log (its secret key, session token, ...).
    pub secrets: Vec<String>,
    /// Echo the tenant's log to stderr as it is written, with this prefix.
    pub echo_log: Option<String>,
}

#[derive(Debug)]
pub enum Answer {
    Ingest(Result<Ingestion, ConnectorError>),
    TestConnection(Result<ConnectionCheck, ConnectorError>),
}

/// Why a run produced no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunFailure {
    /// The run took longer than the wall-clock limit.
    Timeout(Duration),
    /// The guest executed for longer than its CPU budget.
    CpuLimit(Duration),
    /// The guest tried to grow its memory past the limit.
    MemoryLimit(usize),
    /// The configuration is larger than allowed.
    ConfigTooLarge { bytes: usize, limit: usize },
    /// The guest's answer is larger than the host accepts.
    AnswerTooLarge(usize),
    /// The guest trapped (a bug or a hostile guest), with wasmtime's message.
    Trap(String),
}

impl std::fmt::Display for RunFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunFailure::Timeout(limit) => {
                write!(
                    f,
                    "stopped: the run took longer than its limit of {limit:?}"
                )
            }
            RunFailure::CpuLimit(limit) => write!(
                f,
                "stopped: the connector computed for longer than its CPU limit of {limit:?}"
            ),
            RunFailure::MemoryLimit(limit) => write!(
                f,
                "stopped: the connector needed more memory than its limit of {} MiB",
                limit >> 20
            ),
            RunFailure::ConfigTooLarge { bytes, limit } => write!(
                f,
                "the configuration is {bytes} bytes, more than the limit of {limit} bytes"
            ),
            RunFailure::AnswerTooLarge(limit) => write!(
                f,
                "stopped: the connector's answer is larger than its limit of {} MiB",
                limit >> 20
            ),
            RunFailure::Trap(message) => write!(f, "the connector crashed: {message}"),
        }
    }
}

#[derive(Debug)]
pub struct RunOutcome {
    pub tenant: String,
    pub answer: Result<Answer, RunFailure>,
    pub log: Vec<String>,
    pub elapsed: Duration,
    pub instantiate: Duration,
}

pub struct Runtime {
    engine: Engine,
    pre: MetadataSourcePre<RunState>,
    limits: Limits,
    origin: Origin,
    load_time: Duration,
    ticker_stop: Arc<AtomicBool>,
}

impl Runtime {
    /// A runtime for `component`. With `pooled_runs`, instances come from a pool sized for that
    /// many runs at once (more at once would fail to instantiate); without, each run maps its
    /// own memory.
    pub fn new(
        component: &Path,
        cache_dir: Option<&Path>,
        limits: Limits,
        pooled_runs: Option<u32>,
    ) -> Result<Runtime> {
        let pool = pooled_runs.map(|instances| engine::Pool {
            instances,
            memory_bytes: limits.memory_bytes,
        });
        let engine = engine::engine(pool)?;
        let loaded = engine::load_component(&engine, component, cache_dir)?;
        let mut linker = Linker::<RunState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        wasmtime_wasi_config::add_to_linker(&mut linker, RunState::config)?;
        let pre = linker
            .instantiate_pre(&loaded.component)
            .context("the component does not fit this host (does it import more than wasi:http, wasi:config and std's WASI?)")?;
        let pre = MetadataSourcePre::new(pre)
            .context("the component does not export catalog:connector/source")?;
        let ticker_stop = Arc::new(AtomicBool::new(false));
        spawn_epoch_ticker(engine.clone(), ticker_stop.clone());
        Ok(Runtime {
            engine,
            pre,
            limits,
            origin: loaded.origin,
            load_time: loaded.took,
            ticker_stop,
        })
    }

    /// How the component was loaded and how long that took.
    pub fn load_report(&self) -> (Origin, Duration) {
        (self.origin, self.load_time)
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub async fn run(&self, request: RunRequest) -> RunOutcome {
        let started = Instant::now();
        let limits = &self.limits;
        let log = TenantLog::new(
            &request.tenant,
            request.echo_log.clone().unwrap_or_default(),
            request.echo_log.is_some(),
            limits.log_bytes,
            request.secrets.clone(),
        );
        let outcome = |answer, instantiate| RunOutcome {
            tenant: request.tenant.clone(),
            answer,
            log: log.lines(),
            elapsed: started.elapsed(),
            instantiate,
        };
        let config_bytes: usize = request.config.iter().map(|(k, v)| k.len() + v.len()).sum();
        if config_bytes > limits.max_config_bytes {
            return outcome(
                Err(RunFailure::ConfigTooLarge {
                    bytes: config_bytes,
                    limit: limits.max_config_bytes,
                }),
                Duration::ZERO,
            );
        }
        let policy = OutboundPolicy::new(
            Arc::new(request.allowlist.clone()),
            log.clone(),
            OutboundLimits {
                max_concurrent_requests: limits.max_concurrent_requests,
                max_response_bytes: limits.max_response_bytes as u64,
                connect_timeout: limits.connect_timeout,
                response_timeout: limits.response_timeout,
            },
        );
        let state = RunState::new(request.config.clone(), policy, &log, limits);
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limits);
        // Data the guest hands the host in one call (its answer included) is bounded by its
        // memory limit: strings aliasing one buffer cannot make the host copy more.
        store.set_hostcall_fuel(limits.memory_bytes);
        store.call_hook(|mut store, hook| {
            store.data_mut().clock.event(hook);
            Ok(())
        });
        let cpu_limit = limits.cpu_time;
        let deadline = started + limits.run_timeout;
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |store| {
            if store.data().clock.guest_time() > cpu_limit {
                return Err(LimitHit::Cpu.into());
            }
            if Instant::now() > deadline {
                return Err(LimitHit::Time.into());
            }
            // Yield so that other runs on this thread make progress.
            Ok(UpdateDeadline::Yield(1))
        });

        let mut instantiate = Duration::ZERO;
        let call = async {
            let instantiating = Instant::now();
            let instance = self.pre.instantiate_async(&mut store).await?;
            instantiate = instantiating.elapsed();
            let source = instance.catalog_connector_source();
            Ok::<_, wasmtime::Error>(match request.call {
                Call::Ingest => Answer::Ingest(source.call_ingest(&mut store).await?),
                Call::TestConnection => {
                    Answer::TestConnection(source.call_test_connection(&mut store).await?)
                }
            })
        };
        let result = tokio::time::timeout(limits.run_timeout, call).await;
        let answer = match result {
            Err(_) => Err(RunFailure::Timeout(limits.run_timeout)),
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(error)) => Err(self.failure(&error)),
        };
        if let Err(failure) = &answer {
            log.host("ERROR", &failure.to_string());
        }
        outcome(answer, instantiate)
    }

    fn failure(&self, error: &wasmtime::Error) -> RunFailure {
        match error.downcast_ref::<LimitHit>() {
            Some(LimitHit::Cpu) => return RunFailure::CpuLimit(self.limits.cpu_time),
            Some(LimitHit::Time) => return RunFailure::Timeout(self.limits.run_timeout),
            None => {}
        }
        let text = format!("{error:#}");
        if text.contains("forcing trap when growing memory") {
            return RunFailure::MemoryLimit(self.limits.memory_bytes);
        }
        if text.contains("too much data is being copied between the host and the guest") {
            return RunFailure::AnswerTooLarge(self.limits.memory_bytes);
        }
        // The cause first; wasmtime's wasm backtrace after it.
        let cause = error.root_cause().to_string();
        if cause.is_empty() || text.starts_with(&cause) {
            RunFailure::Trap(text)
        } else {
            RunFailure::Trap(format!("{cause} ({text})"))
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

fn spawn_epoch_ticker(engine: Engine, stop: Arc<AtomicBool>) {
    std::thread::Builder::new()
        .name("epoch-ticker".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(engine::EPOCH_TICK);
                engine.increment_epoch();
            }
        })
        .expect("cannot start the epoch thread");
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LimitHit {
    Cpu,
    Time,
}

impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LimitHit::Cpu => "CPU limit exceeded",
            LimitHit::Time => "time limit exceeded",
        })
    }
}

impl std::error::Error for LimitHit {}
