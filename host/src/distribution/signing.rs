//! Embedded Ed25519 signatures (the WebAssembly signatures proposal, `wasmsign2`): the signature
//! is a custom section at the start of the component, over the hash of everything after it, so
//! it travels with the bytes through any registry, mirror or copy, and is checked here with no
//! network. Keys are Ed25519 in PEM (PKCS#8 / SPKI, as OpenSSL writes them; wasmsign2's raw
//! and DER forms are read too); a key's id is wasmsign2's default: 12 bytes of
//! HMAC-SHA256("key_id", public key), shown in hex.

use std::fmt;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use wasmsign2::{KeyPair, Module, PublicKey, SecretKey, Section, WSError};

/// wasmsign2's signed message: its domain, version, content type and hash function, then the
/// signed hashes (`signature/multi.rs`, `valid_hashes_for_pk`).
const SIGNED_MESSAGE_PREFIX: &[u8] = b"wasmsig\x01\x01\x01";

/// A public key trusted to sign components, with its id.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    key: PublicKey,
    pub id: String,
}

/// The id of a public key: hex of wasmsign2's default key id.
fn key_id(key: &ed25519_compact::PublicKey) -> (Vec<u8>, String) {
    let with_id = PublicKey {
        pk: *key,
        key_id: None,
    }
    .attach_default_key_id();
    let raw = with_id.key_id.unwrap_or_default();
    let hex = hex(&raw);
    (raw, hex)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes a new key pair: `PREFIX.key` (the secret key, readable by this user only) and
/// `PREFIX.pub`. Existing files are never overwritten. Returns both paths and the key's id.
pub fn keygen(prefix: &Path) -> Result<(PathBuf, PathBuf, String), String> {
    let secret_path = with_suffix(prefix, "key");
    let public_path = with_suffix(prefix, "pub");
    for path in [&secret_path, &public_path] {
        if path.exists() {
            return Err(format!(
                "{} exists: not overwriting a key; choose another --out",
                path.display()
            ));
        }
    }
    let pair = KeyPair::generate();
    let (_, id) = key_id(&pair.pk.pk);
    write_new(&secret_path, pair.sk.to_pem().as_bytes(), 0o600)?;
    write_new(&public_path, pair.pk.to_pem().as_bytes(), 0o644)?;
    Ok((secret_path, public_path, id))
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_os_string();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    options
        .open(path)
        .and_then(|mut file| file.write_all(bytes))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A signing key from a file (PEM, DER or wasmsign2's raw form). The error never holds the
/// key's bytes.
pub fn load_secret_key(path: &Path) -> Result<SecretKey, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read the key {}: {e}", path.display()))?;
    SecretKey::from_any(&bytes).map_err(|_| {
        format!(
            "{} is not an Ed25519 secret key (PEM, DER or wasmsign2's raw form)",
            path.display()
        )
    })
}

/// A trusted public key from a file (PEM, DER or wasmsign2's raw form).
pub fn load_public_key(path: &Path) -> Result<TrustedKey, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read the public key {}: {e}", path.display()))?;
    let key = PublicKey::from_any(&bytes).map_err(|_| {
        format!(
            "{} is not an Ed25519 public key (PEM, DER or wasmsign2's raw form)",
            path.display()
        )
    })?;
    Ok(trusted(key.pk))
}

fn trusted(pk: ed25519_compact::PublicKey) -> TrustedKey {
    let (raw, id) = key_id(&pk);
    TrustedKey {
        key: PublicKey {
            pk,
            key_id: Some(raw),
        },
        id,
    }
}

/// The id of the key that signs with `secret`.
pub fn secret_key_id(secret: &SecretKey) -> String {
    key_id(&secret.sk.public_key()).1
}

/// `component` signed with `secret` (a signature it already carries is replaced), with the
/// key's id in the signature.
pub fn sign(component: &[u8], secret: &SecretKey) -> Result<Vec<u8>, String> {
    let module = Module::deserialize(&mut Cursor::new(component))
        .map_err(|e| format!("not a WebAssembly component: {e}"))?;
    let (raw_id, _) = key_id(&secret.sk.public_key());
    let signed = secret
        .sign(module, Some(&raw_id))
        .map_err(|e| format!("cannot sign: {e}"))?;
    let mut out = Vec::with_capacity(component.len() + 128);
    signed
        .serialize(&mut out)
        .map_err(|e| format!("cannot sign: {e}"))?;
    Ok(out)
}

/// The signatures a component carries, as far as can be read without a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signatures {
    /// Ids of the keys that say they signed (hex; not checked).
    pub key_ids: Vec<String>,
    /// Signatures in all, with or without a key id.
    pub count: usize,
}

/// The component's signatures: `None` when it is not signed.
pub fn signatures(component: &[u8]) -> Result<Option<Signatures>, String> {
    if component.len() <= 8 {
        // A header and no section (wasmsign2 finds no first section to read).
        return Ok(None);
    }
    match wasmsign2::signature_info_from_reader(&mut Cursor::new(component), None) {
        Ok(info) => Ok(Some(Signatures {
            key_ids: info.key_ids().iter().map(|id| hex(id)).collect(),
            count: info.signature_count(),
        })),
        Err(WSError::NoSignatures) => Ok(None),
        Err(e) => Err(format!("its signature section cannot be read: {e}")),
    }
}

/// Why a component is refused under `--trust-key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotSigned,
    NotTrusted {
        trusted: Vec<String>,
        signed_by: Vec<String>,
    },
    /// A trusted key signed a hash that is not the component's: bytes were changed after
    /// signing.
    Changed,
    Unreadable(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotSigned => write!(
                f,
                "the component is not signed (--trust-key runs only components signed by a trusted key)"
            ),
            Refusal::NotTrusted { trusted, signed_by } => write!(
                f,
                "the component is signed, but not by a trusted key (trusted: {}; signed by: {})",
                trusted.join(", "),
                if signed_by.is_empty() {
                    "a key without an id".to_string()
                } else {
                    signed_by.join(", ")
                }
            ),
            Refusal::Changed => write!(
                f,
                "the component's signature does not match its bytes: it was changed after signing"
            ),
            Refusal::Unreadable(why) => {
                write!(f, "the component's signature cannot be read: {why}")
            }
        }
    }
}

/// Checks that a trusted key signed exactly these bytes; returns the ids of the keys that did.
pub fn verify(component: &[u8], trusted: &[TrustedKey]) -> Result<Vec<String>, Refusal> {
    let set = wasmsign2::PublicKeySet::new(trusted.iter().map(|t| t.key.clone()).collect());
    match set.verify(&mut Cursor::new(component), None) {
        Ok(keys) => {
            let mut ids: Vec<String> = trusted
                .iter()
                .filter(|t| keys.contains(&t.key))
                .map(|t| t.id.clone())
                .collect();
            ids.dedup();
            Ok(ids)
        }
        Err(WSError::NoSignatures) => Err(Refusal::NotSigned),
        Err(WSError::VerificationFailed) => Err(why_not_verified(component, trusted)),
        Err(e) => Err(Refusal::Unreadable(e.to_string())),
    }
}

/// Tells a signature by another key from a trusted signature over other bytes.
fn why_not_verified(component: &[u8], trusted: &[TrustedKey]) -> Refusal {
    let data = match signature_section(component) {
        Ok(data) => data,
        Err(why) => return Refusal::Unreadable(why),
    };
    let mut signed_by = Vec::new();
    for signed in &data.signed_hashes_set {
        let mut message = SIGNED_MESSAGE_PREFIX.to_vec();
        for hash in &signed.hashes {
            message.extend_from_slice(hash);
        }
        for signature in &signed.signatures {
            if let Some(id) = &signature.key_id {
                signed_by.push(hex(id));
            }
            let Ok(sig) = ed25519_compact::Signature::from_slice(&signature.signature) else {
                continue;
            };
            let by_trusted = trusted.iter().any(|t| {
                let id_fits = match (&signature.key_id, &t.key.key_id) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                };
                id_fits && t.key.pk.verify(&message, &sig).is_ok()
            });
            if by_trusted {
                return Refusal::Changed;
            }
        }
    }
    signed_by.sort();
    signed_by.dedup();
    Refusal::NotTrusted {
        trusted: trusted.iter().map(|t| t.id.clone()).collect(),
        signed_by,
    }
}

fn signature_section(component: &[u8]) -> Result<wasmsign2::SignatureData, String> {
    let mut reader = Cursor::new(component);
    let stream = Module::init_from_reader(&mut reader).map_err(|e| e.to_string())?;
    let mut sections = Module::iterate(stream).map_err(|e| e.to_string())?;
    match sections.next() {
        Some(Ok(Section::Custom(custom))) if custom.is_signature_header() => {
            custom.signature_data().map_err(|e| e.to_string())
        }
        Some(Err(e)) => Err(e.to_string()),
        _ => Err("no signature section".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A component with one custom section `note` holding `payload`.
    fn component(payload: &[u8]) -> Vec<u8> {
        let mut out = b"\0asm\x0d\x00\x01\x00".to_vec();
        let mut section = vec![4];
        section.extend_from_slice(b"note");
        section.extend_from_slice(payload);
        out.push(0);
        out.push(section.len() as u8);
        out.extend_from_slice(&section);
        out
    }

    fn pair() -> (SecretKey, TrustedKey) {
        let pair = KeyPair::generate();
        (pair.sk, trusted(pair.pk.pk))
    }

    #[test]
    fn a_signed_component_verifies_with_its_key_only() {
        let (secret, public) = pair();
        let (_, other) = pair();
        let bytes = component(b"hello");
        assert_eq!(signatures(&bytes).unwrap(), None);
        assert_eq!(
            verify(&bytes, std::slice::from_ref(&public)),
            Err(Refusal::NotSigned)
        );

        let signed = sign(&bytes, &secret).unwrap();
        assert_eq!(
            signatures(&signed).unwrap(),
            Some(Signatures {
                key_ids: vec![public.id.clone()],
                count: 1
            })
        );
        assert_eq!(secret_key_id(&secret), public.id);
        assert_eq!(
            verify(&signed, &[other.clone(), public.clone()]),
            Ok(vec![public.id.clone()])
        );
        assert_eq!(
            verify(&signed, std::slice::from_ref(&other)),
            Err(Refusal::NotTrusted {
                trusted: vec![other.id.clone()],
                signed_by: vec![public.id.clone()],
            })
        );
    }

    #[test]
    fn a_changed_byte_after_signing_is_told_apart_from_another_key() {
        let (secret, public) = pair();
        let mut signed = sign(&component(b"hello"), &secret).unwrap();
        let last = signed.len() - 1;
        signed[last] ^= 0x20;
        assert_eq!(verify(&signed, &[public]), Err(Refusal::Changed));
    }

    #[test]
    fn keys_round_trip_through_their_files() {
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().join("release");
        let (secret_path, public_path, id) = keygen(&prefix).unwrap();
        assert!(secret_path.ends_with("release.key") && public_path.ends_with("release.pub"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&secret_path)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let secret = load_secret_key(&secret_path).unwrap();
        let public = load_public_key(&public_path).unwrap();
        assert_eq!(public.id, id);
        assert_eq!(secret_key_id(&secret), id);
        let signed = sign(&component(b"x"), &secret).unwrap();
        assert_eq!(verify(&signed, &[public]), Ok(vec![id]));
        assert!(keygen(&prefix).unwrap_err().contains("not overwriting"));
        assert!(load_public_key(&secret_path).is_err() || load_secret_key(&public_path).is_err());
    }
}
