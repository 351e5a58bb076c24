//! Bounded lists of what went wrong or deserves a word, cleaned as they come in: the sinks fill
//! them, the summary and the run report show them. However large a run, each keeps at most
//! [`MAX_ROWS`] entries and a count of them all.

use crate::sanitize;

/// At most this many rows in a list of failures, filtered tables or warnings.
pub const MAX_ROWS: usize = 100;

/// `(name, reason)` rows: the first [`MAX_ROWS`], and how many there were in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    shown: Vec<(String, String)>,
    total: usize,
}

impl Rows {
    pub fn push(&mut self, name: &str, reason: &str) {
        self.total += 1;
        if self.shown.len() < MAX_ROWS {
            self.shown.push((
                sanitize::name(name).to_string(),
                sanitize::message(reason).to_string(),
            ));
        }
    }

    pub fn len(&self) -> usize {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The rows kept (cleaned).
    pub fn shown(&self) -> &[(String, String)] {
        &self.shown
    }
}

/// Messages, without repeats among those kept: the first [`MAX_ROWS`] distinct ones, and how
/// many there were in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes {
    shown: Vec<String>,
    total: usize,
}

impl Notes {
    pub fn push(&mut self, message: &str) {
        let message = sanitize::message(message).to_string();
        if self.shown.contains(&message) {
            return;
        }
        self.total += 1;
        if self.shown.len() < MAX_ROWS {
            self.shown.push(message);
        }
    }

    pub fn len(&self) -> usize {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    pub fn shown(&self) -> &[String] {
        &self.shown
    }
}
