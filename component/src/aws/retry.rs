//! Exponential backoff with full jitter (the AWS SDKs' "standard" retry strategy): the n-th
//! retry waits a random time in `[0, min(cap, base * 2^n)]`. Throttling starts from a larger
//! base so that a throttled account gets room to recover.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    pub base: Duration,
    pub throttling_base: Duration,
    pub cap: Duration,
}

impl RetryPolicy {
    pub fn with_max_attempts(max_attempts: u32) -> Self {
        RetryPolicy {
            max_attempts: max_attempts.max(1),
            base: Duration::from_millis(50),
            throttling_base: Duration::from_millis(250),
            cap: Duration::from_secs(5),
        }
    }

    /// Delay before retry number `retry` (0 for the first retry), `random` uniform in u64.
    pub fn backoff(&self, retry: u32, throttled: bool, random: u64) -> Duration {
        let base = if throttled {
            self.throttling_base
        } else {
            self.base
        };
        let ceiling = base
            .saturating_mul(1u32 << retry.min(16))
            .min(self.cap)
            .as_micros() as u64;
        Duration::from_micros(random % (ceiling + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::with_max_attempts(10);
        let max = u64::MAX;
        assert!(p.backoff(0, false, max) <= Duration::from_millis(50));
        assert!(p.backoff(3, false, max) <= Duration::from_millis(400));
        assert!(p.backoff(30, false, max) <= Duration::from_secs(5));
        assert!(p.backoff(30, true, max) <= Duration::from_secs(5));
        assert_eq!(p.backoff(5, false, 0), Duration::ZERO);
    }

    #[test]
    fn throttling_waits_longer() {
        let p = RetryPolicy::with_max_attempts(10);
        // the second retry: up to 100 ms normally, up to 500 ms when throttled
        assert_eq!(p.backoff(1, false, 100_000), Duration::from_micros(100_000));
        assert_eq!(p.backoff(1, false, 100_001), Duration::ZERO);
        assert_eq!(p.backoff(1, true, 499_999), Duration::from_micros(499_999));
    }

    #[test]
    fn at_least_one_attempt() {
        assert_eq!(RetryPolicy::with_max_attempts(0).max_attempts, 1);
    }
}
