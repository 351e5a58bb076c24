//! The server's answer to a request field it does not know. OpenMetadata deserializes request
//! bodies with Jackson, which fails on an unknown property before anything else is checked
//! (every create request has `additionalProperties: false`; issues #4184, #10457, #18468,
//! #24819): HTTP 400 `Unrecognized field "X" (class …), not marked as ignorable (N known
//! properties: …]) … (through reference chain: …)`. The JSON Schema check finds the field; this
//! module words the answer, finding the Java class and its known properties by walking the
//! schema down to the object that holds the field.

use super::alternatives;
use jsonschema::ValidationError;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

/// A field of the request that its schema does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unknown {
    /// The path of the object holding it, as JSON pointer segments (`["columns", "0"]`).
    pub instance_path: Vec<String>,
    /// The path of the `additionalProperties: false` that refused it, through `$ref`s
    /// (`/properties/columns/items/$ref/additionalProperties`).
    pub schema_path: Vec<String>,
    pub field: String,
}

/// The first unknown field among the validation errors. Inside a failed `anyOf`/`oneOf` it
/// looks in the alternative meant for the value (see `alternatives.rs`).
pub(crate) fn find(errors: &[ValidationError]) -> Option<Unknown> {
    errors.iter().find_map(|error| match &error.kind {
        ValidationErrorKind::AdditionalProperties { unexpected } => Some(Unknown {
            instance_path: segments(error.instance_path.as_str()),
            schema_path: segments(error.schema_path.as_str()),
            field: unexpected.first()?.clone(),
        }),
        _ => {
            let context = alternatives::context(error)?;
            find(alternatives::intended(
                context,
                alternatives::depth_of(error),
            )?)
        }
    })
}

/// Jackson's message for `unknown` in a request whose schema is `schema` and whose Java class
/// is `class` (the body's own class; nested objects are named after their schema's title, in
/// `org.openmetadata.schema.type`, where most of OpenMetadata's shared types live: for the few
/// that live elsewhere, such as a connection's, the package is an approximation).
pub(crate) fn message(schema: &Value, class: &str, unknown: &Unknown) -> String {
    let (mut chain, class, holder) = along_schema_path(schema, class, unknown)
        .unwrap_or_else(|| along_instance_path(schema, class, &unknown.instance_path));
    let field = &unknown.field;
    chain.push(format!("{class}[\"{field}\"]"));
    let known: Vec<String> = holder
        .and_then(|n| n["properties"].as_object())
        .into_iter()
        .flatten()
        .map(|(name, _)| format!("\"{name}\""))
        .collect();
    format!(
        "Unrecognized field \"{field}\" (class {class}), not marked as ignorable ({} known \
         properties: {}]) (through reference chain: {})",
        known.len(),
        known.join(", "),
        chain.join("->")
    )
}

/// The reference chain down to the object holding the field, that object's class and its
/// schema: read off the path of the keyword that refused the field, which says exactly which
/// alternatives and references were taken. `None` if the path does not fit the schema.
fn along_schema_path<'a>(
    root: &'a Value,
    class: &str,
    unknown: &Unknown,
) -> Option<(Vec<String>, String, Option<&'a Value>)> {
    let (last, path) = unknown.schema_path.split_last()?;
    if last != "additionalProperties" {
        return None;
    }
    let mut instance = unknown.instance_path.iter();
    let mut node = root;
    let mut class = class.to_string();
    let mut chain = Vec::new();
    let mut segments = path.iter();
    while let Some(segment) = segments.next() {
        node = match segment.as_str() {
            "$ref" => follow(root, node)?,
            "properties" => {
                let name = segments.next()?;
                chain.push(format!("{class}[\"{name}\"]"));
                if instance.next() != Some(name) {
                    return None;
                }
                node.get("properties")?.get(name)?
            }
            "items" => {
                chain.push(format!("java.util.ArrayList[{}]", instance.next()?));
                node.get("items")?
            }
            keyword => match node.get(keyword)? {
                Value::Array(alternatives) => {
                    alternatives.get(segments.next()?.parse::<usize>().ok()?)?
                }
                next => next,
            },
        };
        if let Some(title) = object_title(node) {
            class = format!("org.openmetadata.schema.type.{title}");
        }
    }
    instance
        .next()
        .is_none()
        .then_some((chain, class, Some(node)))
}

/// The same, walking the schema along the request's path instead, taking the first non-null
/// alternative of each `anyOf`/`oneOf`: for a refusal whose keyword path does not fit.
fn along_instance_path<'a>(
    root: &'a Value,
    class: &str,
    path: &[String],
) -> (Vec<String>, String, Option<&'a Value>) {
    let mut node = Some(resolve(root, root));
    let mut class = class.to_string();
    let mut chain = Vec::new();
    for segment in path {
        let items = node.and_then(|n| n.get("items"));
        match (segment.parse::<usize>(), items) {
            (Ok(index), Some(items)) => {
                chain.push(format!("java.util.ArrayList[{index}]"));
                node = Some(resolve(root, items));
            }
            _ => {
                chain.push(format!("{class}[\"{segment}\"]"));
                node = node
                    .and_then(|n| n.get("properties"))
                    .and_then(|p| p.get(segment))
                    .map(|n| resolve(root, n));
            }
        }
        if let Some(title) = node.and_then(object_title) {
            class = format!("org.openmetadata.schema.type.{title}");
        }
    }
    (chain, class, node)
}

/// The title of an object schema (one with `properties`): its Java class's simple name.
fn object_title(node: &Value) -> Option<&str> {
    node.get("properties")?;
    node["title"].as_str()
}

/// The target of a node's local `$ref`.
fn follow<'a>(root: &'a Value, node: &Value) -> Option<&'a Value> {
    let pointer = node["$ref"].as_str()?.strip_prefix('#')?;
    root.pointer(pointer)
}

/// The Java class of a request body, by the name of its schema.
pub(crate) fn java_class(schema: &str) -> &'static str {
    match schema {
        "createDatabaseService" => "org.openmetadata.schema.api.services.CreateDatabaseService",
        "createDatabase" => "org.openmetadata.schema.api.data.CreateDatabase",
        "createDatabaseSchema" => "org.openmetadata.schema.api.data.CreateDatabaseSchema",
        "createTable" => "org.openmetadata.schema.api.data.CreateTable",
        "createClassification" => "org.openmetadata.schema.api.classification.CreateClassification",
        "createTag" => "org.openmetadata.schema.api.classification.CreateTag",
        "createTableProfile" => "org.openmetadata.schema.api.data.CreateTableProfile",
        "tableProfile" => "org.openmetadata.schema.type.TableProfile",
        "columnProfile" => "org.openmetadata.schema.type.ColumnProfile",
        "createIngestionPipeline" => {
            "org.openmetadata.schema.api.services.ingestionPipelines.CreateIngestionPipeline"
        }
        "pipelineStatus" => {
            "org.openmetadata.schema.entity.services.ingestionPipelines.PipelineStatus"
        }
        "bulkDeleteStaleRequest" => "org.openmetadata.schema.type.api.BulkDeleteStaleRequest",
        _ => "java.lang.Object",
    }
}

/// The schema that `node` stands for: through local `$ref`s, a single `allOf` (pydantic 1's
/// way to add a description to a reference) and the non-null alternative of an `anyOf` or
/// `oneOf` (pydantic 2's optional fields). Bounded, in case of a reference cycle.
fn resolve<'a>(root: &'a Value, mut node: &'a Value) -> &'a Value {
    for _ in 0..64 {
        let next = if node.get("$ref").is_some() {
            follow(root, node)
        } else if let Some(first) = node["allOf"].as_array().and_then(|all| all.first()) {
            Some(first)
        } else {
            ["anyOf", "oneOf"].iter().find_map(|keyword| {
                node[*keyword]
                    .as_array()?
                    .iter()
                    .find(|alternative| alternative["type"] != "null")
            })
        };
        match next {
            Some(next) => node = next,
            None => return node,
        }
    }
    node
}

/// `/columns/0/a~1b` as `["columns", "0", "a/b"]`.
fn segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "$defs": {
                "Column": {"title": "Column", "type": "object", "additionalProperties": false,
                    "properties": {
                        "children": {"anyOf": [{"type": "array", "items": {"$ref": "#/$defs/Column"}},
                                               {"type": "null"}]},
                        "name": {"type": "string"}}},
            },
            "type": "object", "additionalProperties": false,
            "properties": {
                "columns": {"type": "array", "items": {"$ref": "#/$defs/Column"}},
                "name": {"type": "string"}},
        })
    }

    fn answer(body: Value) -> Option<String> {
        let schema = schema();
        let validator = jsonschema::draft202012::new(&schema).unwrap();
        let errors: Vec<_> = validator.iter_errors(&body).collect();
        let unknown = find(&errors)?;
        let class = "org.openmetadata.schema.api.data.CreateTable";
        let by_instance = along_instance_path(&schema, class, &unknown.instance_path);
        let by_keyword =
            along_schema_path(&schema, class, &unknown).expect("the keyword path fits");
        assert_eq!(by_instance, by_keyword);
        Some(message(&schema, class, &unknown))
    }

    #[test]
    fn names_the_field_its_class_and_the_known_ones() {
        assert_eq!(
            answer(json!({"name": "t", "columns": [], "owners": []})).unwrap(),
            "Unrecognized field \"owners\" (class org.openmetadata.schema.api.data.CreateTable), \
             not marked as ignorable (2 known properties: \"columns\", \"name\"]) (through \
             reference chain: org.openmetadata.schema.api.data.CreateTable[\"owners\"])"
        );
        let nested = json!({"name": "t", "columns": [{"name": "a"},
            {"name": "s", "children": [{"name": "x", "extension": {}}]}]});
        assert_eq!(
            answer(nested).unwrap(),
            "Unrecognized field \"extension\" (class org.openmetadata.schema.type.Column), not \
             marked as ignorable (2 known properties: \"children\", \"name\"]) (through reference \
             chain: org.openmetadata.schema.api.data.CreateTable[\"columns\"]->java.util.\
             ArrayList[1]->org.openmetadata.schema.type.Column[\"children\"]->java.util.\
             ArrayList[0]->org.openmetadata.schema.type.Column[\"extension\"])"
        );
        assert_eq!(answer(json!({"name": 3, "columns": []})), None);
    }
}
