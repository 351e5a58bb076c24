//! What OpenMetadata checks in a CreateTableRequest beyond its JSON Schema, answered with 400:
//! the column and constraint rules of openmetadata-service's `DatabaseUtil` (run on every POST
//! and PUT of a table since 0.13 — `TableResource.validateNewTable`, later `TableMapper` /
//! `TableRepository.prepare` — and still in 2.0) and `TableRepository.validateTableConstraints`.
//! Every version runs them, on single requests and on each row of a bulk request; no JSON
//! Schema expresses any of them. The messages are the server's.

use super::error::ApiError;
use serde_json::{Map, Value};

/// The checks in the server's order: constraints first, then columns, then repeated
/// constraints (the repository's check, after the mapper's).
pub(crate) fn check_table(request: &Value) -> Result<(), ApiError> {
    let columns = request["columns"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    // `tableConstraints: null` is no constraints, as in Java.
    let constraints = request["tableConstraints"].as_array().map(Vec::as_slice);
    validate_constraints(columns, constraints.unwrap_or(&[]))?;
    validate_columns(columns)?;
    validate_distinct_constraints(constraints.unwrap_or(&[]))
}

/// `DatabaseUtil.validateSinglePrimaryColumn`: at most one top-level column has
/// `constraint: PRIMARY_KEY`; returns whether one has.
fn validate_single_primary_column(columns: &[Value]) -> Result<bool, ApiError> {
    let primary = columns
        .iter()
        .filter(|c| c["constraint"] == "PRIMARY_KEY")
        .count();
    if primary > 1 {
        return Err(ApiError::bad_request(
            "Multiple columns tagged with primary key constraints",
        ));
    }
    Ok(primary == 1)
}

/// `DatabaseUtil.validateConstraints`: no `PRIMARY_KEY` table constraint when a column is
/// already `PRIMARY_KEY`, and every constraint column is a (top-level) column. The latter
/// keeps the wording OpenMetadata 1.3 answers ("Invalid column name X", from the repository's
/// `validateColumn`; `DatabaseUtil` of later versions says "Invalid column name found in table
/// constraint").
fn validate_constraints(columns: &[Value], constraints: &[Value]) -> Result<(), ApiError> {
    let primary_column_exists = validate_single_primary_column(columns)?;
    for constraint in constraints {
        if constraint["constraintType"] == "PRIMARY_KEY" && primary_column_exists {
            return Err(ApiError::bad_request(
                "A column already tagged as a primary key and table constraint also includes \
                 primary key",
            ));
        }
        for name in constraint["columns"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap_or_default();
            if !columns.iter().any(|c| c["name"] == name) {
                return Err(ApiError::bad_request(format!("Invalid column name {name}")));
            }
        }
    }
    Ok(())
}

/// `DatabaseUtil.validateColumns`: distinct names, then each column's type rules. The server
/// runs the type rules on top-level columns and checks the names of a STRUCT's children; the
/// stand-in checks names and types at every level, which a sink should satisfy anyway.
fn validate_columns(columns: &[Value]) -> Result<(), ApiError> {
    validate_column_names(columns)?;
    for column in columns {
        validate_column_data_length(column)?;
        validate_array_column(column)?;
        validate_struct_column(column)?;
        validate_precision_and_scale(column)?;
        if let Some(children) = column["children"].as_array() {
            validate_columns(children)?;
        }
    }
    Ok(())
}

/// `DatabaseUtil.validateColumnNames`: siblings have distinct names.
fn validate_column_names(columns: &[Value]) -> Result<(), ApiError> {
    for (i, column) in columns.iter().enumerate() {
        let name = &column["name"];
        if columns[..i].iter().any(|earlier| earlier["name"] == *name) {
            return Err(ApiError::bad_request(format!(
                "Column name {} is repeated",
                name.as_str().unwrap_or_default()
            )));
        }
    }
    Ok(())
}

/// `DatabaseUtil.validateColumnDataLength`: CHAR, VARCHAR, BINARY and VARBINARY need a length.
fn validate_column_data_length(column: &Value) -> Result<(), ApiError> {
    let data_type = column["dataType"].as_str().unwrap_or_default();
    if matches!(data_type, "CHAR" | "VARCHAR" | "BINARY" | "VARBINARY")
        && is_null(column, "dataLength")
    {
        return Err(ApiError::bad_request(
            "For column data types char, varchar, binary, varbinary dataLength must not be null",
        ));
    }
    Ok(())
}

/// `DatabaseUtil.validateArrayColumn`: an ARRAY says what it holds.
fn validate_array_column(column: &Value) -> Result<(), ApiError> {
    if column["dataType"] == "ARRAY" && is_null(column, "arrayDataType") {
        return Err(ApiError::bad_request(
            "For column data type array, arrayDataType must not be null",
        ));
    }
    Ok(())
}

/// `DatabaseUtil.validateStructColumn`: a STRUCT has `children` (an empty list will do).
fn validate_struct_column(column: &Value) -> Result<(), ApiError> {
    if column["dataType"] == "STRUCT" && is_null(column, "children") {
        return Err(ApiError::bad_request(
            "For column data type struct, children must not be null",
        ));
    }
    Ok(())
}

/// `DatabaseUtil.validatePrecisionAndScale` (1.3's wording).
fn validate_precision_and_scale(column: &Value) -> Result<(), ApiError> {
    let name = column["name"].as_str().unwrap_or_default();
    match (column["precision"].as_i64(), column["scale"].as_i64()) {
        (Some(precision), Some(scale)) if scale > precision => Err(ApiError::bad_request(
            "Scale can't be greater than the precision",
        )),
        (None, Some(_)) => Err(ApiError::bad_request(format!(
            "Scale is set but precision is not set for the column {name}"
        ))),
        _ => Ok(()),
    }
}

/// `TableRepository.validateTableConstraints`: no constraint twice. Two constraints are the
/// same when every field is (Java's generated `equals`: type, columns, referred columns,
/// relationship); an absent field equals a null one.
fn validate_distinct_constraints(constraints: &[Value]) -> Result<(), ApiError> {
    let normalized: Vec<Map<String, Value>> = constraints
        .iter()
        .map(|c| {
            let mut fields = c.as_object().cloned().unwrap_or_default();
            fields.retain(|_, value| !value.is_null());
            fields
        })
        .collect();
    for (i, constraint) in normalized.iter().enumerate() {
        if normalized[..i].contains(constraint) {
            return Err(ApiError::bad_request(format!(
                "Duplicate constraint found in request: {}",
                java_to_string(&constraints[i])
            )));
        }
    }
    Ok(())
}

/// A TableConstraint as Java's generated `toString` shows it (without the identity hash).
fn java_to_string(constraint: &Value) -> String {
    let field = |name: &str| match &constraint[name] {
        Value::Null => "<null>".to_string(),
        Value::String(text) => text.clone(),
        Value::Array(items) => {
            let items: Vec<&str> = items
                .iter()
                .map(|i| i.as_str().unwrap_or_default())
                .collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    };
    format!(
        "org.openmetadata.schema.type.TableConstraint[constraintType={},columns={},\
         referredColumns={}]",
        field("constraintType"),
        field("columns"),
        field("referredColumns")
    )
}

fn is_null(object: &Value, field: &str) -> bool {
    object.get(field).is_none_or(Value::is_null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn column(name: &str, data_type: &str) -> Value {
        json!({"name": name, "dataType": data_type})
    }

    fn table(columns: Value, constraints: Value) -> Value {
        json!({"name": "t", "columns": columns, "tableConstraints": constraints})
    }

    fn refusal(request: &Value) -> String {
        let error = check_table(request).expect_err("refused");
        assert_eq!(error.status, 400);
        error.message
    }

    #[test]
    fn dynamodb_key_shapes_are_accepted() {
        // Hash key only: the key column is the primary key, no table constraint.
        let hash_only = json!({"columns": [
            {"name": "id", "dataType": "STRING", "constraint": "PRIMARY_KEY"},
            column("v", "NUMBER"),
        ]});
        assert_eq!(check_table(&hash_only), Ok(()));
        // Hash + range: no column constraint, a composite primary key and the sort key.
        let hash_range = table(
            json!([
                column("pk", "STRING"),
                column("sk", "NUMBER"),
                column("v", "MAP")
            ]),
            json!([{"constraintType": "PRIMARY_KEY", "columns": ["pk", "sk"]},
                   {"constraintType": "SORT_KEY", "columns": ["sk"]}]),
        );
        assert_eq!(check_table(&hash_range), Ok(()));
        assert_eq!(
            check_table(&json!({"columns": [], "tableConstraints": null})),
            Ok(())
        );
    }

    #[test]
    fn one_primary_key_column_at_most() {
        let two = json!({"columns": [
            {"name": "pk", "dataType": "STRING", "constraint": "PRIMARY_KEY"},
            {"name": "sk", "dataType": "STRING", "constraint": "PRIMARY_KEY"},
        ]});
        assert_eq!(
            refusal(&two),
            "Multiple columns tagged with primary key constraints"
        );
        let unique = json!({"columns": [
            {"name": "pk", "dataType": "STRING", "constraint": "PRIMARY_KEY"},
            {"name": "sk", "dataType": "STRING", "constraint": "UNIQUE"},
        ]});
        assert_eq!(check_table(&unique), Ok(()));
    }

    #[test]
    fn no_primary_key_constraint_beside_a_primary_key_column() {
        let both = table(
            json!([{"name": "id", "dataType": "STRING", "constraint": "PRIMARY_KEY"}]),
            json!([{"constraintType": "PRIMARY_KEY", "columns": ["id"]}]),
        );
        assert!(refusal(&both).starts_with("A column already tagged as a primary key"));
        // Other table constraints may sit beside a primary key column.
        let sort_key = table(
            json!([{"name": "id", "dataType": "STRING", "constraint": "PRIMARY_KEY"},
                   column("at", "NUMBER")]),
            json!([{"constraintType": "SORT_KEY", "columns": ["at"]}]),
        );
        assert_eq!(check_table(&sort_key), Ok(()));
    }

    #[test]
    fn constraint_columns_are_columns() {
        let missing = table(
            json!([column("id", "STRING")]),
            json!([{"constraintType": "SORT_KEY", "columns": ["sk"]}]),
        );
        assert_eq!(refusal(&missing), "Invalid column name sk");
        let present = table(
            json!([column("id", "STRING"), column("sk", "STRING")]),
            json!([{"constraintType": "SORT_KEY", "columns": ["sk"]}]),
        );
        assert_eq!(check_table(&present), Ok(()));
    }

    #[test]
    fn a_constraint_is_not_repeated() {
        let columns = json!([column("pk", "STRING"), column("sk", "NUMBER")]);
        let repeated = table(
            columns.clone(),
            json!([{"constraintType": "SORT_KEY", "columns": ["sk"]},
                   {"constraintType": "SORT_KEY", "columns": ["sk"], "referredColumns": null}]),
        );
        assert_eq!(
            refusal(&repeated),
            "Duplicate constraint found in request: org.openmetadata.schema.type.TableConstraint\
             [constraintType=SORT_KEY,columns=[sk],referredColumns=<null>]"
        );
        let distinct = table(
            columns,
            json!([{"constraintType": "SORT_KEY", "columns": ["sk"]},
                   {"constraintType": "UNIQUE", "columns": ["sk"]},
                   {"constraintType": "SORT_KEY", "columns": ["pk", "sk"]}]),
        );
        assert_eq!(check_table(&distinct), Ok(()));
    }

    #[test]
    fn sized_types_have_a_length() {
        for data_type in ["CHAR", "VARCHAR", "BINARY", "VARBINARY"] {
            let refused = json!({"columns": [column("c", data_type)]});
            assert!(refusal(&refused).contains("dataLength must not be null"));
            let accepted =
                json!({"columns": [{"name": "c", "dataType": data_type, "dataLength": 1}]});
            assert_eq!(check_table(&accepted), Ok(()), "{data_type}");
        }
        assert_eq!(
            check_table(&json!({"columns": [column("b", "BYTES")]})),
            Ok(())
        );
    }

    #[test]
    fn arrays_say_what_they_hold() {
        let nested = json!({"columns": [{"name": "s", "dataType": "STRUCT",
                            "children": [column("l", "ARRAY")]}]});
        assert_eq!(
            refusal(&nested),
            "For column data type array, arrayDataType must not be null"
        );
        let typed =
            json!({"columns": [{"name": "l", "dataType": "ARRAY", "arrayDataType": "STRING"}]});
        assert_eq!(check_table(&typed), Ok(()));
    }

    #[test]
    fn structs_have_children() {
        let bare = json!({"columns": [column("s", "STRUCT")]});
        assert_eq!(
            refusal(&bare),
            "For column data type struct, children must not be null"
        );
        let empty = json!({"columns": [{"name": "s", "dataType": "STRUCT", "children": []}]});
        assert_eq!(check_table(&empty), Ok(()));
        // A MAP needs no children.
        assert_eq!(
            check_table(&json!({"columns": [column("m", "MAP")]})),
            Ok(())
        );
    }

    #[test]
    fn sibling_columns_have_distinct_names() {
        let top = json!({"columns": [column("a", "STRING"), column("a", "NUMBER")]});
        assert_eq!(refusal(&top), "Column name a is repeated");
        let children = json!({"columns": [{"name": "s", "dataType": "STRUCT",
            "children": [column("x", "STRING"), column("x", "STRING")]}]});
        assert_eq!(refusal(&children), "Column name x is repeated");
        // The same name at different levels, or in different parents, is fine.
        let levels = json!({"columns": [
            {"name": "x", "dataType": "STRUCT", "children": [column("x", "STRING")]},
            {"name": "y", "dataType": "MAP", "children": [column("x", "STRING")]},
        ]});
        assert_eq!(check_table(&levels), Ok(()));
    }

    #[test]
    fn scale_needs_a_large_enough_precision() {
        let scale = json!({"columns": [{"name": "n", "dataType": "DECIMAL", "scale": 2}]});
        assert!(refusal(&scale).ends_with("column n"));
        let wide =
            json!({"columns": [{"name": "n", "dataType": "DECIMAL", "scale": 3, "precision": 2}]});
        assert_eq!(refusal(&wide), "Scale can't be greater than the precision");
        let fine =
            json!({"columns": [{"name": "n", "dataType": "DECIMAL", "scale": 2, "precision": 10}]});
        assert_eq!(check_table(&fine), Ok(()));
    }
}
