//! [`Transport`] on WASI: requests through `wasi:http/outgoing-handler` (see [`super::http`]),
//! sleeping on `wasi:clocks/monotonic-clock` (via [`super::reactor`]), the time from
//! `wasi:clocks/wall-clock`.

use super::{http, reactor};
use crate::transport::{MAX_RESPONSE_BYTES, Request, Response, Transport, TransportError};
use std::cell::Cell;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

pub struct WasiTransport {
    request_timeout: Duration,
    rng: Cell<u64>,
}

impl WasiTransport {
    pub fn new(request_timeout: Duration) -> Self {
        // std's RandomState is seeded from wasi:random, which std imports anyway.
        let seed = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        WasiTransport {
            request_timeout,
            rng: Cell::new(seed | 1),
        }
    }
}

impl Transport for WasiTransport {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        http::exchange(request, self.request_timeout, MAX_RESPONSE_BYTES).await
    }

    async fn sleep(&self, duration: Duration) {
        reactor::sleep(duration).await;
    }

    fn poll_idle(&self, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        reactor::poll_idle(cx)
    }

    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn random(&self) -> u64 {
        // xorshift64*
        let mut x = self.rng.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.set(x);
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}
