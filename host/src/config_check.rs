//! A run's configuration, checked against the component's own declaration of it (its
//! `configuration-schema` export, a JSON Schema of the `wasi:config/store` keys) before the
//! run starts: an unknown key, a missing required key or a value of the wrong shape is named,
//! with what the key means, and never with a secret's value.

use jsonschema::Validator;
use jsonschema::error::ValidationErrorKind;
use serde_json::{Map, Value};

/// A compiled configuration schema.
pub struct ConfigSchema {
    schema: Value,
    validator: Validator,
}

impl ConfigSchema {
    /// Compiles the schema a component declared (the component is untrusted: a schema that is
    /// not one is an error, not a panic).
    pub fn new(text: &str) -> Result<ConfigSchema, String> {
        if text.len() > 1 << 20 {
            return Err("the component's configuration schema is larger than 1 MiB".into());
        }
        let schema: Value = serde_json::from_str(text)
            .map_err(|e| format!("the component's configuration schema is not JSON: {e}"))?;
        let validator = jsonschema::draft7::options()
            .build(&schema)
            .map_err(|e| format!("the component's configuration schema is not valid: {e}"))?;
        Ok(ConfigSchema { schema, validator })
    }

    /// The schema as the component declared it.
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Checks the `(key, value)` pairs of a run; the error lists every problem, one per key.
    pub fn check(&self, pairs: &[(String, String)]) -> Result<(), String> {
        let object: Map<String, Value> = pairs
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let instance = Value::Object(object);
        let problems: Vec<String> = self
            .validator
            .iter_errors(&instance)
            .map(|e| self.describe(&e.instance_path.to_string(), &e.kind))
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    fn describe(&self, path: &str, kind: &ValidationErrorKind) -> String {
        let key = path
            .strip_prefix('/')
            .unwrap_or(path)
            .replace("~1", "/")
            .replace("~0", "~");
        let property = &self.schema["properties"][&key];
        let secret = property["writeOnly"] == true;
        let about = property["description"]
            .as_str()
            .map(|d| format!(" ({})", crate::sanitize::message(d)))
            .unwrap_or_default();
        let key = crate::sanitize::name(&key).to_string();
        match kind {
            ValidationErrorKind::AdditionalProperties { unexpected } => unexpected
                .iter()
                .map(|k| {
                    format!(
                        "`{}` is not a key this connector reads",
                        crate::sanitize::name(k)
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            ValidationErrorKind::Required { property } => format!(
                "`{}` is required{}",
                crate::sanitize::name(property.as_str().unwrap_or_default()),
                self.schema["properties"][property.as_str().unwrap_or_default()]["description"]
                    .as_str()
                    .map(|d| format!(" ({})", crate::sanitize::message(d)))
                    .unwrap_or_default()
            ),
            _ if secret => format!("`{key}` has a value of the wrong shape{about}"),
            ValidationErrorKind::Pattern { .. } | ValidationErrorKind::Enum { .. } => {
                let expected = match (&property["x-kind"], &property["enum"]) {
                    (Value::String(kind), _) if kind == "boolean" => "`true` or `false`".into(),
                    (Value::String(kind), _) if kind == "integer" => format!(
                        "a whole number from {} to {}",
                        property["x-minimum"], property["x-maximum"]
                    ),
                    (Value::String(kind), _) if kind == "decimal" => "a decimal number".into(),
                    (_, Value::Array(values)) => values
                        .iter()
                        .filter_map(Value::as_str)
                        .map(|v| format!("`{}`", crate::sanitize::name(v)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    _ => "a value of another shape".into(),
                };
                format!("`{key}`: expected {expected}{about}")
            }
            other => format!(
                "`{key}`: {}",
                crate::sanitize::message(&format!("{other:?}"))
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = r#"{
        "type": "object",
        "properties": {
            "serviceName": {"type": "string", "description": "The service."},
            "secret": {"type": "string", "writeOnly": true, "pattern": "^[a-z]+$"},
            "flag": {"type": "string", "pattern": "^(true|false)$", "x-kind": "boolean"},
            "count": {"type": "string", "pattern": "^[0-9]+$", "x-kind": "integer", "x-minimum": 1, "x-maximum": 9},
            "level": {"type": "string", "enum": ["INFO", "DEBUG"]},
            "rate": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$", "x-kind": "decimal"}
        },
        "patternProperties": {"^connectionOptions\\.": {"type": "string"}},
        "additionalProperties": false,
        "required": ["serviceName"]
    }"#;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_valid_configuration_passes() {
        let schema = ConfigSchema::new(SCHEMA).unwrap();
        schema
            .check(&pairs(&[
                ("serviceName", "svc"),
                ("flag", "true"),
                ("connectionOptions.anything", "x"),
            ]))
            .unwrap();
    }

    #[test]
    fn every_problem_is_named_and_secrets_are_not_echoed() {
        let schema = ConfigSchema::new(SCHEMA).unwrap();
        let error = schema
            .check(&pairs(&[
                ("flag", "yes"),
                ("count", "many"),
                ("level", "LOUD"),
                ("rate", "fast"),
                ("secret", "S3CRET-VALUE-123"),
                ("sourceConfig.includeTablez", "true"),
            ]))
            .unwrap_err();
        for expected in [
            "`serviceName` is required (The service.)",
            "`flag`: expected `true` or `false`",
            "`count`: expected a whole number from 1 to 9",
            "`level`: expected `INFO`, `DEBUG`",
            "`rate`: expected a decimal number",
            "`secret` has a value of the wrong shape",
            "`sourceConfig.includeTablez` is not a key this connector reads",
        ] {
            assert!(error.contains(expected), "{expected}\n{error}");
        }
        assert!(!error.contains("S3CRET"), "{error}");
    }

    #[test]
    fn a_schema_that_is_not_one_is_an_error() {
        assert!(ConfigSchema::new("not json").is_err());
        assert!(ConfigSchema::new(r#"{"type": 7}"#).is_err());
    }
}
