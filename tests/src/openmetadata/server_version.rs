//! Which OpenMetadata the stand-in answers as. A server's behaviour follows its major.minor
//! (the official clients also match servers on major.minor only), so a reported version such as
//! `1.6.13` picks one of the four sets of request schemas the tests cover, and with it the
//! rules that changed between them (field names, tag names, the 2.x bulk API).

use jsonschema::Draft;

/// The versions the tests cover, as a server of each reports itself.
pub const SERVER_VERSIONS: [&str; 4] = ["1.3.4", "1.6.13", "1.9.17", "2.0.7"];

/// The behaviour of one covered major.minor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServerVersion {
    V1_3,
    V1_6,
    V1_9,
    V2_0,
}

impl ServerVersion {
    pub const ALL: [ServerVersion; 4] = [
        ServerVersion::V1_3,
        ServerVersion::V1_6,
        ServerVersion::V1_9,
        ServerVersion::V2_0,
    ];

    /// The behaviour of a reported version: that of the newest covered major.minor not newer
    /// than it (1.7 behaves as 1.6, 1.13 as 1.9, 3.0 as 2.0), and 1.3's for anything older or
    /// unreadable (`0.13.2`, `nightly`), since 1.3 is the oldest set of schemas vendored.
    pub fn of(version: &str) -> ServerVersion {
        match major_minor(version) {
            Some((major, _)) if major >= 2 => ServerVersion::V2_0,
            Some((1, minor)) if minor >= 9 => ServerVersion::V1_9,
            Some((1, minor)) if minor >= 6 => ServerVersion::V1_6,
            _ => ServerVersion::V1_3,
        }
    }

    /// What a server of this major.minor reports (one of [`SERVER_VERSIONS`]).
    pub fn reported(self) -> &'static str {
        match self {
            ServerVersion::V1_3 => SERVER_VERSIONS[0],
            ServerVersion::V1_6 => SERVER_VERSIONS[1],
            ServerVersion::V1_9 => SERVER_VERSIONS[2],
            ServerVersion::V2_0 => SERVER_VERSIONS[3],
        }
    }

    pub fn major(self) -> u64 {
        match self {
            ServerVersion::V2_0 => 2,
            _ => 1,
        }
    }

    /// `PUT /v1/{collection}/bulk` and `DELETE /v1/{collection}/deleteStale` are new in 2.0
    /// (absent from the 1.9 client); a 1.x server answers them as unknown resources.
    pub fn has_bulk_api(self) -> bool {
        self.major() >= 2
    }

    /// Whether entities carry `owners` (a list, 1.6 on) rather than `owner`.
    pub fn has_owners(self) -> bool {
        self >= ServerVersion::V1_6
    }

    /// Whether entities carry `domains` (a list, 1.9 on) rather than `domain`.
    pub fn has_domains(self) -> bool {
        self >= ServerVersion::V1_9
    }

    /// The folder under `tests/schemas/` holding this version's create-request schemas.
    pub(crate) fn schema_dir(self) -> &'static str {
        match self {
            ServerVersion::V1_3 => "openmetadata-1.3",
            ServerVersion::V1_6 => "openmetadata-1.6",
            ServerVersion::V1_9 => "openmetadata-1.9",
            ServerVersion::V2_0 => "openmetadata-2.0/generated",
        }
    }

    /// The draft those schemas are written for when they do not say (`$schema`): 1.3's are
    /// pydantic 1 exports (draft 7, `definitions`); the others pydantic 2 exports (2020-12,
    /// `$defs`, `$ref` with sibling keywords).
    pub(crate) fn default_draft(self) -> Draft {
        match self {
            ServerVersion::V1_3 => Draft::Draft7,
            _ => Draft::Draft202012,
        }
    }
}

/// The major and minor of `1.6.13`, `v2.0.7` or `1.9`; `None` when the text does not start
/// with two dot-separated numbers.
pub fn major_minor(version: &str) -> Option<(u64, u64)> {
    let text = version.trim();
    let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
    let mut parts = text.split('.');
    let number = |part: Option<&str>| -> Option<u64> {
        let digits: String = part?.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    };
    let major = number(parts.next())?;
    let minor = number(parts.next())?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_major_and_minor() {
        assert_eq!(major_minor("1.6.13"), Some((1, 6)));
        assert_eq!(major_minor("v2.0.7-SNAPSHOT"), Some((2, 0)));
        assert_eq!(major_minor("1.9"), Some((1, 9)));
        assert_eq!(major_minor(" 1.10.3 "), Some((1, 10)));
        assert_eq!(major_minor("2"), None);
        assert_eq!(major_minor("nightly"), None);
        assert_eq!(major_minor(""), None);
    }

    #[test]
    fn a_version_behaves_as_the_newest_covered_one_not_newer() {
        let cases = [
            ("1.3.4", ServerVersion::V1_3),
            ("0.13.2", ServerVersion::V1_3),
            ("1.2.0", ServerVersion::V1_3),
            ("1.5.9", ServerVersion::V1_3),
            ("1.6.13", ServerVersion::V1_6),
            ("1.8.0", ServerVersion::V1_6),
            ("1.9.17", ServerVersion::V1_9),
            ("1.13.6", ServerVersion::V1_9),
            ("2.0.7", ServerVersion::V2_0),
            ("3.1.0", ServerVersion::V2_0),
            ("garbage", ServerVersion::V1_3),
        ];
        for (text, expected) in cases {
            assert_eq!(ServerVersion::of(text), expected, "{text}");
        }
        for (version, text) in ServerVersion::ALL.into_iter().zip(SERVER_VERSIONS) {
            assert_eq!(version.reported(), text);
            assert_eq!(ServerVersion::of(text), version);
        }
        assert!(ServerVersion::V2_0.has_bulk_api());
        assert!(!ServerVersion::V1_9.has_bulk_api());
    }
}
