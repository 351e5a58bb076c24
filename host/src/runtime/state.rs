//! The store data of one run: a WASI context with nothing but a captured log (no files, no
//! environment, no sockets, no arguments), the HTTP context with the run's outbound policy,
//! the run's configuration, and its resource limits.

use super::budget::RunLimiter;
use super::guest_clock::GuestClock;
use super::log::TenantLog;
use super::outbound::OutboundPolicy;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_config::{WasiConfig, WasiConfigVariables};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// Resources (WASI handles) a run may hold at once.
const MAX_RESOURCES: usize = 4096;
/// Size of one set of HTTP header fields (the host's in-memory measure).
const MAX_FIELDS_BYTES: usize = 16 * 1024;

pub struct RunState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    config: WasiConfigVariables,
    outbound: OutboundPolicy,
    pub(super) limits: RunLimiter,
    pub(super) clock: GuestClock,
}

impl RunState {
    pub fn new(
        config: Vec<(String, String)>,
        outbound: OutboundPolicy,
        log: &TenantLog,
        limits: RunLimiter,
    ) -> Self {
        let wasi = WasiCtx::builder()
            .stdout(log.clone())
            .stderr(log.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .socket_addr_check(|_, _| Box::pin(async { false }))
            .build();
        // What the host holds for the guest (requests, header fields, streams, pollables) is
        // bounded too: a few handles per request in flight is all a connector needs.
        let mut table = ResourceTable::new();
        table.set_max_capacity(MAX_RESOURCES);
        let mut http = WasiHttpCtx::new();
        http.set_field_size_limit(MAX_FIELDS_BYTES);
        RunState {
            wasi,
            http,
            table,
            config: WasiConfigVariables::from_iter(config),
            outbound,
            clock: GuestClock::default(),
            limits,
        }
    }

    pub fn config(&mut self) -> WasiConfig<'_> {
        WasiConfig::from(&self.config)
    }
}

impl WasiView for RunState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for RunState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.outbound,
        }
    }
}
