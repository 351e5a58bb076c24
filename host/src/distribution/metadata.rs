//! The component's standard metadata, as `wasm-tools metadata add` writes it and `wasm-tools
//! metadata show` reads it: a component name, and the OCI annotation sections (`version`,
//! `description`, `licenses`, `source`, `revision`, `authors`, `homepage`).

use wasm_metadata::{
    AddMetadata, AddMetadataField, Authors, Description, Licenses, Payload, Revision, Source,
    Version,
};

/// The connector component's name in its metadata.
pub const COMPONENT_NAME: &str = "dynamodb-connector";
/// What the connector is, for its metadata.
pub const COMPONENT_DESCRIPTION: &str = "OpenMetadata's DynamoDB metadata connector as a \
     WebAssembly component (world catalog:connector/metadata-source@0.6.0)";

/// What `ddb-catalog component stamp` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub name: String,
    pub version: String,
    pub description: String,
    /// An SPDX license expression.
    pub license: String,
    /// The source repository's URL, if known.
    pub source: Option<String>,
    /// The source revision (a git commit).
    pub revision: String,
    pub authors: String,
}

impl Stamp {
    /// This workspace's package metadata (`Cargo.toml`), with `revision`.
    pub fn from_package(revision: &str) -> Stamp {
        let repository = env!("CARGO_PKG_REPOSITORY");
        Stamp {
            name: COMPONENT_NAME.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            description: COMPONENT_DESCRIPTION.to_string(),
            license: env!("CARGO_PKG_LICENSE").to_string(),
            source: (!repository.is_empty()).then(|| repository.to_string()),
            revision: revision.to_string(),
            // Cargo joins several authors with `:`.
            authors: env!("CARGO_PKG_AUTHORS").replace(':', ", "),
        }
    }
}

/// `component` with `stamp`'s metadata (replacing what it had). A signed component is refused:
/// stamping changes its bytes, so stamp first and sign after.
pub fn stamp(component: &[u8], stamp: &Stamp) -> Result<Vec<u8>, String> {
    if super::signing::signatures(component)?.is_some() {
        return Err(
            "the component is signed: stamping would break its signature; stamp the unsigned \
             component, then sign it"
                .to_string(),
        );
    }
    let licenses = Licenses::new(&stamp.license)
        .map_err(|e| format!("`{}` is not an SPDX license expression: {e}", stamp.license))?;
    let source = match &stamp.source {
        Some(url) => AddMetadataField::Set(
            Source::new(url).map_err(|e| format!("`{url}` is not a source URL: {e}"))?,
        ),
        None => AddMetadataField::Keep,
    };
    let mut add = AddMetadata::default();
    add.name = AddMetadataField::Set(stamp.name.clone());
    add.version = AddMetadataField::Set(Version::new(stamp.version.clone()));
    add.description = AddMetadataField::Set(Description::new(stamp.description.clone()));
    add.licenses = AddMetadataField::Set(licenses);
    add.source = source;
    add.revision = AddMetadataField::Set(Revision::new(stamp.revision.clone()));
    add.authors = AddMetadataField::Set(Authors::new(stamp.authors.clone()));
    add.processed_by = vec![(
        "ddb-catalog".to_string(),
        env!("CARGO_PKG_VERSION").to_string(),
    )];
    add.to_wasm(component)
        .map_err(|e| format!("cannot add metadata: {e:#}"))
}

/// A component's metadata, as it says (untrusted: show it through `sanitize`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shown {
    pub name: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
    pub licenses: Option<String>,
    pub source: Option<String>,
    pub homepage: Option<String>,
    pub revision: Option<String>,
    pub authors: Option<String>,
    /// `(field, name, version)` of the producers section, e.g. `("language", "Rust", "")`.
    pub producers: Vec<(String, String, String)>,
}

impl Shown {
    /// The fields with a value, in `wasm-tools metadata show`'s order.
    pub fn fields(&self) -> Vec<(&'static str, &str)> {
        [
            ("name", &self.name),
            ("version", &self.version),
            ("description", &self.description),
            ("licenses", &self.licenses),
            ("source", &self.source),
            ("homepage", &self.homepage),
            ("revision", &self.revision),
            ("authors", &self.authors),
        ]
        .into_iter()
        .filter_map(|(field, value)| value.as_deref().map(|v| (field, v)))
        .collect()
    }
}

/// Reads the outermost component's (or module's) metadata.
pub fn read(component: &[u8]) -> Result<Shown, String> {
    let payload =
        Payload::from_binary(component).map_err(|e| format!("cannot read its metadata: {e:#}"))?;
    let metadata = payload.metadata();
    let mut producers = Vec::new();
    if let Some(p) = &metadata.producers {
        for (field, values) in p.iter() {
            for (name, version) in values.iter() {
                producers.push((field.clone(), name.clone(), version.clone()));
            }
        }
    }
    Ok(Shown {
        name: metadata.name.clone(),
        version: metadata.version.as_ref().map(ToString::to_string),
        description: metadata.description.as_ref().map(ToString::to_string),
        licenses: metadata.licenses.as_ref().map(ToString::to_string),
        source: metadata.source.as_ref().map(ToString::to_string),
        homepage: metadata.homepage.as_ref().map(ToString::to_string),
        revision: metadata.revision.as_ref().map(ToString::to_string),
        authors: metadata.authors.as_ref().map(ToString::to_string),
        producers,
    })
}

/// The git commit checked out in `dir` (`git rev-parse HEAD`).
pub fn git_revision(dir: &std::path::Path) -> Result<String, String> {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "HEAD"])
        .output()
        .map_err(|e| format!("cannot run git for the revision ({e}); pass --revision"))?;
    let revision = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if !output.status.success() || revision.is_empty() {
        return Err(format!(
            "`git rev-parse HEAD` failed in {}; pass --revision",
            dir.display()
        ));
    }
    Ok(revision)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamped_metadata_reads_back() {
        let empty = b"\0asm\x0d\x00\x01\x00".to_vec();
        let stamp = Stamp::from_package("0123456789abcdef0123456789abcdef01234567");
        let stamped = super::stamp(&empty, &stamp).unwrap();
        let shown = read(&stamped).unwrap();
        assert_eq!(shown.name.as_deref(), Some(COMPONENT_NAME));
        assert_eq!(shown.version.as_deref(), Some(env!("CARGO_PKG_VERSION")));
        assert_eq!(shown.licenses.as_deref(), Some(env!("CARGO_PKG_LICENSE")));
        assert_eq!(shown.description.as_deref(), Some(COMPONENT_DESCRIPTION));
        assert_eq!(
            shown.revision.as_deref(),
            Some("0123456789abcdef0123456789abcdef01234567")
        );
        assert_eq!(shown.authors, Some(stamp.authors.clone()));
        assert_eq!(shown.source, stamp.source);
        assert!(
            shown
                .producers
                .iter()
                .any(|(field, name, _)| field == "processed-by" && name == "ddb-catalog"),
            "{:?}",
            shown.producers
        );
        // Stamping again replaces, and a signed component is refused.
        let again = super::stamp(&stamped, &Stamp::from_package("feedface")).unwrap();
        assert_eq!(read(&again).unwrap().revision.as_deref(), Some("feedface"));
        let key = wasmsign2::KeyPair::generate().sk;
        let signed = super::super::signing::sign(&again, &key).unwrap();
        assert!(
            super::stamp(&signed, &stamp)
                .unwrap_err()
                .contains("signed")
        );
    }
}
