//! The live progress display on a terminal, once there is one. [`crate::progress`] draws on it;
//! [`crate::logging`] writes each line while it steps aside, so lines never tear through it.
//! Both sit above this module, so neither has to know the other.

use indicatif::{MultiProgress, ProgressDrawTarget};
use std::sync::OnceLock;

static DISPLAY: OnceLock<MultiProgress> = OnceLock::new();

/// Runs `write` with the live display (if any) cleared, then redraws it.
pub fn suspend<R>(write: impl FnOnce() -> R) -> R {
    match DISPLAY.get() {
        Some(display) => display.suspend(write),
        None => write(),
    }
}

/// The display on stderr, made on first use.
pub fn on_stderr() -> &'static MultiProgress {
    DISPLAY.get_or_init(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()))
}
