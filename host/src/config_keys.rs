//! The workflow as `wasi:config/store` keys, read through the connector's manifest: each
//! declared key from its YAML path (scalars as text, lists as JSON arrays), each open map's
//! entries as `<prefix><name>`. `serviceConnection.config` is read as strictly as OpenMetadata
//! reads its connection schemas: a key no declaration covers is an error that names its path
//! and the closest declared one. The connection OpenMetadata stores for the service comes from
//! here too, without the secrets.

use crate::connector::{Manifest, Shape, looks_like_a_credential};
use crate::workflow::{Loaded, WorkflowError, explain};
use serde_json::{Map, Value, json};
use serde_yaml::Value as Yaml;

const CONNECTION: &str = "source.serviceConnection.config";
const SERVICE_NAME: &str = "source.serviceName";
const LOGGER_LEVEL: &str = "workflowConfig.loggerLevel";
/// The key of OpenMetadata's connection schemas that names the database.
const DATABASE_NAME: &str = "source.serviceConnection.config.databaseName";

/// A workflow read for one connector.
#[derive(Debug, Clone)]
pub struct Bound {
    pub pairs: Vec<(String, String)>,
    pub warnings: Vec<String>,
    /// `databaseName`, when the workflow gives one.
    pub database_name: Option<String>,
    /// What OpenMetadata stores as the service's connection: the declared, non-secret keys of
    /// `serviceConnection.config` as the YAML gives them, and the service type.
    pub stored_connection: Value,
    /// The OpenMetadata services the connector's lineage may reach: the values of its
    /// `lineage-service` keys. The workflow names them, never the connector.
    pub lineage_services: Vec<String>,
}

/// Reads `loaded` for the connector `manifest` declares.
pub fn bind(loaded: &Loaded, manifest: &Manifest) -> Result<Bound, WorkflowError> {
    let workflow = &loaded.workflow;
    let err = |path: &str, message: String| WorkflowError {
        path: path.to_string(),
        message,
    };
    if !workflow
        .source
        .kind
        .eq_ignore_ascii_case(&manifest.source_type)
    {
        return Err(err(
            "source.type",
            format!(
                "the component runs `{}` workflows; `{}` is not `{}`",
                manifest.source_type, workflow.source.kind, manifest.source_type
            ),
        ));
    }
    let connection = workflow.connection();
    if let Some(kind) = connection.get("type").filter(|k| !k.is_null())
        && kind.as_str() != Some(manifest.service_type.as_str())
    {
        return Err(err(
            &format!("{CONNECTION}.type"),
            format!(
                "`{}` is not `{}`",
                scalar(kind).flatten().unwrap_or_default(),
                manifest.service_type
            ),
        ));
    }
    if let Some(kind) = &workflow.source.source_config.config.kind
        && !manifest.pipeline_types.contains(kind)
    {
        return Err(err(
            "source.sourceConfig.config.type",
            format!(
                "`{kind}` is not a pipeline this component runs ({})",
                manifest.pipeline_types.join(", ")
            ),
        ));
    }
    let declared: Vec<&str> = manifest
        .keys
        .iter()
        .flat_map(|k| std::iter::once(&k.yaml_path).chain(&k.yaml_aliases))
        .chain(manifest.open_maps.iter().map(|o| &o.yaml_path))
        .map(String::as_str)
        .collect();
    check_connection_keys(connection, CONNECTION, manifest, &declared)?;

    let raw = &loaded.raw.0;
    let mut bound = Bound {
        pairs: Vec::new(),
        warnings: Vec::new(),
        database_name: None,
        stored_connection: Value::Null,
        lineage_services: Vec::new(),
    };
    for key in &manifest.keys {
        let value = match key.yaml_path.as_str() {
            SERVICE_NAME => Some(workflow.service_name().to_string()),
            LOGGER_LEVEL => Some(workflow.logger_level().as_str().to_string()),
            path => {
                let found = read(raw, path, key.shape)?;
                let mut aliased = None;
                for alias in &key.yaml_aliases {
                    if let Some(value) = read(raw, alias, key.shape)? {
                        if found.is_some() || aliased.is_some() {
                            return Err(err(
                                alias,
                                format!(
                                    "both `{}` and `{}` are set; keep `{}`",
                                    last(alias),
                                    last(path),
                                    last(path)
                                ),
                            ));
                        }
                        bound.warnings.push(format!(
                            "`{alias}` is not an OpenMetadata key; read as `{}: {}` (write `{}` to silence this)",
                            last(path),
                            if key.secret { "****" } else { value.as_str() },
                            last(path)
                        ));
                        aliased = Some(value);
                    }
                }
                found.or(aliased)
            }
        };
        if let Some(value) = value {
            if key.yaml_path == DATABASE_NAME {
                bound.database_name = Some(value.clone());
            }
            if key.lineage_service && !value.trim().is_empty() {
                bound.lineage_services.push(value.clone());
            }
            bound.pairs.push((key.name.clone(), value));
        }
    }
    for open in &manifest.open_maps {
        let Some(Yaml::Mapping(entries)) = lookup(raw, &open.yaml_path) else {
            continue;
        };
        for (name, value) in entries {
            let name = name.as_str().unwrap_or_default();
            let key = format!("{}{name}", open.prefix);
            if bound.pairs.iter().any(|(k, _)| *k == key) {
                continue;
            }
            let path = format!("{}.{name}", open.yaml_path);
            if let Some(text) = scalar(value)
                .ok_or_else(|| err(&path, "must be a string, number or boolean".into()))?
            {
                bound.pairs.push((key, text));
            }
        }
    }
    bound.stored_connection = stored_connection(raw, manifest);
    Ok(bound)
}

/// Every key under `serviceConnection.config` must be one a declaration covers (`declared`:
/// every path and alias the manifest reads, and its open maps).
fn check_connection_keys(
    map: &serde_yaml::Mapping,
    path: &str,
    manifest: &Manifest,
    declared: &[&str],
) -> Result<(), WorkflowError> {
    for (name, value) in map {
        let Some(name) = name.as_str() else {
            return Err(WorkflowError {
                path: path.to_string(),
                message: "has a key that is not text".into(),
            });
        };
        let here = format!("{path}.{name}");
        if name.contains('.') || name.is_empty() {
            // A dotted name would read as a path it is not.
            return Err(WorkflowError {
                path: here,
                message: "a key of the connection may not be empty or contain `.`".into(),
            });
        }
        if manifest.key_at(&here).is_some() {
            continue;
        }
        if let Some(open) = manifest.open_maps.iter().find(|o| o.yaml_path == here) {
            match value {
                Yaml::Null => {}
                Yaml::Mapping(entries) => {
                    for (entry, value) in entries {
                        let entry = entry.as_str().unwrap_or_default();
                        if entry.is_empty() || scalar(value).is_none() {
                            return Err(WorkflowError {
                                path: format!("{here}.{entry}"),
                                message: format!(
                                    "`{}{entry}` must be a string, number or boolean",
                                    open.prefix
                                ),
                            });
                        }
                    }
                }
                _ => {
                    return Err(WorkflowError {
                        path: here,
                        message: "must be a mapping of names to values".into(),
                    });
                }
            }
            continue;
        }
        let below = format!("{here}.");
        if declared.iter().any(|d| d.starts_with(&below)) {
            match value {
                Yaml::Null => continue,
                Yaml::Mapping(inner) => {
                    check_connection_keys(inner, &here, manifest, declared)?;
                    continue;
                }
                _ => {
                    return Err(WorkflowError {
                        path: here,
                        message: "must be a mapping".into(),
                    });
                }
            }
        }
        let level = format!("{path}.");
        let mut expected: Vec<&str> = declared
            .iter()
            .filter_map(|d| d.strip_prefix(&level))
            .map(|rest| rest.split('.').next().unwrap_or(rest))
            .collect();
        expected.sort_unstable();
        expected.dedup();
        // At most 64 names: the list comes from the component's manifest.
        let mut list = expected
            .iter()
            .take(64)
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if expected.len() > 64 {
            list.push_str(&format!(" and {} more", expected.len() - 64));
        }
        let message = format!("unknown field `{name}`, expected one of {list}");
        return Err(WorkflowError {
            message: explain(&here, &message),
            path: here,
        });
    }
    Ok(())
}

/// The value at a dotted path.
fn lookup<'a>(document: &'a Yaml, path: &str) -> Option<&'a Yaml> {
    path.split('.')
        .try_fold(document, |node, part| node.as_mapping()?.get(part))
}

/// A document key's JSON at most: the workflow is a tenant's, and the component reads it whole.
const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// The key's text at `path`: `None` when it is absent, null or an empty list.
fn read(document: &Yaml, path: &str, shape: Shape) -> Result<Option<String>, WorkflowError> {
    let Some(value) = lookup(document, path) else {
        return Ok(None);
    };
    let wrong = |message: &str| WorkflowError {
        path: path.to_string(),
        message: message.to_string(),
    };
    match (shape, value) {
        (_, Yaml::Null) => Ok(None),
        (Shape::List, Yaml::Sequence(items)) => {
            let texts: Option<Vec<String>> = items.iter().map(|i| scalar(i).flatten()).collect();
            let texts = texts.ok_or_else(|| wrong("must be a list of strings"))?;
            Ok((!texts.is_empty())
                .then(|| serde_json::to_string(&texts).expect("strings serialize")))
        }
        (Shape::List, _) => Err(wrong("must be a list")),
        (Shape::Document, value @ (Yaml::Mapping(_) | Yaml::Sequence(_))) => {
            let json = serde_json::to_string(value)
                .map_err(|e| wrong(&format!("cannot be read as JSON: {e}")))?;
            if json.len() > MAX_DOCUMENT_BYTES {
                return Err(wrong(&format!(
                    "is larger than {} KiB",
                    MAX_DOCUMENT_BYTES / 1024
                )));
            }
            Ok(Some(json))
        }
        (Shape::Document, _) => Err(wrong("must be a mapping or a list")),
        (Shape::Scalar, value) => {
            scalar(value).ok_or_else(|| wrong("must be a string, number or boolean"))
        }
    }
}

/// A scalar's text (`Some(None)` for null); `None` for a list or mapping.
fn scalar(value: &Yaml) -> Option<Option<String>> {
    match value {
        Yaml::Null => Some(None),
        Yaml::String(s) => Some(Some(s.clone())),
        Yaml::Number(n) => Some(Some(n.to_string())),
        Yaml::Bool(b) => Some(Some(b.to_string())),
        _ => None,
    }
}

fn last(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// `{"config": {...}}`: the service type, then every key under `serviceConnection.config` the
/// manifest says OpenMetadata stores (never a secret, never an open map's entry), at its own
/// path: its text, or a boolean.
fn stored_connection(document: &Yaml, manifest: &Manifest) -> Value {
    let mut config = Map::new();
    config.insert("type".into(), json!(manifest.service_type));
    let prefix = format!("{CONNECTION}.");
    for key in &manifest.keys {
        let Some(relative) = key.yaml_path.strip_prefix(&prefix) else {
            continue;
        };
        let in_open_map = manifest
            .open_maps
            .iter()
            .any(|o| key.yaml_path.starts_with(&format!("{}.", o.yaml_path)));
        if !key.stored || key.secret || in_open_map || relative == "type" {
            continue;
        }
        let value = std::iter::once(&key.yaml_path)
            .chain(&key.yaml_aliases)
            .find_map(|p| lookup(document, p).filter(|v| !v.is_null()));
        // Text as the keys are (a number included: OpenMetadata's connection fields are
        // strings), a boolean as one.
        let value = match value {
            Some(Yaml::Bool(b)) => json!(b),
            Some(other) => match scalar(other).flatten() {
                Some(text) => json!(text),
                None => continue,
            },
            None => continue,
        };
        let mut node = &mut config;
        let parts: Vec<&str> = relative.split('.').collect();
        for part in &parts[..parts.len() - 1] {
            let entry = node
                .entry(part.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            node = entry.as_object_mut().expect("made an object");
        }
        node.insert(parts[parts.len() - 1].to_string(), value);
    }
    json!({ "config": config })
}

/// The values among the pairs that must never show: the keys the manifest marks secret, and
/// any (an open map's entry included) whose name says it is a credential.
pub fn secret_values(pairs: &[(String, String)], manifest: &Manifest) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, v)| (manifest.is_secret(k) || looks_like_a_credential(k)) && !v.is_empty())
        .map(|(_, v)| v.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::tests::example;
    use crate::workflow::Workflow;

    const DOCS: &str = r#"
source:
  type: example
  serviceName: svc
  serviceConnection:
    config:
      type: CustomDatabase
      awsConfig:
        awsAccessKeyId: AKID
        awsSecretAccessKey: SECRET
        awsRegion: us-east-1
        endPointURL: http://127.0.0.1:8000
      database: db
      connectionOptions:
        sampleSize: 10
        flag: true
      connectionArguments:
        authenticator: sso
  sourceConfig:
    config:
      type: DatabaseMetadata
      includeTags: false
      tableFilterPattern:
        includes: ["^orders", "a,b"]
        excludes: null
workflowConfig:
  loggerLevel: warning
  openMetadataServerConfig:
    hostPort: http://localhost:8585/api
    securityConfig:
      jwtToken: JWT
"#;

    fn bound(text: &str) -> Result<Bound, WorkflowError> {
        bind(&Workflow::parse(text).unwrap(), &example())
    }

    #[test]
    fn the_declared_keys_become_flat_keys() {
        let b = bound(DOCS).unwrap();
        let get = |k: &str| {
            b.pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("serviceName"), Some("svc"));
        assert_eq!(get("awsConfig.awsSecretAccessKey"), Some("SECRET"));
        assert_eq!(get("awsConfig.endPointURL"), Some("http://127.0.0.1:8000"));
        assert_eq!(get("databaseName"), Some("db"));
        assert_eq!(get("connectionOptions.sampleSize"), Some("10"));
        assert_eq!(get("connectionOptions.flag"), Some("true"));
        assert_eq!(get("connectionArguments.authenticator"), Some("sso"));
        assert_eq!(get("sourceConfig.includeTags"), Some("false"));
        assert_eq!(
            get("sourceConfig.tableFilterPattern.includes"),
            Some(r#"["^orders","a,b"]"#)
        );
        assert_eq!(get("sourceConfig.tableFilterPattern.excludes"), None);
        assert_eq!(get("loggerLevel"), Some("WARN"));
        assert_eq!(get("awsConfig.awsSessionToken"), None);
        assert!(b.pairs.iter().all(|(_, v)| v != "JWT"));
        assert_eq!(secret_values(&b.pairs, &example()), vec!["SECRET"]);
        let with_password = [("connectionArguments.password".to_string(), "pw".to_string())];
        assert_eq!(secret_values(&with_password, &example()), vec!["pw"]);
        assert_eq!(b.database_name.as_deref(), Some("db"));
        assert_eq!(b.warnings.len(), 1);
        assert!(
            b.warnings[0].contains("read as `databaseName: db`"),
            "{:?}",
            b.warnings
        );
    }

    #[test]
    fn the_stored_connection_has_no_secret_and_no_open_map() {
        let b = bound(DOCS).unwrap();
        assert_eq!(
            b.stored_connection,
            json!({"config": {
                "type": "CustomDatabase",
                "awsConfig": {
                    "awsRegion": "us-east-1",
                    "awsAccessKeyId": "AKID",
                    "endPointURL": "http://127.0.0.1:8000",
                },
                "databaseName": "db",
            }})
        );
        // The order OpenMetadata's connector writes them in.
        let text = b.stored_connection.to_string();
        assert!(
            text.starts_with(r#"{"config":{"type":"CustomDatabase","awsConfig":{"awsRegion""#),
            "{text}"
        );
    }

    #[test]
    fn an_unknown_key_names_its_path_and_the_closest_declared_one() {
        let error =
            bound(&DOCS.replace("awsRegion: us-east-1", "awsRegoin: us-east-1")).unwrap_err();
        assert_eq!(
            error.path,
            "source.serviceConnection.config.awsConfig.awsRegoin"
        );
        assert!(
            error
                .message
                .contains("unknown field `awsRegoin`, expected one of"),
            "{error}"
        );
        assert!(
            error.message.contains("(did you mean `awsRegion`?)"),
            "{error}"
        );
        let error =
            bound(&DOCS.replace("      database: db", "      databaseNmae: db")).unwrap_err();
        assert!(
            error.message.contains("(did you mean `databaseName`?)"),
            "{error}"
        );
    }

    #[test]
    fn both_spellings_and_wrong_shapes_are_errors() {
        let both = DOCS.replace(
            "      database: db",
            "      database: a\n      databaseName: b",
        );
        assert!(bound(&both).unwrap_err().message.contains("both"));
        let document: Yaml = serde_yaml::from_str("a: {b: orders, c: [x, {y: 1}]}").unwrap();
        let error = read(&document, "a.b", Shape::List).unwrap_err();
        assert!(error.message.contains("must be a list"), "{error}");
        let error = read(&document, "a.c", Shape::List).unwrap_err();
        assert!(
            error.message.contains("must be a list of strings"),
            "{error}"
        );
        let error = read(&document, "a.c", Shape::Scalar).unwrap_err();
        assert!(error.message.contains("must be a string"), "{error}");
        let nested = DOCS.replace("sampleSize: 10", "sampleSize: {a: 1}");
        assert!(bound(&nested).is_err());
        // A document: its JSON, bounded; a scalar is not one.
        assert_eq!(
            read(&document, "a.c", Shape::Document).unwrap().unwrap(),
            r#"["x",{"y":1}]"#
        );
        let error = read(&document, "a.b", Shape::Document).unwrap_err();
        assert!(error.message.contains("a mapping or a list"), "{error}");
        let huge: Yaml =
            serde_yaml::from_str(&format!("a: [{}]", vec!["word"; 20_000].join(","))).unwrap();
        let error = read(&huge, "a", Shape::Document).unwrap_err();
        assert!(error.message.contains("larger than 64 KiB"), "{error}");
    }

    #[test]
    fn the_types_must_be_the_connectors() {
        let error = bound(&DOCS.replace("type: example", "type: mysql")).unwrap_err();
        assert_eq!(error.path, "source.type");
        let error = bound(&DOCS.replace("type: CustomDatabase", "type: Mysql")).unwrap_err();
        assert_eq!(error.path, "source.serviceConnection.config.type");
        // A pipeline the component does not declare (this one runs metadata only).
        let profiler = DOCS
            .replace("type: DatabaseMetadata", "type: Profiler")
            .replace("      includeTags: false\n", "");
        let error = bound(&profiler).unwrap_err();
        assert_eq!(error.path, "source.sourceConfig.config.type");
        // A field of another pipeline, refused as OpenMetadata's models refuse it.
        let foreign = DOCS.replace("type: DatabaseMetadata", "type: AutoClassification");
        let error = Workflow::parse(&foreign).unwrap_err();
        assert_eq!(error.path, "source.sourceConfig.config.includeTags");
        assert!(bound(&DOCS.replace("type: example", "type: EXAMPLE")).is_ok());
    }
}
