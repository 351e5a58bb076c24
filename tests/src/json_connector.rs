//! The test-only JSON connector (`tests/json-connector/`): a second connector of the world,
//! which catalogs a JSON document served over HTTP ([`crate::json_document`] serves one). It
//! shows that the host runs any connector of the world: the host names it nowhere.
//!
//! Built once per test process like the hostile guest ([`crate::hostile`]), with the same flags
//! and into the same target directory, so that their shared dependencies compile once; never
//! in the workspace's own directories, whose build lock `cargo test` holds.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The JSON connector's `.wasm`, built on first use.
pub fn component() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(build)
}

fn build() -> PathBuf {
    let manifest = crate::workspace_root().join("tests/json-connector/Cargo.toml");
    let target_dir = crate::hostile::target_dir();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "build",
            "--locked",
            "--release",
            "--target",
            "wasm32-wasip2",
        ])
        .arg("--manifest-path")
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target_dir)
        // Flags meant for the test build (a native CPU, say) must not reach the guest.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .output()
        .expect("run cargo to build the JSON connector");
    assert!(
        output.status.success(),
        "building {} failed:\n{}",
        manifest.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let wasm = target_dir.join("wasm32-wasip2/release/json_connector.wasm");
    assert!(wasm.is_file(), "{} was not built", wasm.display());
    wasm
}
