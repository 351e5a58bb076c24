//! The exports: each reads the settings it needs, and every run starts with the one GET of
//! the document.

use crate::bindings::exports::catalog::connector::source::{
    Batch, ConnectionCheck, ConnectorError, Guest, GuestIngestionStream, Ingestion,
    IngestionStream, RunScope,
};
use crate::bindings::exports::catalog::connector::types::{ConnectorManifest, Destination};
use crate::document::{self, Document};
use crate::http;
use crate::run::Run;
use crate::schema;
use crate::settings::Settings;
use std::cell::RefCell;
use wasip2::clocks::wall_clock;

pub struct JsonConnector;

impl Guest for JsonConnector {
    type IngestionStream = Stream;

    fn manifest() -> ConnectorManifest {
        schema::manifest()
    }

    fn destinations() -> Result<Vec<Destination>, ConnectorError> {
        Ok(vec![Settings::read()?.document_url.destination()])
    }

    fn configuration_schema() -> String {
        schema::configuration_schema()
    }

    fn test_connection() -> Result<ConnectionCheck, ConnectorError> {
        let settings = Settings::read()?;
        let document = fetch(&settings)?;
        Ok(ConnectionCheck {
            operation: "GET".to_string(),
            endpoint: settings.document_url_text.clone(),
            region: None,
            tables_on_first_page: u32::try_from(document.tables.len()).unwrap_or(u32::MAX),
            more_tables: false,
        })
    }

    fn ingest() -> Result<Ingestion, ConnectorError> {
        Ok(start()?.into_ingestion())
    }

    fn start_ingestion() -> Result<IngestionStream, ConnectorError> {
        Ok(IngestionStream::new(Stream {
            run: RefCell::new(start()?),
        }))
    }
}

/// A streamed run: the document was fetched when it started.
pub struct Stream {
    run: RefCell<Run>,
}

impl GuestIngestionStream for Stream {
    fn scope(&self) -> RunScope {
        self.run.borrow().scope()
    }

    fn next_batch(
        &self,
        max_tables: u32,
        _max_warnings: u32,
    ) -> Result<Option<Batch>, ConnectorError> {
        Ok(self.run.borrow_mut().next_batch(max_tables))
    }
}

/// Reads the settings, fetches the document and gives every table its outcome.
fn start() -> Result<Run, ConnectorError> {
    let settings = Settings::read()?;
    let document = fetch(&settings)?;
    let run = Run::new(&settings.service_name, &settings.filter, document, now_ms());
    let counts = run.counts();
    settings.log.info(&format!(
        "{} ingested, {} filtered, {} failed",
        counts.ingested, counts.filtered, counts.failed
    ));
    Ok(run)
}

/// The document at `documentUrl`.
fn fetch(settings: &Settings) -> Result<Document, ConnectorError> {
    let log = settings.log;
    let url = &settings.document_url_text;
    log.debug(&format!(
        "GET {url}{}",
        if settings.bearer_token.is_some() {
            " with a bearer token"
        } else {
            ""
        }
    ));
    let fetched =
        http::get(&settings.document_url, settings.bearer_token.as_deref()).and_then(|answer| {
            document::parse(&answer.body)
                .map_err(|problem| http::not_the_document(&answer, &problem))
        });
    match fetched {
        Ok(document) => {
            log.info(&format!(
                "fetched {} tables from {url}",
                document.tables.len()
            ));
            Ok(document)
        }
        Err(error) => {
            log.error(&format!("GET {url} failed: {}", summary(&error)));
            Err(error)
        }
    }
}

/// An error in a few words, without the server's (they may quote a secret; the host, which
/// knows the secrets, reports them).
fn summary(error: &ConnectorError) -> String {
    match error {
        ConnectorError::InvalidConfig(p) => format!("invalid configuration of `{}`", p.key),
        ConnectorError::AccessDenied(f)
        | ConnectorError::Unreachable(f)
        | ConnectorError::Service(f)
        | ConnectorError::InvalidResponse(f) => match f.http_status {
            Some(status) => format!("{status} {}", f.code),
            None => f.code.clone(),
        },
    }
}

/// Now, in milliseconds since the Unix epoch.
fn now_ms() -> u64 {
    let now = wall_clock::now();
    now.seconds
        .saturating_mul(1000)
        .saturating_add(u64::from(now.nanoseconds / 1_000_000))
}
