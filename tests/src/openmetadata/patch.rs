//! `PATCH /v1/{collection}/{id}`: a JSON Patch (RFC 6902) onto a stored entity, as
//! OpenMetadata's server takes it.
//!
//! - The body must be `application/json-patch+json` (`EntityResource` subclasses declare
//!   `@Consumes(MediaType.APPLICATION_JSON_PATCH_JSON)`; anything else is Jersey's 415), a JSON
//!   array of operations; an operation that does not apply is a 400 (`JsonUtils.applyPatch`).
//! - What the server owns (id, name, FQN, version, references) cannot be patched:
//!   `EntityRepository.patch` restores it on the patched copy.
//! - Every tag label must name a live tag (`TagLabelUtil.applyTagCommonFields`: 404 otherwise),
//!   and at most one tag of a mutually exclusive classification may sit on one entity or column
//!   (`TagLabelUtil.checkMutuallyExclusive`: "Tag labels {a} and {b} are mutually exclusive and
//!   can't be assigned together", 400). OpenMetadata's `PII` classification is mutually
//!   exclusive.

use super::error::ApiError;
use serde_json::Value;

/// Applies `operations` to a copy of `entity`.
pub fn apply(entity: &Value, operations: &Value) -> Result<Value, ApiError> {
    let operations = operations
        .as_array()
        .ok_or_else(|| ApiError::bad_request("a JSON Patch is an array of operations"))?;
    let mut patched = entity.clone();
    for operation in operations {
        apply_one(&mut patched, operation)?;
    }
    Ok(patched)
}

fn apply_one(document: &mut Value, operation: &Value) -> Result<(), ApiError> {
    let op = operation["op"].as_str().unwrap_or_default();
    let path = operation["path"]
        .as_str()
        .ok_or_else(|| ApiError::bad_request(format!("operation without a path: {operation}")))?;
    let value = operation.get("value");
    let fail = |why: &str| ApiError::bad_request(format!("{op} {path}: {why}"));
    let (parent_path, last) = path
        .rsplit_once('/')
        .ok_or_else(|| fail("not a JSON Pointer"))?;
    let last = last.replace("~1", "/").replace("~0", "~");
    match op {
        "test" => {
            let found = document.pointer(path).ok_or_else(|| fail("no such path"))?;
            if Some(found) != value {
                return Err(fail("test failed"));
            }
            return Ok(());
        }
        "add" | "replace" | "remove" => {}
        _ => return Err(fail("unsupported operation")),
    }
    let parent = document
        .pointer_mut(parent_path)
        .ok_or_else(|| fail("no such parent"))?;
    match parent {
        Value::Object(map) => match op {
            "add" => {
                map.insert(last, value.cloned().ok_or_else(|| fail("no value"))?);
            }
            "replace" => {
                let slot = map.get_mut(&last).ok_or_else(|| fail("no such member"))?;
                *slot = value.cloned().ok_or_else(|| fail("no value"))?;
            }
            _ => {
                map.remove(&last).ok_or_else(|| fail("no such member"))?;
            }
        },
        Value::Array(items) => {
            let index = if last == "-" && op == "add" {
                items.len()
            } else {
                last.parse::<usize>().map_err(|_| fail("not an index"))?
            };
            match op {
                "add" if index <= items.len() => {
                    items.insert(index, value.cloned().ok_or_else(|| fail("no value"))?)
                }
                "replace" if index < items.len() => {
                    items[index] = value.cloned().ok_or_else(|| fail("no value"))?
                }
                "remove" if index < items.len() => {
                    items.remove(index);
                }
                _ => return Err(fail("index out of range")),
            }
        }
        _ => return Err(fail("the parent is not an object or array")),
    }
    Ok(())
}

/// The first pair of labels on one entity or column whose classification is mutually
/// exclusive (`exclusive` says which are).
pub fn mutually_exclusive_pair(
    entity: &Value,
    exclusive: &dyn Fn(&str) -> bool,
) -> Option<(String, String)> {
    let tags: Vec<&str> = entity["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["tagFQN"].as_str())
        .collect();
    for (i, a) in tags.iter().enumerate() {
        let class_a = a.split('.').next().unwrap_or(a);
        for b in &tags[i + 1..] {
            if b.split('.').next() == Some(class_a) && exclusive(class_a) {
                return Some((a.to_string(), b.to_string()));
            }
        }
    }
    ["columns", "children"]
        .iter()
        .flat_map(|key| entity[*key].as_array().into_iter().flatten())
        .find_map(|column| mutually_exclusive_pair(column, exclusive))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operations_apply_or_are_refused() {
        let table = json!({"columns": [{"name": "a"}, {"name": "b", "tags": []}]});
        let patched = apply(
            &table,
            &json!([
                {"op": "add", "path": "/columns/0/tags", "value": [{"tagFQN": "PII.Sensitive"}]},
                {"op": "add", "path": "/columns/1/tags/-", "value": {"tagFQN": "PII.NonSensitive"}},
                {"op": "test", "path": "/columns/1/name", "value": "b"},
            ]),
        )
        .unwrap();
        assert_eq!(patched["columns"][0]["tags"][0]["tagFQN"], "PII.Sensitive");
        assert_eq!(
            patched["columns"][1]["tags"][0]["tagFQN"],
            "PII.NonSensitive"
        );
        for bad in [
            json!([{"op": "add", "path": "/columns/7/tags", "value": []}]),
            json!([{"op": "remove", "path": "/nothing"}]),
            json!([{"op": "move", "path": "/columns", "from": "/x"}]),
            json!({"op": "add"}),
        ] {
            assert_eq!(apply(&table, &bad).unwrap_err().status, 400, "{bad}");
        }
    }

    #[test]
    fn two_tags_of_an_exclusive_classification_are_found_on_a_nested_column() {
        let table = json!({"columns": [{"name": "a", "children": [{"name": "b", "tags": [
            {"tagFQN": "PII.Sensitive"}, {"tagFQN": "PII.NonSensitive"}]}]}]});
        assert!(mutually_exclusive_pair(&table, &|c| c == "PII").is_some());
        assert!(mutually_exclusive_pair(&table, &|_| false).is_none());
    }
}
