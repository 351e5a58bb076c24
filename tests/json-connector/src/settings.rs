//! The settings, from every `wasi:config/store` key at once (`get-all`): a key the schema does
//! not declare, a required key missing or a value of the wrong shape is
//! `invalid-config(config-problem { key, message })`. A message never holds a secret's value.

use crate::bindings::exports::catalog::connector::types::{ConfigProblem, ConnectorError};
use crate::bindings::wasi::config::store;
use crate::filter::TableFilter;
use crate::log::{Level, Log};
use crate::schema::{self, Kind};
use crate::url::DocumentUrl;

/// Longest service name OpenMetadata accepts (`entityName`).
const MAX_NAME: usize = 256;

#[derive(Debug, Clone)]
pub struct Settings {
    pub service_name: String,
    pub document_url: DocumentUrl,
    /// `documentUrl` as configured (trimmed), for the connection check and the log.
    pub document_url_text: String,
    pub bearer_token: Option<String>,
    pub filter: TableFilter,
    pub log: Log,
}

impl Settings {
    pub fn read() -> Result<Settings, ConnectorError> {
        let pairs = store::get_all().map_err(|e| {
            invalid(
                "*",
                format!(
                    "the configuration could not be read: {}",
                    match e {
                        store::Error::Upstream(m) | store::Error::Io(m) => m,
                    }
                ),
            )
        })?;
        Settings::from_pairs(&pairs)
    }

    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Settings, ConnectorError> {
        for (i, (key, value)) in pairs.iter().enumerate() {
            let Some(declared) = schema::find(key) else {
                return Err(invalid(key, "is not a key of this connector"));
            };
            if pairs[..i].iter().any(|(k, _)| k == key) {
                return Err(invalid(key, "is given more than once"));
            }
            check_kind(declared, value.trim())?;
        }
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        };
        if let Some(k) = schema::KEYS
            .iter()
            .find(|k| k.required && get(k.name).is_none())
        {
            return Err(invalid(k.name, "is required"));
        }
        let service_name = get(schema::SERVICE_NAME).unwrap_or_default().to_string();
        check_name(&service_name)?;
        let document_url_text = get(schema::DOCUMENT_URL).unwrap_or_default().to_string();
        let document_url = DocumentUrl::parse(&document_url_text)
            .map_err(|why| invalid(schema::DOCUMENT_URL, why))?;
        let bearer_token = get(schema::BEARER_TOKEN).map(str::to_string);
        if bearer_token
            .as_deref()
            .is_some_and(|t| !t.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(invalid(
                schema::BEARER_TOKEN,
                "holds a character an HTTP header cannot carry (only visible ASCII)",
            ));
        }
        let patterns = |key: &str| {
            TableFilter::parse_patterns(get(key).unwrap_or_default())
                .map_err(|why| invalid(key, why))
        };
        let filter = TableFilter::new(patterns(schema::INCLUDES)?, patterns(schema::EXCLUDES)?);
        let min = get(schema::LOGGER_LEVEL)
            .and_then(Level::parse)
            .unwrap_or(Level::Info);
        Ok(Settings {
            service_name,
            document_url,
            document_url_text,
            bearer_token,
            filter,
            log: Log { min },
        })
    }
}

/// A value against its key's declaration (the URL and patterns are checked where parsed).
fn check_kind(key: &schema::Key, value: &str) -> Result<(), ConnectorError> {
    match key.kind {
        Kind::OneOf(words) if !value.is_empty() && !words.contains(&value) => Err(invalid(
            key.name,
            format!("is not one of {}", words.join(", ")),
        )),
        _ => Ok(()),
    }
}

/// The service name, as OpenMetadata takes it and as an FQN can quote it.
fn check_name(name: &str) -> Result<(), ConnectorError> {
    let why = if name.chars().count() > MAX_NAME {
        format!("is longer than {MAX_NAME} characters")
    } else if name.contains('"') {
        "must not hold a `\"`".to_string()
    } else if name.contains("::") {
        "must not hold `::`".to_string()
    } else if name.chars().any(char::is_control) {
        "must not hold a control character".to_string()
    } else {
        return Ok(());
    };
    Err(invalid(schema::SERVICE_NAME, why))
}

pub fn invalid(key: &str, message: impl Into<String>) -> ConnectorError {
    ConnectorError::InvalidConfig(ConfigProblem {
        key: key.to_string(),
        message: message.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn problem(list: &[(&str, &str)]) -> (String, String) {
        match Settings::from_pairs(&pairs(list)) {
            Err(ConnectorError::InvalidConfig(p)) => (p.key, p.message),
            Err(other) => panic!("not invalid-config: {other:?}"),
            Ok(_) => panic!("accepted: {list:?}"),
        }
    }

    const MINIMAL: [(&str, &str); 2] = [
        ("serviceName", "docs"),
        ("documentUrl", "http://127.0.0.1:8080/catalog.json"),
    ];

    #[test]
    fn the_two_required_keys_are_enough() {
        let s = Settings::from_pairs(&pairs(&MINIMAL)).unwrap();
        assert_eq!(s.service_name, "docs");
        assert_eq!(s.document_url.port, 8080);
        assert_eq!(s.bearer_token, None);
        assert_eq!(s.filter, TableFilter::default());
        assert_eq!(s.log.min, Level::Info);
    }

    #[test]
    fn every_key_is_read() {
        let s = Settings::from_pairs(&pairs(&[
            ("serviceName", "docs"),
            ("type", "CustomDatabase"),
            (
                "sourcePythonClass",
                "metadata.ingestion.source.database.json",
            ),
            ("documentUrl", " https://docs.example.com/c.json "),
            ("bearerToken", "s3cr3t"),
            ("sourceConfig.type", "DatabaseMetadata"),
            ("sourceConfig.tableFilterPattern.includes", r#"["^ord"]"#),
            ("sourceConfig.tableFilterPattern.excludes", r#"["tmp"]"#),
            ("loggerLevel", "DEBUG"),
        ]))
        .unwrap();
        assert_eq!(s.document_url_text, "https://docs.example.com/c.json");
        assert_eq!(s.bearer_token.as_deref(), Some("s3cr3t"));
        assert_eq!(
            s.filter,
            TableFilter::new(vec!["^ord".into()], vec!["tmp".into()])
        );
        assert_eq!(s.log.min, Level::Debug);
    }

    #[test]
    fn unknown_and_missing_keys_are_named() {
        let mut list = MINIMAL.to_vec();
        list.push(("connectionOptions.other", "x"));
        assert_eq!(
            problem(&list),
            (
                "connectionOptions.other".into(),
                "is not a key of this connector".into()
            )
        );
        assert_eq!(
            problem(&[("serviceName", "docs")]),
            ("documentUrl".into(), "is required".into())
        );
        assert_eq!(
            problem(&[("serviceName", " "), MINIMAL[1]]),
            ("serviceName".into(), "is required".into())
        );
    }

    #[test]
    fn malformed_values_are_named_without_secrets() {
        let with = |key: &'static str, value: &'static str| {
            let mut list = MINIMAL.to_vec();
            list.retain(|(k, _)| *k != key);
            list.push((key, value));
            problem(&list)
        };
        assert_eq!(with("documentUrl", "ftp://x/").0, "documentUrl");
        assert_eq!(with("documentUrl", "http://u:p@x/").0, "documentUrl");
        assert_eq!(with("type", "DynamoDB").0, "type");
        assert_eq!(with("sourceConfig.type", "Profiler").0, "sourceConfig.type");
        assert_eq!(with("loggerLevel", "TRACE").0, "loggerLevel");
        assert_eq!(with("serviceName", "a\"b").0, "serviceName");
        assert_eq!(
            with("sourceConfig.tableFilterPattern.includes", "^ord").0,
            "sourceConfig.tableFilterPattern.includes"
        );
        let (key, message) = with("bearerToken", "abc\ndef");
        assert_eq!(key, "bearerToken");
        assert!(!message.contains("abc"), "{message}");
        let mut twice = MINIMAL.to_vec();
        twice.push(("serviceName", "other"));
        assert_eq!(problem(&twice).0, "serviceName");
    }
}
