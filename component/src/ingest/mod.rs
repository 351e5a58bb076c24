//! The two things a connector does: check the connection, and ingest.
//!
//! Ingestion lists tables page by page, decides on each name with the filters (a filtered
//! table costs no request), and describes the others with a bounded number of calls in flight.
//! Listing and describing overlap: the next page is fetched as soon as there is room for more
//! describes. Every listed table ends with exactly one outcome, handed to the host as soon as
//! it is known ([`IngestStream`]); an error that makes the rest pointless (the credentials are
//! refused) stops the run, and a listing that fails stops it once the tables already listed
//! are finished.

use crate::aws::call::Caller;
use crate::aws::retry::RetryPolicy;
use crate::aws::signing::Signer;
use crate::catalog::{
    ConnectionCheck, Database, DatabaseSchema, DatabaseService, Failure, Ingestion, Progress,
    RunScope, Table, TableOutcome, TableStatus, Warning,
};
use crate::dynamodb::DynamoDb;
use crate::error::ConnectorError;
use crate::filter::Verdict;
use crate::settings::{Settings, StaticCredentials, keys};
use crate::transport::Transport;
use crate::{endpoint, fqn, mapping, time};
use futures_channel::mpsc;
use futures_util::future;
use futures_util::stream::{StreamExt, TryStreamExt};
use std::cell::Cell;
use std::collections::HashSet;
use std::rc::Rc;

mod extras;
mod outbox;
mod sampling;
mod stream;
use extras::Extras;
pub use outbox::{Finished, MAX_RUN_WARNINGS, Outbox};
pub use stream::{IngestStream, Pulled, WINDOW};

pub const SERVICE_TYPE: &str = "DynamoDB";
pub const SCHEMA_NAME: &str = "default";

/// Pages of ListTables at most (100 names each): a guard against a server that never ends.
const MAX_LIST_PAGES: usize = 1_000_000;
/// Names the listing may run ahead of the describes (ten pages).
const LISTED_AHEAD: usize = 1000;
/// Log a progress line every this many tables.
const PROGRESS_EVERY: u64 = 500;

pub async fn test_connection<T: Transport>(
    settings: &Settings,
    transport: &T,
) -> Result<ConnectionCheck, ConnectorError> {
    let client = client(settings, transport).await?;
    let page = client
        .list_tables_page(None)
        .await
        .map_err(|e| e.into_connector_error())?;
    Ok(ConnectionCheck {
        operation: "ListTables".to_string(),
        endpoint: client.endpoint().as_str(),
        region: settings.aws.region.clone(),
        tables_on_first_page: page.table_names.len() as u32,
        more_tables: page.last_evaluated_table_name.is_some(),
    })
}

/// Starts a streamed ingestion. Settings that make no run possible are an error here; what
/// goes wrong later (the endpoint, the credentials) comes from [`IngestStream::next_batch`].
pub fn start<'a, T: Transport + 'a>(
    settings: Settings,
    transport: T,
) -> Result<IngestStream<'a>, ConnectorError> {
    let names = Names::new(&settings)?;
    let scope = names.scope(&settings);
    let outbox = Rc::new(Outbox::new(stream::WINDOW));
    let transport = Rc::new(transport);
    let run = {
        let outbox = outbox.clone();
        let transport = transport.clone();
        Box::pin(async move { produce(&settings, &*transport, &names, &outbox).await })
    };
    Ok(IngestStream::new(scope, outbox, run, transport))
}

/// The whole ingestion at once, tables and outcomes in listing order.
pub async fn ingest<T: Transport>(
    settings: &Settings,
    transport: T,
) -> Result<Ingestion, ConnectorError> {
    let mut stream = start(settings.clone(), transport)?;
    let mut finished = Vec::new();
    let mut warnings = Vec::new();
    let mut progress = Progress::default();
    while let Some(pulled) = stream.pull(usize::MAX, usize::MAX).await? {
        finished.extend(pulled.finished);
        warnings.extend(pulled.warnings);
        progress = pulled.progress;
    }
    finished.sort_by_key(|f| f.index);
    let mut tables = Vec::new();
    let mut outcomes = Vec::with_capacity(finished.len());
    for item in finished {
        tables.extend(item.table);
        outcomes.push(item.outcome);
    }
    let scope = stream.scope().clone();
    Ok(Ingestion {
        service: scope.service,
        database: scope.database,
        schema: scope.schema,
        tables,
        outcomes,
        listing_complete: progress.listing_complete,
        warnings,
        stats: progress.stats,
    })
}

/// The run itself: lists, filters, describes and enriches, handing each table to `outbox` as
/// soon as it is finished.
async fn produce<T: Transport>(
    settings: &Settings,
    transport: &T,
    names: &Names,
    outbox: &Outbox,
) -> Result<(), ConnectorError> {
    let client = client(settings, transport).await?;
    let run = Run {
        settings,
        client: &client,
        names,
        outbox,
        counts: Counts::default(),
        extras: Extras::default(),
    };
    let result = match run.scope_exclusion() {
        Some(reason) => {
            outbox.warn(Warning {
                table: None,
                message: format!("no tables listed: {reason}"),
            });
            Ok(())
        }
        None if !settings.source.include_tables => {
            crate::info!("sourceConfig.includeTables is false: no tables listed");
            Ok(())
        }
        None => run.process_all().await,
    };
    run.hand_over_warnings();
    let stats = client.stats();
    outbox.update_progress(|p| p.stats = stats);
    let counts = &run.counts;
    crate::info!(
        "listed {} tables: {} ingested, {} filtered, {} failed ({} requests, {} retries)",
        outbox.progress().listed,
        counts.ingested.get(),
        counts.filtered.get(),
        counts.failed.get(),
        stats.requests,
        stats.retries
    );
    result
}

/// The FQNs of the run's service, database and schema.
struct Names {
    service_fqn: String,
    database_fqn: String,
    schema_fqn: String,
}

impl Names {
    fn scope(&self, settings: &Settings) -> RunScope {
        RunScope {
            service: DatabaseService {
                name: settings.service_name.clone(),
                service_type: SERVICE_TYPE.to_string(),
            },
            database: Database {
                name: settings.database_name.clone(),
                fully_qualified_name: self.database_fqn.clone(),
                service: self.service_fqn.clone(),
            },
            schema: DatabaseSchema {
                name: SCHEMA_NAME.to_string(),
                fully_qualified_name: self.schema_fqn.clone(),
                database: self.database_fqn.clone(),
            },
        }
    }

    fn new(settings: &Settings) -> Result<Names, ConnectorError> {
        let database_fqn = fqn::build(&[&settings.service_name, &settings.database_name])
            .map_err(|e| ConnectorError::config(keys::DATABASE_NAME, e))?;
        let schema_fqn =
            fqn::build(&[&settings.service_name, &settings.database_name, SCHEMA_NAME])
                .map_err(|e| ConnectorError::config(keys::DATABASE_NAME, e))?;
        let service_fqn = fqn::quote_name(&settings.service_name)
            .map_err(|e| ConnectorError::config(keys::SERVICE_NAME, e))?;
        Ok(Names {
            service_fqn,
            database_fqn,
            schema_fqn,
        })
    }
}

async fn client<'t, T: Transport>(
    settings: &Settings,
    transport: &'t T,
) -> Result<DynamoDb<'t, T>, ConnectorError> {
    let endpoint = endpoint::dynamodb(&settings.aws.region, settings.aws.endpoint_url.as_deref())?;
    let policy = RetryPolicy::with_max_attempts(settings.tuning.max_attempts);
    let mut credentials = credentials(settings)?;
    if let Some(role) = &settings.aws.assume_role {
        let sts = endpoint::sts(
            &settings.aws.region,
            settings.aws.sts_endpoint_url.as_deref(),
        )?;
        crate::info!("assuming role {} through {}", role.role_arn, sts.as_str());
        credentials = crate::aws::sts::assume_role(
            transport,
            credentials,
            role,
            &settings.aws.region,
            &sts,
            policy,
        )
        .await?;
    }
    let signer = Signer::new(credentials, &settings.aws.region, "dynamodb");
    Ok(DynamoDb::new(
        Caller::new(transport, signer, policy),
        endpoint,
    ))
}

fn credentials(settings: &Settings) -> Result<StaticCredentials, ConnectorError> {
    settings.aws.credentials.clone().ok_or_else(|| {
        ConnectorError::config(
            keys::ACCESS_KEY_ID,
            "no AWS credentials: set awsConfig.awsAccessKeyId and awsConfig.awsSecretAccessKey \
             (the host fills them in from the environment or a profile when the YAML has none)",
        )
    })
}

struct Run<'a, 't, T> {
    settings: &'a Settings,
    client: &'a DynamoDb<'t, T>,
    names: &'a Names,
    outbox: &'a Outbox,
    counts: Counts,
    extras: Extras,
}

/// Outcomes so far, for the log.
#[derive(Default)]
struct Counts {
    ingested: Cell<u64>,
    filtered: Cell<u64>,
    failed: Cell<u64>,
}

enum Processed {
    /// Left out by a filter; with a warning when a pattern could not decide.
    Filtered(String, Option<Warning>),
    Ingested(Box<Table>, Vec<Warning>),
    Failed(Failure),
}

impl<T: Transport> Run<'_, '_, T> {
    /// Why the whole database or schema is left out by a filter, if it is.
    fn scope_exclusion(&self) -> Option<String> {
        let source = &self.settings.source;
        let fqn = source.use_fqn_for_filtering;
        let database = if fqn {
            &self.names.database_fqn
        } else {
            &self.settings.database_name
        };
        let verdict = source
            .database_filter
            .verdict(database, "databaseFilterPattern");
        if let Some(reason) = verdict.dropped() {
            if matches!(verdict, Verdict::Undecided(_)) {
                crate::warn!("database `{database}`: {reason}");
            }
            return Some(format!("database `{database}` {reason}"));
        }
        let schema = if fqn {
            &self.names.schema_fqn
        } else {
            SCHEMA_NAME
        };
        let verdict = source.schema_filter.verdict(schema, "schemaFilterPattern");
        let reason = verdict.dropped()?;
        if matches!(verdict, Verdict::Undecided(_)) {
            crate::warn!("schema `{schema}`: {reason}");
        }
        Some(format!("schema `{schema}` {reason}"))
    }

    /// Lists and describes at once: the listing runs ahead, a bounded number of names at most,
    /// while the names it has sent are described with at most `describeConcurrency` calls in
    /// flight, and each finished table goes to the outbox. A listing that breaks off is
    /// reported after the tables it did list are finished; an error that makes every call
    /// pointless (refused credentials) stops the run at once.
    async fn process_all(&self) -> Result<(), ConnectorError> {
        let concurrency = self.settings.tuning.describe_concurrency;
        let (names, listed) = mpsc::channel::<String>(LISTED_AHEAD);
        let describing = listed
            .enumerate()
            .map(|(index, name)| self.process(index as u64, name))
            .buffer_unordered(concurrency)
            .map(Ok)
            .try_for_each(|item| async move {
                let item = item?;
                self.outbox.push(item).await;
                self.hand_over_warnings();
                Ok::<(), ConnectorError>(())
            });
        let (listing, describing) = future::join(self.list_into(names), describing).await;
        describing?;
        listing
    }

    /// Sends each listed table name, once and in listing order; the channel closes when the
    /// listing ends. Stops at the first page that would make the listing go round in circles:
    /// a position it has already been at, or a page that brings no new name.
    async fn list_into(&self, mut names: mpsc::Sender<String>) -> Result<(), ConnectorError> {
        let mut seen = Fingerprints::default();
        let mut positions = Fingerprints::default();
        let mut start: Option<String> = None;
        for page_number in 1..=MAX_LIST_PAGES {
            let page = self
                .client
                .list_tables_page(start.as_deref())
                .await
                .map_err(|e| e.into_connector_error())?;
            crate::debug!(
                "ListTables page {page_number}: {} names",
                page.table_names.len()
            );
            let mut new_names = 0;
            for name in page.table_names {
                if !seen.insert(&name) {
                    continue;
                }
                new_names += 1;
                if send(&mut names, name).await.is_err() {
                    // The describing stopped (the run is stopping): nothing left to list for.
                    return Ok(());
                }
                self.outbox.update_progress(|p| p.listed += 1);
            }
            let Some(last) = page.last_evaluated_table_name else {
                self.outbox.update_progress(|p| p.listing_complete = true);
                return Ok(());
            };
            if !positions.insert(&last) {
                return Err(invalid_listing(format!(
                    "ListTables page {page_number} returned LastEvaluatedTableName `{last}`, a \
                     position the listing has already been at: the listing would go round in \
                     circles, so it stopped after {} tables",
                    self.outbox.progress().listed
                )));
            }
            if new_names == 0 {
                return Err(invalid_listing(format!(
                    "ListTables page {page_number} (after `{}`) brought no table name not \
                     already listed: the listing would go round in circles, so it stopped \
                     after {} tables",
                    start.as_deref().unwrap_or_default(),
                    self.outbox.progress().listed
                )));
            }
            start = Some(last);
        }
        Err(invalid_listing(format!(
            "ListTables still not finished after {MAX_LIST_PAGES} pages"
        )))
    }

    async fn process(&self, index: u64, name: String) -> Result<Finished, ConnectorError> {
        let processed = self.process_table(&name).await?;
        let (status, table) = match processed {
            Processed::Filtered(reason, warning) => {
                self.counts.filtered.set(self.counts.filtered.get() + 1);
                if let Some(warning) = warning {
                    self.outbox.warn(warning);
                }
                (TableStatus::Filtered(reason), None)
            }
            Processed::Failed(failure) => {
                self.counts.failed.set(self.counts.failed.get() + 1);
                (TableStatus::Failed(failure), None)
            }
            Processed::Ingested(table, warnings) => {
                self.counts.ingested.set(self.counts.ingested.get() + 1);
                for warning in warnings {
                    self.outbox.warn(warning);
                }
                (TableStatus::Ingested, Some(*table))
            }
        };
        let done =
            self.counts.ingested.get() + self.counts.filtered.get() + self.counts.failed.get();
        if done.is_multiple_of(PROGRESS_EVERY) {
            crate::info!("{done} tables processed");
        }
        let stats = self.client.stats();
        self.outbox.update_progress(|p| p.stats = stats);
        Ok(Finished {
            index,
            outcome: TableOutcome { name, status },
            table,
        })
    }

    /// Run-level warnings raised so far (tags or sampling turned off), to the outbox.
    fn hand_over_warnings(&self) {
        for warning in self.extras.take_warnings() {
            self.outbox.warn(warning);
        }
    }

    async fn process_table(&self, name: &str) -> Result<Processed, ConnectorError> {
        let source = &self.settings.source;
        let filtered_name = if source.use_fqn_for_filtering {
            format!(
                "{}.{}",
                self.names.schema_fqn,
                fqn::quote_name(name).unwrap_or_default()
            )
        } else {
            name.to_string()
        };
        match source
            .table_filter
            .verdict(&filtered_name, "tableFilterPattern")
        {
            Verdict::Keep => {}
            Verdict::Drop(reason) => {
                crate::debug!("table `{name}` filtered: {reason}");
                return Ok(Processed::Filtered(reason, None));
            }
            Verdict::Undecided(reason) => {
                let warning = Warning {
                    table: Some(name.to_string()),
                    message: reason.clone(),
                };
                return Ok(Processed::Filtered(reason, Some(warning)));
            }
        }
        let description = match self.client.describe_table(name).await {
            Ok(description) => description,
            Err(e) if e.is_credentials_error() => return Err(e.into_connector_error()),
            Err(e) => {
                let failure = e.failure();
                crate::warn!("table `{name}`: {failure}");
                return Ok(Processed::Failed(failure));
            }
        };
        let context = mapping::Context {
            region: &self.settings.aws.region,
            schema_fqn: &self.names.schema_fqn,
            read_at_ms: time::epoch_millis(self.client.transport().now()),
        };
        match mapping::table(name, &description, &context) {
            Ok(mapped) => {
                let mut table = mapped.table;
                let note = |message: String| Warning {
                    table: Some(name.to_string()),
                    message,
                };
                let mut warnings: Vec<Warning> = mapped.notes.into_iter().map(note).collect();
                warnings.extend(
                    self.enrich(&mut table, description.table_arn.as_deref())
                        .await?,
                );
                Ok(Processed::Ingested(Box::new(table), warnings))
            }
            Err(message) => {
                crate::warn!("table `{name}`: DescribeTable answer not usable: {message}");
                Ok(Processed::Failed(Failure {
                    operation: "DescribeTable".to_string(),
                    http_status: None,
                    code: "InvalidResponse".to_string(),
                    message,
                    attempts: 1,
                }))
            }
        }
    }
}

/// Sends once the channel has room; an error when the receiver is gone.
async fn send(names: &mut mpsc::Sender<String>, name: String) -> Result<(), mpsc::SendError> {
    std::future::poll_fn(|cx| names.poll_ready(cx)).await?;
    names.start_send(name)
}

/// A set of strings kept as 64-bit keyed hashes: what the listing has seen, in constant space
/// per name whatever the names' length.
#[derive(Default)]
struct Fingerprints {
    hasher: std::hash::RandomState,
    seen: HashSet<u64>,
}

impl Fingerprints {
    /// False when `text` was already there.
    fn insert(&mut self, text: &str) -> bool {
        use std::hash::BuildHasher;
        self.seen.insert(self.hasher.hash_one(text))
    }
}

fn invalid_listing(message: String) -> ConnectorError {
    ConnectorError::InvalidResponse(Failure {
        operation: "ListTables".to_string(),
        http_status: None,
        code: "InvalidResponse".to_string(),
        message,
        attempts: 1,
    })
}

#[cfg(test)]
mod tests;
