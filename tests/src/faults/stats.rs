//! What the proxy saw: requests per operation and per table, faults injected, connections,
//! and how many requests were in flight at once.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A snapshot of the counters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Requests per operation (`ListTables`, `DescribeTable`, ...).
    pub requests: BTreeMap<String, u64>,
    /// Requests per operation and `TableName` (requests without one are not in here).
    pub requests_per_table: BTreeMap<(String, String), u64>,
    /// Faults injected, per [`Fault::name`](super::Fault::name).
    pub faults: BTreeMap<String, u64>,
    /// Of those, throttling answers.
    pub throttles: u64,
    /// Client connections accepted.
    pub connections: u64,
    /// Requests the upstream server could not answer (the client got a 502).
    pub upstream_errors: u64,
    /// Most requests in flight at once. A request is in flight from when the proxy has read
    /// it to just before the last byte of its answer leaves (or the connection is cut), so
    /// never longer than the client itself sees it in flight.
    pub max_in_flight: usize,
    /// The sum of every request's time in flight.
    pub in_flight_time: Duration,
    /// From the first request's arrival to the last answer's end.
    pub window: Duration,
}

impl Stats {
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }

    pub fn total_faults(&self) -> u64 {
        self.faults.values().sum()
    }

    pub fn requests_for(&self, operation: &str) -> u64 {
        self.requests.get(operation).copied().unwrap_or(0)
    }

    pub fn requests_on(&self, operation: &str, table: &str) -> u64 {
        self.requests_per_table
            .get(&(operation.to_string(), table.to_string()))
            .copied()
            .unwrap_or(0)
    }

    pub fn faults_of(&self, name: &str) -> u64 {
        self.faults.get(name).copied().unwrap_or(0)
    }

    /// The time-weighted average number of requests in flight over [`Stats::window`].
    pub fn average_in_flight(&self) -> f64 {
        if self.window.is_zero() {
            return 0.0;
        }
        self.in_flight_time.as_secs_f64() / self.window.as_secs_f64()
    }
}

/// The live counters, shared by the proxy's connections.
#[derive(Default)]
pub(super) struct Recorder {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    stats: Stats,
    in_flight: usize,
    last_change: Option<Instant>,
    first_arrival: Option<Instant>,
    last_answer: Option<Instant>,
    /// Requests per operation and table since the plan was installed: a request's draw.
    arrivals: BTreeMap<(String, Option<String>), u64>,
}

impl State {
    fn advance(&mut self, now: Instant) {
        if let Some(last) = self.last_change {
            self.stats.in_flight_time += (now - last) * self.in_flight as u32;
        }
        self.last_change = Some(now);
    }
}

/// A request in flight; counted out when dropped.
pub(super) struct InFlight {
    recorder: Arc<Recorder>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let now = Instant::now();
        let mut s = self.recorder.lock();
        s.advance(now);
        s.in_flight -= 1;
        s.last_answer = Some(now);
    }
}

impl Recorder {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn connection(&self) {
        self.lock().stats.connections += 1;
    }

    /// Counts a request in; returns how many requests for this operation and table came
    /// before it, and a guard that counts it out.
    pub(super) fn arrive(
        self: &Arc<Self>,
        operation: &str,
        table: Option<&str>,
    ) -> (u64, InFlight) {
        let now = Instant::now();
        let mut s = self.lock();
        s.advance(now);
        s.in_flight += 1;
        s.stats.max_in_flight = s.stats.max_in_flight.max(s.in_flight);
        s.first_arrival.get_or_insert(now);
        *s.stats.requests.entry(operation.to_string()).or_default() += 1;
        if let Some(table) = table {
            *s.stats
                .requests_per_table
                .entry((operation.to_string(), table.to_string()))
                .or_default() += 1;
        }
        let arrivals = s
            .arrivals
            .entry((operation.to_string(), table.map(str::to_string)))
            .or_default();
        let nth = *arrivals;
        *arrivals += 1;
        (
            nth,
            InFlight {
                recorder: self.clone(),
            },
        )
    }

    pub(super) fn fault(&self, name: String, throttling: bool) {
        let mut s = self.lock();
        *s.stats.faults.entry(name).or_default() += 1;
        s.stats.throttles += u64::from(throttling);
    }

    pub(super) fn upstream_error(&self) {
        self.lock().stats.upstream_errors += 1;
    }

    /// Starts the draws over, for a newly installed plan.
    pub(super) fn restart_draws(&self) {
        self.lock().arrivals.clear();
    }

    pub(super) fn snapshot(&self) -> Stats {
        let now = Instant::now();
        let mut s = self.lock();
        s.advance(now);
        let mut stats = s.stats.clone();
        if let Some(first) = s.first_arrival {
            let end = if s.in_flight > 0 {
                now
            } else {
                s.last_answer.unwrap_or(now)
            };
            stats.window = end - first;
        }
        stats
    }

    /// Zeroes the counters (requests in flight stay counted in until they end).
    pub(super) fn reset(&self) {
        let now = Instant::now();
        let mut s = self.lock();
        s.advance(now);
        s.stats = Stats::default();
        s.first_arrival = (s.in_flight > 0).then_some(now);
        s.last_answer = None;
    }
}
