//! OpenMetadata's fully qualified names: parts joined by `.`, a part holding a `.` wrapped in
//! double quotes (`svc.db.default."orders.v2"`), as `FullyQualifiedName.quoteName` does.

/// The FQN part for `name`: quoted when it holds a `.`; an already quoted name without a `.`
/// loses its quotes. A name with a `"` anywhere else is invalid.
pub fn quote_name(name: &str) -> Result<String, String> {
    let invalid = || format!("Invalid name {name}");
    if name.is_empty() {
        return Err(invalid());
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
        return Err(invalid());
    }
    Ok(if name.contains('.') {
        format!("\"{name}\"")
    } else {
        name.to_string()
    })
}

/// `parent.name` with `name` quoted as needed.
pub fn add(parent: &str, name: &str) -> Result<String, String> {
    Ok(format!("{parent}.{}", quote_name(name)?))
}

/// The parts of an FQN, unquoted.
pub fn split(fqn: &str) -> Result<Vec<String>, String> {
    let invalid = || format!("Invalid fully qualified name {fqn}");
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut quoted = false;
    for c in fqn.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut part)),
            _ => part.push(c),
        }
    }
    if quoted {
        return Err(invalid());
    }
    parts.push(part);
    if parts.iter().any(String::is_empty) {
        return Err(invalid());
    }
    Ok(parts)
}

/// The canonical spelling of an FQN, so that `a."b"` and `a.b` name the same entity.
pub fn normalize(fqn: &str) -> Result<String, String> {
    let parts = split(fqn)?
        .iter()
        .map(|part| quote_name(part))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(parts.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_names_with_dots() {
        assert_eq!(quote_name("orders").unwrap(), "orders");
        assert_eq!(quote_name("orders.v2").unwrap(), "\"orders.v2\"");
        assert_eq!(quote_name("\"orders.v2\"").unwrap(), "\"orders.v2\"");
        assert_eq!(quote_name("\"orders\"").unwrap(), "orders");
        assert!(quote_name("a\"b").is_err());
        assert!(quote_name("").is_err());
    }

    #[test]
    fn splits_and_normalizes() {
        assert_eq!(
            split("svc.db.default.\"orders.v2\"").unwrap(),
            ["svc", "db", "default", "orders.v2"]
        );
        assert_eq!(normalize("svc.\"db\".x").unwrap(), "svc.db.x");
        assert_eq!(normalize("svc.\"a.b\"").unwrap(), "svc.\"a.b\"");
        assert!(split("svc.\"open").is_err());
        assert!(split("svc..x").is_err());
    }
}
