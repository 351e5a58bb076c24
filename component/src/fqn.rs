//! Fully qualified names as OpenMetadata builds them: parts joined with `.`, a part that
//! contains a `.` wrapped in double quotes (`svc.default.default."orders.v2"`).

/// Quotes one FQN part the way OpenMetadata's `fqn.quote_name` does. A name that is already
/// quoted keeps its quotes only when it needs them. Names with a `"` inside are refused, as
/// OpenMetadata 1.3 refuses them.
pub fn quote_name(name: &str) -> Result<String, String> {
    if name.is_empty() {
        return Err("a name cannot be empty".to_string());
    }
    if let Some(inner) = name
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .filter(|inner| !inner.is_empty() && !inner.contains('"'))
    {
        return Ok(if inner.contains('.') {
            name.to_string()
        } else {
            inner.to_string()
        });
    }
    if name.contains('"') {
        return Err(format!("invalid name {name:?}: a name cannot contain '\"'"));
    }
    Ok(if name.contains('.') {
        format!("\"{name}\"")
    } else {
        name.to_string()
    })
}

/// Joins parts into an FQN, quoting each part.
pub fn build(parts: &[&str]) -> Result<String, String> {
    let quoted = parts
        .iter()
        .map(|part| quote_name(part))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(quoted.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_are_joined() {
        assert_eq!(
            build(&["svc", "default", "default", "orders"]).unwrap(),
            "svc.default.default.orders"
        );
    }

    #[test]
    fn names_with_dots_are_quoted() {
        assert_eq!(
            build(&["svc", "default", "default", "orders.v2"]).unwrap(),
            "svc.default.default.\"orders.v2\""
        );
        assert_eq!(quote_name("my.service").unwrap(), "\"my.service\"");
    }

    #[test]
    fn quoted_names_keep_quotes_only_when_needed() {
        assert_eq!(quote_name("\"a.b\"").unwrap(), "\"a.b\"");
        assert_eq!(quote_name("\"ab\"").unwrap(), "ab");
    }

    #[test]
    fn inner_quotes_and_empty_names_are_refused() {
        assert!(quote_name("a\"b").is_err());
        assert!(quote_name("").is_err());
    }
}
