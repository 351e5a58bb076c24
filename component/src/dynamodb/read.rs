//! Reading DynamoDB's JSON answers into the model: the body is parsed once into a
//! `serde_json::Value`, then walked by hand. A field of the wrong type is an error that names
//! its path (`Table.KeySchema[1].AttributeName`) and what was there; unknown fields are
//! ignored; a missing or `null` optional field reads as absent, a missing or `null` list as
//! empty. (Derived `Deserialize` impls did this at three times the code size, which a
//! component pays for in every download and every compile.)

use serde_json::{Map, Value};

/// A value of the wrong type (or a required field missing), with where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// Where, from the document's root (`Table.KeySchema[1]`); empty for the root itself.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "at `{}`: {}", self.path, self.message)
        }
    }
}

pub type Result<T> = std::result::Result<T, ReadError>;

/// Parses `body` as JSON and reads it with `read`.
pub fn from_slice<T>(body: &[u8], read: impl FnOnce(&Object) -> Result<T>) -> Result<T> {
    let value: Value = serde_json::from_slice(body).map_err(|e| ReadError {
        path: String::new(),
        message: e.to_string(),
    })?;
    read(&Object::root(&value)?)
}

/// A JSON object being read, with its path for errors.
#[derive(Debug)]
pub struct Object<'v> {
    fields: &'v Map<String, Value>,
    path: String,
}

impl<'v> Object<'v> {
    /// The document's root, which must be an object.
    pub fn root(value: &'v Value) -> Result<Object<'v>> {
        Object::at(value, String::new())
    }

    fn at(value: &'v Value, path: String) -> Result<Object<'v>> {
        match value {
            Value::Object(fields) => Ok(Object { fields, path }),
            other => Err(wrong(&path, "an object", other)),
        }
    }

    fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The field's value, `None` when absent or `null`.
    pub fn get(&self, key: &str) -> Option<&'v Value> {
        self.fields.get(key).filter(|v| !v.is_null())
    }

    pub fn string(&self, key: &str) -> Result<String> {
        self.opt_string(key)?
            .ok_or_else(|| missing(&self.path_of(key), "a string"))
    }

    pub fn opt_string(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(wrong(&self.path_of(key), "a string", other)),
        }
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(wrong(&self.path_of(key), "a boolean", other)),
        }
    }

    pub fn opt_number(&self, key: &str) -> Result<Option<f64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(other) => Err(wrong(&self.path_of(key), "a number", other)),
        }
    }

    /// The raw value of a field that is read leniently (statistics).
    pub fn opt_value(&self, key: &str) -> Option<&'v Value> {
        self.get(key)
    }

    pub fn object(&self, key: &str) -> Result<Object<'v>> {
        let path = self.path_of(key);
        match self.get(key) {
            None => Err(missing(&path, "an object")),
            Some(value) => Object::at(value, path),
        }
    }

    pub fn opt_object(&self, key: &str) -> Result<Option<Object<'v>>> {
        let path = self.path_of(key);
        self.get(key).map(|v| Object::at(v, path)).transpose()
    }

    /// A list of objects, each read by `read`; absent or `null` is empty.
    pub fn objects<T>(&self, key: &str, read: impl Fn(&Object<'v>) -> Result<T>) -> Result<Vec<T>> {
        let path = self.path_of(key);
        self.list(key)?
            .iter()
            .enumerate()
            .map(|(i, v)| read(&Object::at(v, format!("{path}[{i}]"))?))
            .collect()
    }

    /// A list of strings; absent or `null` is empty.
    pub fn strings(&self, key: &str) -> Result<Vec<String>> {
        let path = self.path_of(key);
        self.list(key)?
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(wrong(&format!("{path}[{i}]"), "a string", other)),
            })
            .collect()
    }

    fn list(&self, key: &str) -> Result<&'v [Value]> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(wrong(&self.path_of(key), "a list", other)),
        }
    }
}

fn wrong(path: &str, expected: &str, found: &Value) -> ReadError {
    ReadError {
        path: path.to_string(),
        message: format!("expected {expected}, found {}", describe(found)),
    }
}

fn missing(path: &str, expected: &str) -> ReadError {
    ReadError {
        path: path.to_string(),
        message: format!("expected {expected}, found nothing"),
    }
}

/// What a value is, shortly (never a long string from the server in full).
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {}", shorten(&n.to_string())),
        Value::String(s) => format!("the string {:?}", shorten(s)),
        Value::Array(items) => format!("a list of {}", items.len()),
        Value::Object(_) => "an object".into(),
    }
}

/// At most 40 characters of a text, for a message.
pub fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_name_the_path_and_what_was_there() {
        let doc = json!({"Table": {"KeySchema": [{"AttributeName": "a"}, {"AttributeName": 7}]}});
        let root = Object::root(&doc).unwrap();
        let table = root.object("Table").unwrap();
        let err = table
            .objects("KeySchema", |o| o.string("AttributeName"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "at `Table.KeySchema[1].AttributeName`: expected a string, found the number 7"
        );
        let err = table.strings("Nope").unwrap();
        assert!(err.is_empty());
        let doc = json!({"Table": "x".repeat(100)});
        let err = Object::root(&doc).unwrap().object("Table").err().unwrap();
        assert!(
            err.to_string()
                .starts_with("at `Table`: expected an object, found the string \"xxx")
        );
        assert!(err.to_string().chars().count() < 100, "{err}");
        assert_eq!(
            Object::root(&json!([1])).err().unwrap().to_string(),
            "expected an object, found a list of 1"
        );
    }

    #[test]
    fn null_reads_as_absent_or_empty() {
        let doc = json!({"A": null, "L": null});
        let root = Object::root(&doc).unwrap();
        assert_eq!(root.opt_string("A").unwrap(), None);
        assert_eq!(root.strings("L").unwrap(), Vec::<String>::new());
        assert_eq!(
            root.string("A").unwrap_err().to_string(),
            "at `A`: expected a string, found nothing"
        );
    }
}
