//! Time a run's guest spent executing: only the intervals when its code runs, from a call into
//! it (or a return from a host call) to its next host call (or its return). Time in host calls
//! (network, clocks), between calls into the guest (while the sink writes, a terminal or a pipe
//! is slow), and while the guest is parked at an epoch yield (other runs have the thread) is not
//! counted. Kept in the store's data and updated by the store's call hook, so it needs no lock;
//! only the moment a parked guest resumes is handed over through [`Resumed`].

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wasmtime::CallHook;

#[derive(Debug, Default)]
pub struct GuestClock {
    /// Guest time of the intervals that have ended.
    total: Duration,
    /// When the current interval began, while the guest's code runs.
    running_since: Option<Instant>,
    /// Set when a parked guest is resumed: the start of its next interval.
    resumed: Resumed,
}

/// The instant a guest parked at an epoch yield was resumed, written by the yield's future
/// (which completes right before the guest's code goes on, on the same thread).
#[derive(Debug, Default, Clone)]
pub struct Resumed(Arc<Mutex<Option<Instant>>>);

impl Resumed {
    /// A future that parks the guest once (so other runs on this thread make progress) and
    /// marks when it goes on.
    pub fn park(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mark = self.0.clone();
        async move {
            tokio::task::yield_now().await;
            *mark.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        }
    }

    fn take(&self) -> Option<Instant> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

impl GuestClock {
    pub fn event(&mut self, hook: CallHook) {
        self.event_at(hook, Instant::now());
    }

    /// Guest time so far, the current interval included.
    pub fn guest_time(&mut self) -> Duration {
        self.guest_time_at(Instant::now())
    }

    /// The guest is parked at an epoch yield: its interval ends now; the future it waits on
    /// marks when the next one begins.
    pub fn park(&mut self) -> impl std::future::Future<Output = ()> + Send + 'static {
        self.stop_at(Instant::now());
        self.resumed.park()
    }

    fn event_at(&mut self, hook: CallHook, now: Instant) {
        self.adopt_resume();
        match hook {
            CallHook::CallingWasm | CallHook::ReturningFromHost => {
                self.running_since = Some(now);
            }
            CallHook::CallingHost | CallHook::ReturningFromWasm => self.stop_at(now),
        }
    }

    fn guest_time_at(&mut self, now: Instant) -> Duration {
        self.adopt_resume();
        let current = self
            .running_since
            .map(|since| now.saturating_duration_since(since))
            .unwrap_or_default();
        self.total + current
    }

    fn stop_at(&mut self, now: Instant) {
        if let Some(since) = self.running_since.take() {
            self.total += now.saturating_duration_since(since);
        }
    }

    /// A guest resumed from a yield runs from the moment its future completed.
    fn adopt_resume(&mut self) {
        if let Some(at) = self.resumed.take() {
            self.running_since = Some(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t0: Instant, ms: u64) -> Instant {
        t0 + Duration::from_millis(ms)
    }

    #[test]
    fn time_in_host_calls_is_not_guest_time() {
        let t0 = Instant::now();
        let mut clock = GuestClock::default();
        assert_eq!(clock.guest_time_at(at(t0, 5)), Duration::ZERO);
        clock.event_at(CallHook::CallingWasm, at(t0, 0));
        clock.event_at(CallHook::CallingHost, at(t0, 10));
        clock.event_at(CallHook::ReturningFromHost, at(t0, 1010));
        clock.event_at(CallHook::CallingHost, at(t0, 1015));
        clock.event_at(CallHook::ReturningFromHost, at(t0, 2015));
        assert_eq!(clock.guest_time_at(at(t0, 2020)), Duration::from_millis(20));
    }

    #[test]
    fn time_between_calls_into_the_guest_is_not_guest_time() {
        // A streamed run calls the guest for each batch; between two calls the host writes
        // the last batch to a sink that may be slow.
        let t0 = Instant::now();
        let mut clock = GuestClock::default();
        clock.event_at(CallHook::CallingWasm, at(t0, 0));
        clock.event_at(CallHook::ReturningFromWasm, at(t0, 30));
        assert_eq!(
            clock.guest_time_at(at(t0, 5_000)),
            Duration::from_millis(30)
        );
        clock.event_at(CallHook::CallingWasm, at(t0, 5_000));
        clock.event_at(CallHook::ReturningFromWasm, at(t0, 5_040));
        assert_eq!(
            clock.guest_time_at(at(t0, 60_000)),
            Duration::from_millis(70)
        );
    }

    #[test]
    fn time_parked_at_a_yield_is_not_guest_time() {
        let t0 = Instant::now();
        let mut clock = GuestClock::default();
        clock.event_at(CallHook::CallingWasm, at(t0, 0));
        // Parked at 10 ms by the epoch callback; resumed at 500 ms.
        clock.stop_at(at(t0, 10));
        *clock.resumed.0.lock().unwrap() = Some(at(t0, 500));
        assert_eq!(clock.guest_time_at(at(t0, 520)), Duration::from_millis(30));
        clock.event_at(CallHook::ReturningFromWasm, at(t0, 530));
        assert_eq!(
            clock.guest_time_at(at(t0, 9_000)),
            Duration::from_millis(40)
        );
    }

    #[tokio::test]
    async fn the_parking_future_marks_the_resume() {
        let mut clock = GuestClock::default();
        clock.event(CallHook::CallingWasm);
        let parked = clock.park();
        let frozen = clock.guest_time();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(clock.guest_time(), frozen, "no time counts while parked");
        parked.await;
        std::thread::sleep(Duration::from_millis(20));
        let running = clock.guest_time();
        assert!(running >= frozen + Duration::from_millis(20), "{running:?}");
        assert!(running < frozen + Duration::from_millis(50), "{running:?}");
    }
}
