//! A single-threaded event loop over `wasi:io/poll` that outlives one export call.
//!
//! A streamed ingestion keeps its work (requests in flight, timers) between two calls of
//! `next-batch`, so the pollables it waits on must stay registered while the host has control.
//! wstd's reactor lives only inside one `block_on`; this one is a thread-local that every call
//! drives with [`block_on`].
//!
//! It also knows when it is *idle*: nothing is ready without blocking. [`poll_idle`] lets a
//! future ask to be woken then, which is how `next-batch` hands over everything that is ready
//! without waiting for more.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;
use wasip2::io::poll::{Pollable, poll};

struct Entry {
    pollable: Pollable,
    ready: bool,
    waker: Option<Waker>,
}

#[derive(Default)]
struct Reactor {
    entries: RefCell<Vec<Option<Entry>>>,
    free: RefCell<Vec<usize>>,
    idle_waker: RefCell<Option<Waker>>,
    idle_fired: Cell<bool>,
    /// Always ready: added to a poll that must not block.
    now: RefCell<Option<Pollable>>,
}

thread_local! {
    static REACTOR: Reactor = Reactor::default();
}

/// A pollable registered with the reactor; [`Registered::ready`] waits for it.
pub struct Registered {
    key: usize,
}

impl Registered {
    pub fn new(pollable: Pollable) -> Registered {
        let key = REACTOR.with(|r| {
            let entry = Some(Entry {
                pollable,
                ready: false,
                waker: None,
            });
            let mut entries = r.entries.borrow_mut();
            match r.free.borrow_mut().pop() {
                Some(key) => {
                    entries[key] = entry;
                    key
                }
                None => {
                    entries.push(entry);
                    entries.len() - 1
                }
            }
        });
        Registered { key }
    }

    /// Waits until the pollable is ready. Each call waits anew (a stream's pollable is ready
    /// again only when more data has come).
    pub fn ready(&self) -> WaitFor<'_> {
        WaitFor {
            registered: self,
            first: true,
        }
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        REACTOR.with(|r| {
            r.entries.borrow_mut()[self.key] = None;
            r.free.borrow_mut().push(self.key);
        });
    }
}

pub struct WaitFor<'a> {
    registered: &'a Registered,
    first: bool,
}

impl Future for WaitFor<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let first = std::mem::replace(&mut self.first, false);
        let key = self.registered.key;
        REACTOR.with(|r| {
            let mut entries = r.entries.borrow_mut();
            let Some(entry) = entries[key].as_mut() else {
                return Poll::Ready(());
            };
            if first {
                entry.ready = entry.pollable.ready();
            }
            if entry.ready {
                entry.ready = false;
                entry.waker = None;
                Poll::Ready(())
            } else {
                entry.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        })
    }
}

/// Waits for `duration` on `wasi:clocks/monotonic-clock`.
pub async fn sleep(duration: Duration) {
    let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
    let timer = Registered::new(wasip2::clocks::monotonic_clock::subscribe_duration(nanos));
    timer.ready().await;
}

/// Ready once the reactor has found nothing ready without blocking since the last time it
/// said so; until then, registers `cx` to be woken when that happens.
pub fn poll_idle(cx: &mut Context<'_>) -> Poll<()> {
    REACTOR.with(|r| {
        if r.idle_fired.replace(false) {
            Poll::Ready(())
        } else {
            *r.idle_waker.borrow_mut() = Some(cx.waker().clone());
            Poll::Pending
        }
    })
}

struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::Relaxed);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Runs `future` to completion, waiting on the registered pollables in between. Pollables
/// and the futures that wait on them may outlive the call.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let flag = Arc::new(Flag(AtomicBool::new(true)));
    let waker = Waker::from(flag.clone());
    let mut cx = Context::from_waker(&waker);
    loop {
        if flag.0.swap(false, Ordering::Relaxed)
            && let Poll::Ready(output) = future.as_mut().poll(&mut cx)
        {
            return output;
        }
        if flag.0.load(Ordering::Relaxed) {
            continue;
        }
        REACTOR.with(|r| r.turn());
    }
}

impl Reactor {
    /// Wakes what is ready without blocking; if nothing is, wakes the idle waiter; if there is
    /// none, blocks until a pollable is ready.
    fn turn(&self) {
        if self.wake_ready(false) {
            return;
        }
        if let Some(waker) = self.idle_waker.borrow_mut().take() {
            self.idle_fired.set(true);
            waker.wake();
            return;
        }
        self.wake_ready(true);
    }

    /// Polls the pollables someone waits on; true when something was woken.
    fn wake_ready(&self, block: bool) -> bool {
        let mut entries = self.entries.borrow_mut();
        let waiting: Vec<usize> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.as_ref().is_some_and(|e| e.waker.is_some()))
            .map(|(key, _)| key)
            .collect();
        if waiting.is_empty() {
            // Nothing can become ready: whatever the future waits for, it is not a pollable.
            // Returning lets `block_on` poll it again rather than poll an empty list, which traps.
            return false;
        }
        let mut now = self.now.borrow_mut();
        let now = now.get_or_insert_with(|| wasip2::clocks::monotonic_clock::subscribe_duration(0));
        let mut targets: Vec<&Pollable> = waiting
            .iter()
            .map(|&key| &entries[key].as_ref().expect("listed above").pollable)
            .collect();
        if !block {
            targets.push(now);
        }
        let ready: Vec<usize> = poll(&targets)
            .into_iter()
            .filter_map(|index| waiting.get(index as usize).copied())
            .collect();
        drop(targets);
        let mut wakers = Vec::with_capacity(ready.len());
        for key in &ready {
            if let Some(entry) = entries[*key].as_mut() {
                entry.ready = true;
                wakers.extend(entry.waker.take());
            }
        }
        drop(entries);
        let woke = !wakers.is_empty();
        for waker in wakers {
            waker.wake();
        }
        woke
    }
}
