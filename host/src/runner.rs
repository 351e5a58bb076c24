//! One workflow, end to end: configuration keys and allowlist from the YAML, a sandboxed run
//! of the component, its entities through the sink, and the report.

use crate::aws_credentials::{self, Environment, ProcessEnvironment, Source};
use crate::config_keys::{config_pairs, secret_values};
use crate::entities;
use crate::runtime::bindings::types::{ConnectionCheck, ConnectorError, Failure, TableStatus};
use crate::runtime::outbound::{Allowlist, Destination};
use crate::runtime::{Answer, Call, RunRequest, Runtime};
use crate::sink::rest::RunFacts;
use crate::sink::{self, Format, SinkSpec};
use crate::summary::{Report, SourceStatus};
use crate::workflow::{Loaded, Workflow};
use std::time::Instant;

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
    pub allowlist: Allowlist,
    pub secrets: Vec<String>,
    /// Where the credentials came from when the YAML has none.
    pub credentials_source: Option<Source>,
}

/// The configuration keys (with credentials from the usual chain when the YAML has none), the
/// allowlist and the values to keep out of every output.
pub fn prepare(
    workflow: &Workflow,
    env: &dyn Environment,
    options: &Options,
) -> Result<Prepared, String> {
    let resolved = aws_credentials::resolve(&workflow.connection().aws_config, env)?;
    let config = config_pairs(workflow, resolved.as_ref());
    let assumes_role = config.iter().any(|(k, _)| k == "awsConfig.assumeRoleArn");
    let allowlist = allowlist(workflow, assumes_role)?
        .allowing_internal_names(options.allow_internal_addresses);
    let mut secrets = secret_values(&config);
    if let Some(jwt) = workflow
        .workflow_config
        .as_ref()
        .and_then(|c| c.open_metadata_server_config.as_ref())
        .and_then(|c| c.security_config.as_ref())
    {
        secrets.push(jwt.jwt_token.expose().to_string());
    }
    Ok(Prepared {
        config,
        allowlist,
        secrets,
        credentials_source: resolved.map(|r| r.source),
    })
}

/// The hosts a workflow's run may reach: its DynamoDB endpoint, and STS when it assumes a role.
pub fn allowlist(workflow: &Workflow, assumes_role: bool) -> Result<Allowlist, String> {
    let connection = workflow.connection();
    let aws = &connection.aws_config;
    let region = aws.aws_region.trim();
    if region.is_empty()
        || !region
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(format!(
            "`awsConfig.awsRegion` `{region}` is not a region name"
        ));
    }
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    let dynamodb = match aws
        .end_point_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
    {
        Some(url) => url.to_string(),
        None => format!("https://dynamodb.{region}.{suffix}"),
    };
    let mut destinations = vec![
        Destination::from_url(&dynamodb).map_err(|e| format!("`awsConfig.endPointURL`: {e}"))?,
    ];
    if assumes_role {
        let sts = match connection.connection_options.get("stsEndpointURL") {
            Some(url) => url.clone(),
            None => format!("https://sts.{region}.{suffix}"),
        };
        destinations.push(
            Destination::from_url(&sts)
                .map_err(|e| format!("`connectionOptions.stsEndpointURL`: {e}"))?,
        );
    }
    Ok(Allowlist::new(destinations))
}

fn request(
    call: Call,
    label: &str,
    workflow: &Workflow,
    options: &Options,
) -> Result<RunRequest, String> {
    let prepared = prepare(workflow, &ProcessEnvironment, options)?;
    if let (Some(source), Some(prefix)) = (&prepared.credentials_source, &options.echo_log) {
        let from = match source {
            Source::Environment => "the environment (AWS_ACCESS_KEY_ID)".to_string(),
            Source::Profile { name, file } => format!("profile `{name}` of {}", file.display()),
        };
        eprintln!("{prefix}AWS credentials from {from}");
    }
    Ok(RunRequest {
        tenant: label.to_string(),
        call,
        allowlist: prepared.allowlist,
        secrets: prepared.secrets,
        config: prepared.config,
        echo_log: options.echo_log.clone(),
    })
}

pub async fn ingest(runtime: &Runtime, label: &str, loaded: &Loaded, options: &Options) -> Report {
    let started = Instant::now();
    let workflow = &loaded.workflow;
    let mut report = Report {
        tenant: label.to_string(),
        source: SourceStatus {
            warnings: loaded.warnings.clone(),
            ..SourceStatus::default()
        },
        sink: None,
        run_error: None,
        elapsed: Default::default(),
        notes: Vec::new(),
    };
    let finish = |mut report: Report| {
        report.elapsed = started.elapsed();
        report
    };
    let run_request = match request(Call::Ingest, label, workflow, options) {
        Ok(r) => r,
        Err(e) => {
            report.run_error = Some(e);
            return finish(report);
        }
    };
    let outcome = runtime.run(run_request).await;
    report.notes.push(format!(
        "Sandbox: instantiated in {:.2} ms; the connector ran {:.2} s",
        outcome.instantiate.as_secs_f64() * 1000.0,
        outcome.elapsed.as_secs_f64()
    ));
    let ingestion = match outcome.answer {
        Ok(Answer::Ingest(Ok(ingestion))) => ingestion,
        Ok(Answer::Ingest(Err(error))) => {
            report.run_error = Some(connector_error(&error));
            return finish(report);
        }
        Ok(Answer::TestConnection(_)) => unreachable!("asked for an ingestion"),
        Err(failure) => {
            report.run_error = Some(failure.to_string());
            return finish(report);
        }
    };

    let requests = entities::build(&ingestion, workflow);
    let source = &mut report.source;
    source.listed = ingestion.outcomes.len();
    source.requests = ingestion.stats.requests;
    source.retries = ingestion.stats.retries;
    source.throttled = ingestion.stats.throttled;
    for outcome in &ingestion.outcomes {
        match &outcome.status {
            TableStatus::Ingested => {}
            TableStatus::Filtered(reason) => {
                source.filtered.push((outcome.name.clone(), reason.clone()))
            }
            TableStatus::Failed(failure) => source
                .failures
                .push((outcome.name.clone(), failure_text(failure))),
        }
    }
    for (name, why) in &requests.rejected {
        source.failures.push((
            name.clone(),
            format!("the connector's entity is invalid: {why}"),
        ));
    }
    source.ingested = requests.tables.len();
    source.processed_records = 2 + requests.tables.len();
    source
        .warnings
        .extend(ingestion.warnings.iter().map(|w| match &w.table {
            Some(table) => format!("{table}: {}", w.message),
            None => w.message.clone(),
        }));

    let spec = options.output.clone().or_else(|| {
        workflow.sink.as_ref().map(|s| {
            SinkSpec::from_workflow(s, workflow.workflow_config.as_ref()).expect("checked on load")
        })
    });
    let spec = spec.unwrap_or(SinkSpec::Stdout);
    let sink_report = match &spec {
        _ if options.format == Format::Ingestion => serde_json::to_value(&ingestion)
            .map_err(anyhow::Error::from)
            .and_then(|document| sink::write_document(&spec, &document)),
        SinkSpec::MetadataRest => {
            let server = workflow
                .workflow_config
                .as_ref()
                .and_then(|c| c.open_metadata_server_config.as_ref())
                .expect("checked on load: metadata-rest needs openMetadataServerConfig");
            let source_config = &workflow.source.source_config.config;
            let facts = RunFacts {
                listed: ingestion.outcomes.iter().map(|o| o.name.clone()).collect(),
                mark_deleted_tables: source_config.mark_deleted_tables.unwrap_or(true)
                    && source_config.include_tables.unwrap_or(true),
                listing_complete: ingestion.listing_complete,
            };
            sink::rest::write(server, &requests, &facts).await
        }
        local => sink::write_local(local, &requests),
    };
    match sink_report {
        Ok(sink_report) => report.sink = Some((spec.label(), sink_report)),
        Err(e) => report.run_error = Some(format!("{} sink: {e:#}", spec.label())),
    }
    finish(report)
}

/// The answer of `test-connection`, or why it failed.
pub async fn test_connection(
    runtime: &Runtime,
    label: &str,
    loaded: &Loaded,
    options: &Options,
) -> Result<ConnectionCheck, String> {
    let run_request = request(Call::TestConnection, label, &loaded.workflow, options)?;
    match runtime.run(run_request).await.answer {
        Ok(Answer::TestConnection(Ok(check))) => Ok(check),
        Ok(Answer::TestConnection(Err(error))) => Err(connector_error(&error)),
        Ok(Answer::Ingest(_)) => unreachable!("asked for a connection test"),
        Err(failure) => Err(failure.to_string()),
    }
}

pub fn failure_text(f: &Failure) -> String {
    let mut text = format!("{}: {}: {}", f.operation, f.code, f.message);
    if let Some(status) = f.http_status {
        text.push_str(&format!(" (HTTP {status}"));
        if f.attempts > 1 {
            text.push_str(&format!(", {} attempts", f.attempts));
        }
        text.push(')');
    } else if f.attempts > 1 {
        text.push_str(&format!(" ({} attempts)", f.attempts));
    }
    text
}

pub fn connector_error(error: &ConnectorError) -> String {
    match error {
        ConnectorError::InvalidConfig(p) => {
            format!("invalid configuration `{}`: {}", p.key, p.message)
        }
        ConnectorError::AccessDenied(f) => format!(
            "access denied, check the credentials and the IAM policy: {}",
            failure_text(f)
        ),
        ConnectorError::Unreachable(f) => {
            format!("cannot reach the endpoint: {}", failure_text(f))
        }
        ConnectorError::Service(f) => format!("the service failed: {}", failure_text(f)),
        ConnectorError::InvalidResponse(f) => {
            format!(
                "the service answered something unreadable: {}",
                failure_text(f)
            )
        }
    }
}
