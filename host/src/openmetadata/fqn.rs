//! OpenMetadata's fully qualified names: `service.database.schema.table`, a part quoted when it
//! holds a dot, and a part percent-encoded for a URL path.

use crate::sanitize;

/// An FQN part, quoted as OpenMetadata quotes one containing a dot.
pub fn quote(name: &str) -> String {
    if name.contains('.') {
        format!("\"{name}\"")
    } else {
        name.to_string()
    }
}

/// Percent-encoding of all but RFC 3986's unreserved characters, for a path segment or a
/// query value.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The two parts of `<service>.<name>` (either may be quoted, as OpenMetadata quotes a name
/// holding a dot), or why `fqn` is not that (cleaned for display).
pub fn split_two(fqn: &str) -> Result<(String, String), String> {
    let invalid = |why: &str| format!("`{}` {why}", sanitize::name(fqn));
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut quoted = false;
    for c in fqn.trim().chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut part)),
            _ => part.push(c),
        }
    }
    if quoted {
        return Err(invalid("has an unclosed quote"));
    }
    parts.push(part);
    match parts.as_slice() {
        [service, name] if !service.is_empty() && !name.is_empty() => {
            Ok((service.clone(), name.clone()))
        }
        _ => Err(invalid(
            "is not `<service>.<pipeline name>` (quote a name that holds a dot)",
        )),
    }
}
