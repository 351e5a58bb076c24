//! What one run may use. Each run gets its own store with these limits.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Linear memory of the component instance.
    pub memory_bytes: usize,
    /// Wall-clock time of a whole run, waiting on the network included.
    pub run_timeout: Duration,
    /// Time the guest may spend executing WebAssembly (not waiting on the network).
    pub cpu_time: Duration,
    /// Outgoing HTTP requests in flight at once.
    pub max_concurrent_requests: usize,
    /// Largest HTTP response body the host passes to the guest.
    pub max_response_bytes: usize,
    /// Time allowed to open a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Longest wait for a response to start, or between two parts of its body.
    pub response_timeout: Duration,
    /// Total size of the configuration handed to the guest (keys and values).
    pub max_config_bytes: usize,
    /// Size of the tenant log kept in memory.
    pub log_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 512 << 20,
            run_timeout: Duration::from_secs(30 * 60),
            cpu_time: Duration::from_secs(5 * 60),
            max_concurrent_requests: 64,
            max_response_bytes: 16 << 20,
            connect_timeout: Duration::from_secs(10),
            response_timeout: Duration::from_secs(60),
            max_config_bytes: 1 << 20,
            log_bytes: 1 << 20,
        }
    }
}
