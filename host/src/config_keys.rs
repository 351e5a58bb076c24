//! The workflow as `wasi:config/store` keys: a flat `key = value` list that mirrors the YAML
//! (the component's README section "Configuration keys" lists them). Lists travel as JSON
//! arrays, booleans as `true`/`false`.

use crate::aws_credentials::Resolved;
use crate::workflow::{FilterPattern, Workflow};

/// The keys of `workflow`, with the credentials the host resolved when the YAML has none.
pub fn config_pairs(workflow: &Workflow, resolved: Option<&Resolved>) -> Vec<(String, String)> {
    let credentials = resolved.map(|r| &r.credentials);
    let profile_role = resolved.and_then(|r| r.role_arn.as_ref());
    let mut pairs = Vec::new();
    let mut put = |key: &str, value: &str| pairs.push((key.to_string(), value.to_string()));

    put("serviceName", workflow.service_name());
    put("loggerLevel", workflow.logger_level().as_str());

    let connection = workflow.connection();
    if let Some(kind) = &connection.kind {
        put("type", kind);
    }
    let aws = &connection.aws_config;
    put("awsConfig.awsRegion", &aws.aws_region);
    match credentials {
        Some(c) => {
            put("awsConfig.awsAccessKeyId", &c.access_key_id);
            put("awsConfig.awsSecretAccessKey", c.secret_access_key.expose());
            if let Some(token) = &c.session_token {
                put("awsConfig.awsSessionToken", token.expose());
            }
        }
        None => {
            if let Some(v) = &aws.aws_access_key_id {
                put("awsConfig.awsAccessKeyId", v);
            }
            if let Some(v) = &aws.aws_secret_access_key {
                put("awsConfig.awsSecretAccessKey", v.expose());
            }
            if let Some(v) = &aws.aws_session_token {
                put("awsConfig.awsSessionToken", v.expose());
            }
        }
    }
    let assume_role_arn = aws
        .assume_role_arn
        .clone()
        .or_else(|| profile_role.cloned());
    for (key, value) in [
        ("awsConfig.endPointURL", &aws.end_point_url),
        ("awsConfig.profileName", &aws.profile_name),
        ("awsConfig.assumeRoleArn", &assume_role_arn),
        (
            "awsConfig.assumeRoleSessionName",
            &aws.assume_role_session_name,
        ),
        (
            "awsConfig.assumeRoleSourceIdentity",
            &aws.assume_role_source_identity,
        ),
    ] {
        if let Some(value) = value {
            put(key, value);
        }
    }
    if let Some(database) = workflow.database_name() {
        put("databaseName", database);
    }
    for (name, value) in &connection.connection_options {
        put(&format!("connectionOptions.{name}"), value);
    }
    for (name, value) in &connection.connection_arguments {
        put(&format!("connectionArguments.{name}"), value);
    }
    if let Some(v) = connection.supports_metadata_extraction {
        put("supportsMetadataExtraction", &v.to_string());
    }

    let source = &workflow.source.source_config.config;
    if let Some(kind) = &source.kind {
        put("sourceConfig.type", kind);
    }
    for (key, value) in [
        ("sourceConfig.includeTables", source.include_tables),
        ("sourceConfig.includeViews", source.include_views),
        ("sourceConfig.includeTags", source.include_tags),
        ("sourceConfig.markDeletedTables", source.mark_deleted_tables),
        (
            "sourceConfig.useFqnForFiltering",
            source.use_fqn_for_filtering,
        ),
    ] {
        if let Some(value) = value {
            put(key, &value.to_string());
        }
    }
    for (key, pattern) in [
        (
            "sourceConfig.databaseFilterPattern",
            &source.database_filter_pattern,
        ),
        (
            "sourceConfig.schemaFilterPattern",
            &source.schema_filter_pattern,
        ),
        (
            "sourceConfig.tableFilterPattern",
            &source.table_filter_pattern,
        ),
    ] {
        if let Some(FilterPattern { includes, excludes }) = pattern {
            if !includes.is_empty() {
                put(&format!("{key}.includes"), &json_list(includes));
            }
            if !excludes.is_empty() {
                put(&format!("{key}.excludes"), &json_list(excludes));
            }
        }
    }
    pairs
}

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).expect("a list of strings serializes")
}

/// The values among the pairs that must never show: struck from logs and outputs.
pub fn secret_values(pairs: &[(String, String)]) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == "awsConfig.awsSecretAccessKey" || k == "awsConfig.awsSessionToken")
        .map(|(_, v)| v.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_becomes_flat_keys() {
        let loaded = Workflow::parse(
            r#"
source:
  type: dynamodb
  serviceName: svc
  serviceConnection:
    config:
      type: DynamoDB
      awsConfig:
        awsAccessKeyId: AKID
        awsSecretAccessKey: SECRET
        awsRegion: us-east-1
        endPointURL: http://127.0.0.1:8000
      databaseName: db
      connectionOptions:
        sampleSize: 10
  sourceConfig:
    config:
      type: DatabaseMetadata
      includeTags: false
      tableFilterPattern:
        includes: ["^orders", "a,b"]
workflowConfig:
  loggerLevel: DEBUG
"#,
        )
        .unwrap();
        let pairs = config_pairs(&loaded.workflow, None);
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("serviceName"), Some("svc"));
        assert_eq!(get("awsConfig.awsSecretAccessKey"), Some("SECRET"));
        assert_eq!(get("awsConfig.endPointURL"), Some("http://127.0.0.1:8000"));
        assert_eq!(get("databaseName"), Some("db"));
        assert_eq!(get("connectionOptions.sampleSize"), Some("10"));
        assert_eq!(get("sourceConfig.includeTags"), Some("false"));
        assert_eq!(
            get("sourceConfig.tableFilterPattern.includes"),
            Some(r#"["^orders","a,b"]"#)
        );
        assert_eq!(get("loggerLevel"), Some("DEBUG"));
        assert_eq!(secret_values(&pairs), vec!["SECRET"]);
    }
}
