//! One workflow, end to end: configuration keys and allowlist from the YAML, a sandboxed run
//! of the component, its entities through the sink, and the report.

use crate::aws_credentials::{self, Environment, ProcessEnvironment, Source};
use crate::config_keys::{Bound, secret_values};
use crate::connector::{Credentials, Manifest};
pub use crate::connector::{connector_error, failure_text};
use crate::entities::{self, ScopeRequests, Seen, TableRequests};
use crate::logging::{self, Fields, Level};
use crate::pipeline_status::{self, PipelineStatusWriter};
use crate::progress::{Counts, Phase, RunProgress};
use crate::report::epoch_millis;
use crate::runtime::bindings::types::{Batch, ConnectionCheck, RunScope, TableStatus};
use crate::runtime::outbound::Allowlist;
use crate::runtime::{Event, RunFailure, RunOutcome, RunRequest, Runtime};
use crate::sanitize;
use crate::scope::Scope;
use crate::secret::Redactor;
use crate::sink::{self, Format, Listed, RunEnd, Sink, SinkSpec};
use crate::summary::PipelineStatusOutcome as Outcome;
use crate::summary::{Calls, Report};
use crate::workflow::{Loaded, Workflow};
use std::time::Instant;
use tokio::sync::mpsc;

/// Batches between the sandbox and the sink at most: the sink works on one while the
/// connector prepares the next.
const SINK_WINDOW: usize = 2;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Overrides the workflow's sink.
    pub output: Option<SinkSpec>,
    /// Echo the component's log live, with this prefix.
    pub echo_log: Option<String>,
    /// Let endpoint names resolve to private addresses (VPC endpoints).
    pub allow_internal_addresses: bool,
    /// What a file or stdout sink writes.
    pub format: Format,
}

/// What a run needs from its workflow.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub config: Vec<(String, String)>,
    pub secrets: Vec<String>,
    /// Where the credentials came from when the YAML has none.
    pub credentials_source: Option<Source>,
}

/// The configuration keys, with credentials from the provider the connector asks for when the
/// YAML has none, and the values to keep out of every output.
pub fn prepare(
    loaded: &Loaded,
    bound: &Bound,
    manifest: &Manifest,
    env: &dyn Environment,
) -> Result<Prepared, String> {
    let mut config = bound.pairs.clone();
    let provided = match manifest.credentials {
        Credentials::Aws => aws_credentials::provide(&mut config, &loaded.raw.0, env)?,
        Credentials::None => None,
    };
    let mut secrets = secret_values(&config, manifest);
    let workflow = &loaded.workflow;
    if let Some(jwt) = workflow
        .workflow_config
        .as_ref()
        .and_then(|c| c.open_metadata_server_config.as_ref())
        .and_then(|c| c.security_config.as_ref())
    {
        secrets.push(jwt.jwt_token.expose().to_string());
    }
    let credentials_source = provided.map(|p| {
        secrets.extend(p.secrets);
        p.source
    });
    Ok(Prepared {
        config,
        secrets,
        credentials_source,
    })
}

/// A run's request: its configuration, checked against the component's schema, and the
/// destinations the component declares for it as the allowlist.
async fn request(
    runtime: &Runtime,
    label: &str,
    loaded: &Loaded,
    bound: &Bound,
    options: &Options,
) -> Result<RunRequest, String> {
    let manifest = runtime.manifest().await?;
    let prepared = prepare(loaded, bound, &manifest, &ProcessEnvironment)?;
    logging::register_secrets(&prepared.secrets);
    let say = |message: &str| {
        if let Some(prefix) = &options.echo_log {
            logging::say(
                Level::Info,
                format!("{prefix}{message}"),
                message,
                &Fields {
                    run: Some(label),
                    source: Some("host"),
                    ..Fields::default()
                },
            );
        }
    };
    if let Some(source) = &prepared.credentials_source {
        let from = match source {
            Source::Environment => "the environment (AWS_ACCESS_KEY_ID)".to_string(),
            Source::Profile { name, file } => format!("profile `{name}` of {}", file.display()),
        };
        say(&format!("AWS credentials from {from}"));
    }
    runtime
        .check_configuration(&prepared.config)
        .await
        .map_err(|problems| format!("invalid configuration: {problems}"))?;
    let declared = runtime
        .destinations(&prepared.config, &prepared.secrets)
        .await?;
    say(&format!(
        "May reach: {}",
        if declared.is_empty() {
            "nothing".to_string()
        } else {
            declared
                .iter()
                .map(|d| format!("{} ({})", d.destination, d.purpose))
                .collect::<Vec<_>>()
                .join(", ")
        }
    ));
    let allowlist = Allowlist::new(declared.into_iter().map(|d| d.destination).collect())
        .allowing_internal_names(options.allow_internal_addresses);
    Ok(RunRequest {
        tenant: label.to_string(),
        allowlist,
        secrets: prepared.secrets,
        config: prepared.config,
        echo_log: options.echo_log.clone(),
    })
}

/// The sink the run writes to: `--output`, else the workflow's, else stdout.
fn sink_spec(workflow: &Workflow, options: &Options) -> SinkSpec {
    options
        .output
        .clone()
        .or_else(|| {
            workflow.sink.as_ref().map(|s| {
                SinkSpec::from_workflow(s, workflow.workflow_config.as_ref())
                    .expect("checked on load")
            })
        })
        .unwrap_or(SinkSpec::Stdout)
}

/// The run's id: the workflow's `pipelineRunId`, or a new UUID.
pub fn run_id(workflow: &Workflow) -> String {
    workflow
        .pipeline_run_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(String::from)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// Ingests one workflow: the sandboxed run streams its batches into the sink while the report
/// builds up. Whatever stops the run, what was handed over is written and counted. With the
/// `metadata-rest` sink and `ingestionPipelineFQN`, the run's status is written to its
/// ingestion pipeline in OpenMetadata (`running`, then the final state); a status that cannot
/// be written is a warning.
pub async fn ingest(
    runtime: &Runtime,
    label: &str,
    loaded: &Loaded,
    bound: &Bound,
    options: &Options,
    progress: RunProgress,
) -> Report {
    let started = Instant::now();
    let workflow = &loaded.workflow;
    let mut report = Report::new(label);
    if let Ok(manifest) = runtime.manifest().await {
        report.step = manifest.step_name.clone();
    }
    report.service = sanitize::name(workflow.service_name()).to_string();
    report.run_id = run_id(workflow);
    for warning in loaded.warnings.iter().chain(&bound.warnings) {
        report.source.warnings.push(warning);
    }
    let spec = sink_spec(workflow, options);
    let mut status = status_writer(workflow, &spec, &report.run_id);
    // A `running` status that cannot be written is not yet a warning: the final state can
    // still be (on a first run the service, and so the pipeline, only exist once the sink has
    // created the service).
    if let Some(Ok(writer)) = &mut status
        && let Err(e) = writer.start(epoch_millis(report.started_at)).await
        && !matches!(e, pipeline_status::PipelineStatusError::NoService { .. })
    {
        logging::record(
            Level::Warn,
            &format!("pipeline status `running` not written to OpenMetadata: {e}"),
            &Fields {
                run: Some(label),
                run_id: Some(&report.run_id),
                source: Some("host"),
                operation: Some("pipelineStatus"),
                ..Fields::default()
            },
        );
    }
    run(
        runtime,
        label,
        loaded,
        bound,
        options,
        &spec,
        &mut report,
        &progress,
    )
    .await;
    report.elapsed = started.elapsed();
    match status {
        Some(Ok(writer)) => {
            let outcome = writer
                .finish(
                    report.pipeline_state(),
                    &report.step_summaries(),
                    epoch_millis(report.ended_at()),
                )
                .await;
            if let Some(problem) = &outcome.problem {
                pipeline_warning(&mut report, problem);
            }
            report.pipeline_status = Some(outcome);
        }
        Some(Err(e)) => {
            let problem = sanitize::message(&e.to_string()).to_string();
            pipeline_warning(&mut report, &problem);
            report.pipeline_status = Some(Outcome {
                fqn: sanitize::name(
                    workflow
                        .ingestion_pipeline_fqn
                        .as_deref()
                        .unwrap_or_default(),
                )
                .to_string(),
                run_id: report.run_id.clone(),
                created: false,
                running_written: false,
                state: None,
                problem: Some(problem),
            });
        }
        None => {}
    }
    progress.finish(report.stopped.is_some());
    report
}

/// The pipeline status writer, when the run writes to OpenMetadata and names its pipeline.
fn status_writer(
    workflow: &Workflow,
    spec: &SinkSpec,
    run_id: &str,
) -> Option<Result<PipelineStatusWriter, pipeline_status::PipelineStatusError>> {
    let fqn = workflow
        .ingestion_pipeline_fqn
        .as_deref()
        .filter(|f| !f.trim().is_empty())?;
    if *spec != SinkSpec::MetadataRest {
        return None;
    }
    let server = workflow
        .workflow_config
        .as_ref()
        .and_then(|c| c.open_metadata_server_config.as_ref())?;
    let source_config = pipeline_status::source_config_json(&workflow.source.source_config.config);
    Some(PipelineStatusWriter::new(
        server,
        fqn,
        run_id,
        source_config,
        workflow.pipeline().pipeline_type(),
    ))
}

fn pipeline_warning(report: &mut Report, problem: &str) {
    let message = format!("pipeline status not written to OpenMetadata: {problem}");
    report.warnings.push(&message);
    logging::record(
        Level::Warn,
        &message,
        &Fields {
            run: Some(&report.tenant),
            run_id: Some(&report.run_id),
            source: Some("host"),
            operation: Some("pipelineStatus"),
            ..Fields::default()
        },
    );
}

/// The run itself, into `report`.
#[allow(clippy::too_many_arguments)]
async fn run(
    runtime: &Runtime,
    label: &str,
    loaded: &Loaded,
    bound: &Bound,
    options: &Options,
    spec: &SinkSpec,
    report: &mut Report,
    progress: &RunProgress,
) {
    let (run_request, scope, writer) =
        match open(runtime, label, loaded, bound, options, spec).await {
            Ok(opened) => opened,
            Err(e) => {
                report.stop(&e);
                return;
            }
        };
    let secrets = run_request.secrets.clone();
    let (events, received) = mpsc::channel(SINK_WINDOW);
    let mut consumer = Consumer {
        workflow: &loaded.workflow,
        bound,
        redactor: Redactor::new(&run_request.secrets),
        report,
        progress,
        writer: Some(writer),
        listed: Listed::default(),
        listing_complete: false,
        expected: scope,
        seen: Seen::default(),
        scope: None,
        refused: None,
        sink_error: None,
    };
    let (outcome, ()) = tokio::join!(
        runtime.ingest(run_request, events),
        consumer.consume(received)
    );
    let Consumer {
        writer,
        listed,
        listing_complete,
        refused,
        sink_error,
        report,
        ..
    } = consumer;
    let redactor = Redactor::new(&secrets);
    match (&sink_error, &outcome.answer) {
        _ if refused.is_some() => report.stop(refused.as_deref().unwrap_or_default()),
        (Some(error), _) => report.stop(&format!("{} sink: {error}", spec.label())),
        (None, Err(RunFailure::SinkStopped)) => report.stop("the sink stopped taking tables"),
        (None, Err(failure)) => report.stop(&redactor.redact(&failure.to_string())),
        (None, Ok(Err(error))) => report.stop(&redactor.redact(&connector_error(error))),
        (None, Ok(Ok(()))) => {}
    }
    report.notes.push(sandbox_note(&outcome));
    if let Some(writer) = writer {
        progress.phase(Phase::Writing);
        let end = RunEnd {
            listing_complete,
            stopped: report.stopped.as_ref().map(|s| s.reason.clone()),
        };
        let sink_report = if sink_error.is_some() {
            Ok(writer.report_so_far())
        } else {
            writer.finish(&end, &listed).await
        };
        match sink_report {
            Ok(sink_report) => report.sink = Some((spec.label(), sink_report)),
            Err(e) => report.stop(&format!("{} sink: {e:#}", spec.label())),
        }
    }
}

/// What a run needs before the connector starts: its request (configuration and allowlist),
/// the configuration checked against the component's schema, the scope the workflow implies,
/// and the sink, open. Or why the run cannot start.
async fn open(
    runtime: &Runtime,
    label: &str,
    loaded: &Loaded,
    bound: &Bound,
    options: &Options,
    spec: &SinkSpec,
) -> Result<(RunRequest, Scope, Box<dyn Sink>), String> {
    let workflow = &loaded.workflow;
    let run_request = request(runtime, label, loaded, bound, options).await?;
    let manifest = runtime.manifest().await?;
    let scope = Scope::of(
        workflow,
        bound.database_name.as_deref(),
        &manifest.service_type,
    )?;
    let writer = sink::open(spec, options.format, workflow, &manifest.classifications)
        .await
        .map_err(|e| format!("{} sink: {e:#}", spec.label()))?;
    Ok((run_request, scope, writer))
}

/// The summary's line on the sandbox: how fast it started, how long the connector ran, and the
/// window of tables the host held.
fn sandbox_note<T>(outcome: &RunOutcome<T>) -> String {
    let boundary = &outcome.boundary;
    format!(
        "Sandbox: instantiated in {:.2} ms; the connector ran {:.2} s; {} batches, the largest {} tables ({:.1} KiB), at most {:.1} KiB held at once",
        outcome.instantiate.as_secs_f64() * 1000.0,
        outcome.elapsed.as_secs_f64(),
        boundary.batches,
        boundary.largest_batch_tables,
        boundary.largest_batch_bytes as f64 / 1024.0,
        boundary.peak_held_bytes as f64 / 1024.0,
    )
}

/// Takes the run's events as they come: counts them into the report and writes them to the
/// sink. A sink that fails stops taking events, which stops the run.
struct Consumer<'a> {
    workflow: &'a Workflow,
    bound: &'a Bound,
    /// Strikes the run's secrets from everything the guest hands over.
    redactor: Redactor,
    report: &'a mut Report,
    progress: &'a RunProgress,
    writer: Option<Box<dyn Sink>>,
    listed: Listed,
    listing_complete: bool,
    /// The scope the workflow implies: the connector's must be it.
    expected: Scope,
    /// Tables handed over so far, to refuse a repeat.
    seen: Seen,
    scope: Option<ScopeRequests>,
    /// Why the connector's run was refused (it named a scope not the workflow's).
    refused: Option<String>,
    sink_error: Option<String>,
}

impl Consumer<'_> {
    async fn consume(&mut self, mut received: mpsc::Receiver<Event>) {
        while let Some(event) = received.recv().await {
            if let Err(e) = self.take(event).await {
                // A refused scope is the connector's fault: the sink is still sound, and
                // closes its output as after any stopped run.
                if self.refused.is_none() {
                    self.sink_error = Some(format!("{e:#}"));
                }
                return;
            }
        }
    }

    async fn take(&mut self, event: Event) -> anyhow::Result<()> {
        match event {
            Event::Scope(scope) => self.take_scope(&scope).await,
            Event::Batch(held) => self.take_batch(&held.batch).await,
        }
    }

    /// The run's service, database and schema: refused unless they are the workflow's.
    async fn take_scope(&mut self, scope: &RunScope) -> anyhow::Result<()> {
        if let Err(why) = self.expected.check(scope) {
            self.refused = Some(why.clone());
            anyhow::bail!(why);
        }
        let mut requests = entities::scope_requests(scope, self.workflow, self.bound);
        for request in [
            &mut requests.service,
            &mut requests.database,
            &mut requests.schema,
        ] {
            self.redactor.redact_json(request);
        }
        self.report.source.processed_records += 2;
        self.progress.phase(Phase::Listing);
        let writer = self.writer.as_mut().expect("present until the run ends");
        writer.scope(scope, &requests, &self.redactor).await?;
        self.scope = Some(requests);
        Ok(())
    }

    /// A batch of tables: checked against the scope, counted, and written.
    async fn take_batch(&mut self, batch: &Batch) -> anyhow::Result<()> {
        if self.scope.is_none() {
            anyhow::bail!("the connector handed over tables before its scope");
        }
        let mut requests = entities::table_requests(
            &batch.tables,
            &self.expected,
            &mut self.seen,
            &self.bound.lineage_services,
        );
        for table in &mut requests.tables {
            self.redactor.redact_json(&mut table.request);
            if let Some(profile) = &mut table.profile {
                self.redactor.redact_json(profile);
            }
            for edge in &mut table.lineage {
                edge.description = self.redactor.redact(&edge.description).into_owned();
                edge.fully_qualified_name = self
                    .redactor
                    .redact(&edge.fully_qualified_name)
                    .into_owned();
            }
        }
        self.count_outcomes(batch);
        self.count_requests(&requests);
        self.count_warnings(batch);
        let source = &self.report.source;
        self.progress.update(Counts {
            listed: source.listed,
            described: source.ingested as u64,
            filtered: source.filtered.len() as u64,
            failed: source.failures.len() as u64,
            listing_complete: self.listing_complete,
        });
        let writer = self.writer.as_mut().expect("present until the run ends");
        writer.batch(batch, &requests, &self.redactor).await?;
        Ok(())
    }

    /// The batch's progress and each table's outcome, into the report (and a failed table into
    /// the log).
    fn count_outcomes(&mut self, batch: &Batch) {
        let redact = |text: &str| self.redactor.redact(text).into_owned();
        let run = self.report.tenant.clone();
        let source = &mut self.report.source;
        source.listed = batch.progress.listed;
        let stats = &batch.progress.stats;
        source.calls = Some(Calls {
            requests: stats.requests,
            retries: stats.retries,
            throttled: stats.throttled,
        });
        self.listing_complete = batch.progress.listing_complete;
        let keep_names = self
            .writer
            .as_ref()
            .is_some_and(|writer| writer.needs_listing());
        for outcome in &batch.outcomes {
            if keep_names {
                self.listed.insert(&outcome.name);
            }
            match &outcome.status {
                TableStatus::Ingested => {}
                TableStatus::Filtered(reason) => {
                    source.filtered.push(&outcome.name, &redact(reason))
                }
                TableStatus::Failed(failure) => {
                    let reason = redact(&failure_text(failure));
                    source.failures.push(&outcome.name, &reason);
                    logging::record(
                        Level::Warn,
                        &format!("table failed: {reason}"),
                        &Fields {
                            run: Some(&run),
                            source: Some("connector"),
                            table: Some(&redact(&outcome.name)),
                            operation: Some(&redact(&failure.operation)),
                            attempt: Some(failure.attempts),
                            error_code: Some(&redact(&failure.code)),
                            http_status: failure.http_status,
                            ..Fields::default()
                        },
                    );
                }
            }
        }
    }

    /// The tables the host took, and those it refused (an invalid entity, a repeat).
    fn count_requests(&mut self, requests: &TableRequests) {
        let run = self.report.tenant.clone();
        let source = &mut self.report.source;
        for (name, why) in &requests.rejected {
            source
                .failures
                .push(name, &format!("the connector's entity is invalid: {why}"));
        }
        let repeated = requests.repeated.iter().map(|name| {
            format!(
                "table `{}` handed over again: the repeat is refused",
                sanitize::name(name)
            )
        });
        let lineage = requests
            .lineage_refused
            .iter()
            .map(|(name, why)| format!("{}: {why}", sanitize::name(name)));
        for message in repeated.chain(lineage) {
            source.warnings.push(&message);
            logging::record(
                Level::Warn,
                &message,
                &Fields {
                    run: Some(&run),
                    source: Some("host"),
                    ..Fields::default()
                },
            );
        }
        source.ingested += requests.tables.len();
        source.processed_records += requests.tables.len();
    }

    /// The connector's warnings, into the report and the log.
    fn count_warnings(&mut self, batch: &Batch) {
        let redact = |text: &str| self.redactor.redact(text).into_owned();
        let run = self.report.tenant.clone();
        let source = &mut self.report.source;
        for warning in &batch.warnings {
            let message = redact(&warning.message);
            let table = warning.table.as_deref().map(redact);
            match &table {
                Some(table) => source.warnings.push(&format!("{table}: {message}")),
                None => source.warnings.push(&message),
            }
            logging::record(
                Level::Warn,
                &message,
                &Fields {
                    run: Some(&run),
                    source: Some("connector"),
                    table: table.as_deref(),
                    ..Fields::default()
                },
            );
        }
    }
}

/// The answer of `test-connection`, or why it failed.
pub async fn test_connection(
    runtime: &Runtime,
    label: &str,
    loaded: &Loaded,
    bound: &Bound,
    options: &Options,
) -> Result<ConnectionCheck, String> {
    let run_request = request(runtime, label, loaded, bound, options).await?;
    let redactor = Redactor::new(&run_request.secrets);
    match runtime.test_connection(run_request).await.answer {
        Ok(Ok(check)) => Ok(ConnectionCheck {
            endpoint: redactor.redact(&check.endpoint).into_owned(),
            operation: redactor.redact(&check.operation).into_owned(),
            region: check.region.map(|r| redactor.redact(&r).into_owned()),
            ..check
        }),
        Ok(Err(error)) => Err(redactor.redact(&connector_error(&error)).into_owned()),
        Err(failure) => Err(redactor.redact(&failure.to_string()).into_owned()),
    }
}
