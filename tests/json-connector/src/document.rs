//! The document, parsed from hostile bytes: JSON (serde_json bounds its nesting), then its
//! shape, checked field by field. A problem names where it is (`tables[2].columns[0].type`).
//! Unknown fields are ignored; `description` may be null; `columns` and `primaryKey` may be
//! left out. Names are taken as they are: whether a table can be cataloged is `mapping.rs`'s
//! question, asked table by table.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub tables: Vec<TableEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableEntry {
    pub name: String,
    pub description: Option<String>,
    pub columns: Vec<ColumnEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnEntry {
    pub name: String,
    /// As the document wrote it.
    pub type_word: String,
    pub description: Option<String>,
    pub primary_key: bool,
}

/// The document in `body`, or what is wrong with it.
pub fn parse(body: &[u8]) -> Result<Document, String> {
    let root: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let root = root
        .as_object()
        .ok_or("the document is not a JSON object")?;
    let tables = match root.get("tables") {
        Some(Value::Array(tables)) => tables,
        Some(_) => return Err("`tables` is not an array".to_string()),
        None => return Err("the document has no `tables`".to_string()),
    };
    let tables = tables
        .iter()
        .enumerate()
        .map(|(i, t)| table(t, &format!("tables[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Document { tables })
}

fn table(value: &Value, at: &str) -> Result<TableEntry, String> {
    let fields = value
        .as_object()
        .ok_or_else(|| format!("`{at}` is not an object"))?;
    let columns = match fields.get("columns") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(columns)) => columns
            .iter()
            .enumerate()
            .map(|(i, c)| column(c, &format!("{at}.columns[{i}]")))
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err(format!("`{at}.columns` is not an array")),
    };
    Ok(TableEntry {
        name: string(fields, "name", at)?,
        description: optional_string(fields, "description", at)?,
        columns,
    })
}

fn column(value: &Value, at: &str) -> Result<ColumnEntry, String> {
    let fields = value
        .as_object()
        .ok_or_else(|| format!("`{at}` is not an object"))?;
    let primary_key = match fields.get("primaryKey") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(format!("`{at}.primaryKey` is not true or false")),
    };
    Ok(ColumnEntry {
        name: string(fields, "name", at)?,
        type_word: string(fields, "type", at)?,
        description: optional_string(fields, "description", at)?,
        primary_key,
    })
}

fn string(fields: &Map<String, Value>, name: &str, at: &str) -> Result<String, String> {
    match fields.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(format!("`{at}.{name}` is not a string")),
        None => Err(format!("`{at}` has no `{name}`")),
    }
}

fn optional_string(
    fields: &Map<String, Value>,
    name: &str,
    at: &str,
) -> Result<Option<String>, String> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("`{at}.{name}` is not a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_parsed() {
        let body = br#"{"version": 3, "tables": [
            {"name": "orders", "description": "All *orders*.", "columns": [
                {"name": "id", "type": "number", "description": "the key", "primaryKey": true},
                {"name": "note", "type": "string", "description": null, "extra": [1]}
            ]},
            {"name": "empty"}
        ]}"#;
        let document = parse(body).unwrap();
        assert_eq!(
            document,
            Document {
                tables: vec![
                    TableEntry {
                        name: "orders".into(),
                        description: Some("All *orders*.".into()),
                        columns: vec![
                            ColumnEntry {
                                name: "id".into(),
                                type_word: "number".into(),
                                description: Some("the key".into()),
                                primary_key: true,
                            },
                            ColumnEntry {
                                name: "note".into(),
                                type_word: "string".into(),
                                description: None,
                                primary_key: false,
                            },
                        ],
                    },
                    TableEntry {
                        name: "empty".into(),
                        description: None,
                        columns: Vec::new(),
                    },
                ],
            }
        );
        assert_eq!(parse(br#"{"tables": []}"#).unwrap().tables, []);
    }

    #[test]
    fn what_is_not_the_document_says_where() {
        for (body, problem) in [
            (&b""[..], "the body is not JSON"),
            (b"<html>", "the body is not JSON"),
            (b"{\"tables\": []} x", "the body is not JSON"),
            (b"[]", "the document is not a JSON object"),
            (b"{}", "the document has no `tables`"),
            (b"{\"tables\": {}}", "`tables` is not an array"),
            (b"{\"tables\": [1]}", "`tables[0]` is not an object"),
            (b"{\"tables\": [{}]}", "`tables[0]` has no `name`"),
            (b"{\"tables\": [{\"name\": 1}]}", "`tables[0].name` is not a string"),
            (
                b"{\"tables\": [{\"name\": \"a\", \"description\": 2}]}",
                "`tables[0].description` is not a string",
            ),
            (
                b"{\"tables\": [{\"name\": \"a\", \"columns\": {}}]}",
                "`tables[0].columns` is not an array",
            ),
            (
                b"{\"tables\": [{\"name\": \"a\", \"columns\": [{\"name\": \"c\"}]}]}",
                "`tables[0].columns[0]` has no `type`",
            ),
            (
                b"{\"tables\": [{\"name\": \"a\", \"columns\": [{\"name\": \"c\", \"type\": \"string\", \"primaryKey\": \"yes\"}]}]}",
                "`tables[0].columns[0].primaryKey` is not true or false",
            ),
        ] {
            let error = parse(body).unwrap_err();
            assert!(error.starts_with(problem), "{error} / {problem}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!(
            "{{\"tables\": {}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(parse(deep.as_bytes()).is_err());
    }
}
