//! What OpenMetadata 1.3 checks in a CreateTableRequest beyond its JSON Schema
//! (`DatabaseUtil.validateColumn` and the table constraints), answered with 400.

use super::error::ApiError;
use serde_json::Value;

pub(crate) fn check_table(request: &Value) -> Result<(), ApiError> {
    let columns = request["columns"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    check_columns(columns)?;
    for constraint in request["tableConstraints"].as_array().into_iter().flatten() {
        for name in constraint["columns"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap_or_default();
            if !columns.iter().any(|c| c["name"] == name) {
                return Err(ApiError::bad_request(format!("Invalid column name {name}")));
            }
        }
    }
    Ok(())
}

fn check_columns(columns: &[Value]) -> Result<(), ApiError> {
    for column in columns {
        let name = column["name"].as_str().unwrap_or_default();
        let data_type = column["dataType"].as_str().unwrap_or_default();
        if matches!(data_type, "CHAR" | "VARCHAR" | "BINARY" | "VARBINARY")
            && column.get("dataLength").is_none_or(Value::is_null)
        {
            return Err(ApiError::bad_request(
                "For column data types char, varchar, binary, varbinary dataLength must not be null",
            ));
        }
        if data_type == "ARRAY" && column.get("arrayDataType").is_none_or(Value::is_null) {
            return Err(ApiError::bad_request(
                "For column data type array, arrayDataType must not be null",
            ));
        }
        match (column["precision"].as_i64(), column["scale"].as_i64()) {
            (Some(precision), Some(scale)) if scale > precision => {
                return Err(ApiError::bad_request(
                    "Scale can't be greater than the precision",
                ));
            }
            (None, Some(_)) => {
                return Err(ApiError::bad_request(format!(
                    "Scale is set but precision is not set for the column {name}"
                )));
            }
            _ => {}
        }
        if let Some(children) = column["children"].as_array() {
            check_columns(children)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refuses_what_openmetadata_refuses() {
        let ok = json!({"columns": [{"name": "id", "dataType": "STRING"}],
                        "tableConstraints": [{"constraintType": "PRIMARY_KEY", "columns": ["id"]}]});
        assert_eq!(check_table(&ok), Ok(()));
        let varchar = json!({"columns": [{"name": "id", "dataType": "VARCHAR"}]});
        assert_eq!(check_table(&varchar).unwrap_err().status, 400);
        let array = json!({"columns": [{"name": "s", "dataType": "STRUCT",
                           "children": [{"name": "l", "dataType": "ARRAY"}]}]});
        assert!(
            check_table(&array)
                .unwrap_err()
                .message
                .contains("arrayDataType")
        );
        let scale = json!({"columns": [{"name": "n", "dataType": "DECIMAL", "scale": 2}]});
        assert!(
            check_table(&scale)
                .unwrap_err()
                .message
                .ends_with("column n")
        );
        let constraint = json!({"columns": [{"name": "id", "dataType": "STRING"}],
                                "tableConstraints": [{"constraintType": "SORT_KEY", "columns": ["sk"]}]});
        assert_eq!(
            check_table(&constraint).unwrap_err().message,
            "Invalid column name sk"
        );
    }
}
