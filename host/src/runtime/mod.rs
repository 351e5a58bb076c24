//! Running the connector component in a sandbox: one engine and one pre-instantiated component
//! for the process, one store per run with its own configuration, allowlist, limits and log.

pub mod bindings;
pub mod budget;
pub mod engine;
mod guest_clock;
pub mod limits;
pub mod linker;
pub mod log;
pub mod outbound;
mod state;

use crate::config_check::ConfigSchema;
use crate::connector::Manifest;
use bindings::MetadataSourcePre;
use bindings::types::{Batch, ConnectionCheck, ConnectorError, RunScope};
use budget::{Held, MemoryBudget, MemoryLimitHit};
use limits::Limits;
use log::TenantLog;
use outbound::{Allowlist, OutboundLimits, OutboundPolicy, Resolver, SystemResolver};
use state::RunState;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use wasmtime::Result;
use wasmtime::error::Context as _;
use wasmtime::{Engine, Store, UpdateDeadline};

pub use engine::Origin;

/// Outcomes a host asks for per batch at most.
pub const BATCH_TABLES: u32 = 100;
/// Warnings a host asks for per batch at most.
pub const BATCH_WARNINGS: u32 = 100;

/// One run of the component for one tenant.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub tenant: String,
    pub config: Vec<(String, String)>,
    pub allowlist: Allowlist,
    /// Values to strike from the tenant's log (its secret key, session token, ...).
    pub secrets: Vec<String>,
    /// Echo the tenant's log to stderr as it is written, with this prefix.
    pub echo_log: Option<String>,
}

/// What a streamed run hands the sink, in order: its scope, then its batches.
#[derive(Debug)]
pub enum Event {
    Scope(RunScope),
    Batch(HeldBatch),
}

/// A batch copied out of the guest, counted against the run's memory until dropped.
#[derive(Debug)]
pub struct HeldBatch {
    pub batch: Batch,
    held: Held,
}

impl HeldBatch {
    /// What the batch costs the run's memory (an estimate: its JSON size).
    pub fn bytes(&self) -> usize {
        self.held.bytes()
    }
}

/// Why a run produced no answer, or stopped before its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunFailure {
    /// The run took longer than the wall-clock limit.
    Timeout(Duration),
    /// The guest executed for longer than its CPU budget.
    CpuLimit(Duration),
    /// The guest's memory and what the host held for it reached the limit.
    MemoryLimit(usize),
    /// The configuration is larger than allowed.
    ConfigTooLarge { bytes: usize, limit: usize },
    /// One answer of the guest was larger than the host copies out at once.
    AnswerTooLarge(usize),
    /// A batch broke the limits the host asked for (more outcomes or warnings, a table
    /// without an outcome).
    BatchOverLimits(String),
    /// The sink stopped taking batches (it failed); the run was stopped.
    SinkStopped,
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
                "stopped: one answer of the connector is larger than the {} MiB the host copies out at once",
                limit >> 20
            ),
            RunFailure::BatchOverLimits(why) => {
                write!(f, "stopped: the connector's batch breaks its limits: {why}")
            }
            RunFailure::SinkStopped => write!(f, "stopped: the sink failed"),
            RunFailure::Trap(message) => write!(f, "the connector crashed: {message}"),
        }
    }
}

/// What crossed from the guest to the host in a streamed run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Boundary {
    pub batches: u64,
    /// Most outcomes in one batch.
    pub largest_batch_tables: usize,
    /// Largest batch, in the bytes counted against the run's memory.
    pub largest_batch_bytes: usize,
    /// Most bytes of batches the host held at once.
    pub peak_held_bytes: usize,
}

#[derive(Debug)]
pub struct RunOutcome<T> {
    pub tenant: String,
    pub answer: Result<T, RunFailure>,
    pub log: Vec<String>,
    pub elapsed: Duration,
    pub instantiate: Duration,
    pub boundary: Boundary,
}

pub struct Runtime {
    engine: Engine,
    pre: MetadataSourcePre<RunState>,
    limits: Limits,
    resolver: Arc<dyn Resolver>,
    /// The component's configuration schema, asked once.
    config_schema: tokio::sync::OnceCell<Result<Arc<ConfigSchema>, String>>,
    /// The component's manifest, asked once and checked.
    manifest: tokio::sync::OnceCell<Result<Arc<Manifest>, String>>,
    origin: Origin,
    load_time: Duration,
    ticker_stop: Arc<AtomicBool>,
}

/// A run's store, set up but not yet instantiated.
struct Prepared {
    store: Store<RunState>,
    log: TenantLog,
    budget: Arc<MemoryBudget>,
    started: Instant,
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
        let bytes = std::fs::read(component).with_context(|| {
            format!(
                "cannot read the connector component {}",
                component.display()
            )
        })?;
        Runtime::from_bytes(
            &bytes,
            &component.display().to_string(),
            cache_dir,
            limits,
            pooled_runs,
        )
    }

    /// A runtime for the component `bytes` (those that were checked, e.g. against a signature,
    /// not a file that could change since); `name` says where they came from, for errors.
    pub fn from_bytes(
        bytes: &[u8],
        name: &str,
        cache_dir: Option<&Path>,
        limits: Limits,
        pooled_runs: Option<u32>,
    ) -> Result<Runtime> {
        let pool = pooled_runs.map(|instances| engine::Pool {
            instances,
            memory_bytes: limits.memory_bytes,
        });
        let engine = engine::engine(pool)?;
        let loaded = engine::load_component(&engine, bytes, name, cache_dir)?;
        let unexpected = linker::unexpected_imports(&engine, &loaded.component);
        if !unexpected.is_empty() {
            wasmtime::bail!(
                "the component {name} imports what a connector may not use: {}; a connector imports \
                 only wasi:http, wasi:config, wasi:clocks and the WASI interfaces Rust's std pulls in",
                unexpected.join(", ")
            );
        }
        let linker = linker::linker(&engine)?;
        let pre = linker
            .instantiate_pre(&loaded.component)
            .context("the component does not fit this host")?;
        let pre = MetadataSourcePre::new(pre)
            .context("the component does not export catalog:connector/source")?;
        let ticker_stop = Arc::new(AtomicBool::new(false));
        spawn_epoch_ticker(engine.clone(), ticker_stop.clone());
        Ok(Runtime {
            engine,
            pre,
            limits,
            resolver: Arc::new(SystemResolver),
            config_schema: tokio::sync::OnceCell::new(),
            manifest: tokio::sync::OnceCell::new(),
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

    /// Resolves the runs' destination names with `resolver` instead of the system's.
    pub fn with_resolver(mut self, resolver: Arc<dyn Resolver>) -> Runtime {
        self.resolver = resolver;
        self
    }

    /// The component's `configuration-schema`: its configuration keys as a JSON Schema. Runs
    /// in a sandbox of its own with no configuration and no network.
    pub async fn configuration_schema(&self) -> Result<String, RunFailure> {
        let request = RunRequest {
            tenant: "configuration-schema".to_string(),
            config: Vec::new(),
            allowlist: Allowlist::default(),
            secrets: Vec::new(),
            echo_log: None,
        };
        let prepared = self.prepare(&request).map_err(|(failure, _)| failure)?;
        let (log, budget) = (prepared.log.clone(), prepared.budget.clone());
        let mut store = prepared.store;
        let call = async {
            let instance = self.pre.instantiate_async(&mut store).await?;
            store.set_hostcall_fuel(budget.room_for_batch().await);
            instance
                .catalog_connector_source()
                .call_configuration_schema(&mut store)
                .await
        };
        self.bounded(call, &log).await
    }

    /// The component's manifest, checked ([`Manifest::check`]): asked once, in a sandbox of its
    /// own with no configuration and no network.
    pub async fn manifest(&self) -> Result<Arc<Manifest>, String> {
        self.manifest
            .get_or_init(|| async {
                let request = RunRequest {
                    tenant: "manifest".to_string(),
                    config: Vec::new(),
                    allowlist: Allowlist::default(),
                    secrets: Vec::new(),
                    echo_log: None,
                };
                let declared = self
                    .call(&request, |instance, store| {
                        Box::pin(instance.catalog_connector_source().call_manifest(store))
                    })
                    .await
                    .map_err(|f| format!("the component's manifest: {f}"))?;
                Manifest::check(declared)
                    .map(Arc::new)
                    .map_err(|why| format!("the component's manifest is refused: {why}"))
            })
            .await
            .clone()
    }

    /// The destinations a run's configuration implies, as the component computes them in a
    /// sandbox with the run's configuration and no network, checked: at most
    /// [`outbound::MAX_DECLARED_DESTINATIONS`], each http(s) with a plain host name or address
    /// and a port, an address only when a URL of the configuration names it
    /// ([`outbound::Declared::check_all`]). `secrets` are struck from the errors.
    pub async fn destinations(
        &self,
        config: &[(String, String)],
        secrets: &[String],
    ) -> Result<Vec<outbound::Declared>, String> {
        let request = RunRequest {
            tenant: "destinations".to_string(),
            config: config.to_vec(),
            allowlist: Allowlist::default(),
            secrets: secrets.to_vec(),
            echo_log: None,
        };
        let answer = self
            .call(&request, |instance, store| {
                Box::pin(instance.catalog_connector_source().call_destinations(store))
            })
            .await
            .map_err(|f| format!("the component's destinations: {f}"))?;
        let declared = answer.map_err(|e| {
            crate::secret::Redactor::new(secrets)
                .redact(&crate::connector::connector_error(&e))
                .into_owned()
        })?;
        let named: Vec<outbound::Destination> = config
            .iter()
            .filter_map(|(_, value)| outbound::Destination::from_url(value).ok())
            .collect();
        outbound::Declared::check_all(declared, &named)
    }

    /// One call on a fresh instance with `request`'s configuration, bounded like a run.
    async fn call<T>(
        &self,
        request: &RunRequest,
        f: impl for<'a> FnOnce(
            &'a bindings::MetadataSource,
            &'a mut Store<RunState>,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = wasmtime::Result<T>> + Send + 'a>,
        >,
    ) -> Result<T, RunFailure> {
        let prepared = self.prepare(request).map_err(|(failure, _)| failure)?;
        let (log, budget) = (prepared.log.clone(), prepared.budget.clone());
        let mut store = prepared.store;
        let call = async {
            let instance = self.pre.instantiate_async(&mut store).await?;
            store.set_hostcall_fuel(budget.room_for_batch().await);
            f(&instance, &mut store).await
        };
        self.bounded(call, &log).await
    }

    /// Checks a run's configuration against the component's configuration schema; the error
    /// names each key at fault.
    pub async fn check_configuration(&self, config: &[(String, String)]) -> Result<(), String> {
        let schema = self
            .config_schema
            .get_or_init(|| async {
                let text = self
                    .configuration_schema()
                    .await
                    .map_err(|f| format!("the component's configuration schema: {f}"))?;
                ConfigSchema::new(&text).map(Arc::new)
            })
            .await
            .clone()?;
        schema.check(config)
    }

    /// Runs `test-connection`.
    pub async fn test_connection(
        &self,
        request: RunRequest,
    ) -> RunOutcome<Result<ConnectionCheck, ConnectorError>> {
        let prepared = match self.prepare(&request) {
            Ok(p) => p,
            Err((failure, log)) => return failed(&request, failure, log),
        };
        let mut instantiate = Duration::ZERO;
        let (log, budget, started) = (
            prepared.log.clone(),
            prepared.budget.clone(),
            prepared.started,
        );
        let mut store = prepared.store;
        let call = async {
            let instantiating = Instant::now();
            let instance = self.pre.instantiate_async(&mut store).await?;
            instantiate = instantiating.elapsed();
            store.set_hostcall_fuel(budget.room_for_batch().await);
            instance
                .catalog_connector_source()
                .call_test_connection(&mut store)
                .await
        };
        let answer = self.bounded(call, &log).await;
        RunOutcome {
            tenant: request.tenant.clone(),
            answer,
            log: log.lines(),
            elapsed: started.elapsed(),
            instantiate,
            boundary: Boundary::default(),
        }
    }

    /// Runs a streamed ingestion: sends the run's scope, then each batch, to `events`, and
    /// answers how the stream ended. Whatever stops the run (a limit, a trap, the connector's
    /// error), what was sent before stays sent. A full `events` holds the guest back; a closed
    /// one stops the run.
    pub async fn ingest(
        &self,
        request: RunRequest,
        events: mpsc::Sender<Event>,
    ) -> RunOutcome<Result<(), ConnectorError>> {
        let prepared = match self.prepare(&request) {
            Ok(p) => p,
            Err((failure, log)) => return failed(&request, failure, log),
        };
        let mut instantiate = Duration::ZERO;
        let mut boundary = Boundary::default();
        let (log, budget, started) = (
            prepared.log.clone(),
            prepared.budget.clone(),
            prepared.started,
        );
        let mut store = prepared.store;
        let call = async {
            let instantiating = Instant::now();
            let instance = self.pre.instantiate_async(&mut store).await?;
            instantiate = instantiating.elapsed();
            let source = instance.catalog_connector_source();
            store.set_hostcall_fuel(budget.room_for_batch().await);
            let stream = match source.call_start_ingestion(&mut store).await? {
                Ok(stream) => stream,
                Err(error) => return Ok(Err(error)),
            };
            let scope = source
                .ingestion_stream()
                .call_scope(&mut store, stream)
                .await?;
            if events.send(Event::Scope(scope)).await.is_err() {
                return Err(RunFailure::SinkStopped.into());
            }
            loop {
                store.set_hostcall_fuel(budget.room_for_batch().await);
                let next = source
                    .ingestion_stream()
                    .call_next_batch(&mut store, stream, BATCH_TABLES, BATCH_WARNINGS)
                    .await?;
                let batch = match next {
                    Ok(Some(batch)) => batch,
                    Ok(None) => return Ok(Ok(())),
                    Err(error) => return Ok(Err(error)),
                };
                check_batch(&batch).map_err(RunFailure::BatchOverLimits)?;
                let held = budget.hold(footprint(&batch));
                boundary.batches += 1;
                boundary.largest_batch_tables =
                    boundary.largest_batch_tables.max(batch.outcomes.len());
                boundary.largest_batch_bytes = boundary.largest_batch_bytes.max(held.bytes());
                if events
                    .send(Event::Batch(HeldBatch { batch, held }))
                    .await
                    .is_err()
                {
                    return Err(RunFailure::SinkStopped.into());
                }
            }
        };
        let answer = self.bounded(call, &log).await;
        boundary.peak_held_bytes = budget.peak_held();
        RunOutcome {
            tenant: request.tenant.clone(),
            answer,
            log: log.lines(),
            elapsed: started.elapsed(),
            instantiate,
            boundary,
        }
    }

    /// The store of one run: its configuration, allowlist, limits and log.
    fn prepare(&self, request: &RunRequest) -> Result<Prepared, (RunFailure, TenantLog)> {
        let started = Instant::now();
        let limits = &self.limits;
        let log = TenantLog::new(
            &request.tenant,
            request.echo_log.clone().unwrap_or_default(),
            request.echo_log.is_some(),
            limits.log_bytes,
            request.secrets.clone(),
        );
        let config_bytes: usize = request.config.iter().map(|(k, v)| k.len() + v.len()).sum();
        if config_bytes > limits.max_config_bytes {
            return Err((
                RunFailure::ConfigTooLarge {
                    bytes: config_bytes,
                    limit: limits.max_config_bytes,
                },
                log,
            ));
        }
        let policy = OutboundPolicy::new(
            Arc::new(request.allowlist.clone()),
            self.resolver.clone(),
            log.clone(),
            OutboundLimits {
                max_concurrent_requests: limits.max_concurrent_requests,
                max_response_bytes: limits.max_response_bytes as u64,
                connect_timeout: limits.connect_timeout,
                response_timeout: limits.response_timeout,
            },
        );
        let budget = MemoryBudget::new(limits.memory_bytes);
        let state = RunState::new(request.config.clone(), policy, &log, budget.limiter());
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limits);
        store.call_hook(|mut store, hook| {
            store.data_mut().clock.event(hook);
            Ok(())
        });
        let cpu_limit = limits.cpu_time;
        let deadline = started + limits.run_timeout;
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |mut store| {
            let clock = &mut store.data_mut().clock;
            if clock.guest_time() > cpu_limit {
                return Err(LimitHit::Cpu.into());
            }
            if Instant::now() > deadline {
                return Err(LimitHit::Time.into());
            }
            // Yield so that other runs on this thread make progress; the time parked is not
            // the guest's.
            Ok(UpdateDeadline::YieldCustom(1, Box::pin(clock.park())))
        });
        Ok(Prepared {
            store,
            log,
            budget,
            started,
        })
    }

    /// `call` within the run's wall-clock limit, its failure classified and logged.
    async fn bounded<T>(
        &self,
        call: impl std::future::Future<Output = wasmtime::Result<T>>,
        log: &TenantLog,
    ) -> Result<T, RunFailure> {
        let answer = match tokio::time::timeout(self.limits.run_timeout, call).await {
            Err(_) => Err(RunFailure::Timeout(self.limits.run_timeout)),
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(error)) => {
                let failure = self.failure(&error);
                if let RunFailure::Trap(_) = failure {
                    log.host("ERROR", &format!("the connector trapped: {error:#}"));
                }
                Err(failure)
            }
        };
        if let Err(failure) = &answer {
            log.host("ERROR", &failure.to_string());
        }
        answer
    }

    fn failure(&self, error: &wasmtime::Error) -> RunFailure {
        if let Some(failure) = error.downcast_ref::<RunFailure>() {
            return failure.clone();
        }
        match error.downcast_ref::<LimitHit>() {
            Some(LimitHit::Cpu) => return RunFailure::CpuLimit(self.limits.cpu_time),
            Some(LimitHit::Time) => return RunFailure::Timeout(self.limits.run_timeout),
            None => {}
        }
        if error.downcast_ref::<MemoryLimitHit>().is_some() {
            return RunFailure::MemoryLimit(self.limits.memory_bytes);
        }
        let text = format!("{error:#}");
        if text.contains("memory limit reached") {
            return RunFailure::MemoryLimit(self.limits.memory_bytes);
        }
        if text.contains("too much data is being copied between the host and the guest") {
            return RunFailure::AnswerTooLarge(budget::MAX_BATCH_BYTES);
        }
        // The cause alone: wasmtime's wasm backtrace names the guest's own functions, which
        // say nothing to a user (the tenant's log has the whole text).
        let cause = error.root_cause().to_string();
        RunFailure::Trap(if cause.is_empty() { text } else { cause })
    }
}

impl std::error::Error for RunFailure {}

/// The outcome of a run that could not start.
fn failed<T>(request: &RunRequest, failure: RunFailure, log: TenantLog) -> RunOutcome<T> {
    log.host("ERROR", &failure.to_string());
    RunOutcome {
        tenant: request.tenant.clone(),
        answer: Err(failure),
        log: log.lines(),
        elapsed: Duration::ZERO,
        instantiate: Duration::ZERO,
        boundary: Boundary::default(),
    }
}

/// A batch must keep to what the host asked for.
fn check_batch(batch: &Batch) -> Result<(), String> {
    if batch.outcomes.len() > BATCH_TABLES as usize {
        return Err(format!(
            "{} outcomes, more than the {BATCH_TABLES} asked for",
            batch.outcomes.len()
        ));
    }
    if batch.warnings.len() > BATCH_WARNINGS as usize {
        return Err(format!(
            "{} warnings, more than the {BATCH_WARNINGS} asked for",
            batch.warnings.len()
        ));
    }
    let ingested = batch
        .outcomes
        .iter()
        .filter(|o| matches!(o.status, bindings::types::TableStatus::Ingested))
        .count();
    if batch.tables.len() != ingested {
        return Err(format!(
            "{} tables for {ingested} ingested outcomes",
            batch.tables.len()
        ));
    }
    Ok(())
}

/// What a batch costs the host's memory, estimated by its JSON size (strings dominate both).
fn footprint(batch: &Batch) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, batch);
    count.0 + std::mem::size_of::<Batch>()
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
