//! Time a run's guest spent executing: wall time since the first call into it, minus the time
//! it spent waiting in host calls (network, clocks). Kept in the store's data and updated by
//! the store's call hook, so it needs no lock.

use std::time::{Duration, Instant};
use wasmtime::CallHook;

#[derive(Debug, Default)]
pub struct GuestClock {
    started: Option<Instant>,
    in_host_since: Option<Instant>,
    host_total: Duration,
}

impl GuestClock {
    pub fn event(&mut self, hook: CallHook) {
        self.event_at(hook, Instant::now());
    }

    pub fn guest_time(&self) -> Duration {
        self.guest_time_at(Instant::now())
    }

    fn event_at(&mut self, hook: CallHook, now: Instant) {
        match hook {
            CallHook::CallingWasm => {
                self.started.get_or_insert(now);
            }
            CallHook::CallingHost => self.in_host_since = Some(now),
            CallHook::ReturningFromHost => {
                if let Some(since) = self.in_host_since.take() {
                    self.host_total += now - since;
                }
            }
            CallHook::ReturningFromWasm => {}
        }
    }

    fn guest_time_at(&self, now: Instant) -> Duration {
        match self.started {
            Some(started) => (now - started).saturating_sub(self.host_total),
            None => Duration::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_in_host_calls_is_not_guest_time() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut clock = GuestClock::default();
        assert_eq!(clock.guest_time_at(at(5)), Duration::ZERO);
        clock.event_at(CallHook::CallingWasm, at(0));
        clock.event_at(CallHook::CallingHost, at(10));
        clock.event_at(CallHook::ReturningFromHost, at(1010));
        clock.event_at(CallHook::CallingHost, at(1015));
        clock.event_at(CallHook::ReturningFromHost, at(2015));
        assert_eq!(clock.guest_time_at(at(2020)), Duration::from_millis(20));
    }
}
