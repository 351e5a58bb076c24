//! A value from the workflow that must never be printed: secret keys, session tokens, JWTs.

use serde::{Deserialize, Deserializer};
use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

/// A run's secret values, struck from every text the guest hands the host before it is
/// shown or written: a connector that echoes its credentials does not get them printed.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

/// What replaces a secret.
pub const MASK: &str = "****";

impl Redactor {
    /// Values shorter than 4 characters are not redacted: they would mask ordinary text.
    pub fn new(secrets: &[String]) -> Redactor {
        let mut secrets: Vec<String> = secrets.iter().filter(|s| s.len() >= 4).cloned().collect();
        // Longest first, so that a secret containing another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Redactor { secrets }
    }

    pub fn redact<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        let mut out = std::borrow::Cow::Borrowed(text);
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = std::borrow::Cow::Owned(out.replace(secret.as_str(), MASK));
            }
        }
        out
    }

    /// Redacts every string in a JSON value, keys included.
    pub fn redact_json(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        if self.secrets.is_empty() {
            return;
        }
        match value {
            Value::String(s) => {
                if let std::borrow::Cow::Owned(clean) = self.redact(s) {
                    *s = clean;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact_json(v)),
            Value::Object(map) => {
                let dirty: Vec<String> = map
                    .keys()
                    .filter(|k| matches!(self.redact(k), std::borrow::Cow::Owned(_)))
                    .cloned()
                    .collect();
                for key in dirty {
                    if let Some(v) = map.remove(&key) {
                        map.insert(self.redact(&key).into_owned(), v);
                    }
                }
                map.values_mut().for_each(|v| self.redact_json(v));
            }
            _ => {}
        }
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_secret_is_masked_in_text_and_json() {
        let redactor = Redactor::new(&["hunter22".into(), "hunter22-long".into(), "abc".into()]);
        assert_eq!(
            redactor.redact("k=hunter22-long;h=hunter22;abc"),
            "k=****;h=****;abc"
        );
        let mut value = json!({"a": ["x hunter22 y", {"hunter22": 1}], "b": 2});
        redactor.redact_json(&mut value);
        assert_eq!(value, json!({"a": ["x **** y", {"****": 1}], "b": 2}));
        assert!(matches!(
            redactor.redact("clean"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
