//! The WIT layer: exports `catalog:connector/source`, reads settings from `wasi:config/store`,
//! and runs the plain-Rust ingestion on `wasi:http` through [`runtime::WasiTransport`].

mod convert;
mod http;
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
use crate::settings::Settings;
use bindings::exports::catalog::connector::source::{self, Guest};
use bindings::wasi::config::store;

struct Connector;

impl Guest for Connector {
    fn test_connection() -> Result<source::ConnectionCheck, source::ConnectorError> {
        run(|settings, transport| async move {
            crate::ingest::test_connection(&settings, &transport).await
        })
        .map(Into::into)
        .map_err(Into::into)
    }

    fn ingest() -> Result<source::Ingestion, source::ConnectorError> {
        run(|settings, transport| async move { crate::ingest::ingest(&settings, &transport).await })
            .map(Into::into)
            .map_err(Into::into)
    }
}

/// Reads the settings, sets the log level, and runs `work` to completion on wstd's reactor.
fn run<F, Fut, R>(work: F) -> Result<R, ConnectorError>
where
    F: FnOnce(Settings, runtime::WasiTransport) -> Fut,
    Fut: std::future::Future<Output = Result<R, ConnectorError>>,
{
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
    for key in &settings.ignored_keys {
        crate::debug!("`{key}` has no effect on this connector");
    }
    let transport = runtime::WasiTransport::new(settings.tuning.request_timeout);
    wstd::runtime::block_on(work(settings, transport))
}

bindings::export!(Connector with_types_in bindings);
