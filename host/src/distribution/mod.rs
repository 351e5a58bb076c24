//! Shipping the connector: where a component comes from (a file, or a registry by tag or
//! digest), its metadata, its signature, its world, and the contract's WIT package.
//! docs/distribution.md explains the choices.

pub mod auth;
pub mod digest;
pub mod inspect;
pub mod metadata;
pub mod oci;
pub mod signing;
pub mod store;
pub mod wit;

use crate::component_path;
use digest::Digest;
use oci::OciRef;
use signing::TrustedKey;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use store::Store;

/// The component's file name in an artifact and next to the host.
pub const COMPONENT_FILE_NAME: &str = component_path::FILE_NAME;

/// Where to take the connector component from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentSource {
    File(PathBuf),
    Oci(OciRef),
}

impl ComponentSource {
    /// `oci://…` is a registry reference; anything else a path (as it was before registries).
    pub fn parse(value: &OsStr) -> Result<ComponentSource, String> {
        match value.to_str() {
            Some(text) if text.starts_with("oci://") => text.parse().map(ComponentSource::Oci),
            _ => Ok(ComponentSource::File(PathBuf::from(value))),
        }
    }
}

/// `clap`'s parser for a path or an `oci://` reference (paths need not be UTF-8).
#[derive(Debug, Clone, Copy)]
pub struct SourceParser;

impl clap::builder::TypedValueParser for SourceParser {
    type Value = ComponentSource;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<ComponentSource, clap::Error> {
        ComponentSource::parse(value).map_err(|e| {
            clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("{e}\n"))
                .with_cmd(cmd)
        })
    }
}

/// `clap`'s parser for an `oci://` reference.
pub fn parse_oci_ref(value: &str) -> Result<OciRef, String> {
    value.parse()
}

/// A component ready to load: its bytes checked (against their digest, and under
/// `--trust-key` against a trusted signature) and a file holding exactly those bytes.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    /// The SHA-256 of the component's bytes (for a registry, the layer's digest).
    pub digest: Digest,
    /// `oci://HOST/REPO:TAG@sha256:<manifest> (layer sha256:…)`, or `/path/file.wasm sha256:…`.
    pub label: String,
    /// Set for a component from a registry.
    pub fetched: Option<oci::Fetched>,
}

/// Finds the component `source` names (the default: next to the executable, or this
/// workspace's build) and reads it; a registry's component is fetched into `store` (or taken
/// from it).
pub async fn resolve(
    source: Option<&ComponentSource>,
    store: Option<&Store>,
) -> Result<Resolved, String> {
    match source {
        Some(ComponentSource::Oci(reference)) => {
            let store = store.ok_or_else(|| {
                "no cache directory for components from a registry: pass --cache-dir".to_string()
            })?;
            let fetched = oci::fetch(reference, store).await?;
            Ok(Resolved {
                path: fetched.path.clone(),
                bytes: fetched.bytes.clone(),
                digest: fetched.layer.clone(),
                label: fetched.label(),
                fetched: Some(fetched),
            })
        }
        Some(ComponentSource::File(path)) => read_file(&component_path::locate(Some(path))?),
        None => read_file(&component_path::locate(None)?),
    }
}

fn read_file(path: &Path) -> Result<Resolved, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read the component {}: {e}", path.display()))?;
    let digest = Digest::of(&bytes);
    Ok(Resolved {
        label: format!("{} {digest}", path.display()),
        path: path.to_path_buf(),
        bytes,
        digest,
        fetched: None,
    })
}

/// Under `--trust-key`, the ids of the trusted keys that signed the component; without, none.
/// A refusal says which check failed.
pub fn check_trust(resolved: &Resolved, trusted: &[TrustedKey]) -> Result<Vec<String>, String> {
    if trusted.is_empty() {
        return Ok(Vec::new());
    }
    signing::verify(&resolved.bytes, trusted)
        .map_err(|refusal| format!("refused {}: {refusal}", resolved.label))
}

/// The trusted keys named by `--trust-key`.
pub fn load_trusted_keys(paths: &[PathBuf]) -> Result<Vec<TrustedKey>, String> {
    paths.iter().map(|p| signing::load_public_key(p)).collect()
}
