//! What the guest can see of its configuration: every key, with its value, so that a test can
//! check that a tenant sees its own settings and nobody else's.

use crate::observations::Observations;
use crate::settings::Settings;

pub fn probe(settings: &Settings, seen: &mut Observations) {
    let mut pairs: Vec<String> = settings
        .visible
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    pairs.sort();
    seen.record("configuration", pairs.join(" "));
}
