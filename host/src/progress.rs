//! How far the runs are, while they run: on a terminal, a live line per run (and, with several
//! workflows, one for them all, which alone stays once a run ends) drawn by `indicatif`; elsewhere a plain progress line every
//! interval (10 s by default), as text or as a JSON record (see [`crate::logging`]). `--quiet`
//! turns it off.
//!
//! A line says the run's phase (`starting`, `listing` while the listing goes on, `describing`
//! once it is complete, `writing` while the sink finishes, then `done` or `stopped`), the tables
//! listed, described, filtered and failed, the rate of tables with an outcome, and once the
//! listing is complete an estimate of the time left.

use crate::logging::{self, Fields, Level};
use crate::sanitize;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fmt::Write;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Off,
    /// Live lines on stderr, a terminal.
    Terminal,
    /// A progress line every interval (zero: at every change).
    Lines(Duration),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Starting,
    Listing,
    Describing,
    Writing,
    Done,
    Stopped,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Starting => "starting",
            Phase::Listing => "listing",
            Phase::Describing => "describing",
            Phase::Writing => "writing",
            Phase::Done => "done",
            Phase::Stopped => "stopped",
        }
    }
}

/// A run's running totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub listed: u64,
    pub described: u64,
    pub filtered: u64,
    pub failed: u64,
    pub listing_complete: bool,
}

impl Counts {
    /// Listed tables with an outcome.
    pub fn done(&self) -> u64 {
        self.described + self.filtered + self.failed
    }
}

/// Where a run stands at one moment, with what follows from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    pub phase: Phase,
    pub counts: Counts,
    pub elapsed: Duration,
}

impl Snapshot {
    /// Tables with an outcome per second so far.
    pub fn rate(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds <= 0.0 {
            0.0
        } else {
            self.counts.done() as f64 / seconds
        }
    }

    /// The time left at the rate so far, once the listing is complete and a table is done.
    pub fn eta(&self) -> Option<Duration> {
        let counts = &self.counts;
        if !counts.listing_complete || !matches!(self.phase, Phase::Listing | Phase::Describing) {
            return None;
        }
        let rate = self.rate();
        if rate <= 0.0 {
            return None;
        }
        let left = counts.listed.saturating_sub(counts.done()) as f64;
        Some(Duration::from_secs_f64(left / rate))
    }

    /// `describing: 150 listed, 120 described, 3 filtered, 2 failed; 48.0 tables/s; ETA 1 s`.
    pub fn describe(&self) -> String {
        let c = &self.counts;
        let mut line = format!(
            "{}: {} listed, {} described, {} filtered, {} failed; {:.1} tables/s",
            self.phase.as_str(),
            c.listed,
            c.described,
            c.filtered,
            c.failed,
            self.rate()
        );
        if let Some(eta) = self.eta() {
            let _ = write!(line, "; ETA {}", human(eta));
        }
        line
    }
}

/// `42 s`, `3 min 20 s`, `2 h 5 min`.
pub fn human(duration: Duration) -> String {
    let seconds = duration.as_secs_f64().ceil() as u64;
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min {} s", seconds / 60, seconds % 60),
        _ => format!("{} h {} min", seconds / 3600, (seconds % 3600) / 60),
    }
}

/// The progress of every run of one command.
pub struct Progress {
    mode: Mode,
    display: Option<MultiProgress>,
    overall: Option<Arc<Overall>>,
}

/// The line for all runs at once (several workflows on a terminal).
struct Overall {
    bar: ProgressBar,
    total_runs: usize,
    started: Instant,
    state: Mutex<OverallState>,
}

#[derive(Default)]
struct OverallState {
    finished: usize,
    /// Each run's latest counts, by its index.
    runs: Vec<Counts>,
}

impl Progress {
    /// Progress for `runs` workflows.
    pub fn new(mode: Mode, runs: usize) -> Progress {
        if mode != Mode::Terminal {
            return Progress {
                mode,
                display: None,
                overall: None,
            };
        }
        let display = crate::live_display::on_stderr().clone();
        let overall = (runs > 1).then(|| {
            let bar = display.add(ProgressBar::new(runs as u64));
            bar.set_style(
                ProgressStyle::with_template("{prefix} [{elapsed}] {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_prefix("all workflows");
            let overall = Arc::new(Overall {
                bar,
                total_runs: runs,
                started: Instant::now(),
                state: Mutex::new(OverallState {
                    finished: 0,
                    runs: vec![Counts::default(); runs],
                }),
            });
            overall.redraw();
            overall
        });
        Progress {
            mode,
            display: Some(display),
            overall,
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The progress of run number `index`, labelled `label`.
    pub fn run(&self, index: usize, label: &str) -> RunProgress {
        let label = sanitize::name(label).to_string();
        let bar = self.display.as_ref().map(|display| {
            let bar = display.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {prefix} [{elapsed}] {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_prefix(label.clone());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        let shared = Arc::new(Shared {
            label,
            index,
            mode: self.mode,
            bar,
            overall: self.overall.clone(),
            started: Instant::now(),
            state: Mutex::new(RunState {
                phase: Phase::Starting,
                counts: Counts::default(),
                last_line: None,
            }),
        });
        let ticker = match self.mode {
            Mode::Lines(interval) if !interval.is_zero() => Ticker::start(&shared, interval),
            _ => None,
        };
        shared.show();
        RunProgress {
            shared: Some(shared),
            ticker,
        }
    }

    /// Leaves the live display as it stands, each run's last line on screen, so that the
    /// summaries are printed below it.
    pub fn finish(&self) {
        if let Some(overall) = &self.overall {
            overall.redraw();
            overall.bar.finish();
        }
        if let Some(display) = &self.display {
            display.set_draw_target(ProgressDrawTarget::hidden());
        }
    }
}

impl Overall {
    fn update(&self, index: usize, counts: Counts, finished: bool) {
        {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(slot) = state.runs.get_mut(index) {
                *slot = counts;
            }
            if finished {
                state.finished += 1;
            }
        }
        self.redraw();
    }

    fn redraw(&self) {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut total = Counts::default();
        for run in &state.runs {
            total.listed += run.listed;
            total.described += run.described;
            total.filtered += run.filtered;
            total.failed += run.failed;
        }
        let elapsed = self.started.elapsed().as_secs_f64();
        let rate = if elapsed > 0.0 {
            total.done() as f64 / elapsed
        } else {
            0.0
        };
        self.bar.set_position(state.finished as u64);
        self.bar.set_message(format!(
            "{} of {} workflows finished; {} listed, {} described, {} filtered, {} failed; {rate:.1} tables/s",
            state.finished,
            self.total_runs,
            total.listed,
            total.described,
            total.filtered,
            total.failed
        ));
    }
}

struct Shared {
    label: String,
    index: usize,
    mode: Mode,
    bar: Option<ProgressBar>,
    overall: Option<Arc<Overall>>,
    started: Instant,
    state: Mutex<RunState>,
}

struct RunState {
    phase: Phase,
    counts: Counts,
    /// When the last plain line was written.
    last_line: Option<Instant>,
}

impl Shared {
    fn snapshot(&self) -> Snapshot {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        Snapshot {
            phase: state.phase,
            counts: state.counts,
            elapsed: self.started.elapsed(),
        }
    }

    /// Shows the run's state: redraws its live line, or writes a plain line when one is due.
    fn show(&self) {
        match self.mode {
            Mode::Off => {}
            Mode::Terminal => {
                let snapshot = self.snapshot();
                if let Some(bar) = &self.bar {
                    bar.set_message(snapshot.describe());
                }
                if let Some(overall) = &self.overall {
                    overall.update(self.index, snapshot.counts, false);
                }
            }
            Mode::Lines(interval) => self.line_if_due(interval),
        }
    }

    /// A plain line, unless one was written less than `interval` ago (the first comes one
    /// interval after the start: a short run needs none).
    fn line_if_due(&self, interval: Duration) {
        {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let since = now.duration_since(state.last_line.unwrap_or(self.started));
            if since < interval {
                return;
            }
            state.last_line = Some(now);
        }
        self.line(Level::Info);
    }

    fn line(&self, level: Level) {
        let snapshot = self.snapshot();
        let counts = &snapshot.counts;
        let text = format!("Progress ({}): {}", self.label, snapshot.describe());
        let fields = Fields {
            run: Some(&self.label),
            source: Some("host"),
            phase: Some(snapshot.phase.as_str()),
            listed: Some(counts.listed),
            described: Some(counts.described),
            filtered: Some(counts.filtered),
            failed: Some(counts.failed),
            rate: Some((snapshot.rate() * 10.0).round() / 10.0),
            eta_seconds: snapshot.eta().map(|eta| eta.as_secs_f64().ceil()),
            elapsed_seconds: Some((snapshot.elapsed.as_secs_f64() * 100.0).round() / 100.0),
            ..Fields::default()
        };
        logging::say(level, text, "progress", &fields);
    }
}

/// One run's progress; updated by the runner, finished when the run is over.
pub struct RunProgress {
    shared: Option<Arc<Shared>>,
    ticker: Option<Ticker>,
}

/// Writes a run's progress line when one is due even if nothing changes (a slow table). A
/// thread that sleeps, not a tokio timer: a pending 10 s timer cost the runtime's workers about
/// 1,700 more wake-ups and a tenth more CPU over a 0.2 s run of 1,000 tables.
struct Ticker {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Ticker {
    fn start(shared: &Arc<Shared>, interval: Duration) -> Option<Ticker> {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let (shared, signal) = (shared.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("progress".into())
            .stack_size(256 * 1024)
            .spawn(move || tick_until_stopped(&signal, interval, || shared.line_if_due(interval)))
            .ok()?;
        Some(Ticker {
            stop,
            thread: Some(thread),
        })
    }
}

/// Calls `tick` every `interval` until `signal` says stop. The flag is read before each wait:
/// a stop signalled before this thread first took the lock (a run shorter than the thread's
/// start) would otherwise find no waiter to wake, and the process would wait out a whole
/// interval after its summary.
fn tick_until_stopped(signal: &(Mutex<bool>, Condvar), interval: Duration, mut tick: impl FnMut()) {
    let (stopped, wake) = signal;
    let mut stopped = stopped.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        if *stopped {
            return;
        }
        let (guard, timeout) = wake
            .wait_timeout_while(stopped, interval, |stopped| !*stopped)
            .unwrap_or_else(|p| p.into_inner());
        stopped = guard;
        if timeout.timed_out() && !*stopped {
            tick();
        }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        let (stopped, wake) = &*self.stop;
        *stopped.lock().unwrap_or_else(|p| p.into_inner()) = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl RunProgress {
    /// Progress that shows nothing (the host as a library, `--quiet`).
    pub fn off() -> RunProgress {
        RunProgress {
            shared: None,
            ticker: None,
        }
    }

    pub fn phase(&self, phase: Phase) {
        if let Some(shared) = &self.shared {
            shared.state.lock().unwrap_or_else(|p| p.into_inner()).phase = phase;
            shared.show();
        }
    }

    /// New totals (with each batch); the phase follows the listing.
    pub fn update(&self, counts: Counts) {
        if let Some(shared) = &self.shared {
            {
                let mut state = shared.state.lock().unwrap_or_else(|p| p.into_inner());
                state.counts = counts;
                if matches!(
                    state.phase,
                    Phase::Starting | Phase::Listing | Phase::Describing
                ) {
                    state.phase = if counts.listing_complete {
                        Phase::Describing
                    } else {
                        Phase::Listing
                    };
                }
            }
            shared.show();
        }
    }

    /// The run is over: its live line stays with the final totals (with several workflows it
    /// goes, the line for all of them has them); a plain line is written if the run wrote any
    /// before (a long run ends with one).
    pub fn finish(mut self, stopped: bool) {
        drop(self.ticker.take());
        let Some(shared) = self.shared.take() else {
            return;
        };
        let phase = if stopped { Phase::Stopped } else { Phase::Done };
        shared.state.lock().unwrap_or_else(|p| p.into_inner()).phase = phase;
        let snapshot = shared.snapshot();
        if let Some(bar) = &shared.bar {
            if shared.overall.is_some() {
                // With several workflows the line for all of them keeps the totals: the screen
                // holds the runs still going, however many workflows there are.
                bar.finish_and_clear();
            } else {
                bar.finish_with_message(snapshot.describe());
            }
        }
        if let Some(overall) = &shared.overall {
            overall.update(shared.index, snapshot.counts, true);
        }
        if let Mode::Lines(interval) = shared.mode {
            let wrote_before = shared
                .state
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .last_line
                .is_some();
            if wrote_before || interval.is_zero() {
                shared.line(Level::Info);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(listed: u64, done: u64, complete: bool, seconds: u64) -> Snapshot {
        Snapshot {
            phase: if complete {
                Phase::Describing
            } else {
                Phase::Listing
            },
            counts: Counts {
                listed,
                described: done - 2,
                filtered: 1,
                failed: 1,
                listing_complete: complete,
            },
            elapsed: Duration::from_secs(seconds),
        }
    }

    #[test]
    fn the_eta_comes_once_the_listing_is_complete() {
        let listing = snapshot(200, 100, false, 10);
        assert_eq!(listing.rate(), 10.0);
        assert_eq!(listing.eta(), None);
        assert_eq!(
            listing.describe(),
            "listing: 200 listed, 98 described, 1 filtered, 1 failed; 10.0 tables/s"
        );
        let complete = snapshot(200, 100, true, 10);
        assert_eq!(complete.eta(), Some(Duration::from_secs(10)));
        assert!(complete.describe().ends_with("; 10.0 tables/s; ETA 10 s"));
        let idle = Snapshot {
            elapsed: Duration::ZERO,
            ..snapshot(0, 2, true, 0)
        };
        assert_eq!((idle.rate(), idle.eta()), (0.0, None));
    }

    #[test]
    fn a_stop_signalled_before_the_ticker_waits_ends_it_at_once() {
        // The stop comes before the ticker's first wait (the race of a short run): it must
        // return without waiting out its interval (an hour here; the watchdog gives it 30 s).
        let signal = Arc::new((Mutex::new(true), Condvar::new()));
        let (done, finished) = std::sync::mpsc::channel();
        let ticker = signal.clone();
        std::thread::spawn(move || {
            let mut ticks = 0;
            tick_until_stopped(&ticker, Duration::from_secs(3600), || ticks += 1);
            let _ = done.send(ticks);
        });
        assert_eq!(finished.recv_timeout(Duration::from_secs(30)), Ok(0));

        // And a stop while it waits wakes it.
        let signal = Arc::new((Mutex::new(false), Condvar::new()));
        let (done, finished) = std::sync::mpsc::channel();
        let ticker = signal.clone();
        std::thread::spawn(move || {
            tick_until_stopped(&ticker, Duration::from_secs(3600), || {});
            let _ = done.send(());
        });
        *signal.0.lock().unwrap() = true;
        signal.1.notify_all();
        assert_eq!(finished.recv_timeout(Duration::from_secs(30)), Ok(()));
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(human(Duration::from_millis(300)), "1 s");
        assert_eq!(human(Duration::from_secs(200)), "3 min 20 s");
        assert_eq!(human(Duration::from_secs(7500)), "2 h 5 min");
    }
}
