//! What the probes saw, in the order they saw it: one warning per observation.

use crate::bindings::exports::catalog::connector::types::Warning;

#[derive(Default)]
pub struct Observations {
    warnings: Vec<Warning>,
}

impl Observations {
    /// `probe` observed `what`; also written to stdout, so that it shows in the tenant's log.
    pub fn record(&mut self, probe: &str, what: impl Into<String>) {
        let what = what.into();
        println!("hostile probe {probe}: {what}");
        self.push(Warning {
            table: Some(probe.to_string()),
            message: what,
        });
    }

    /// Adds a warning as it is, without logging it (for results built to be large).
    pub fn push(&mut self, warning: Warning) {
        self.warnings.push(warning);
    }

    pub fn reserve(&mut self, additional: usize) {
        self.warnings.reserve_exact(additional);
    }

    pub fn lines(&self) -> Vec<String> {
        self.warnings
            .iter()
            .map(|w| format!("{}: {}", w.table.as_deref().unwrap_or("-"), w.message))
            .collect()
    }

    pub fn into_warnings(self) -> Vec<Warning> {
        self.warnings
    }
}
