//! Where finished tables wait for the host: a bounded window. The ingestion pushes each
//! table's outcome as soon as it is done and waits while the window is full, so a host that
//! pulls slowly slows the run instead of letting finished tables pile up.

use crate::catalog::{Progress, Table, TableOutcome, Warning};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::task::{Poll, Waker};

/// Warnings one run hands over at most; the rest are counted in one last warning.
pub const MAX_RUN_WARNINGS: usize = 1000;

/// One listed table, finished.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    /// Position in the listing (0-based), for hosts that want listing order back.
    pub index: u64,
    pub outcome: TableOutcome,
    /// The entity, when the table was ingested.
    pub table: Option<Table>,
}

pub struct Outbox {
    window: usize,
    finished: RefCell<VecDeque<Finished>>,
    warnings: RefCell<VecDeque<Warning>>,
    warnings_taken: Cell<usize>,
    warnings_over: Cell<u64>,
    room: RefCell<Option<Waker>>,
    progress: Cell<Progress>,
}

impl Outbox {
    /// An outbox that holds at most `window` finished tables (at least one).
    pub fn new(window: usize) -> Outbox {
        Outbox {
            window: window.max(1),
            finished: RefCell::default(),
            warnings: RefCell::default(),
            warnings_taken: Cell::new(0),
            warnings_over: Cell::new(0),
            room: RefCell::default(),
            progress: Cell::default(),
        }
    }

    /// Adds a finished table, once there is room for it.
    pub async fn push(&self, item: Finished) {
        std::future::poll_fn(|cx| {
            if self.finished.borrow().len() < self.window {
                Poll::Ready(())
            } else {
                *self.room.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await;
        self.finished.borrow_mut().push_back(item);
    }

    /// Adds a warning; past [`MAX_RUN_WARNINGS`] for the run it is only counted.
    pub fn warn(&self, warning: Warning) {
        let mut warnings = self.warnings.borrow_mut();
        if self.warnings_taken.get() + warnings.len() < MAX_RUN_WARNINGS {
            warnings.push_back(warning);
        } else {
            self.warnings_over.set(self.warnings_over.get() + 1);
        }
    }

    pub fn finished_len(&self) -> usize {
        self.finished.borrow().len()
    }

    pub fn has_warnings(&self) -> bool {
        !self.warnings.borrow().is_empty()
    }

    pub fn progress(&self) -> Progress {
        self.progress.get()
    }

    pub fn update_progress(&self, update: impl FnOnce(&mut Progress)) {
        let mut progress = self.progress.get();
        update(&mut progress);
        self.progress.set(progress);
    }

    /// Takes up to `max_tables` finished tables and up to `max_warnings` warnings, making room
    /// for more.
    pub fn take(&self, max_tables: usize, max_warnings: usize) -> (Vec<Finished>, Vec<Warning>) {
        let finished: Vec<Finished> = {
            let mut queue = self.finished.borrow_mut();
            let n = queue.len().min(max_tables);
            queue.drain(..n).collect()
        };
        let warnings: Vec<Warning> = {
            let mut queue = self.warnings.borrow_mut();
            let n = queue.len().min(max_warnings);
            queue.drain(..n).collect()
        };
        self.warnings_taken
            .set(self.warnings_taken.get() + warnings.len());
        if !finished.is_empty()
            && let Some(waker) = self.room.borrow_mut().take()
        {
            waker.wake();
        }
        (finished, warnings)
    }

    /// When warnings were dropped, one last warning that says how many (once).
    pub fn close_warnings(&self) {
        let over = self.warnings_over.replace(0);
        if over > 0 {
            self.warnings.borrow_mut().push_back(Warning {
                table: None,
                message: format!(
                    "{over} more warnings not reported (a run reports at most {MAX_RUN_WARNINGS})"
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::TableStatus;
    use futures_util::FutureExt;

    fn finished(index: u64) -> Finished {
        Finished {
            index,
            outcome: TableOutcome {
                name: format!("t{index}"),
                status: TableStatus::Filtered("test".into()),
            },
            table: None,
        }
    }

    #[test]
    fn a_full_window_makes_the_producer_wait_until_the_host_takes() {
        let outbox = Outbox::new(2);
        assert!(outbox.push(finished(0)).now_or_never().is_some());
        assert!(outbox.push(finished(1)).now_or_never().is_some());
        assert!(outbox.push(finished(2)).now_or_never().is_none());
        assert_eq!(outbox.finished_len(), 2);
        let (taken, _) = outbox.take(1, 0);
        assert_eq!(taken[0].index, 0);
        assert!(outbox.push(finished(2)).now_or_never().is_some());
    }

    #[test]
    fn warnings_are_capped_per_run_and_the_rest_counted() {
        let outbox = Outbox::new(1);
        for i in 0..MAX_RUN_WARNINGS + 5 {
            outbox.warn(Warning {
                table: None,
                message: format!("w{i}"),
            });
        }
        let (_, first) = outbox.take(0, 10);
        assert_eq!(first.len(), 10);
        outbox.warn(Warning {
            table: None,
            message: "late".into(),
        });
        outbox.close_warnings();
        let (_, rest) = outbox.take(0, usize::MAX);
        assert_eq!(rest.len(), MAX_RUN_WARNINGS - 10 + 1);
        assert_eq!(
            rest.last().unwrap().message,
            "6 more warnings not reported (a run reports at most 1000)"
        );
    }
}
