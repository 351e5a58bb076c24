//! Non-key attributes inferred from a sample of items (opt-in with `connectionOptions.sampleSize`):
//! every attribute seen becomes a column typed from DynamoDB's own type descriptors (S, N, B,
//! BOOL, NULL, M, L, SS, NS, BS); maps become parent columns with their fields as children;
//! an attribute seen with several types is a `union`; an attribute missing from some items is
//! kept and its description says how often it was present.

use crate::catalog::{Column, DataType};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Nesting levels followed into maps and lists.
const MAX_DEPTH: usize = 8;
/// Columns a table may gain from sampling.
pub const MAX_COLUMNS: usize = 1000;

/// What was seen of one attribute (or field of a map).
#[derive(Debug, Default)]
struct Shape {
    /// How many sampled values had it.
    present: usize,
    /// DynamoDB type descriptors seen, in first-seen order.
    types: Vec<&'static str>,
    /// Fields seen in its map values (or in maps inside its list values).
    fields: BTreeMap<String, Shape>,
    /// Parents seen for `fields`, to say how sparse a field is.
    maps_seen: usize,
    /// Element types seen in its list values.
    elements: Vec<&'static str>,
}

pub struct Inferred {
    pub columns: Vec<Column>,
    /// Something worth a warning (e.g. the column limit was reached).
    pub notes: Vec<String>,
}

/// Columns for the attributes of `items` (DynamoDB JSON) not already in `declared`, appended
/// after them: their `ordinal_position`s and `parent` indexes continue `declared`'s.
pub fn infer(items: &[Value], declared: &[Column]) -> Inferred {
    let mut top: BTreeMap<String, Shape> = BTreeMap::new();
    for item in items {
        if let Some(attributes) = item.as_object() {
            for (name, value) in attributes {
                observe(top.entry(name.clone()).or_default(), value, 0);
            }
        }
    }
    let mut out = Inferred {
        columns: Vec::new(),
        notes: Vec::new(),
    };
    let base = declared.len() as u32;
    let mut position = declared.iter().filter(|c| c.parent.is_none()).count() as u32;
    let mut truncated = false;
    for (name, shape) in &top {
        if declared
            .iter()
            .any(|c| c.parent.is_none() && &c.name == name)
        {
            continue;
        }
        position += 1;
        if !emit(
            name,
            shape,
            items.len(),
            position,
            None,
            base,
            &mut out.columns,
        ) {
            truncated = true;
            break;
        }
    }
    if truncated {
        out.notes.push(format!(
            "more than {MAX_COLUMNS} attributes in the sample; the rest are not ingested"
        ));
    }
    out
}

fn observe(shape: &mut Shape, value: &Value, depth: usize) {
    shape.present += 1;
    let Some((descriptor, inner)) = value.as_object().and_then(|o| o.iter().next()) else {
        note_type(&mut shape.types, "?");
        return;
    };
    let descriptor = canonical(descriptor);
    note_type(&mut shape.types, descriptor);
    if depth >= MAX_DEPTH {
        return;
    }
    match (descriptor, inner) {
        ("M", Value::Object(fields)) => observe_fields(shape, fields, depth),
        ("L", Value::Array(elements)) => {
            for element in elements {
                let Some((element_type, element_inner)) =
                    element.as_object().and_then(|o| o.iter().next())
                else {
                    continue;
                };
                let element_type = canonical(element_type);
                note_type(&mut shape.elements, element_type);
                if let ("M", Value::Object(fields)) = (element_type, element_inner) {
                    observe_fields(shape, fields, depth);
                }
            }
        }
        _ => {}
    }
}

fn observe_fields(shape: &mut Shape, fields: &Map<String, Value>, depth: usize) {
    shape.maps_seen += 1;
    for (name, value) in fields {
        observe(
            shape.fields.entry(name.clone()).or_default(),
            value,
            depth + 1,
        );
    }
}

fn note_type(types: &mut Vec<&'static str>, t: &'static str) {
    if !types.contains(&t) {
        types.push(t);
    }
}

fn canonical(descriptor: &str) -> &'static str {
    match descriptor {
        "S" => "S",
        "N" => "N",
        "B" => "B",
        "BOOL" => "BOOL",
        "NULL" => "NULL",
        "M" => "M",
        "L" => "L",
        "SS" => "SS",
        "NS" => "NS",
        "BS" => "BS",
        _ => "?",
    }
}

fn scalar(descriptor: &str) -> (DataType, &'static str) {
    match descriptor {
        "S" => (DataType::String, "string"),
        "N" => (DataType::Number, "number"),
        "B" => (DataType::Binary, "binary"),
        "BOOL" => (DataType::Boolean, "boolean"),
        "NULL" => (DataType::Null, "null"),
        "M" => (DataType::Map, "map"),
        "L" => (DataType::Array, "array"),
        "SS" => (DataType::Array, "set<string>"),
        "NS" => (DataType::Array, "set<number>"),
        "BS" => (DataType::Array, "set<binary>"),
        _ => (DataType::Unknown, "unknown"),
    }
}

/// Type, display and element type of a shape. `NULL` next to another type makes that type
/// nullable rather than a union.
fn typing(shape: &Shape) -> (DataType, String, Option<DataType>) {
    let types: Vec<&str> = if shape.types.len() > 1 {
        shape
            .types
            .iter()
            .copied()
            .filter(|t| *t != "NULL")
            .collect()
    } else {
        shape.types.clone()
    };
    if types.len() > 1 {
        // Sorted, so that the display does not depend on the order items were scanned in.
        let mut names: Vec<&str> = types.iter().map(|t| scalar(t).1).collect();
        names.sort_unstable();
        return (DataType::Union, format!("union<{}>", names.join(",")), None);
    }
    let t = types.first().copied().unwrap_or("?");
    let (data_type, display) = scalar(t);
    let element = match t {
        "SS" => Some(DataType::String),
        "NS" => Some(DataType::Number),
        "BS" => Some(DataType::Binary),
        "L" => Some(match shape.elements.as_slice() {
            [] => DataType::Unknown,
            [one] => scalar(one).0,
            _ => DataType::Union,
        }),
        _ => None,
    };
    let display = match (t, &element) {
        ("L", Some(DataType::Union)) => {
            let mut names: Vec<&str> = shape.elements.iter().map(|e| scalar(e).1).collect();
            names.sort_unstable();
            format!("array<union<{}>>", names.join(","))
        }
        ("L", Some(e)) => format!("array<{}>", e.display_name()),
        _ => display.to_string(),
    };
    (data_type, display, element)
}

/// Pushes the column for `shape` and its children; false when the column limit is reached.
fn emit(
    name: &str,
    shape: &Shape,
    parent_count: usize,
    position: u32,
    parent: Option<u32>,
    base: u32,
    columns: &mut Vec<Column>,
) -> bool {
    if columns.len() >= MAX_COLUMNS {
        return false;
    }
    let (data_type, data_type_display, array_data_type) = typing(shape);
    let mut description = if shape.present < parent_count {
        format!(
            "Present in {} of {} sampled values.",
            shape.present, parent_count
        )
    } else {
        format!("Present in all {parent_count} sampled values.")
    };
    if shape.types.len() > 1 && shape.types.contains(&"NULL") && data_type != DataType::Union {
        description.push_str(" Sometimes NULL.");
    }
    let index = base + columns.len() as u32;
    let mut column = Column::new(name, data_type, data_type_display, position);
    column.array_data_type = array_data_type;
    column.description = Some(description);
    column.parent = parent;
    columns.push(column);
    for (child_position, (child, child_shape)) in shape.fields.iter().enumerate() {
        if !emit(
            child,
            child_shape,
            shape.maps_seen,
            child_position as u32 + 1,
            Some(index),
            base,
            columns,
        ) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key_column() -> Column {
        Column::new("id", DataType::String, "string", 1)
    }

    fn summary(columns: &[Column]) -> Vec<(String, DataType, String, Option<u32>, u32)> {
        columns
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    c.data_type,
                    c.data_type_display.clone(),
                    c.parent,
                    c.ordinal_position,
                )
            })
            .collect()
    }

    #[test]
    fn every_dynamodb_type_maps_to_a_column() {
        let items = vec![json!({
            "id": {"S": "1"},
            "name": {"S": "a"}, "n": {"N": "1.5"}, "b": {"B": "AQI="}, "ok": {"BOOL": true},
            "nothing": {"NULL": true}, "ss": {"SS": ["a"]}, "ns": {"NS": ["1"]}, "bs": {"BS": ["AQI="]},
            "list": {"L": [{"S": "x"}, {"S": "y"}]},
            "mixed_list": {"L": [{"S": "x"}, {"N": "1"}]},
            "address": {"M": {"city": {"S": "Lyon"}, "geo": {"M": {"lat": {"N": "45.7"}}}}}
        })];
        let inferred = infer(&items, &[key_column()]);
        use DataType::*;
        assert_eq!(
            summary(&inferred.columns),
            vec![
                ("address".into(), Map, "map".into(), None, 2),
                ("city".into(), String, "string".into(), Some(1), 1),
                ("geo".into(), Map, "map".into(), Some(1), 2),
                ("lat".into(), Number, "number".into(), Some(3), 1),
                ("b".into(), Binary, "binary".into(), None, 3),
                ("bs".into(), Array, "set<binary>".into(), None, 4),
                ("list".into(), Array, "array<string>".into(), None, 5),
                (
                    "mixed_list".into(),
                    Array,
                    "array<union<number,string>>".into(),
                    None,
                    6
                ),
                ("n".into(), Number, "number".into(), None, 7),
                ("name".into(), String, "string".into(), None, 8),
                ("nothing".into(), Null, "null".into(), None, 9),
                ("ns".into(), Array, "set<number>".into(), None, 10),
                ("ok".into(), Boolean, "boolean".into(), None, 11),
                ("ss".into(), Array, "set<string>".into(), None, 12),
            ]
        );
        assert_eq!(inferred.columns[5].array_data_type, Some(DataType::Binary));
        assert_eq!(inferred.columns[6].array_data_type, Some(DataType::String));
    }

    #[test]
    fn mixed_types_are_unions_and_sparse_attributes_are_kept() {
        let items = vec![
            json!({"id": {"S": "1"}, "v": {"S": "x"}, "maybe": {"N": "1"}}),
            json!({"id": {"S": "2"}, "v": {"N": "2"}, "maybe": {"NULL": true}}),
            json!({"id": {"S": "3"}, "v": {"S": "z"}}),
        ];
        let inferred = infer(&items, &[key_column()]);
        let maybe = &inferred.columns[0];
        assert_eq!(maybe.name, "maybe");
        assert_eq!(maybe.data_type, DataType::Number);
        assert_eq!(
            maybe.description.as_deref(),
            Some("Present in 2 of 3 sampled values. Sometimes NULL.")
        );
        let v = &inferred.columns[1];
        assert_eq!(v.data_type, DataType::Union);
        assert_eq!(v.data_type_display, "union<number,string>");
        assert_eq!(
            v.description.as_deref(),
            Some("Present in all 3 sampled values.")
        );
    }

    #[test]
    fn lists_of_maps_get_children_and_indexes_continue_the_declared_columns() {
        let items =
            vec![json!({"lines": {"L": [{"M": {"sku": {"S": "A"}}}, {"M": {"qty": {"N": "2"}}}]}})];
        let declared = vec![key_column(), key_column()];
        let inferred = infer(&items, &declared);
        assert_eq!(inferred.columns[0].data_type_display, "array<map>");
        assert_eq!(inferred.columns[1].name, "qty");
        assert_eq!(inferred.columns[1].parent, Some(2));
        assert_eq!(
            inferred.columns[1].description.as_deref(),
            Some("Present in 1 of 2 sampled values.")
        );
    }

    #[test]
    fn garbage_does_not_panic() {
        let items = vec![
            json!(42),
            json!({"a": 1}),
            json!({"b": {}}),
            json!({"c": {"L": [1, {"Q": 2}]}}),
        ];
        let inferred = infer(&items, &[]);
        assert_eq!(
            summary(&inferred.columns),
            vec![
                ("a".into(), DataType::Unknown, "unknown".into(), None, 1),
                ("b".into(), DataType::Unknown, "unknown".into(), None, 2),
                (
                    "c".into(),
                    DataType::Array,
                    "array<unknown>".into(),
                    None,
                    3
                ),
            ]
        );
    }
}
