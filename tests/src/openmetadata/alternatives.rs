//! Which alternative of a failed `anyOf`/`oneOf` was meant for the value, so that a refusal
//! says what is wrong in it. The pydantic 2 exports (1.6 on) make every optional field
//! `anyOf [X, null]`, and a service's `connection.config` is one of some fifty connection
//! types told apart by their `type`; "not valid under any of the schemas" helps nobody.

use jsonschema::ValidationError;
use jsonschema::error::ValidationErrorKind;

/// The errors of the alternative meant for a value at `depth` (the number of segments of its
/// instance path), among the `context` of a failed `anyOf`/`oneOf`: the alternatives that
/// refuse the value's very type (the `null` one, for a value that is there) come last; then
/// those that refuse an enum or constant (another connection type's `type`); then those with
/// more errors. Ties go to the first.
pub(crate) fn intended<'c, 'e>(
    context: &'c [Vec<ValidationError<'e>>],
    depth: usize,
) -> Option<&'c [ValidationError<'e>]> {
    context
        .iter()
        .min_by_key(|branch| {
            let wrong_type = branch.iter().any(|e| {
                matches!(e.kind, ValidationErrorKind::Type { .. }) && depth_of(e) == depth
            });
            let wrong_constant = branch.iter().any(|e| {
                matches!(
                    e.kind,
                    ValidationErrorKind::Enum { .. } | ValidationErrorKind::Constant { .. }
                )
            });
            (wrong_type, wrong_constant, branch.len())
        })
        .map(Vec::as_slice)
}

/// The alternatives of an `anyOf`/`oneOf` error, if it is one.
pub(crate) fn context<'a, 'e>(
    error: &'a ValidationError<'e>,
) -> Option<&'a [Vec<ValidationError<'static>>]> {
    match &error.kind {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            Some(context)
        }
        _ => None,
    }
}

/// How deep in the request an error is: the number of segments of its instance path.
pub(crate) fn depth_of(error: &ValidationError) -> usize {
    error.instance_path.as_str().matches('/').count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn chosen(schema: Value, instance: Value) -> Vec<String> {
        let validator = jsonschema::draft202012::new(&schema).unwrap();
        let error = validator.iter_errors(&instance).next().unwrap();
        let context = context(&error).expect("an anyOf error");
        intended(context, depth_of(&error))
            .unwrap()
            .iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn picks_the_alternative_meant_for_the_value() {
        let optional = json!({"anyOf": [{"type": "string", "maxLength": 2}, {"type": "null"}]});
        assert_eq!(
            chosen(optional.clone(), json!("abc")),
            [r#""abc" is longer than 2 characters"#]
        );
        assert_eq!(chosen(optional, json!(3)), [r#"3 is not of type "string""#]);
        let connections = json!({"anyOf": [
            {"type": "object", "properties": {"type": {"enum": ["Glue"]}, "awsConfig": {}},
             "additionalProperties": false},
            {"type": "object", "properties": {"type": {"enum": ["DynamoDB"]}, "awsConfig": {}},
             "additionalProperties": false},
            {"type": "null"},
        ]});
        let config = json!({"type": "DynamoDB", "awsConfig": {}, "sampleSize": 3});
        assert_eq!(
            chosen(connections, config),
            ["Additional properties are not allowed ('sampleSize' was unexpected)"]
        );
    }
}
