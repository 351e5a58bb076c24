//! A test-only guest that attacks the host's sandbox from inside. It implements the connector's
//! world, and its `ingest` and `test-connection` do what the `wasi:config/store` key
//! `hostile.mode` says ([`mode::Mode`] lists the modes). A probe that does not stop the run
//! reports what it observed: `ingest` returns one warning per observation (`table` names the
//! probe, `message` says what happened), `test-connection` returns them in a `service` error.
//! The sandbox tests (tests/tests/sandbox.rs) tell a denial from a silent pass by those texts.

mod allocator;
mod answer;
mod http;
mod mode;
mod observations;
mod probes;
mod settings;

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "catalog:connector/metadata-source",
        with: {
            "wasi:http/types@0.2.12": wasip2::http::types,
            "wasi:http/outgoing-handler@0.2.12": wasip2::http::outgoing_handler,
            "wasi:io/poll@0.2.12": wasip2::io::poll,
            "wasi:io/error@0.2.12": wasip2::io::error,
            "wasi:io/streams@0.2.12": wasip2::io::streams,
            "wasi:clocks/monotonic-clock@0.2.12": wasip2::clocks::monotonic_clock,
            "wasi:clocks/wall-clock@0.2.12": wasip2::clocks::wall_clock,
            "wasi:config/store@0.2.0-rc.1": generate,
        },
    });
}

use bindings::exports::catalog::connector::source::{
    ConnectionCheck, ConnectorError, Guest, Ingestion,
};
use mode::Mode;
use settings::Settings;

struct Hostile;

impl Guest for Hostile {
    fn test_connection() -> Result<ConnectionCheck, ConnectorError> {
        let settings = Settings::read()?;
        let observations = probes::run(&settings);
        match settings.mode {
            Mode::WellBehaved => Ok(answer::connection_check(&settings)),
            _ => Err(answer::observations_error(&settings, observations)),
        }
    }

    fn ingest() -> Result<Ingestion, ConnectorError> {
        let settings = Settings::read()?;
        let observations = probes::run(&settings);
        Ok(answer::ingestion(&settings, observations))
    }
}

bindings::export!(Hostile with_types_in bindings);
