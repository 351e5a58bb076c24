//! What an OpenMetadata server of a given version accepts, read from `GET /v1/system/version`:
//! which API (1.x or 2.x), whether it has the bulk endpoints (2.x), and the names it takes for
//! classifications and tags (1.3's `tagName` is narrower than later versions' `entityName`).
//! Sources: `../shared/reference/openmetadata-2.0-differences.md`, and the request schemas of
//! 1.3, 1.6, 1.9 and 2.0.7.

use std::fmt;

/// The server's version as this sink shapes its requests for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ServerVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

/// The majors this sink knows how to talk to.
const KNOWN_MAJORS: [u32; 2] = [1, 2];

/// The oldest version this sink shapes requests for, assumed when the check is turned off
/// and the server does not say its version: its rules are the strictest.
pub const OLDEST: ServerVersion = ServerVersion {
    major: 1,
    minor: 3,
    patch: 0,
};

impl ServerVersion {
    /// The first `MAJOR.MINOR.PATCH` in `text` (as OpenMetadata's own client reads it,
    /// `server_mixin.py`: the first match of `\d+.\d+.\d+`), e.g. `1.3.4` of `1.3.4-SNAPSHOT`.
    pub fn parse(text: &str) -> Option<ServerVersion> {
        let bytes = text.as_bytes();
        (0..bytes.len())
            .filter(|&i| bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit()))
            .find_map(|start| {
                let mut parts = text[start..].splitn(3, '.');
                let number = |part: Option<&str>| -> Option<u32> {
                    let part = part?;
                    let end = part
                        .find(|c: char| !c.is_ascii_digit())
                        .unwrap_or(part.len());
                    if end == 0 {
                        return None;
                    }
                    part[..end].parse().ok()
                };
                let major = number(parts.next())?;
                let minor = number(parts.next())?;
                let patch = number(parts.next())?;
                Some(ServerVersion {
                    major,
                    minor,
                    patch,
                })
            })
    }

    /// Whether this sink knows the server's API.
    pub fn is_known(self) -> bool {
        KNOWN_MAJORS.contains(&self.major)
    }

    /// `PUT /v1/{collection}/bulk` and `DELETE /v1/{collection}/deleteStale` (2.0's sink and
    /// client, `ingestion/sink/metadata_rest.py`, `ingestion/api/delete.py`).
    pub fn has_bulk_api(self) -> bool {
        self.major >= 2
    }

    /// Whether a classification or tag name is one the server accepts. Up to 1.5 a name is a
    /// `tagName` (`entity/classification/tag.json`: 2–64 characters of `^[\w'\- .&()]+$`,
    /// checked by the server in Java, whose `\w` is ASCII), from 1.6 an `entityName` (1–256
    /// characters, no `::`).
    pub fn accepts_tag_name(self, name: &str) -> bool {
        if self.major == 1 && self.minor < 6 {
            let length = name.chars().count();
            (2..=64).contains(&length)
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_ '-.&()".contains(c))
        } else {
            let length = name.chars().count();
            (1..=256).contains(&length) && !name.contains("::")
        }
    }

    /// Why [`Self::accepts_tag_name`] refuses names, for the one warning.
    pub fn tag_name_rule(self) -> &'static str {
        if self.major == 1 && self.minor < 6 {
            "2 to 64 letters, digits, spaces or _ ' - . & ( )"
        } else {
            "1 to 256 characters without `::`"
        }
    }
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> ServerVersion {
        ServerVersion::parse(text).unwrap()
    }

    #[test]
    fn versions_are_read_as_openmetadata_reads_them() {
        assert_eq!(
            v("1.3.4"),
            ServerVersion {
                major: 1,
                minor: 3,
                patch: 4
            }
        );
        assert_eq!(v("2.0.7-SNAPSHOT"), v("2.0.7"));
        assert_eq!(v("v1.9.17.6"), v("1.9.17"));
        assert_eq!(ServerVersion::parse("1.3"), None);
        assert_eq!(ServerVersion::parse(""), None);
        assert_eq!(ServerVersion::parse("latest"), None);
        assert!(v("1.6.13").is_known() && v("2.0.7").is_known());
        assert!(!v("0.13.2").is_known() && !v("3.0.0").is_known());
        assert!(v("2.0.7").has_bulk_api() && !v("1.9.17").has_bulk_api());
    }

    #[test]
    fn tag_names_follow_the_versions_rules() {
        let old = v("1.3.4");
        let new = v("1.6.13");
        for name in ["env", "cost center", "Team (EU)", "a&b", "o'brien", "x-y.z"] {
            assert!(old.accepts_tag_name(name), "{name}");
            assert!(new.accepts_tag_name(name), "{name}");
        }
        for name in [
            "aws:cloudformation:stack-name",
            "team/owner",
            "a=b",
            "a+b",
            "me@x",
            "x",
            "été",
        ] {
            assert!(!old.accepts_tag_name(name), "{name}");
        }
        assert!(!old.accepts_tag_name(&"a".repeat(65)));
        for name in [
            "aws:cloudformation:stack-name",
            "team/owner",
            "a=b",
            "x",
            "été",
        ] {
            assert!(new.accepts_tag_name(name), "{name}");
        }
        assert!(!new.accepts_tag_name("a::b"));
        assert!(!new.accepts_tag_name(""));
        assert!(!new.accepts_tag_name(&"a".repeat(257)));
    }
}
