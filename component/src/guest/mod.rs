//! The WIT layer: exports `catalog:connector/source`, reads settings from `wasi:config/store`,
//! and runs the plain-Rust ingestion on `wasi:http` through [`runtime::WasiTransport`].

mod convert;
mod http;
mod reactor;
mod runtime;

mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
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

use crate::error::ConnectorError;
use crate::ingest::IngestStream;
use crate::settings::Settings;
use bindings::exports::catalog::connector::source::{self, Guest, GuestIngestionStream};
use bindings::wasi::config::store;
use std::cell::RefCell;

struct Connector;

impl Guest for Connector {
    type IngestionStream = Stream;

    fn configuration_schema() -> String {
        crate::config_schema::json()
    }

    fn manifest() -> source::ConnectorManifest {
        crate::manifest::manifest().into()
    }

    fn destinations() -> Result<Vec<source::Destination>, source::ConnectorError> {
        let settings = settings()?;
        Ok(crate::manifest::destinations(&settings)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    fn test_connection() -> Result<source::ConnectionCheck, source::ConnectorError> {
        let (settings, transport) = setup()?;
        reactor::block_on(crate::ingest::test_connection(&settings, &transport))
            .map(Into::into)
            .map_err(Into::into)
    }

    fn ingest() -> Result<source::Ingestion, source::ConnectorError> {
        let (settings, transport) = setup()?;
        reactor::block_on(crate::ingest::ingest(&settings, transport))
            .map(Into::into)
            .map_err(Into::into)
    }

    fn start_ingestion() -> Result<source::IngestionStream, source::ConnectorError> {
        let (settings, transport) = setup()?;
        let stream = crate::ingest::start(settings, transport)?;
        Ok(source::IngestionStream::new(Stream(RefCell::new(stream))))
    }
}

/// A streamed run; each `next-batch` drives it on the reactor until a batch is ready.
struct Stream(RefCell<IngestStream<'static>>);

impl GuestIngestionStream for Stream {
    fn scope(&self) -> source::RunScope {
        self.0.borrow().scope().clone().into()
    }

    fn next_batch(
        &self,
        max_tables: u32,
        max_warnings: u32,
    ) -> Result<Option<source::Batch>, source::ConnectorError> {
        let mut stream = self.0.borrow_mut();
        reactor::block_on(stream.next_batch(max_tables as usize, max_warnings as usize))
            .map(|batch| batch.map(Into::into))
            .map_err(Into::into)
    }
}

/// Reads the settings and sets the log level; the transport runs on [`reactor`].
fn setup() -> Result<(Settings, runtime::WasiTransport), ConnectorError> {
    let settings = settings()?;
    for key in &settings.ignored_keys {
        crate::debug!("`{key}` has no effect on this connector");
    }
    let transport = runtime::WasiTransport::new(settings.tuning.request_timeout);
    Ok((settings, transport))
}

fn settings() -> Result<Settings, ConnectorError> {
    let pairs = store::get_all().map_err(|e| {
        let message = match e {
            store::Error::Upstream(m) | store::Error::Io(m) => m,
        };
        ConnectorError::config(
            "*",
            format!("the host could not provide the configuration: {message}"),
        )
    })?;
    let settings = Settings::from_pairs(pairs)?;
    crate::log::set_level(settings.log_level);
    Ok(settings)
}

bindings::export!(Connector with_types_in bindings);
