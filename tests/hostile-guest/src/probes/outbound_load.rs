//! Load on the one door out: many requests at once, and a response larger than the host
//! passes on. The test server decides what the paths mean: `/gate/<n>` answers once `n`
//! requests are waiting at once, `/large/<n>` answers `n` bytes with a `content-length`,
//! `/large-unannounced/<n>` the same without one (the body ends when the connection closes).

use crate::http::{self, Request};
use crate::observations::Observations;
use crate::settings::Settings;

pub fn many_requests(settings: &Settings, seen: &mut Observations) {
    let Some(allowed) = &settings.allowed else {
        seen.record("setup", "no hostile.allowed");
        return;
    };
    let count = settings.count_or(32);
    let path = format!("/gate/{count}");
    let started: Vec<_> = (0..count)
        .map(|i| http::start(Request::get(allowed, &path, &format!("many-requests-{i}"))))
        .collect();
    let mut answered = 0;
    let mut failures = Vec::new();
    for future in started {
        match future.map(|f| http::finish(&f).map(|r| http::describe(&r))) {
            Ok(Ok(_)) => answered += 1,
            Ok(Err(code)) => failures.push(http::code_name(&code)),
            Err(refusal) => failures.push(refusal),
        }
    }
    failures.dedup();
    seen.record(
        "many requests",
        format!(
            "{answered} of {count} answered; failures: {}",
            failures.join(", ")
        ),
    );
}

pub fn large_response(settings: &Settings, seen: &mut Observations) {
    let Some(allowed) = &settings.allowed else {
        seen.record("setup", "no hostile.allowed");
        return;
    };
    let size = settings.count_or(64 << 20);
    for (probe, path) in [
        ("large response", format!("/large/{size}")),
        (
            "large unannounced response",
            format!("/large-unannounced/{size}"),
        ),
    ] {
        seen.record(probe, http::fetch(Request::get(allowed, &path, probe)));
    }
}
