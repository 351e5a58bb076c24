//! A run's configuration, checked against the component's own declaration of it (its
//! `configuration-schema` export, a JSON Schema of the `wasi:config/store` keys) before the
//! run starts: an unknown key, a missing required key or a value of the wrong shape is named,
//! with what the key means, and never with a secret's value.
//!
//! Configuration values are strings, so the schema needs only a flat subset of JSON Schema,
//! which this module implements: `properties` (each `type: string` with an optional
//! `pattern` and `enum`), `patternProperties`, `additionalProperties: false` and `required`;
//! other keywords are annotations (`description`, `default`, `x-kind`, ...). Each distinct
//! pattern is compiled once, with the memory it may take bounded: the schema is the guest's,
//! and a pattern can be written to make an engine's match state huge (480 empty capture groups
//! repeated 20 times made `regex-lite` hold 425 MiB per pattern). `regex-automata`'s meta engine
//! (already linked through the OCI client) compiles only the implicit group (a key or value
//! only has to match), its NFA within [`PATTERN_SIZE_LIMIT`], and its caches within
//! [`PATTERN_CACHE_LIMIT`]; it matches in linear time.

use regex_automata::meta::Regex;
use regex_automata::nfa::thompson::WhichCaptures;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Limits on what a component may declare (it is untrusted).
const MAX_SCHEMA_BYTES: usize = 1 << 20;
const MAX_KEYS: usize = 10_000;
const MAX_PATTERN_BYTES: usize = 1_000;
/// Compiled size allowed per pattern.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;
/// Match state (lazy DFA and one-pass caches) allowed per pattern and thread.
const PATTERN_CACHE_LIMIT: usize = 1 << 20;

/// A compiled configuration schema.
pub struct ConfigSchema {
    schema: Value,
    properties: HashMap<String, Rule>,
    pattern_properties: Vec<(Regex, Rule)>,
    additional_allowed: bool,
    required: Vec<String>,
}

/// What a key's value must be.
#[derive(Default, Clone)]
struct Rule {
    pattern: Option<Regex>,
    one_of: Option<Vec<String>>,
}

enum Problem<'a> {
    Unknown(&'a str),
    Required(&'a str),
    Shape(&'a str),
}

impl ConfigSchema {
    /// Compiles the schema a component declared (the component is untrusted: a schema that is
    /// not one is an error, not a panic).
    pub fn new(text: &str) -> Result<ConfigSchema, String> {
        if text.len() > MAX_SCHEMA_BYTES {
            return Err("the component's configuration schema is larger than 1 MiB".into());
        }
        let schema: Value = serde_json::from_str(text)
            .map_err(|e| format!("the component's configuration schema is not JSON: {e}"))?;
        let invalid =
            |why: &str| format!("the component's configuration schema is not valid: {why}");
        let root = schema
            .as_object()
            .ok_or_else(|| invalid("it is not an object"))?;
        if root.get("type").is_some_and(|t| t != "object") {
            return Err(invalid("`type` is not `object`"));
        }
        let mut patterns: HashMap<String, Regex> = HashMap::new();
        let mut compile = |pattern: &str| -> Result<Regex, String> {
            if let Some(regex) = patterns.get(pattern) {
                return Ok(regex.clone());
            }
            if pattern.len() > MAX_PATTERN_BYTES {
                return Err(invalid("a pattern is longer than 1000 bytes"));
            }
            let regex = Regex::builder()
                .configure(
                    Regex::config()
                        .which_captures(WhichCaptures::Implicit)
                        .nfa_size_limit(Some(PATTERN_SIZE_LIMIT))
                        .onepass_size_limit(Some(PATTERN_CACHE_LIMIT))
                        .hybrid_cache_capacity(PATTERN_CACHE_LIMIT)
                        .dfa_size_limit(Some(PATTERN_CACHE_LIMIT)),
                )
                .build(pattern)
                .map_err(|e| {
                    invalid(&format!(
                        "pattern `{}`: {e}",
                        crate::sanitize::name(pattern)
                    ))
                })?;
            patterns.insert(pattern.to_string(), regex.clone());
            Ok(regex)
        };
        let rule = |value: &Value,
                    compile: &mut dyn FnMut(&str) -> Result<Regex, String>|
         -> Result<Rule, String> {
            let Some(fields) = value.as_object() else {
                return Ok(Rule::default());
            };
            if fields.get("type").is_some_and(|t| t != "string") {
                return Err(invalid("a key's `type` is not `string`"));
            }
            Ok(Rule {
                pattern: match fields.get("pattern") {
                    None => None,
                    Some(Value::String(p)) => Some(compile(p)?),
                    Some(_) => return Err(invalid("a `pattern` is not a string")),
                },
                one_of: match fields.get("enum") {
                    None => None,
                    Some(Value::Array(values)) => Some(
                        values
                            .iter()
                            .map(|v| v.as_str().map(str::to_string))
                            .collect::<Option<Vec<_>>>()
                            .ok_or_else(|| {
                                invalid("an `enum` holds something other than strings")
                            })?,
                    ),
                    Some(_) => return Err(invalid("an `enum` is not a list")),
                },
            })
        };
        let empty = Map::new();
        let object = |key: &str| -> Result<&Map<String, Value>, String> {
            match root.get(key) {
                None => Ok(&empty),
                Some(Value::Object(fields)) => Ok(fields),
                Some(_) => Err(invalid(&format!("`{key}` is not an object"))),
            }
        };
        let declared = object("properties")?;
        let by_pattern = object("patternProperties")?;
        if declared.len() + by_pattern.len() > MAX_KEYS {
            return Err(invalid("it declares more than 10000 keys"));
        }
        let mut properties = HashMap::new();
        for (name, value) in declared {
            properties.insert(name.clone(), rule(value, &mut compile)?);
        }
        let mut pattern_properties = Vec::new();
        for (pattern, value) in by_pattern {
            let key_pattern = compile(pattern)?;
            pattern_properties.push((key_pattern, rule(value, &mut compile)?));
        }
        let additional_allowed = match root.get("additionalProperties") {
            None | Some(Value::Bool(true)) => true,
            Some(Value::Bool(false)) => false,
            Some(_) => return Err(invalid("`additionalProperties` is not a boolean")),
        };
        let required = match root.get("required") {
            None => Vec::new(),
            Some(Value::Array(names)) => names
                .iter()
                .map(|n| n.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| invalid("`required` holds something other than strings"))?,
            Some(_) => return Err(invalid("`required` is not a list")),
        };
        Ok(ConfigSchema {
            schema,
            properties,
            pattern_properties,
            additional_allowed,
            required,
        })
    }

    /// The schema as the component declared it.
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Checks the `(key, value)` pairs of a run; the error lists every problem, one per key.
    pub fn check(&self, pairs: &[(String, String)]) -> Result<(), String> {
        let mut problems: Vec<Problem<'_>> = Vec::new();
        for name in &self.required {
            if !pairs.iter().any(|(k, _)| k == name) {
                problems.push(Problem::Required(name));
            }
        }
        for (key, value) in pairs {
            let mut rules: Vec<&Rule> = Vec::new();
            if let Some(rule) = self.properties.get(key) {
                rules.push(rule);
            }
            rules.extend(
                self.pattern_properties
                    .iter()
                    .filter(|(p, _)| p.is_match(key))
                    .map(|(_, rule)| rule),
            );
            if rules.is_empty() && !self.additional_allowed {
                problems.push(Problem::Unknown(key));
            } else if rules.iter().any(|rule| !rule.accepts(value)) {
                problems.push(Problem::Shape(key));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems
                .iter()
                .map(|p| self.describe(p))
                .collect::<Vec<_>>()
                .join("; "))
        }
    }

    fn describe(&self, problem: &Problem<'_>) -> String {
        let about = |key: &str| {
            self.schema["properties"][key]["description"]
                .as_str()
                .map(|d| format!(" ({})", crate::sanitize::message(d)))
                .unwrap_or_default()
        };
        match problem {
            Problem::Unknown(key) => format!(
                "`{}` is not a key this connector reads",
                crate::sanitize::name(key)
            ),
            Problem::Required(key) => {
                format!("`{}` is required{}", crate::sanitize::name(key), about(key))
            }
            Problem::Shape(key) => {
                let property = &self.schema["properties"][*key];
                let name = crate::sanitize::name(key);
                if property["writeOnly"] == true {
                    return format!("`{name}` has a value of the wrong shape{}", about(key));
                }
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
                format!("`{name}`: expected {expected}{}", about(key))
            }
        }
    }
}

impl Rule {
    fn accepts(&self, value: &str) -> bool {
        self.pattern.as_ref().is_none_or(|p| p.is_match(value))
            && self
                .one_of
                .as_ref()
                .is_none_or(|values| values.iter().any(|v| v == value))
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
        assert!(ConfigSchema::new(r#"{"properties": {"a": {"pattern": "("}}}"#).is_err());
        assert!(ConfigSchema::new(r#"{"properties": {"a": {"type": "integer"}}}"#).is_err());
        let huge = format!(
            r#"{{"properties": {{"a": {{"pattern": "{}"}}}}}}"#,
            "a".repeat(2000)
        );
        assert!(ConfigSchema::new(&huge).is_err());
    }

    /// The component's own schema (component/src/config_schema.rs), as the runtime checks it.
    #[test]
    fn a_value_must_match_every_rule_that_applies() {
        let schema = ConfigSchema::new(
            r#"{"properties": {"connectionOptions.n": {"pattern": "^[0-9]+$"}},
                "patternProperties": {"^connectionOptions\\.": {"type": "string"}},
                "additionalProperties": false}"#,
        )
        .unwrap();
        schema
            .check(&pairs(&[
                ("connectionOptions.n", "12"),
                ("connectionOptions.x", "y"),
            ]))
            .unwrap();
        assert!(
            schema
                .check(&pairs(&[("connectionOptions.n", "many")]))
                .is_err()
        );
        assert!(schema.check(&pairs(&[("other", "x")])).is_err());
    }
}
