//! The test-only JSON connector (`tests/json-connector/`): a second connector of the world,
//! which catalogs a JSON document served over HTTP ([`crate::json_document`] serves one). It
//! shows that the host runs any connector of the world: the host names it nowhere.
//!
//! Built once per test process like the hostile guest ([`crate::hostile`]), with the same flags
//! and into the same target directory, so that their shared dependencies compile once; never
//! in the workspace's own directories, whose build lock `cargo test` holds.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The JSON connector's `.wasm`, built on first use.
pub fn component() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(build)
}

fn build() -> PathBuf {
    crate::hostile::build_guest(
        "tests/json-connector",
        "json_connector",
        crate::hostile::target_dir(),
        &[],
    )
}
