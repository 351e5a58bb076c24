//! OpenMetadata's cursor paging: a page of at most `limit` entities after (or before) an opaque
//! cursor, with the cursors of the neighbouring pages. A cursor is the base64 of an FQN, so it
//! may hold `+`, `/` and `=`, which a client must URL-encode.

use super::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::ops::Range;

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Page {
    /// The positions of this page's entities in the full, FQN-ordered list.
    pub range: Range<usize>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The page of `fqns` (sorted) that `after` or `before` (decoded cursors) asks for.
pub(crate) fn page(fqns: &[&str], limit: usize, after: Option<&str>, before: Option<&str>) -> Page {
    let n = fqns.len();
    let range = match (after, before) {
        (Some(after), _) => {
            let start = fqns.partition_point(|f| *f <= after);
            start..(start + limit).min(n)
        }
        (None, Some(before)) => {
            let end = fqns.partition_point(|f| *f < before);
            end.saturating_sub(limit)..end
        }
        (None, None) => 0..limit.min(n),
    };
    let nonempty = !range.is_empty();
    Page {
        before: (nonempty && range.start > 0).then(|| encode(fqns[range.start])),
        after: (nonempty && range.end < n).then(|| encode(fqns[range.end - 1])),
        range,
    }
}

pub(crate) fn encode(fqn: &str) -> String {
    STANDARD.encode(fqn)
}

pub(crate) fn decode(cursor: &str) -> Result<String, ApiError> {
    STANDARD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| ApiError::bad_request(format!("Invalid cursor {cursor}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_forward_and_back() {
        let fqns = ["s.a", "s.b", "s.c", "s.d", "s.e"];
        let first = page(&fqns, 2, None, None);
        assert_eq!(first.range, 0..2);
        assert_eq!(first.before, None);
        let after = decode(first.after.as_deref().unwrap()).unwrap();
        assert_eq!(after, "s.b");
        let second = page(&fqns, 2, Some(&after), None);
        assert_eq!(second.range, 2..4);
        assert_eq!(decode(second.before.as_deref().unwrap()).unwrap(), "s.c");
        let last = page(&fqns, 2, Some("s.d"), None);
        assert_eq!((last.range, last.after), (4..5, None));
        let back = page(&fqns, 2, None, Some("s.c"));
        assert_eq!((back.range, back.before), (0..2, None));
        assert_eq!(page(&fqns, 0, None, None).after, None);
        assert!(decode("not base64!").is_err());
    }
}
