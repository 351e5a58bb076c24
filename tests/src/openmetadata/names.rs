//! Name rules of OpenMetadata's JSON Schemas that the pydantic exports of 1.6 and later dropped
//! (their regex `pattern`s), checked by the stand-in itself for every version, as the server
//! does with Bean Validation on each create request (`@Pattern`, `@Size` generated from the
//! schemas). Lengths count UTF-16 code units, as Java's `String.length()` does.
//!
//! - `type/basic.json#/definitions/entityName`: names of services, databases, schemas and
//!   tables (and, from 1.6, of classifications and tags): 1–256 characters, pattern
//!   `^((?!::).)*$` (no `::`, and no line terminator, which Java's `.` does not match).
//! - `entity/data/table.json#/definitions/columnName`: the same, for every column at every
//!   level; the 2.0.7 model keeps only `minLength: 1` (no 256 bound).
//! - 1.3 only, `entity/classification/tag.json#/definitions/tagName`: classification and tag
//!   names of 2–64 characters matching `^[\w'\- .&()]+$` (Java's `\w` is ASCII), so `/ : = + @`
//!   are refused.
//! - 1.3 only, `type/tagLabel.json#/properties/tagFQN`: at most 128 characters.
//!
//! A refusal is a 400 whose message lists the violations as OpenMetadata's
//! `ConstraintViolationExceptionMapper` does: `[name must match "^((?!::).)*$"]`.

use super::entity_type::EntityType;
use super::server_version::ServerVersion;
use serde_json::Value;

const ENTITY_NAME_PATTERN: &str = "^((?!::).)*$";
const TAG_NAME_PATTERN: &str = "^[\\w'\\- .&()]+$";

/// Every name rule the request breaks, as the server's 400 message; `Ok` when none.
pub(crate) fn check(
    version: ServerVersion,
    kind: EntityType,
    request: &Value,
) -> Result<(), String> {
    let mut violations = Vec::new();
    if let Some(name) = request["name"].as_str() {
        let tag_like = matches!(kind, EntityType::Classification | EntityType::Tag);
        if tag_like && version == ServerVersion::V1_3 {
            tag_name("name", name, &mut violations);
        } else {
            entity_name("name", name, Some(256), &mut violations);
        }
    }
    if kind == EntityType::Table {
        let max = (version < ServerVersion::V2_0).then_some(256);
        columns("columns", &request["columns"], max, &mut violations);
    }
    if version == ServerVersion::V1_3 {
        tag_labels("", request, &mut violations);
    }
    if violations.is_empty() {
        Ok(())
    } else {
        Err(format!("[{}]", violations.join(", ")))
    }
}

/// `entityName` / `columnName`: `min..=max` long, no `::`, no line terminator.
fn entity_name(path: &str, name: &str, max: Option<usize>, violations: &mut Vec<String>) {
    let length = name.encode_utf16().count();
    match max {
        Some(max) if !(1..=max).contains(&length) => {
            violations.push(format!("{path} size must be between 1 and {max}"));
        }
        None if length == 0 => {
            violations.push(format!("{path} size must be between 1 and 2147483647"))
        }
        _ => {}
    }
    let line_terminator = name.contains(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']);
    if name.contains("::") || line_terminator {
        violations.push(format!("{path} must match \"{ENTITY_NAME_PATTERN}\""));
    }
}

/// 1.3's `tagName`: 2–64 long, word characters, `'`, `-`, space, `.`, `&`, `(` and `)`.
fn tag_name(path: &str, name: &str, violations: &mut Vec<String>) {
    if !(2..=64).contains(&name.encode_utf16().count()) {
        violations.push(format!("{path} size must be between 2 and 64"));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_'- .&()".contains(c);
    if name.is_empty() || !name.chars().all(allowed) {
        violations.push(format!("{path} must match \"{TAG_NAME_PATTERN}\""));
    }
}

/// Each column's name, and its children's, at `path` (`columns[0].children[1].name`).
fn columns(path: &str, columns: &Value, max: Option<usize>, violations: &mut Vec<String>) {
    for (i, column) in columns.as_array().into_iter().flatten().enumerate() {
        let here = format!("{path}[{i}]");
        if let Some(name) = column["name"].as_str() {
            entity_name(&format!("{here}.name"), name, max, violations);
        }
        self::columns(
            &format!("{here}.children"),
            &column["children"],
            max,
            violations,
        );
    }
}

/// 1.3's bound on each tag label's `tagFQN`, on the entity's labels and its columns'.
fn tag_labels(prefix: &str, object: &Value, violations: &mut Vec<String>) {
    for (i, label) in object["tags"].as_array().into_iter().flatten().enumerate() {
        if let Some(fqn) = label["tagFQN"].as_str()
            && fqn.encode_utf16().count() > 128
        {
            violations.push(format!(
                "{prefix}tags[{i}].tagFQN size must be between 0 and 128"
            ));
        }
    }
    for field in ["columns", "children"] {
        for (i, column) in object[field].as_array().into_iter().flatten().enumerate() {
            tag_labels(&format!("{prefix}{field}[{i}]."), column, violations);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn named(name: &str) -> Value {
        json!({"name": name})
    }

    #[test]
    fn entity_names_have_no_double_colon_and_at_most_256_characters() {
        for version in ServerVersion::ALL {
            for kind in [
                EntityType::DatabaseService,
                EntityType::Database,
                EntityType::DatabaseSchema,
                EntityType::Table,
            ] {
                assert_eq!(check(version, kind, &named("orders.v2 (eu)")), Ok(()));
                assert_eq!(check(version, kind, &named("a:b/c=d+e@f")), Ok(()));
                assert_eq!(
                    check(version, kind, &named("a::b")),
                    Err("[name must match \"^((?!::).)*$\"]".into())
                );
                assert!(check(version, kind, &named("line\nbreak")).is_err());
                assert_eq!(check(version, kind, &named(&"x".repeat(256))), Ok(()));
                assert_eq!(
                    check(version, kind, &named(&"x".repeat(257))),
                    Err("[name size must be between 1 and 256]".into())
                );
                assert!(check(version, kind, &named("")).is_err());
            }
        }
        // 128 characters outside the BMP are 256 UTF-16 units; 129 are too many.
        let emoji = "\u{1F600}";
        let kind = EntityType::Table;
        assert_eq!(
            check(ServerVersion::V2_0, kind, &named(&emoji.repeat(128))),
            Ok(())
        );
        assert!(check(ServerVersion::V2_0, kind, &named(&emoji.repeat(129))).is_err());
    }

    #[test]
    fn column_names_at_every_level() {
        let table = |name: &str| {
            json!({"name": "t", "columns": [
                {"name": "ok", "dataType": "STRUCT", "children": [{"name": name, "dataType": "STRING"}]}
            ]})
        };
        for version in ServerVersion::ALL {
            assert_eq!(check(version, EntityType::Table, &table("a:b")), Ok(()));
            assert_eq!(
                check(version, EntityType::Table, &table("a::b")),
                Err("[columns[0].children[0].name must match \"^((?!::).)*$\"]".into())
            );
        }
        // 2.0.7 keeps no upper bound on a column name.
        let long = table(&"c".repeat(300));
        assert!(check(ServerVersion::V1_9, EntityType::Table, &long).is_err());
        assert_eq!(check(ServerVersion::V2_0, EntityType::Table, &long), Ok(()));
    }

    #[test]
    fn tag_names_on_1_3_are_words_and_a_few_signs() {
        let v13 = ServerVersion::V1_3;
        for kind in [EntityType::Classification, EntityType::Tag] {
            for good in ["PII", "Non Sensitive", "it's-a (test) & v1.2", "a_b"] {
                assert_eq!(check(v13, kind, &named(good)), Ok(()), "{good}");
            }
            for bad in ["a/b", "a:b", "a=b", "a+b", "a@b", "café"] {
                assert_eq!(
                    check(v13, kind, &named(bad)),
                    Err(format!("[name must match \"{TAG_NAME_PATTERN}\"]")),
                    "{bad}"
                );
            }
            assert_eq!(
                check(v13, kind, &named("P")),
                Err("[name size must be between 2 and 64]".into())
            );
            assert!(check(v13, kind, &named(&"t".repeat(65))).is_err());
            // From 1.6 they are entity names.
            for version in [
                ServerVersion::V1_6,
                ServerVersion::V1_9,
                ServerVersion::V2_0,
            ] {
                assert_eq!(check(version, kind, &named("a/b:c=d+e@f")), Ok(()));
                assert_eq!(check(version, kind, &named("P")), Ok(()));
                assert!(check(version, kind, &named("a::b")).is_err());
            }
        }
    }

    #[test]
    fn tag_fqns_on_1_3_are_at_most_128_characters() {
        let label = |fqn: String| json!({"tagFQN": fqn, "source": "Classification", "labelType": "Manual", "state": "Confirmed"});
        let long = format!("PII.{}", "x".repeat(125));
        let table = json!({"name": "t", "tags": [label("PII.Sensitive".into())],
            "columns": [{"name": "c", "dataType": "STRING", "tags": [label(long)]}]});
        assert_eq!(
            check(ServerVersion::V1_3, EntityType::Table, &table),
            Err("[columns[0].tags[0].tagFQN size must be between 0 and 128]".into())
        );
        assert_eq!(
            check(ServerVersion::V1_6, EntityType::Table, &table),
            Ok(())
        );
        let database = json!({"name": "db", "tags": [label("x".repeat(128))]});
        assert_eq!(
            check(ServerVersion::V1_3, EntityType::Database, &database),
            Ok(())
        );
    }
}
