//! Components in OCI registries, in the CNCF Wasm OCI artifact layout
//! (<https://tag-runtime.cncf.io/wgs/wasm/deliverables/wasm-oci-artifact/>): an image manifest
//! whose config has media type `application/vnd.wasm.config.v0+json` and whose one layer is
//! the component, `application/wasm`.
//!
//! References are `oci://HOST[:PORT]/REPO:TAG`, `oci://HOST[:PORT]/REPO@sha256:…` or both
//! (`REPO:TAG@sha256:…`: the tag must still name that digest). Plain HTTP is used only for a
//! loopback registry (127.0.0.0/8, ::1, `localhost`); every other registry is HTTPS, verified
//! against the system's roots. Credentials come from the Docker config file, else none.
//!
//! What comes back is checked before it is used: the manifest's bytes against the digest asked
//! for (or, for a tag, what the registry says it is), its media types and its one layer, the
//! layer's bytes against the layer's digest and size. Manifests and components are kept in the
//! [`Store`], so a pinned reference runs again without the registry.

use super::digest::Digest;
use super::store::Store;
use crate::sanitize;
use futures::StreamExt;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::manifest::{OciDescriptor, OciImageManifest};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

pub const WASM_CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
pub const WASM_LAYER_MEDIA_TYPE: &str = "application/wasm";
pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// The largest component fetched from a registry.
pub const MAX_COMPONENT_BYTES: u64 = 256 << 20;
/// The largest manifest accepted.
const MAX_MANIFEST_BYTES: usize = 1 << 20;
const USER_AGENT: &str = concat!("ddb-catalog/", env!("CARGO_PKG_VERSION"));

/// `oci://HOST[:PORT]/REPO[:TAG][@sha256:…]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OciRef {
    /// `HOST[:PORT]`, as written.
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

const REFERENCE_FORM: &str = "oci://HOST[:PORT]/REPO:TAG or oci://HOST[:PORT]/REPO@sha256:<64 hex>";

impl FromStr for OciRef {
    type Err = String;

    fn from_str(text: &str) -> Result<OciRef, String> {
        let rest = text
            .strip_prefix("oci://")
            .ok_or_else(|| format!("a registry reference is {REFERENCE_FORM}"))?;
        let (registry, path) = rest
            .split_once('/')
            .ok_or_else(|| format!("a registry reference is {REFERENCE_FORM}"))?;
        let host_chars = |c: char| c.is_ascii_alphanumeric() || ".-:[]".contains(c);
        if registry.is_empty() || !registry.chars().all(host_chars) {
            return Err(format!(
                "`{}` is not a registry host (HOST or HOST:PORT); a registry reference is {REFERENCE_FORM}",
                sanitize::name(registry)
            ));
        }
        // The path's grammar is the distribution spec's: let oci-spec check it, behind a
        // placeholder registry so that its first part is never taken for a host.
        let parsed: Reference = format!("registry.invalid/{path}").parse().map_err(|e| {
            format!(
                "`{}` is not a repository with a tag or digest ({e}); a registry reference is {REFERENCE_FORM}",
                sanitize::name(path)
            )
        })?;
        let digest = parsed
            .digest()
            .map(|d| d.parse::<Digest>())
            .transpose()
            .map_err(|e| format!("{e} (only sha256 digests are accepted)"))?;
        let tag = match (parsed.tag(), &digest) {
            (Some(tag), _) => Some(tag.to_string()),
            (None, Some(_)) => None,
            (None, None) => Some("latest".to_string()),
        };
        Ok(OciRef {
            registry: registry.to_string(),
            repository: parsed.repository().to_string(),
            tag,
            digest,
        })
    }
}

impl fmt::Display for OciRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "oci://{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl OciRef {
    /// This reference pinned to `manifest` (its tag kept, for the reader).
    pub fn pinned(&self, manifest: &Digest) -> OciRef {
        OciRef {
            digest: Some(manifest.clone()),
            ..self.clone()
        }
    }

    /// The host, without port or brackets.
    pub fn host(&self) -> &str {
        if let Some(rest) = self.registry.strip_prefix('[') {
            return rest.split(']').next().unwrap_or(rest);
        }
        match self.registry.rsplit_once(':') {
            Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
            _ => &self.registry,
        }
    }

    /// A registry on this machine: reached over plain HTTP.
    pub fn is_loopback(&self) -> bool {
        let host = self.host();
        host.eq_ignore_ascii_case("localhost")
            || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    fn by_tag(&self) -> Reference {
        Reference::with_tag(
            self.registry.clone(),
            self.repository.clone(),
            self.tag.clone().unwrap_or_else(|| "latest".to_string()),
        )
    }

    fn by_digest(&self, digest: &Digest) -> Reference {
        Reference::with_digest(
            self.registry.clone(),
            self.repository.clone(),
            digest.to_string(),
        )
    }
}

/// The config blob of a Wasm OCI artifact.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WasmConfig {
    pub created: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    pub architecture: String,
    pub os: String,
    pub layer_digests: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<ComponentConfig>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ComponentConfig {
    pub exports: Vec<String>,
    pub imports: Vec<String>,
    pub target: Option<String>,
}

/// A registry client for one reference, with the Docker config's credentials for its host.
struct Registry {
    client: Client,
    auth: RegistryAuth,
}

impl Registry {
    fn connect(reference: &OciRef) -> Result<Registry, String> {
        // reqwest is built without a crypto provider: use the host's (ring). Already installed
        // is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let config = ClientConfig {
            protocol: if reference.is_loopback() {
                ClientProtocol::Http
            } else {
                ClientProtocol::Https
            },
            platform_resolver: None,
            connect_timeout: Some(Duration::from_secs(30)),
            read_timeout: Some(Duration::from_secs(120)),
            user_agent: USER_AGENT,
            ..ClientConfig::default()
        };
        let client = Client::try_from(config)
            .map_err(|e| format!("cannot set up a registry client: {}", registry_error(&e)))?;
        let auth = super::auth::for_registry(&reference.registry)?;
        Ok(Registry { client, auth })
    }

    async fn authenticate(&self, reference: &Reference) {
        self.client
            .store_auth_if_needed(reference.resolve_registry(), &self.auth)
            .await;
    }
}

/// An error from the registry or the client, made safe to show (the registry's words are
/// untrusted; no credential is ever in them).
fn registry_error(error: &OciDistributionError) -> String {
    sanitize::message(&error.to_string()).to_string()
}

/// A component fetched (or found in the store) for a reference.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The reference as given, pinned to the manifest's digest.
    pub reference: OciRef,
    pub manifest: Digest,
    pub layer: Digest,
    /// Where the component's bytes are stored.
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    /// Found in the store without asking the registry.
    pub offline: bool,
}

impl Fetched {
    /// `oci://HOST/REPO:TAG@sha256:<manifest> (layer sha256:<layer>)`.
    pub fn label(&self) -> String {
        format!("{} (layer {})", self.reference, self.layer)
    }
}

/// The component `reference` names: from the store for a pinned reference whose manifest and
/// layer are there (no registry contacted), else from the registry, checked and stored.
pub async fn fetch(reference: &OciRef, store: &Store) -> Result<Fetched, String> {
    if let (Some(pin), None) = (&reference.digest, &reference.tag)
        && let Some(manifest_bytes) = store.manifest(pin)?
    {
        let layer = wasm_layer(&manifest_bytes, reference)?;
        let layer_digest = descriptor_digest(&layer)?;
        if let Some(bytes) = store.component(&layer_digest)? {
            return Ok(Fetched {
                reference: reference.clone(),
                manifest: pin.clone(),
                path: store.component_path(&layer_digest),
                layer: layer_digest,
                bytes,
                offline: true,
            });
        }
    }

    let registry = Registry::connect(reference)?;
    let (manifest_bytes, manifest_digest) = pull_manifest(&registry, reference).await?;
    let layer = wasm_layer(&manifest_bytes, reference)?;
    let layer_digest = descriptor_digest(&layer)?;
    let bytes = match store.component(&layer_digest)? {
        Some(bytes) => bytes,
        None => {
            let bytes = pull_layer(&registry, reference, &manifest_digest, &layer).await?;
            store.put_component(&layer_digest, &bytes)?;
            bytes
        }
    };
    // Only a manifest whose layer is stored: a pinned run finds both or asks the registry.
    store.put_manifest(&manifest_digest, &manifest_bytes)?;
    Ok(Fetched {
        reference: reference.pinned(&manifest_digest),
        manifest: manifest_digest,
        path: store.component_path(&layer_digest),
        layer: layer_digest,
        bytes,
        offline: false,
    })
}

/// The manifest's bytes and digest, checked against the pin.
async fn pull_manifest(
    registry: &Registry,
    reference: &OciRef,
) -> Result<(Vec<u8>, Digest), String> {
    // A pin alone is asked for by digest; a tag (pinned or not) is resolved by the registry.
    let asked = match (&reference.tag, &reference.digest) {
        (None, Some(pin)) => reference.by_digest(pin),
        _ => reference.by_tag(),
    };
    registry.authenticate(&asked).await;
    let (body, _) = registry
        .client
        .pull_manifest_raw(&asked, &registry.auth, &[MANIFEST_MEDIA_TYPE])
        .await
        .map_err(|e| match &e {
            OciDistributionError::DigestError(oci_client::errors::DigestError::VerificationError {
                expected,
                actual,
            }) => format!(
                "refused {reference}: the registry's manifest does not match its digest (expected {}, its bytes are {})",
                sanitize::name(expected),
                sanitize::name(actual)
            ),
            _ => format!("cannot get the manifest of {reference}: {}", registry_error(&e)),
        })?;
    if body.len() > MAX_MANIFEST_BYTES {
        return Err(format!(
            "refused {reference}: its manifest is {} bytes, more than {MAX_MANIFEST_BYTES}",
            body.len()
        ));
    }
    let digest = Digest::of(&body);
    if let Some(pin) = &reference.digest
        && *pin != digest
    {
        return Err(match &reference.tag {
            Some(tag) => format!(
                "refused {reference}: the registry's tag `{tag}` is {digest}, not the pinned {pin}"
            ),
            None => format!(
                "refused {reference}: the registry served a manifest whose bytes are {digest}, not the pinned {pin}"
            ),
        });
    }
    Ok((body.to_vec(), digest))
}

/// The manifest's one `application/wasm` layer, with a Wasm config.
fn wasm_layer(manifest: &[u8], reference: &OciRef) -> Result<OciDescriptor, String> {
    let manifest: OciImageManifest = serde_json::from_slice(manifest).map_err(|e| {
        format!("refused {reference}: its manifest is not an OCI image manifest: {e}")
    })?;
    if manifest.config.media_type != WASM_CONFIG_MEDIA_TYPE {
        return Err(format!(
            "refused {reference}: not a Wasm component artifact (its config is `{}`, not `{WASM_CONFIG_MEDIA_TYPE}`)",
            sanitize::name(&manifest.config.media_type)
        ));
    }
    let [layer] = manifest.layers.as_slice() else {
        return Err(format!(
            "refused {reference}: a Wasm component artifact has one layer; this one has {}",
            manifest.layers.len()
        ));
    };
    if layer.media_type != WASM_LAYER_MEDIA_TYPE {
        return Err(format!(
            "refused {reference}: its layer is `{}`, not `{WASM_LAYER_MEDIA_TYPE}`",
            sanitize::name(&layer.media_type)
        ));
    }
    if layer.size < 0 || layer.size as u64 > MAX_COMPONENT_BYTES {
        return Err(format!(
            "refused {reference}: its layer is {} bytes; at most {MAX_COMPONENT_BYTES} are fetched",
            layer.size
        ));
    }
    Ok(layer.clone())
}

fn descriptor_digest(layer: &OciDescriptor) -> Result<Digest, String> {
    layer.digest.parse().map_err(|e| {
        format!(
            "the layer's digest `{}` is not accepted: {e}",
            sanitize::name(&layer.digest)
        )
    })
}

/// The layer's bytes, at most its declared size, checked against its digest.
async fn pull_layer(
    registry: &Registry,
    reference: &OciRef,
    manifest: &Digest,
    layer: &OciDescriptor,
) -> Result<Vec<u8>, String> {
    let expected = descriptor_digest(layer)?;
    let image = reference.by_digest(manifest);
    registry.authenticate(&image).await;
    let mut stream = registry
        .client
        .pull_blob_stream(&image, layer)
        .await
        .map_err(|e| {
            format!(
                "cannot get the layer of {reference}: {}",
                registry_error(&e)
            )
        })?;
    let declared = layer.size as usize;
    let mut bytes = Vec::with_capacity(declared.min(MAX_COMPONENT_BYTES as usize));
    let mut digest_failed = false;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) => {
                if bytes.len() + chunk.len() > declared {
                    return Err(format!(
                        "refused {reference}: the registry sent more than the layer's {declared} bytes"
                    ));
                }
                bytes.extend_from_slice(&chunk);
            }
            Err(e) if is_digest_error(&e) => {
                digest_failed = true;
                break;
            }
            Err(e) => {
                return Err(format!(
                    "cannot get the layer of {reference}: {}",
                    sanitize::message(&e.to_string())
                ));
            }
        }
    }
    let actual = Digest::of(&bytes);
    if digest_failed || actual != expected {
        return Err(format!(
            "refused {reference}: the layer's bytes do not match its digest {expected} (they are {actual}): it was changed in the registry or on the way"
        ));
    }
    if bytes.len() != declared {
        return Err(format!(
            "refused {reference}: the layer is {} bytes, not the {declared} its manifest says",
            bytes.len()
        ));
    }
    Ok(bytes)
}

fn is_digest_error(error: &std::io::Error) -> bool {
    error
        .get_ref()
        .is_some_and(|inner| inner.is::<oci_client::errors::DigestError>())
}

/// What is pushed besides the component: the manifest's annotations and the config.
#[derive(Debug, Clone, Default)]
pub struct PushInfo {
    /// `org.opencontainers.image.*` annotations (`version`, `revision`, ...).
    pub annotations: BTreeMap<String, String>,
    pub author: Option<String>,
    pub imports: Vec<String>,
    pub exports: Vec<String>,
}

/// Pushes `component` as a Wasm OCI artifact; returns the manifest's digest and the layer's.
pub async fn push(
    reference: &OciRef,
    component: &[u8],
    info: &PushInfo,
) -> Result<(Digest, Digest), String> {
    if reference.digest.is_some() {
        return Err(format!(
            "push to a tag (oci://HOST/REPO:TAG), not a digest: {reference}"
        ));
    }
    let registry = Registry::connect(reference)?;
    let layer_digest = Digest::of(component);
    let created = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .unwrap_or_else(chrono::Utc::now)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let config = WasmConfig {
        created: created.clone(),
        author: info.author.clone(),
        architecture: "wasm".to_string(),
        os: "wasip2".to_string(),
        layer_digests: vec![layer_digest.to_string()],
        component: Some(ComponentConfig {
            exports: info.exports.clone(),
            imports: info.imports.clone(),
            target: None,
        }),
    };
    let config_bytes =
        serde_json::to_vec(&config).map_err(|e| format!("cannot write the config: {e}"))?;
    let config_digest = Digest::of(&config_bytes);
    let mut annotations = info.annotations.clone();
    annotations.insert("org.opencontainers.image.created".to_string(), created);
    let manifest = OciImageManifest {
        schema_version: 2,
        media_type: Some(MANIFEST_MEDIA_TYPE.to_string()),
        config: OciDescriptor {
            media_type: WASM_CONFIG_MEDIA_TYPE.to_string(),
            digest: config_digest.to_string(),
            size: config_bytes.len() as i64,
            ..OciDescriptor::default()
        },
        layers: vec![OciDescriptor {
            media_type: WASM_LAYER_MEDIA_TYPE.to_string(),
            digest: layer_digest.to_string(),
            size: component.len() as i64,
            annotations: Some(BTreeMap::from([(
                "org.opencontainers.image.title".to_string(),
                super::COMPONENT_FILE_NAME.to_string(),
            )])),
            ..OciDescriptor::default()
        }],
        subject: None,
        artifact_type: None,
        annotations: Some(annotations),
    };
    let manifest_bytes =
        serde_json::to_vec(&manifest).map_err(|e| format!("cannot write the manifest: {e}"))?;
    let manifest_digest = Digest::of(&manifest_bytes);

    let image = reference.by_tag();
    registry.authenticate(&image).await;
    let failed = |what: &str, e: OciDistributionError| {
        format!(
            "cannot push the {what} to {reference}: {}",
            registry_error(&e)
        )
    };
    registry
        .client
        .push_blob(&image, component.to_vec(), &layer_digest.to_string())
        .await
        .map_err(|e| failed("component", e))?;
    registry
        .client
        .push_blob(&image, config_bytes, &config_digest.to_string())
        .await
        .map_err(|e| failed("config", e))?;
    registry
        .client
        .push_manifest_raw(
            &image,
            manifest_bytes,
            http::HeaderValue::from_static(MANIFEST_MEDIA_TYPE),
        )
        .await
        .map_err(|e| failed("manifest", e))?;
    Ok((manifest_digest, layer_digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn references_parse_with_an_explicit_registry() {
        let r: OciRef = "oci://127.0.0.1:5000/connectors/dynamodb:0.2.0"
            .parse()
            .unwrap();
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "connectors/dynamodb");
        assert_eq!(r.tag.as_deref(), Some("0.2.0"));
        assert_eq!(r.digest, None);
        assert_eq!(
            r.to_string(),
            "oci://127.0.0.1:5000/connectors/dynamodb:0.2.0"
        );
        assert!(r.is_loopback());

        let r: OciRef = format!("oci://ghcr.io/acme/dynamodb@{D}").parse().unwrap();
        assert_eq!(
            (r.tag.as_deref(), r.digest.as_ref().map(|d| d.to_string())),
            (None, Some(D.to_string()))
        );
        assert!(!r.is_loopback());
        assert_eq!(r.to_string(), format!("oci://ghcr.io/acme/dynamodb@{D}"));

        let r: OciRef = format!("oci://localhost/x:v1@{D}").parse().unwrap();
        assert_eq!(r.tag.as_deref(), Some("v1"));
        assert!(r.is_loopback());
        let r: OciRef = "oci://[::1]:5000/x".parse().unwrap();
        assert_eq!(r.tag.as_deref(), Some("latest"));
        assert_eq!(r.host(), "::1");
        assert!(r.is_loopback());
        for host in ["127.9.9.9:1", "LOCALHOST:80"] {
            let r: OciRef = format!("oci://{host}/x:y").parse().unwrap();
            assert!(r.is_loopback(), "{host}");
        }
        for host in [
            "10.0.0.1:5000",
            "localhost.example.com",
            "169.254.169.254",
            "[::2]:5000",
        ] {
            let r: OciRef = format!("oci://{host}/x:y").parse().unwrap();
            assert!(!r.is_loopback(), "{host}");
        }
    }

    #[test]
    fn malformed_references_are_refused() {
        for bad in [
            "127.0.0.1:5000/x:y",
            "oci://",
            "oci://host",
            "oci:///repo:tag",
            "oci://user:pw@host/repo:tag",
            "oci://host/Repo:tag",
            "oci://host/repo:tag@sha512:abcd",
            "oci://host/repo@sha256:abcd",
            "oci://host/repo:bad tag",
        ] {
            assert!(bad.parse::<OciRef>().is_err(), "{bad}");
        }
    }

    #[test]
    fn only_a_one_layer_wasm_artifact_is_accepted() {
        let r: OciRef = "oci://localhost/x:y".parse().unwrap();
        let manifest = |config: &str, layers: &str| {
            format!(
                r#"{{"schemaVersion":2,"config":{{"mediaType":"{config}","digest":"{D}","size":2}},"layers":[{layers}]}}"#
            )
        };
        let wasm = format!(r#"{{"mediaType":"application/wasm","digest":"{D}","size":10}}"#);
        let layer = wasm_layer(manifest(WASM_CONFIG_MEDIA_TYPE, &wasm).as_bytes(), &r).unwrap();
        assert_eq!(layer.digest, D);
        let image = "application/vnd.oci.image.config.v1+json";
        assert!(
            wasm_layer(manifest(image, &wasm).as_bytes(), &r)
                .unwrap_err()
                .contains("not a Wasm component artifact")
        );
        let two = format!("{wasm},{wasm}");
        assert!(
            wasm_layer(manifest(WASM_CONFIG_MEDIA_TYPE, &two).as_bytes(), &r)
                .unwrap_err()
                .contains("one layer")
        );
        let tar = wasm.replace("application/wasm", "application/vnd.oci.image.layer.v1.tar");
        assert!(wasm_layer(manifest(WASM_CONFIG_MEDIA_TYPE, &tar).as_bytes(), &r).is_err());
        let huge = wasm.replace("\"size\":10", "\"size\":999999999999");
        assert!(
            wasm_layer(manifest(WASM_CONFIG_MEDIA_TYPE, &huge).as_bytes(), &r)
                .unwrap_err()
                .contains("at most")
        );
    }
}
