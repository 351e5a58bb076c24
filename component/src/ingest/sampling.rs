//! Reading a representative, bounded sample of a table's items.
//!
//! The key space is divided into `sampleSegments` parallel-scan segments (`Segment` /
//! `TotalSegments`), and the sample reads one page from each in an order spread across the
//! key space (0, ½, ¼, ¾, …: the first few segments already cover it), then goes round again
//! while it is short, never just the head of the hash order as a plain Scan would. It stops
//! at the first limit reached, and says which limits applied:
//!
//! * `sampleSize` items;
//! * `sampleReadCapacityUnits`, counted from each page's `ConsumedCapacity` (pages are sized
//!   from the capacity items cost so far, so the cap is not overshot by more than an item);
//! * a read rate of `sampleScanRate` × the table's provisioned read capacity per second (a
//!   provisioned table: the sample waits between pages as needed);
//! * `sampleConvergenceItems` items in a row bringing no attribute path not seen before;
//! * the page limit and the time per table.

use super::Run;
use crate::aws::call::CallError;
use crate::catalog::{SamplingLimit, SamplingReport};
use crate::dynamodb::client::read_batch_get;
use crate::dynamodb::operations::{self, Operation};
use crate::mapping::sample::Sampler;
use crate::settings::Sampling;
use crate::transport::Transport;
use serde_json::Value;
use std::time::Duration;

/// Items asked of the first page: what the items of a table cost is not known before.
const FIRST_PAGE_ITEMS: u32 = 10;

/// Segments in an order spread across the key space (the van der Corput sequence, base 2).
pub fn spread_order(total: u32) -> Vec<u32> {
    let total = total.max(1);
    let mut seen = vec![false; total as usize];
    let mut order = Vec::with_capacity(total as usize);
    let mut k: u32 = 0;
    while order.len() < total as usize {
        let mut radical = 0.0;
        let mut weight = 0.5;
        let mut n = k;
        while n > 0 {
            if n & 1 == 1 {
                radical += weight;
            }
            weight /= 2.0;
            n >>= 1;
        }
        let segment = ((radical * f64::from(total)) as u32).min(total - 1);
        if !seen[segment as usize] {
            seen[segment as usize] = true;
            order.push(segment);
        }
        k = k.wrapping_add(1);
    }
    order
}

/// Where one segment's reading stands.
#[derive(Clone)]
enum Position {
    Start,
    After(Value),
    Done,
}

impl<T: Transport> Run<'_, '_, T> {
    /// Samples `table` into `sampler`; `provisioned_rcu` is its provisioned read capacity
    /// (none for on-demand tables).
    pub(super) async fn sample_items(
        &self,
        table: &str,
        size: u32,
        provisioned_rcu: Option<u64>,
        consumed_before: f64,
        chosen: &[Value],
        sampler: &mut Sampler,
    ) -> Result<SamplingReport, CallError> {
        let options: &Sampling = &self.settings.tuning.sampling;
        let transport = self.client.transport();
        let total = options.segments.clamp(1, size.max(1));
        let order = spread_order(total);
        let per_segment = size.div_ceil(total).max(1);
        let max_pages = total.saturating_mul(4).max(8);
        let started = transport.now();
        let rate = provisioned_rcu
            .filter(|r| *r > 0)
            .map(|r| options.scan_rate * r as f64);
        let mut positions = vec![Position::Start; total as usize];
        let mut report = SamplingReport {
            total_segments: total,
            consumed_capacity: consumed_before,
            ..SamplingReport::default()
        };
        let mut limits: Vec<SamplingLimit> = Vec::new();
        let add = |limit: SamplingLimit, limits: &mut Vec<SamplingLimit>| {
            if !limits.contains(&limit) {
                limits.push(limit);
            }
        };
        let mut segments_read = vec![false; total as usize];
        'rounds: loop {
            let mut progressed = false;
            for &segment in &order {
                let start = match &positions[segment as usize] {
                    Position::Done => continue,
                    Position::Start => None,
                    Position::After(key) => Some(key.clone()),
                };
                let items = sampler.items();
                if items >= size {
                    add(SamplingLimit::SampleSize, &mut limits);
                    break 'rounds;
                }
                if options.convergence_items > 0
                    && sampler.since_new_path() >= options.convergence_items
                {
                    add(SamplingLimit::Converged, &mut limits);
                    break 'rounds;
                }
                if report.consumed_capacity >= options.read_capacity_units {
                    add(SamplingLimit::ReadCapacity, &mut limits);
                    break 'rounds;
                }
                if report.scan_requests >= max_pages {
                    add(SamplingLimit::PageLimit, &mut limits);
                    break 'rounds;
                }
                let elapsed = transport
                    .now()
                    .duration_since(started)
                    .unwrap_or(Duration::ZERO);
                if elapsed >= options.time_per_table {
                    add(SamplingLimit::Time, &mut limits);
                    break 'rounds;
                }
                let mut limit = page_size(
                    size - items,
                    per_segment,
                    options.read_capacity_units - report.consumed_capacity,
                    report.consumed_capacity,
                    items,
                );
                if options.convergence_items > 0 {
                    // Small enough pages that a sample which has converged stops reading.
                    limit = limit.min(options.convergence_items.max(FIRST_PAGE_ITEMS));
                }
                let page = self
                    .client
                    .scan_page(table, limit, start.as_ref(), segment, total)
                    .await?;
                report.scan_requests += 1;
                progressed = true;
                segments_read[segment as usize] = true;
                let consumed = page.consumed.unwrap_or(0.0);
                report.consumed_capacity += consumed;
                // The chosen items were read first: the scan does not count them again.
                let fresh = page.items.iter().filter(|item| !is_chosen(item, chosen));
                for item in fresh.take((size - sampler.items()) as usize) {
                    sampler.observe(item);
                }
                positions[segment as usize] = match page.next {
                    Some(key) => Position::After(key),
                    None => Position::Done,
                };
                if let Some(rate) = rate
                    && consumed > 0.0
                {
                    add(SamplingLimit::ReadRate, &mut limits);
                    transport
                        .sleep(Duration::from_secs_f64((consumed / rate).min(60.0)))
                        .await;
                }
            }
            if !progressed {
                // Every segment read to its end: the whole table is in the sample.
                break;
            }
        }
        report.items = sampler.items();
        report.segments_read = segments_read.iter().filter(|r| **r).count() as u32;
        report.limits = limits;
        Ok(report)
    }
}

/// What reading the chosen items came to.
#[derive(Debug, Default)]
pub(super) struct Chosen {
    /// Read capacity they consumed.
    pub consumed: f64,
    /// Keys that matched no item.
    pub missing: usize,
    /// Keys DynamoDB still left unprocessed after the last attempt, or the capacity ran out.
    pub unread: usize,
}

impl<T: Transport> Run<'_, '_, T> {
    /// The items `keys` name (at most 100, distinct), read with BatchGetItem into `sampler`
    /// before the scan, which skips them. Keys DynamoDB leaves unprocessed are asked again after
    /// a backoff, as the SDKs advise, a few times at most and only while the table's sample has
    /// read capacity left. What the endpoint answers is bounded by what was asked: no more
    /// items than keys, no unprocessed key that was not asked for.
    pub(super) async fn read_chosen(
        &self,
        table: &str,
        keys: &[Value],
        sampler: &mut Sampler,
    ) -> Result<Chosen, CallError> {
        let capacity = self.settings.tuning.sampling.read_capacity_units;
        let mut pending = keys.to_vec();
        let mut chosen = Chosen::default();
        let mut found = 0;
        for attempt in 0..CHOSEN_ATTEMPTS {
            if attempt > 0 {
                if chosen.consumed >= capacity {
                    break;
                }
                let wait = Duration::from_millis(50 << attempt);
                self.client.transport().sleep(wait).await;
            }
            let value = self
                .client
                .call_value(
                    Operation::BatchGetItem,
                    operations::batch_get_item(table, &pending),
                )
                .await?;
            let answer = read_batch_get(table, value)?;
            chosen.consumed += answer.consumed;
            let asked = pending.len();
            for item in answer.items.iter().take(keys.len() - found) {
                sampler.observe(item);
                found += 1;
            }
            let unprocessed: Vec<Value> = answer
                .unprocessed
                .into_iter()
                .filter(|k| pending.contains(k))
                .take(asked)
                .collect();
            pending = unprocessed;
            if pending.is_empty() {
                break;
            }
        }
        chosen.unread = pending.len();
        chosen.missing = keys.len().saturating_sub(found + chosen.unread);
        Ok(chosen)
    }
}

/// Whether `item` is one of the items `keys` name (every attribute of a key equal).
pub(super) fn is_chosen(item: &Value, keys: &[Value]) -> bool {
    keys.iter().any(|key| {
        key.as_object()
            .is_some_and(|k| k.iter().all(|(name, value)| item.get(name) == Some(value)))
    })
}

/// BatchGetItem calls per table at most, the first included.
const CHOSEN_ATTEMPTS: u32 = 4;

/// Items to ask for in the next page: what is left of the sample and of the segment's share,
/// and no more than the capacity left buys at what items cost so far.
fn page_size(left: u32, per_segment: u32, capacity_left: f64, consumed: f64, items: u32) -> u32 {
    let mut limit = left.min(per_segment);
    if items == 0 || consumed <= 0.0 {
        limit = limit.min(FIRST_PAGE_ITEMS);
    } else {
        let per_item = consumed / f64::from(items);
        let affordable = (capacity_left / per_item).floor().max(1.0);
        limit = limit.min(affordable.min(f64::from(u32::MAX)) as u32);
    }
    limit.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_spread_across_the_key_space() {
        assert_eq!(spread_order(1), [0]);
        assert_eq!(spread_order(4), [0, 2, 1, 3]);
        assert_eq!(spread_order(8), [0, 4, 2, 6, 1, 5, 3, 7]);
        let order = spread_order(10);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
        // the first two are in different halves, the first four in different quarters
        assert!(order[0] < 5 && order[1] >= 5);
    }

    #[test]
    fn pages_are_sized_by_what_is_left_and_what_items_cost() {
        assert_eq!(page_size(100, 30, 50.0, 0.0, 0), FIRST_PAGE_ITEMS);
        // 10 items cost 5 RCU: 4 RCU left buys 8 items
        assert_eq!(page_size(100, 30, 4.0, 5.0, 10), 8);
        assert_eq!(page_size(3, 30, 50.0, 1.0, 10), 3);
        assert_eq!(page_size(100, 30, 0.1, 5.0, 10), 1);
    }
}
