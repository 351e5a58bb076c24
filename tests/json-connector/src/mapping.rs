//! A table of the document as the world's `table`: columns in order (1-based positions, no
//! nesting), the type word as `data-type-display`, the primary key as a column constraint when
//! it is one column and as a table constraint when it is several, and a table profile that
//! counts the columns. A table OpenMetadata could not take (a name it refuses, a column
//! without a name, two columns of one name) is refused with the reason.

use crate::bindings::exports::catalog::connector::types::{
    Column, ColumnConstraint, ConstraintType, DataType, Table, TableConstraint, TableProfile,
    TableType,
};
use crate::document::{ColumnEntry, TableEntry};
use crate::fqn;
use std::collections::HashSet;

/// Longest name OpenMetadata accepts (`entityName`).
const MAX_NAME: usize = 256;

/// `entry` as a table of the schema `schema_fqn`, profiled at `now_ms`; or why it cannot be one.
pub fn table(entry: &TableEntry, schema_fqn: &str, now_ms: u64) -> Result<Table, String> {
    check_name("the table", &entry.name)?;
    let mut seen = HashSet::new();
    for (i, c) in entry.columns.iter().enumerate() {
        check_name(&format!("column {}", i + 1), &c.name)?;
        if !seen.insert(c.name.as_str()) {
            return Err(format!("two columns are named {:?}", c.name));
        }
    }
    let keys: Vec<&ColumnEntry> = entry.columns.iter().filter(|c| c.primary_key).collect();
    let one_key = keys.len() == 1;
    let columns: Vec<Column> = entry
        .columns
        .iter()
        .zip(1..)
        .map(|(c, position)| column(c, position, one_key && c.primary_key))
        .collect();
    let table_constraints = if keys.len() > 1 {
        vec![TableConstraint {
            constraint_type: ConstraintType::PrimaryKey,
            columns: keys.iter().map(|c| c.name.clone()).collect(),
        }]
    } else {
        Vec::new()
    };
    Ok(Table {
        name: entry.name.clone(),
        fully_qualified_name: fqn::table(schema_fqn, &entry.name),
        database_schema: schema_fqn.to_string(),
        table_type: TableType::Regular,
        description: entry.description.clone(),
        table_constraints,
        source_url: None,
        tags: Vec::new(),
        profile: Some(TableProfile {
            timestamp_ms: now_ms,
            row_count: None,
            size_bytes: None,
            column_count: u32::try_from(columns.len()).unwrap_or(u32::MAX),
            create_date_time: None,
        }),
        columns,
        details: None,
        sampling: None,
        lineage: Vec::new(),
    })
}

fn column(entry: &ColumnEntry, position: u32, primary_key: bool) -> Column {
    let (data_type, display) = data_type(&entry.type_word);
    Column {
        name: entry.name.clone(),
        data_type,
        data_type_display: display,
        array_data_type: None,
        description: entry.description.clone(),
        constraint: primary_key.then_some(ColumnConstraint::PrimaryKey),
        ordinal_position: position,
        parent: None,
        tags: Vec::new(),
        coverage: None,
        profile: None,
    }
}

/// The document's type word (any case) as a data type and its display: the word in lower
/// case; a word it does not know is `unknown`.
pub fn data_type(word: &str) -> (DataType, String) {
    let display = word.to_lowercase();
    let data_type = match display.as_str() {
        "string" => DataType::String,
        "number" => DataType::Number,
        "boolean" => DataType::Boolean,
        "binary" => DataType::Binary,
        "map" => DataType::Map,
        "array" => DataType::Array,
        _ => DataType::Unknown,
    };
    (data_type, display)
}

/// A name OpenMetadata takes and an FQN can quote: not empty, at most 256 characters, no `"`
/// and no `::`.
fn check_name(what: &str, name: &str) -> Result<(), String> {
    if name.is_empty() {
        Err(format!("{what} has no name"))
    } else if name.chars().count() > MAX_NAME {
        Err(format!(
            "{what} has a name longer than {MAX_NAME} characters"
        ))
    } else if name.contains('"') || name.contains("::") {
        Err(format!("{what} has a name with `\"` or `::` in it"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = "docs.default.default";

    fn col(name: &str, type_word: &str, primary_key: bool) -> ColumnEntry {
        ColumnEntry {
            name: name.into(),
            type_word: type_word.into(),
            description: None,
            primary_key,
        }
    }

    fn entry(name: &str, columns: Vec<ColumnEntry>) -> TableEntry {
        TableEntry {
            name: name.into(),
            description: Some("**Orders**, one per line.".into()),
            columns,
        }
    }

    #[test]
    fn a_table_with_one_key_column() {
        let t = table(
            &entry(
                "orders",
                vec![
                    col("id", "number", true),
                    ColumnEntry {
                        description: Some("free text".into()),
                        ..col("note", "String", false)
                    },
                ],
            ),
            SCHEMA,
            1_700_000_000_123,
        )
        .unwrap();
        assert_eq!(t.name, "orders");
        assert_eq!(t.fully_qualified_name, "docs.default.default.orders");
        assert_eq!(t.database_schema, SCHEMA);
        assert_eq!(t.table_type, TableType::Regular);
        assert_eq!(t.description.as_deref(), Some("**Orders**, one per line."));
        assert!(t.table_constraints.is_empty());
        assert!(t.tags.is_empty() && t.source_url.is_none());
        assert!(t.details.is_none() && t.sampling.is_none());
        let profile = t.profile.unwrap();
        assert_eq!(profile.timestamp_ms, 1_700_000_000_123);
        assert_eq!(profile.column_count, 2);
        assert_eq!((profile.row_count, profile.size_bytes), (None, None));
        assert_eq!(profile.create_date_time, None);
        let [id, note] = &t.columns[..] else {
            panic!("two columns")
        };
        assert_eq!(id.name, "id");
        assert_eq!(id.data_type, DataType::Number);
        assert_eq!(id.data_type_display, "number");
        assert_eq!(id.constraint, Some(ColumnConstraint::PrimaryKey));
        assert_eq!(id.ordinal_position, 1);
        assert_eq!(note.data_type, DataType::String);
        assert_eq!(note.data_type_display, "string");
        assert_eq!(note.description.as_deref(), Some("free text"));
        assert_eq!(note.constraint, None);
        assert_eq!(note.ordinal_position, 2);
        for c in &t.columns {
            assert!(c.parent.is_none() && c.array_data_type.is_none());
            assert!(c.tags.is_empty() && c.coverage.is_none() && c.profile.is_none());
        }
    }

    #[test]
    fn a_key_of_several_columns_is_a_table_constraint() {
        let t = table(
            &entry(
                "lines",
                vec![
                    col("order", "number", true),
                    col("text", "string", false),
                    col("line", "number", true),
                ],
            ),
            SCHEMA,
            0,
        )
        .unwrap();
        assert_eq!(t.table_constraints.len(), 1);
        assert_eq!(
            t.table_constraints[0].constraint_type,
            ConstraintType::PrimaryKey
        );
        assert_eq!(t.table_constraints[0].columns, ["order", "line"]);
        assert!(t.columns.iter().all(|c| c.constraint.is_none()));
    }

    #[test]
    fn every_type_word_is_mapped() {
        for (word, expected, display) in [
            ("string", DataType::String, "string"),
            ("number", DataType::Number, "number"),
            ("boolean", DataType::Boolean, "boolean"),
            ("binary", DataType::Binary, "binary"),
            ("map", DataType::Map, "map"),
            ("ARRAY", DataType::Array, "array"),
            ("Timestamp", DataType::Unknown, "timestamp"),
            ("", DataType::Unknown, ""),
        ] {
            assert_eq!(data_type(word), (expected, display.to_string()), "{word}");
        }
    }

    #[test]
    fn a_dotted_table_name_is_quoted() {
        let t = table(&entry("orders.v2", Vec::new()), SCHEMA, 0).unwrap();
        assert_eq!(t.fully_qualified_name, "docs.default.default.\"orders.v2\"");
        assert_eq!(t.profile.unwrap().column_count, 0);
    }

    #[test]
    fn tables_openmetadata_would_refuse_are_refused() {
        for (name, columns) in [
            ("", Vec::new()),
            ("a\"b", Vec::new()),
            ("a::b", Vec::new()),
            ("x", vec![col("", "string", false)]),
            (
                "x",
                vec![col("c", "string", false), col("c", "number", false)],
            ),
        ] {
            assert!(table(&entry(name, columns), SCHEMA, 0).is_err(), "{name}");
        }
        let long = "t".repeat(257);
        assert!(table(&entry(&long, Vec::new()), SCHEMA, 0).is_err());
    }
}
