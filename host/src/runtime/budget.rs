//! One memory limit for everything a run makes the host hold: the guest's linear memory, and
//! the batches copied out of it until the sink has written them. The guest cannot grow its
//! memory into room the host holds for its batches, and a batch is copied out only into the
//! room that is left.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Notify;
use wasmtime::ResourceLimiter;

/// Largest batch the host copies out of the guest in one call.
pub const MAX_BATCH_BYTES: usize = 32 << 20;
/// Per component instance (the component's own and wit-component's adapter shims).
const MAX_INSTANCES: usize = 16;
const MAX_TABLES: usize = 16;
const MAX_MEMORIES: usize = 4;
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

#[derive(Debug)]
pub struct MemoryBudget {
    limit: usize,
    guest: AtomicUsize,
    held: AtomicUsize,
    peak_held: AtomicUsize,
    released: Notify,
}

/// The guest tried to grow its memory past what the budget leaves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryLimitHit;

impl std::fmt::Display for MemoryLimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("memory limit reached")
    }
}

impl std::error::Error for MemoryLimitHit {}

impl MemoryBudget {
    pub fn new(limit: usize) -> Arc<MemoryBudget> {
        Arc::new(MemoryBudget {
            limit,
            guest: AtomicUsize::new(0),
            held: AtomicUsize::new(0),
            peak_held: AtomicUsize::new(0),
            released: Notify::new(),
        })
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Bytes neither the guest's memory nor held batches use.
    pub fn room(&self) -> usize {
        self.limit
            .saturating_sub(self.guest.load(Ordering::Relaxed))
            .saturating_sub(self.held.load(Ordering::Relaxed))
    }

    /// How much the next batch may take: waits for held batches to be released while that is
    /// less than a whole batch's worth.
    pub async fn room_for_batch(&self) -> usize {
        loop {
            let released = self.released.notified();
            let room = self.room();
            if room >= MAX_BATCH_BYTES || self.held.load(Ordering::Relaxed) == 0 {
                return room.min(MAX_BATCH_BYTES);
            }
            released.await;
        }
    }

    /// Counts `bytes` of a batch copied out, until the returned guard is dropped.
    pub fn hold(self: &Arc<Self>, bytes: usize) -> Held {
        let now = self.held.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.peak_held.fetch_max(now, Ordering::Relaxed);
        Held {
            budget: self.clone(),
            bytes,
        }
    }

    /// The most the host held for the run's batches at once.
    pub fn peak_held(&self) -> usize {
        self.peak_held.load(Ordering::Relaxed)
    }

    pub fn limiter(self: &Arc<Self>) -> RunLimiter {
        RunLimiter {
            budget: self.clone(),
        }
    }
}

/// Bytes of a batch the host holds.
#[derive(Debug)]
pub struct Held {
    budget: Arc<MemoryBudget>,
    bytes: usize,
}

impl Held {
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.budget.held.fetch_sub(self.bytes, Ordering::Relaxed);
        self.budget.released.notify_waiters();
    }
}

/// The store's resource limiter: memory from the budget, fixed bounds on the rest.
pub struct RunLimiter {
    budget: Arc<MemoryBudget>,
}

impl ResourceLimiter for RunLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let budget = &self.budget;
        let others = budget.guest.load(Ordering::Relaxed).saturating_sub(current);
        let total = others
            .saturating_add(desired)
            .saturating_add(budget.held.load(Ordering::Relaxed));
        if total > budget.limit {
            return Err(MemoryLimitHit.into());
        }
        budget.guest.store(others + desired, Ordering::Relaxed);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }

    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_batches_leave_the_guest_less_room_until_released() {
        let budget = MemoryBudget::new(100);
        let mut limiter = budget.limiter();
        assert!(limiter.memory_growing(0, 60, None).unwrap());
        let held = budget.hold(30);
        assert_eq!(budget.room(), 10);
        assert!(limiter.memory_growing(60, 80, None).is_err());
        drop(held);
        assert!(limiter.memory_growing(60, 80, None).unwrap());
        assert_eq!(budget.room(), 20);
        assert_eq!(budget.peak_held(), 30);
    }

    #[tokio::test]
    async fn a_batch_waits_for_room_while_batches_are_held() {
        let budget = MemoryBudget::new(MAX_BATCH_BYTES + 10);
        let held = budget.hold(20);
        let waiting = {
            let budget = budget.clone();
            tokio::spawn(async move { budget.room_for_batch().await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(!waiting.is_finished());
        drop(held);
        assert_eq!(waiting.await.unwrap(), MAX_BATCH_BYTES);
    }
}
