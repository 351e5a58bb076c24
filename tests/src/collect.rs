//! A streamed run, collected: the host library's [`Runtime::ingest`] with every batch kept,
//! so that a test can look at a whole run's answer at once (tests only: the host itself never
//! holds a run's tables).

use ddb_catalog::runtime::bindings::types::{
    CallStats, ConnectionCheck, ConnectorError, Ingestion,
};
use ddb_catalog::runtime::{Event, RunOutcome, RunRequest, Runtime};

/// Which export to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Ingest,
    TestConnection,
}

#[derive(Debug)]
pub enum Answer {
    /// The batches of a streamed ingestion as one `ingestion` (tables and outcomes in the order
    /// they came), or the connector's error.
    Ingest(Result<Ingestion, ConnectorError>),
    TestConnection(Result<ConnectionCheck, ConnectorError>),
}

/// Runs `call`; panics if the tenant's log holds one of the request's secrets.
pub async fn run(runtime: &Runtime, request: RunRequest, call: Call) -> RunOutcome<Answer> {
    for secret in &request.secrets {
        crate::host::register_secret(secret);
    }
    let outcome = run_unchecked(runtime, request, call).await;
    crate::host::assert_no_secrets("the tenant's log", &outcome.log.join("\n"));
    outcome
}

async fn run_unchecked(runtime: &Runtime, request: RunRequest, call: Call) -> RunOutcome<Answer> {
    match call {
        Call::TestConnection => {
            let outcome = runtime.test_connection(request).await;
            map(outcome, Answer::TestConnection)
        }
        Call::Ingest => {
            let (events, mut received) = tokio::sync::mpsc::channel(2);
            let collecting = async {
                let mut collected: Option<Ingestion> = None;
                while let Some(event) = received.recv().await {
                    match event {
                        Event::Scope(scope) => {
                            collected = Some(Ingestion {
                                service: scope.service,
                                database: scope.database,
                                schema: scope.schema,
                                tables: Vec::new(),
                                outcomes: Vec::new(),
                                listing_complete: false,
                                warnings: Vec::new(),
                                stats: CallStats {
                                    requests: 0,
                                    retries: 0,
                                    throttled: 0,
                                },
                            })
                        }
                        Event::Batch(held) => {
                            let ingestion = collected.as_mut().expect("the scope comes first");
                            let batch = held.batch.clone();
                            ingestion.tables.extend(batch.tables);
                            ingestion.outcomes.extend(batch.outcomes);
                            ingestion.warnings.extend(batch.warnings);
                            ingestion.listing_complete = batch.progress.listing_complete;
                            ingestion.stats = batch.progress.stats;
                        }
                    }
                }
                collected
            };
            let (outcome, collected) = tokio::join!(runtime.ingest(request, events), collecting);
            map(outcome, |end| {
                Answer::Ingest(end.map(|()| collected.expect("a run that ends well has a scope")))
            })
        }
    }
}

fn map<T, U>(outcome: RunOutcome<T>, f: impl FnOnce(T) -> U) -> RunOutcome<U> {
    RunOutcome {
        tenant: outcome.tenant,
        answer: outcome.answer.map(f),
        log: outcome.log,
        elapsed: outcome.elapsed,
        instantiate: outcome.instantiate,
        boundary: outcome.boundary,
    }
}
