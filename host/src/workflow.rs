//! The OpenMetadata workflow YAML (`metadataIngestion/workflow.json`), read as strictly as
//! OpenMetadata reads it: an unknown key is an error that gives the key's path. The one
//! leniency: the v1.3 docs write `database:` where the schema says `databaseName:`; that
//! spelling is accepted with a warning.

use crate::pipeline::{
    ClassificationFilter, Invalid, MetricSwitches, PipelineKind, ProcessorConfig, ProfileOptions,
};
use crate::secret::Secret;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Workflow {
    pub source: Source,
    #[serde(default)]
    pub sink: Option<Sink>,
    #[serde(default)]
    pub workflow_config: Option<WorkflowConfig>,
    #[serde(default)]
    pub processor: Option<Component>,
    #[serde(default)]
    pub stage: Option<Component>,
    #[serde(default)]
    pub bulk_sink: Option<Component>,
    #[serde(default, rename = "ingestionPipelineFQN")]
    pub ingestion_pipeline_fqn: Option<String>,
    #[serde(default)]
    pub pipeline_run_id: Option<String>,
}

/// A processor, stage or bulk sink: accepted as OpenMetadata accepts them, unused here.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub config: Option<serde_yaml::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Source {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub service_name: Option<String>,
    #[serde(default)]
    pub service_connection: Option<ServiceConnection>,
    pub source_config: SourceConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConnection {
    pub config: ConnectionConfig,
}

/// `serviceConnection.config` as the YAML gives it: its shape is the connector's, read by
/// [`crate::config_keys`] through the connector's manifest. Its `Debug` shows only the keys,
/// since the values hold secrets.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct ConnectionConfig(pub serde_yaml::Mapping);

impl fmt::Debug for ConnectionConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&str> = self.0.keys().filter_map(|k| k.as_str()).collect();
        f.debug_struct("ConnectionConfig")
            .field("keys", &keys)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub config: SourcePipeline,
}

/// `sourceConfig.config`: the fields of `metadataIngestion/databaseServiceMetadataPipeline.json`,
/// `…ProfilerPipeline.json` and `…AutoClassificationPipeline.json`; [`crate::pipeline`] checks
/// that only the fields of the pipeline `type` names are set.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SourcePipeline {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub mark_deleted_tables: Option<bool>,
    #[serde(default)]
    pub include_tables: Option<bool>,
    #[serde(default)]
    pub include_views: Option<bool>,
    #[serde(default)]
    pub include_tags: Option<bool>,
    #[serde(default)]
    pub include_owners: Option<bool>,
    #[serde(default)]
    pub include_stored_procedures: Option<bool>,
    #[serde(default)]
    pub mark_deleted_stored_procedures: Option<bool>,
    #[serde(default)]
    pub query_log_duration: Option<i64>,
    #[serde(default)]
    pub query_parsing_timeout_limit: Option<i64>,
    #[serde(default)]
    pub use_fqn_for_filtering: Option<bool>,
    #[serde(default)]
    pub database_filter_pattern: Option<FilterPattern>,
    #[serde(default)]
    pub schema_filter_pattern: Option<FilterPattern>,
    #[serde(default)]
    pub table_filter_pattern: Option<FilterPattern>,
    // `databaseServiceProfilerPipeline.json` (1.3 to 2.0), read by [`crate::pipeline`].
    #[serde(default)]
    pub profile_sample: Option<f64>,
    #[serde(default)]
    pub profile_sample_type: Option<SampleType>,
    #[serde(default)]
    pub profile_sample_config: Option<ProfileSampleConfig>,
    #[serde(default)]
    pub compute_metrics: Option<bool>,
    #[serde(default)]
    pub compute_table_metrics: Option<bool>,
    #[serde(default)]
    pub compute_column_metrics: Option<bool>,
    #[serde(default)]
    pub metrics: Option<Vec<String>>,
    #[serde(default)]
    pub process_pii_sensitive: Option<bool>,
    #[serde(default)]
    pub generate_sample_data: Option<bool>,
    #[serde(default)]
    pub thread_count: Option<serde_yaml::Value>,
    #[serde(default)]
    pub timeout_seconds: Option<serde_yaml::Value>,
    #[serde(default)]
    pub use_statistics: Option<bool>,
    #[serde(default)]
    pub randomized_sample: Option<bool>,
    #[serde(default)]
    pub sampling_method_type: Option<String>,
    #[serde(default)]
    pub processing_engine: Option<serde_yaml::Value>,
    #[serde(default)]
    pub classification_filter_pattern: Option<FilterPattern>,
    // `databaseServiceAutoClassificationPipeline.json` (1.6 to 2.0); `confidence` is the 1.3
    // profiler's too.
    #[serde(default)]
    pub confidence: Option<f64>,
    #[serde(default)]
    pub store_sample_data: Option<bool>,
    #[serde(default)]
    pub enable_auto_classification: Option<bool>,
    #[serde(default)]
    pub sample_data_count: Option<u64>,
    #[serde(default)]
    pub classification_language: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum SampleType {
    #[serde(rename = "PERCENTAGE")]
    Percentage,
    #[serde(rename = "ROWS")]
    Rows,
}

/// 2.0's `profileSampleConfig`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProfileSampleConfig {
    #[serde(default)]
    pub sample_config_type: Option<String>,
    #[serde(default)]
    pub config: Option<SampleConfig>,
}

/// `StaticSamplingConfig` or `DynamicSamplingConfig`, whichever fields are set.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SampleConfig {
    #[serde(default)]
    pub profile_sample: Option<f64>,
    #[serde(default)]
    pub profile_sample_type: Option<SampleType>,
    #[serde(default)]
    pub sampling_method_type: Option<String>,
    #[serde(default)]
    pub smart_sampling: Option<bool>,
    #[serde(default)]
    pub thresholds: Option<Vec<serde_yaml::Value>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FilterPattern {
    #[serde(default, deserialize_with = "null_as_default")]
    pub includes: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub excludes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sink {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub config: Option<serde_yaml::Mapping>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkflowConfig {
    #[serde(default)]
    pub logger_level: Option<LogLevel>,
    #[serde(default)]
    pub open_metadata_server_config: Option<OpenMetadataConnection>,
    #[serde(default)]
    pub config: Option<serde_yaml::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Warn => "WARN",
            LogLevel::Error => "ERROR",
        }
    }
}

impl<'de> Deserialize<'de> for LogLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        match value.to_ascii_uppercase().as_str() {
            "DEBUG" => Ok(LogLevel::Debug),
            "INFO" => Ok(LogLevel::Info),
            // The docs write WARNING; the schema's enum says WARN.
            "WARN" | "WARNING" => Ok(LogLevel::Warn),
            "ERROR" => Ok(LogLevel::Error),
            _ => Err(serde::de::Error::custom(format!(
                "unknown logger level `{value}`, expected DEBUG, INFO, WARN or ERROR"
            ))),
        }
    }
}

/// `entity/services/connections/metadata/openMetadataConnection.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OpenMetadataConnection {
    pub host_port: String,
    #[serde(default)]
    pub auth_provider: Option<String>,
    #[serde(default)]
    pub security_config: Option<JwtConfig>,
    #[serde(default, rename = "verifySSL")]
    pub verify_ssl: Option<VerifySsl>,
    #[serde(default)]
    pub ssl_config: Option<SslConfig>,
    #[serde(default)]
    pub extra_headers: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub cluster_name: Option<String>,
    #[serde(default)]
    pub elastics_search: Option<serde_yaml::Value>,
    #[serde(default)]
    pub enable_version_validation: Option<bool>,
    #[serde(default)]
    pub force_entity_overwriting: Option<bool>,
    #[serde(default)]
    pub include_dashboards: Option<bool>,
    #[serde(default)]
    pub include_database_services: Option<bool>,
    #[serde(default)]
    pub include_glossary_terms: Option<bool>,
    #[serde(default)]
    pub include_messaging_services: Option<bool>,
    #[serde(default)]
    pub include_ml_models: Option<bool>,
    #[serde(default)]
    pub include_pipeline_services: Option<bool>,
    #[serde(default)]
    pub include_pipelines: Option<bool>,
    #[serde(default)]
    pub include_policy: Option<bool>,
    #[serde(default)]
    pub include_tables: Option<bool>,
    #[serde(default)]
    pub include_tags: Option<bool>,
    #[serde(default)]
    pub include_teams: Option<bool>,
    #[serde(default)]
    pub include_topics: Option<bool>,
    #[serde(default)]
    pub include_users: Option<bool>,
    #[serde(default)]
    pub limit_records: Option<serde_yaml::Value>,
    #[serde(default)]
    pub secrets_manager_loader: Option<String>,
    #[serde(default)]
    pub secrets_manager_provider: Option<String>,
    #[serde(default)]
    pub store_service_connection: Option<bool>,
    #[serde(default)]
    pub supports_data_insight_extraction: Option<bool>,
    #[serde(default)]
    pub supports_elastic_search_reindexing_extraction: Option<bool>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct JwtConfig {
    pub jwt_token: Secret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum VerifySsl {
    #[serde(rename = "no-ssl")]
    NoSsl,
    #[serde(rename = "ignore")]
    Ignore,
    #[serde(rename = "validate")]
    Validate,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SslConfig {
    #[serde(default)]
    pub certificate_path: Option<String>,
}

/// A workflow that could not be read: where, and why.
#[derive(Debug)]
pub struct WorkflowError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for WorkflowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() || self.path == "." {
            write!(f, "{}", self.message)
        } else {
            write!(f, "`{}`: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for WorkflowError {}

impl From<Invalid> for WorkflowError {
    fn from(invalid: Invalid) -> WorkflowError {
        WorkflowError {
            path: invalid.path,
            message: invalid.message,
        }
    }
}

/// A workflow with what reading it had to say.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub workflow: Workflow,
    pub warnings: Vec<String>,
    /// The document as written: the connector's keys are read from it.
    pub raw: Raw,
}

/// The YAML document; its `Debug` shows nothing, since it holds secrets.
#[derive(Clone)]
pub struct Raw(pub serde_yaml::Value);

impl fmt::Debug for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Raw(..)")
    }
}

impl Workflow {
    pub fn from_file(path: &Path) -> anyhow::Result<Loaded> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read workflow {}: {e}", path.display()))?;
        Workflow::parse(&text)
            .map_err(|e| anyhow::anyhow!("invalid workflow {}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Loaded, WorkflowError> {
        let deserializer = serde_yaml::Deserializer::from_str(text);
        let workflow: Workflow = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let path = e.path().to_string();
            WorkflowError {
                message: explain(&path, &e.inner().to_string()),
                path,
            }
        })?;
        let mut warnings = workflow.check()?;
        let raw: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| WorkflowError {
            path: String::new(),
            message: e.to_string(),
        })?;
        let kind = PipelineKind::of(workflow.source.source_config.config.kind.as_deref())?;
        let source_config = raw
            .get("source")
            .and_then(|s| s.get("sourceConfig"))
            .and_then(|s| s.get("config"));
        kind.check_fields(source_config)?;
        warnings.extend(workflow.check_pipeline(kind)?);
        Ok(Loaded {
            workflow,
            warnings,
            raw: Raw(raw),
        })
    }

    /// What serde cannot say: cross-field rules and the `database:` spelling.
    fn check(&self) -> Result<Vec<String>, WorkflowError> {
        let mut warnings = Vec::new();
        let err = |path: &str, message: String| WorkflowError {
            path: path.to_string(),
            message,
        };
        match self.source.service_name.as_deref() {
            Some(name) if !name.trim().is_empty() => {}
            _ => {
                return Err(err(
                    "source.serviceName",
                    "missing: name the database service".into(),
                ));
            }
        }
        if self.source.service_connection.is_none() {
            return Err(err("source.serviceConnection", "missing".into()));
        }
        if let Some(sink) = &self.sink {
            SinkSpec::from_workflow(sink, self.workflow_config.as_ref())
                .map_err(|e| err("sink", e.to_string()))?;
        }
        if let Some(fqn) = &self.ingestion_pipeline_fqn {
            warnings.extend(self.check_pipeline_fqn(fqn)?);
        }
        if self
            .pipeline_run_id
            .as_deref()
            .is_some_and(|id| id.trim().is_empty())
        {
            return Err(err(
                "pipelineRunId",
                "is empty: give the run's id, or leave the key out for a new one".into(),
            ));
        }
        Ok(warnings)
    }

    /// `ingestionPipelineFQN` must be `<service>.<pipeline>`; it has an effect only with the
    /// `metadata-rest` sink, and names a pipeline of this workflow's service.
    fn check_pipeline_fqn(&self, fqn: &str) -> Result<Vec<String>, WorkflowError> {
        let (service, _) =
            crate::openmetadata::fqn::split_two(fqn).map_err(|why| WorkflowError {
                path: "ingestionPipelineFQN".into(),
                message: why,
            })?;
        let mut warnings = Vec::new();
        if service != self.service_name() {
            warnings.push(format!(
                "`ingestionPipelineFQN` names a pipeline of service `{}`, not of `source.serviceName` `{}`",
                crate::sanitize::name(&service),
                crate::sanitize::name(self.service_name())
            ));
        }
        if self.sink.as_ref().is_none_or(|s| s.kind != "metadata-rest") {
            warnings.push(
                "`ingestionPipelineFQN` is set but the sink is not `metadata-rest`: no pipeline \
                 status is written to OpenMetadata"
                    .to_string(),
            );
        }
        Ok(warnings)
    }

    /// The pipeline `sourceConfig.config.type` names (checked when the workflow was read).
    pub fn pipeline(&self) -> PipelineKind {
        PipelineKind::of(self.source.source_config.config.kind.as_deref()).unwrap_or_default()
    }

    /// The profiler's and auto-classification's options that cannot apply, or only in part.
    fn check_pipeline(&self, kind: PipelineKind) -> Result<Vec<String>, WorkflowError> {
        let config = &self.source.source_config.config;
        let mut warnings = Vec::new();
        if kind == PipelineKind::Metadata {
            return Ok(warnings);
        }
        if config.store_sample_data == Some(true) || config.generate_sample_data == Some(true) {
            warnings.push(
                "sampled items never leave the sandbox: `storeSampleData`/`generateSampleData` \
                 stores no sample data"
                    .to_string(),
            );
        }
        self.classification_filter()?;
        if kind == PipelineKind::Profiler {
            let processor = self.processor_config()?;
            ProfileOptions::of(self.metric_switches(), processor.clone())?;
            if processor
                .table_config
                .iter()
                .any(|t| t.profile_query.is_some() || t.partition_config.is_some())
            {
                warnings.push(
                    "`processor.config.tableConfig`: `profileQuery` and `partitionConfig` are not \
                     applied (the connector samples each table itself; a table's sample and \
                     columns are)"
                        .to_string(),
                );
            }
        }
        Ok(warnings)
    }

    /// `classificationFilterPattern`, compiled (`None` when it has no pattern).
    pub fn classification_filter(&self) -> Result<Option<ClassificationFilter>, Invalid> {
        let config = &self.source.source_config.config;
        let Some(pattern) = &config.classification_filter_pattern else {
            return Ok(None);
        };
        ClassificationFilter::new(
            &pattern.includes,
            &pattern.excludes,
            config.use_fqn_for_filtering.unwrap_or(false),
        )
    }

    /// A profiler's `processor.config`.
    pub fn processor_config(&self) -> Result<ProcessorConfig, Invalid> {
        ProcessorConfig::of(self.processor.as_ref().and_then(|p| p.config.as_ref()))
    }

    /// The profiler's switches of `sourceConfig.config`.
    pub fn metric_switches(&self) -> MetricSwitches {
        let config = &self.source.source_config.config;
        MetricSwitches {
            compute_metrics: config.compute_metrics,
            compute_table_metrics: config.compute_table_metrics,
            compute_column_metrics: config.compute_column_metrics,
            metrics: config.metrics.clone(),
        }
    }

    pub fn service_name(&self) -> &str {
        self.source.service_name.as_deref().unwrap_or_default()
    }

    /// `source.serviceConnection.config`.
    pub fn connection(&self) -> &serde_yaml::Mapping {
        &self
            .source
            .service_connection
            .as_ref()
            .expect("checked when the workflow was read")
            .config
            .0
    }

    pub fn logger_level(&self) -> LogLevel {
        self.workflow_config
            .as_ref()
            .and_then(|c| c.logger_level)
            .unwrap_or(LogLevel::Info)
    }
}

/// serde_yaml's message without the path it repeats, and for an unknown key the closest
/// expected one ("did you mean `databaseName`?").
pub(crate) fn explain(path: &str, message: &str) -> String {
    let message = match message.split_once(": ") {
        Some((head, rest)) if !head.contains(' ') && path.starts_with(head) => rest,
        _ => message,
    };
    let Some(unknown) = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
    else {
        return message.to_string();
    };
    // Bounded work whatever the names: a long one gets no suggestion.
    if unknown.chars().count() > 64 {
        return message.to_string();
    }
    let expected: Vec<&str> = message
        .split_once("expected")
        .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
        .unwrap_or_default();
    let closest = expected
        .iter()
        .filter(|candidate| candidate.chars().count().abs_diff(unknown.chars().count()) <= 3)
        .map(|candidate| {
            let distance = edit_distance(&unknown.to_lowercase(), &candidate.to_lowercase());
            (distance, candidate)
        })
        .filter(|(distance, _)| *distance <= 3)
        .min();
    match closest {
        Some((_, candidate)) => format!("{message} (did you mean `{candidate}`?)"),
        None => message.to_string(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// The workflow's `sink` section, checked: where the entities go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkSpec {
    /// `type: file` with `config.filename`.
    File(PathBuf),
    /// `type: stdout` (this runner's addition), or `--output -`.
    Stdout,
    /// `type: metadata-rest`: the OpenMetadata server of `workflowConfig.openMetadataServerConfig`.
    MetadataRest,
}

impl SinkSpec {
    pub fn from_workflow(
        sink: &Sink,
        workflow_config: Option<&WorkflowConfig>,
    ) -> Result<Self, String> {
        let keys: Vec<String> = sink
            .config
            .iter()
            .flat_map(|m| m.keys())
            .map(|k| k.as_str().unwrap_or("?").to_string())
            .collect();
        let allow_only = |allowed: &[&str]| -> Result<(), String> {
            match keys.iter().find(|k| !allowed.contains(&k.as_str())) {
                Some(k) => Err(format!(
                    "`sink.config.{k}` is not a setting of the `{}` sink",
                    sink.kind
                )),
                None => Ok(()),
            }
        };
        match sink.kind.as_str() {
            "file" => {
                allow_only(&["filename"])?;
                let filename = sink
                    .config
                    .as_ref()
                    .and_then(|m| m.get("filename"))
                    .and_then(|v| v.as_str())
                    .filter(|f| !f.trim().is_empty())
                    .ok_or("the `file` sink needs `config.filename`")?;
                Ok(SinkSpec::File(PathBuf::from(filename)))
            }
            "stdout" | "console" => {
                allow_only(&[])?;
                Ok(SinkSpec::Stdout)
            }
            "metadata-rest" => {
                allow_only(&["api_endpoint"])?;
                if workflow_config
                    .and_then(|c| c.open_metadata_server_config.as_ref())
                    .is_none()
                {
                    return Err(
                        "the `metadata-rest` sink needs `workflowConfig.openMetadataServerConfig`"
                            .into(),
                    );
                }
                Ok(SinkSpec::MetadataRest)
            }
            other => Err(format!(
                "unknown sink type `{other}` (this runner writes to `metadata-rest`, `file` or `stdout`)"
            )),
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            SinkSpec::File(_) => "File",
            SinkSpec::Stdout => "Stdout",
            SinkSpec::MetadataRest => "OpenMetadata",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCS: &str = r#"
source:
  type: dynamodb
  serviceName: local_dynamodb
  serviceConnection:
    config:
      type: DynamoDB
      awsConfig:
        awsAccessKeyId: aws_access_key_id
        awsSecretAccessKey: aws_secret_access_key
        awsSessionToken: AWS Session Token
        awsRegion: us-east-1
        endPointURL: http://127.0.0.1:8000
      database: custom_database_name
      # connectionOptions:
      #   key: value
  sourceConfig:
    config:
      type: DatabaseMetadata
      markDeletedTables: true
      includeTables: true
      includeViews: true
sink:
  type: metadata-rest
  config: {}
workflowConfig:
  loggerLevel: WARNING
  openMetadataServerConfig:
    hostPort: "http://localhost:8585/api"
    authProvider: openmetadata
    securityConfig:
      jwtToken: "{bot_jwt_token}"
    storeServiceConnection: true
"#;

    #[test]
    fn the_docs_sample_reads() {
        let loaded = Workflow::parse(DOCS).unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        assert_eq!(
            loaded.workflow.connection()["database"].as_str(),
            Some("custom_database_name")
        );
        assert_eq!(loaded.workflow.logger_level(), LogLevel::Warn);
        assert_eq!(loaded.workflow.service_name(), "local_dynamodb");
    }

    #[test]
    fn unknown_keys_of_the_envelope_are_errors_with_their_path() {
        let text = DOCS.replace(
            "includeViews: true",
            "includeViews: true\n      includeEverything: true",
        );
        let err = Workflow::parse(&text).unwrap_err();
        assert_eq!(err.path, "source.sourceConfig.config.includeEverything");
        assert!(err.message.contains("includeEverything"));
    }

    #[test]
    fn secrets_are_not_in_debug_output() {
        let text = DOCS.replace(
            "awsSecretAccessKey: aws_secret_access_key",
            "awsSecretAccessKey: s3cr3t-v4lue",
        );
        let loaded = Workflow::parse(&text).unwrap();
        let printed = format!("{loaded:?}");
        assert!(!printed.contains("s3cr3t-v4lue"));
        assert!(!printed.contains("bot_jwt_token"));
        assert!(!printed.contains("AWS Session Token"));
    }
}

#[cfg(test)]
mod every_key {
    use super::*;

    /// Every key of the schemas this reader follows, each set: all are accepted.
    const EVERYTHING: &str = r#"
source:
  type: dynamodb
  serviceName: svc
  serviceConnection:
    config:
      type: DynamoDB
      awsConfig:
        awsAccessKeyId: AKID
        awsSecretAccessKey: secret
        awsSessionToken: token
        awsRegion: eu-west-1
        endPointURL: https://dynamodb.eu-west-1.amazonaws.com
        profileName: default
        assumeRoleArn: arn:aws:iam::123456789012:role/reader
        assumeRoleSessionName: catalog
        assumeRoleSourceIdentity: bot
      databaseName: db
      connectionOptions:
        sampleSize: "10"
      connectionArguments:
        authenticator: sso
      supportsMetadataExtraction: true
  sourceConfig:
    config:
      type: DatabaseMetadata
      markDeletedTables: true
      markDeletedStoredProcedures: true
      includeTables: true
      includeViews: true
      includeTags: true
      includeOwners: false
      includeStoredProcedures: true
      queryLogDuration: 1
      queryParsingTimeoutLimit: 300
      useFqnForFiltering: false
      databaseFilterPattern: {includes: ["db"], excludes: []}
      schemaFilterPattern: {includes: [], excludes: ["tmp"]}
      tableFilterPattern: {includes: null, excludes: ["^tmp_"]}
processor: {type: orm-profiler, config: {}}
stage: {type: table-usage, config: {}}
bulkSink: {type: metadata-usage, config: {}}
ingestionPipelineFQN: svc.pipeline
pipelineRunId: 7e8a0c4e-5b1e-4d7c-9a53-1c7c2f5f3a11
sink:
  type: file
  config:
    filename: /tmp/out.json
workflowConfig:
  loggerLevel: DEBUG
  config: {}
  openMetadataServerConfig:
    hostPort: https://om.example.com/api
    authProvider: openmetadata
    securityConfig:
      jwtToken: jwt
    verifySSL: validate
    sslConfig:
      certificatePath: /etc/ssl/om.pem
    extraHeaders: {X-Team: data}
    apiVersion: v1
    clusterName: openmetadata
    enableVersionValidation: true
    forceEntityOverwriting: false
    includeDashboards: true
    includeDatabaseServices: true
    includeGlossaryTerms: true
    includeMessagingServices: true
    includeMlModels: true
    includePipelineServices: true
    includePipelines: true
    includePolicy: true
    includeTables: true
    includeTags: true
    includeTeams: true
    includeTopics: true
    includeUsers: true
    limitRecords: 1000
    secretsManagerLoader: noop
    secretsManagerProvider: db
    storeServiceConnection: true
    supportsDataInsightExtraction: true
    supportsElasticSearchReindexingExtraction: true
    type: OpenMetadata
"#;

    #[test]
    fn every_key_openmetadata_accepts_is_accepted() {
        let loaded = Workflow::parse(EVERYTHING).unwrap();
        // The one warning: a pipeline status needs the metadata-rest sink.
        assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
        assert!(
            loaded.warnings[0].contains("no pipeline status is written"),
            "{:?}",
            loaded.warnings
        );
        let connection = loaded.workflow.connection();
        assert_eq!(
            connection["connectionArguments"]["authenticator"].as_str(),
            Some("sso")
        );
        let filter = loaded
            .workflow
            .source
            .source_config
            .config
            .table_filter_pattern
            .unwrap();
        assert!(filter.includes.is_empty());
        assert_eq!(filter.excludes, ["^tmp_"]);
        let server = loaded
            .workflow
            .workflow_config
            .unwrap()
            .open_metadata_server_config
            .unwrap();
        assert_eq!(server.verify_ssl, Some(VerifySsl::Validate));
        assert_eq!(
            server.ssl_config.unwrap().certificate_path.as_deref(),
            Some("/etc/ssl/om.pem")
        );
    }

    #[test]
    fn the_pipeline_fqn_is_service_dot_pipeline() {
        let with = |fqn: &str| {
            EVERYTHING.replace(
                "ingestionPipelineFQN: svc.pipeline",
                &format!("ingestionPipelineFQN: '{fqn}'"),
            )
        };
        let err = Workflow::parse(&with("pipeline_only")).unwrap_err();
        assert_eq!(err.path, "ingestionPipelineFQN");
        assert!(
            err.to_string()
                .contains("is not `<service>.<pipeline name>`"),
            "{err}"
        );
        let other = Workflow::parse(&with("other.pipe")).unwrap();
        assert!(
            other.warnings[0].contains("names a pipeline of service `other`"),
            "{:?}",
            other.warnings
        );
        let empty_run = EVERYTHING.replace(
            "pipelineRunId: 7e8a0c4e-5b1e-4d7c-9a53-1c7c2f5f3a11",
            "pipelineRunId: ' '",
        );
        assert_eq!(
            Workflow::parse(&empty_run).unwrap_err().path,
            "pipelineRunId"
        );
    }
}
