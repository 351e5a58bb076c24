//! The two things a connector does: check the connection, and ingest.
//!
//! Ingestion lists tables page by page, decides on each name with the filters (a filtered
//! table costs no request), and describes the others with a bounded number of calls in flight.
//! Listing and describing overlap: the next page is fetched as soon as there is room for more
//! describes. Every listed table ends with exactly one outcome; an error that makes the rest
//! pointless (the listing fails, the credentials are refused) stops the run.

use crate::aws::call::Caller;
use crate::aws::retry::RetryPolicy;
use crate::aws::signing::Signer;
use crate::catalog::{
    ConnectionCheck, Database, DatabaseSchema, DatabaseService, Failure, Ingestion, Table,
    TableOutcome, TableStatus, Warning,
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

mod extras;
use extras::Extras;

pub const SERVICE_TYPE: &str = "DynamoDB";
pub const SCHEMA_NAME: &str = "default";

/// Pages of ListTables at most (100 names each): a guard against a server that never ends.
const MAX_LIST_PAGES: usize = 1_000_000;
/// Log a progress line every this many tables.
const PROGRESS_EVERY: usize = 500;

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
        endpoint: client.endpoint().as_str(),
        region: settings.aws.region.clone(),
        tables_on_first_page: page.table_names.len() as u32,
        more_tables: page.last_evaluated_table_name.is_some(),
    })
}

pub async fn ingest<T: Transport>(
    settings: &Settings,
    transport: &T,
) -> Result<Ingestion, ConnectorError> {
    let names = Names::new(settings)?;
    let client = client(settings, transport).await?;
    let mut run = Run {
        settings,
        client: &client,
        names: &names,
        described: Cell::new(0),
        extras: Extras::default(),
    };
    let mut warnings = Vec::new();
    let mut processed = Vec::new();
    let mut listing_complete = false;
    match run.scope_exclusion() {
        Some(reason) => warnings.push(Warning {
            table: None,
            message: format!("no tables listed: {reason}"),
        }),
        None if !settings.source.include_tables => {
            crate::info!("sourceConfig.includeTables is false: no tables listed")
        }
        None => {
            processed = run.process_all().await?;
            listing_complete = true;
        }
    }
    warnings.extend(run.extras.take_warnings());

    let mut tables = Vec::new();
    let mut outcomes = Vec::with_capacity(processed.len());
    for item in processed {
        let status = match item.result {
            Processed::Filtered(reason) => TableStatus::Filtered(reason),
            Processed::Failed(failure) => TableStatus::Failed(failure),
            Processed::Ingested(table, table_warnings) => {
                warnings.extend(table_warnings);
                tables.push(*table);
                TableStatus::Ingested
            }
        };
        outcomes.push(TableOutcome {
            name: item.name,
            status,
        });
    }
    let stats = client.stats();
    crate::info!(
        "listed {} tables: {} ingested, {} filtered, {} failed ({} requests, {} retries)",
        outcomes.len(),
        tables.len(),
        outcomes
            .iter()
            .filter(|o| matches!(o.status, TableStatus::Filtered(_)))
            .count(),
        outcomes
            .iter()
            .filter(|o| matches!(o.status, TableStatus::Failed(_)))
            .count(),
        stats.requests,
        stats.retries
    );
    Ok(Ingestion {
        service: DatabaseService {
            name: settings.service_name.clone(),
            service_type: SERVICE_TYPE.to_string(),
        },
        database: Database {
            name: settings.database_name.clone(),
            fully_qualified_name: names.database_fqn.clone(),
            service: names.service_fqn.clone(),
        },
        schema: DatabaseSchema {
            name: SCHEMA_NAME.to_string(),
            fully_qualified_name: names.schema_fqn.clone(),
            database: names.database_fqn.clone(),
        },
        tables,
        outcomes,
        listing_complete,
        warnings,
        stats,
    })
}

/// The FQNs of the run's service, database and schema.
struct Names {
    service_fqn: String,
    database_fqn: String,
    schema_fqn: String,
}

impl Names {
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
    described: Cell<usize>,
    extras: Extras,
}

struct Item {
    index: usize,
    name: String,
    result: Processed,
}

enum Processed {
    Filtered(String),
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
        if let Verdict::Drop(reason) = source
            .database_filter
            .verdict(database, "databaseFilterPattern")
        {
            return Some(format!("database `{database}` {reason}"));
        }
        let schema = if fqn {
            &self.names.schema_fqn
        } else {
            SCHEMA_NAME
        };
        match source.schema_filter.verdict(schema, "schemaFilterPattern") {
            Verdict::Drop(reason) => Some(format!("schema `{schema}` {reason}")),
            Verdict::Keep => None,
        }
    }

    /// Lists and describes at once: the listing runs ahead on its own, page after page, while
    /// the names it has sent are described with at most `describeConcurrency` calls in flight.
    async fn process_all(&mut self) -> Result<Vec<Item>, ConnectorError> {
        let concurrency = self.settings.tuning.describe_concurrency;
        let this = &*self;
        let (names, listed) = mpsc::unbounded::<String>();
        let describing = listed
            .enumerate()
            .map(|(index, name)| Ok(this.process(index, name)))
            .try_buffer_unordered(concurrency)
            .try_collect::<Vec<Item>>();
        let ((), mut items) = future::try_join(this.list_into(names), describing).await?;
        items.sort_by_key(|item| item.index);
        Ok(items)
    }

    /// Sends each listed table name, once and in listing order; the channel closes when the
    /// listing is complete.
    async fn list_into(&self, names: mpsc::UnboundedSender<String>) -> Result<(), ConnectorError> {
        let mut seen = HashSet::new();
        let mut start: Option<String> = None;
        for pages in 1..=MAX_LIST_PAGES {
            let page = self
                .client
                .list_tables_page(start.as_deref())
                .await
                .map_err(|e| e.into_connector_error())?;
            crate::debug!("ListTables page {pages}: {} names", page.table_names.len());
            for name in page.table_names {
                if seen.insert(name.clone()) {
                    // The receiver goes only when the run stops; nothing is left to do then.
                    let _ = names.unbounded_send(name);
                }
            }
            match page.last_evaluated_table_name {
                None => return Ok(()),
                Some(last) if start.as_deref() == Some(last.as_str()) => {
                    return Err(invalid_listing(format!(
                        "ListTables returned LastEvaluatedTableName `{last}` again; the listing would never end"
                    )));
                }
                Some(last) => start = Some(last),
            }
        }
        Err(invalid_listing(format!(
            "ListTables still not finished after {MAX_LIST_PAGES} pages"
        )))
    }

    async fn process(&self, index: usize, name: String) -> Result<Item, ConnectorError> {
        let result = self.process_table(&name).await?;
        let done = self.described.get() + 1;
        self.described.set(done);
        if done.is_multiple_of(PROGRESS_EVERY) {
            crate::info!("{done} tables processed");
        }
        Ok(Item {
            index,
            name,
            result,
        })
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
        if let Verdict::Drop(reason) = source
            .table_filter
            .verdict(&filtered_name, "tableFilterPattern")
        {
            crate::debug!("table `{name}` filtered: {reason}");
            return Ok(Processed::Filtered(reason));
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
            Ok(mut table) => {
                let warnings = self
                    .enrich(&mut table, description.table_arn.as_deref())
                    .await?;
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
