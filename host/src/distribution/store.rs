//! The content-addressed store of components fetched from registries, under the compile cache
//! directory: `components/sha256/<hex>` (the component's bytes) and `manifests/sha256/<hex>`
//! (the manifest's bytes, which name the layer). Every entry is checked against its digest
//! whenever it is read: a changed entry is refused, and removed so that the next run fetches it
//! again. A pinned reference (`@sha256:`) whose manifest and layer are here runs without the
//! registry.

use super::digest::Digest;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Component,
    Manifest,
}

impl Kind {
    fn dir(self) -> &'static str {
        match self {
            Kind::Component => "components",
            Kind::Manifest => "manifests",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Kind::Component => "component",
            Kind::Manifest => "manifest",
        }
    }
}

impl Store {
    /// A store under `root` (the compile cache directory).
    pub fn new(root: &Path) -> Store {
        Store {
            root: root.to_path_buf(),
        }
    }

    /// Where the component of `digest` is (or would be) stored.
    pub fn component_path(&self, digest: &Digest) -> PathBuf {
        self.path(Kind::Component, digest)
    }

    fn path(&self, kind: Kind, digest: &Digest) -> PathBuf {
        self.root.join(kind.dir()).join("sha256").join(digest.hex())
    }

    /// The component of `digest`, if stored, checked against its digest.
    pub fn component(&self, digest: &Digest) -> Result<Option<Vec<u8>>, String> {
        self.read(Kind::Component, digest)
    }

    /// The manifest of `digest`, if stored, checked against its digest.
    pub fn manifest(&self, digest: &Digest) -> Result<Option<Vec<u8>>, String> {
        self.read(Kind::Manifest, digest)
    }

    pub fn put_component(&self, digest: &Digest, bytes: &[u8]) -> Result<PathBuf, String> {
        self.write(Kind::Component, digest, bytes)
    }

    pub fn put_manifest(&self, digest: &Digest, bytes: &[u8]) -> Result<PathBuf, String> {
        self.write(Kind::Manifest, digest, bytes)
    }

    fn read(&self, kind: Kind, digest: &Digest) -> Result<Option<Vec<u8>>, String> {
        let path = self.path(kind, digest);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        if !digest.matches(&bytes) {
            let _ = std::fs::remove_file(&path);
            return Err(format!(
                "the cached {} {} does not match its digest (its bytes are {}): refused, and \
                 removed from the cache",
                kind.what(),
                path.display(),
                Digest::of(&bytes)
            ));
        }
        Ok(Some(bytes))
    }

    fn write(&self, kind: Kind, digest: &Digest, bytes: &[u8]) -> Result<PathBuf, String> {
        debug_assert!(digest.matches(bytes));
        let path = self.path(kind, digest);
        let dir = path.parent().expect("a store path has a parent");
        create_private_dir(&self.root)
            .and_then(|()| std::fs::create_dir_all(dir))
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let tmp = dir.join(format!(".tmp-{}-{}", std::process::id(), digest.hex()));
        std::fs::write(&tmp, bytes)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                format!("cannot store {}: {e}", path.display())
            })?;
        Ok(path)
    }
}

/// The cache directory, created readable by this user only (as the compile cache does).
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_read_back_only_when_they_match_their_digest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let bytes = b"\0asm component bytes".to_vec();
        let digest = Digest::of(&bytes);
        assert_eq!(store.component(&digest).unwrap(), None);
        let path = store.put_component(&digest, &bytes).unwrap();
        assert_eq!(path, store.component_path(&digest));
        assert_eq!(store.component(&digest).unwrap(), Some(bytes.clone()));

        let mut changed = bytes.clone();
        changed[3] ^= 1;
        std::fs::write(&path, &changed).unwrap();
        let error = store.component(&digest).unwrap_err();
        assert!(error.contains("does not match its digest"), "{error}");
        assert!(!path.exists(), "a changed entry is removed");
    }
}
