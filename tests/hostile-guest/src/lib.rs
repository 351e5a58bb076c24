//! A test-only guest that attacks the host's sandbox from inside. It implements the connector's
//! world, and its `ingest`, `start-ingestion` and `test-connection` do what the
//! `wasi:config/store` key `hostile.mode` says ([`mode::Mode`] lists the modes). A probe that
//! does not stop the run reports what it observed: an ingestion carries one warning per
//! observation (`table` names the probe, `message` says what happened), `test-connection`
//! returns them in a `service` error. The sandbox tests (tests/tests/all/sandbox.rs) tell a denial
//! from a silent pass by those texts.
//!
//! A streamed ingestion hands its whole answer over in the first batch, whatever the host
//! asked for: a batch too large is the host's to refuse.
//!
//! Its `manifest` tries to read the OpenMetadata bot's token, which a host must refuse, and its
//! `destinations` are, per mode, too many, malformed, or the one of `hostile.endpoint`
//! ([`declarations`]).

mod allocator;
mod answer;
mod declarations;
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
    Batch, ConnectionCheck, ConnectorError, Guest, GuestIngestionStream, Ingestion,
    IngestionStream, RunScope,
};
use bindings::exports::catalog::connector::types::{ConnectorManifest, Destination, Progress};
use mode::Mode;
use settings::Settings;
use std::cell::RefCell;

struct Hostile;

/// A streamed ingestion: its whole answer, handed over at once.
struct Stream {
    answer: RefCell<Option<Ingestion>>,
    scope: RunScope,
    mode: Mode,
    /// `repeat-tables`: whether the second batch (a table of the first, again) is handed over.
    repeated: std::cell::Cell<bool>,
}

impl GuestIngestionStream for Stream {
    fn scope(&self) -> RunScope {
        self.scope.clone()
    }

    fn next_batch(
        &self,
        _max_tables: u32,
        _max_warnings: u32,
    ) -> Result<Option<Batch>, ConnectorError> {
        let answer = self.answer.borrow_mut().take();
        if answer.is_none() {
            match self.mode {
                Mode::TrapAfterBatch => {
                    println!("hostile trap after the first batch");
                    core::arch::wasm32::unreachable();
                }
                Mode::SpinAfterBatch => probes::exhaustion::spin(),
                Mode::GrowAfterBatch => probes::exhaustion::grow_memory(),
                _ => {}
            }
        }
        if answer.is_none() && self.mode == Mode::RepeatTables && !self.repeated.replace(true) {
            let again = answer::table(&self.scope.schema.fully_qualified_name, "b");
            return Ok(Some(Batch {
                progress: Progress {
                    listed: 3,
                    listing_complete: true,
                    stats: bindings::exports::catalog::connector::types::CallStats {
                        requests: 0,
                        retries: 0,
                        throttled: 0,
                    },
                },
                outcomes: vec![bindings::exports::catalog::connector::types::TableOutcome {
                    name: again.name.clone(),
                    status: bindings::exports::catalog::connector::types::TableStatus::Ingested,
                }],
                tables: vec![again],
                warnings: Vec::new(),
            }));
        }
        if answer.is_none() && self.mode == Mode::HostileStrings {
            println!(
                "WARN table `a\n[host] Workflow finished successfully`: {}",
                answer::HOSTILE_TEXT
            );
            return Err(answer::hostile_error());
        }
        Ok(answer.map(|i| Batch {
            progress: Progress {
                listed: i.outcomes.len() as u64,
                listing_complete: i.listing_complete,
                stats: i.stats,
            },
            tables: i.tables,
            outcomes: i.outcomes,
            warnings: i.warnings,
        }))
    }
}

impl Guest for Hostile {
    type IngestionStream = Stream;

    /// The same in every mode, and one a host must refuse (see [`declarations::manifest`]).
    fn manifest() -> ConnectorManifest {
        declarations::manifest()
    }

    /// Read from `wasi:config/store` like everything else; what they are depends on the mode
    /// (see [`declarations::destinations`]).
    fn destinations() -> Result<Vec<Destination>, ConnectorError> {
        declarations::destinations(&Settings::read()?)
    }

    /// Always the costly schema: the host asks for it once per component, with no
    /// configuration (so no mode) to go by. Its patterns match only the keys `0`, `1` and `2`,
    /// and it allows any other key, so every mode's run goes on, checked against it.
    fn configuration_schema() -> String {
        answer::costly_schema()
    }

    fn start_ingestion() -> Result<IngestionStream, ConnectorError> {
        let mode = Settings::read()?.mode;
        let ingestion = Self::ingest()?;
        let scope = RunScope {
            service: ingestion.service.clone(),
            database: ingestion.database.clone(),
            schema: ingestion.schema.clone(),
        };
        Ok(IngestionStream::new(Stream {
            answer: RefCell::new(Some(ingestion)),
            scope,
            mode,
            repeated: std::cell::Cell::new(false),
        }))
    }

    fn test_connection() -> Result<ConnectionCheck, ConnectorError> {
        let settings = Settings::read()?;
        let observations = probes::run(&settings);
        match settings.mode {
            Mode::WellBehaved | Mode::HostileStrings => Ok(answer::connection_check(&settings)),
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
