//! The test-only hostile guest (`tests/hostile-guest/`): built once per test process, the
//! configuration it reads, and what it reports having observed.
//!
//! It is built into its own target directory: `cargo test` holds the workspace's build lock
//! while tests run, so a nested build in the workspace's own directories would wait forever.

use ddb_catalog::runtime::bindings::types::Warning;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The hostile guest's `.wasm`, built on first use.
pub fn component() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build(false))
}

/// The hostile guest with its `files` and `sockets` probes: it imports `wasi:filesystem` and
/// `wasi:sockets`, which the host refuses at load.
pub fn component_with_forbidden_imports() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build(true))
}

/// The hostile guest whose manifest has a key reading the OpenMetadata server's token. Built
/// in the default build's directory (only the guest's own crate compiles again), one build at a
/// time, the `.wasm` copied out before the next build overwrites it.
pub fn component_with_stolen_manifest() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let _one_at_a_time = SAME_DIRECTORY.lock().unwrap_or_else(|e| e.into_inner());
        let built = build_in(target_dir(), &["--features", "steal-manifest"]);
        let copy = built.with_file_name("hostile_guest_steal_manifest.wasm");
        std::fs::copy(&built, &copy).expect("copy the hostile guest");
        copy
    })
}

/// Builds in [`target_dir`] wait for each other: they write the same `.wasm`.
static SAME_DIRECTORY: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// `hostile-guest` in the workspace's target directory (`$CARGO_TARGET_DIR` or `target/`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::workspace_root().join("target"))
        .join("hostile-guest")
}

fn build(forbidden_imports: bool) -> PathBuf {
    if forbidden_imports {
        let mut target_dir = target_dir();
        target_dir.set_file_name("hostile-guest-forbidden");
        return build_in(target_dir, &["--features", "forbidden-imports"]);
    }
    let _one_at_a_time = SAME_DIRECTORY.lock().unwrap_or_else(|e| e.into_inner());
    let built = build_in(target_dir(), &[]);
    let copy = built.with_file_name("hostile_guest_default.wasm");
    std::fs::copy(&built, &copy).expect("copy the hostile guest");
    copy
}

fn build_in(target_dir: PathBuf, features: &[&str]) -> PathBuf {
    build_guest("tests/hostile-guest", "hostile_guest", target_dir, features)
}

/// Builds the test-only guest crate at `crate_dir` (relative to the workspace) for
/// `wasm32-wasip2` into `target_dir`, and returns its `<wasm_name>.wasm`.
pub(crate) fn build_guest(
    crate_dir: &str,
    wasm_name: &str,
    target_dir: PathBuf,
    features: &[&str],
) -> PathBuf {
    let manifest = crate::workspace_root().join(crate_dir).join("Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "build",
            "--locked",
            "--release",
            "--target",
            "wasm32-wasip2",
        ])
        .args(features)
        .arg("--manifest-path")
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target_dir)
        // Flags meant for the test build (a native CPU, say) must not reach the guest.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .output()
        .expect("run cargo to build a test guest");
    assert!(
        output.status.success(),
        "building {} failed:\n{}",
        manifest.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let wasm = target_dir.join(format!("wasm32-wasip2/release/{wasm_name}.wasm"));
    assert!(wasm.is_file(), "{} was not built", wasm.display());
    wasm
}

/// The configuration of one hostile run: the `wasi:config/store` keys the guest reads.
#[derive(Debug, Clone)]
pub struct Setup {
    /// `hostile.mode`, e.g. `http-destinations` (tests/hostile-guest/src/mode.rs lists them).
    pub mode: String,
    /// `hostile.tenant`: a marker the guest writes to its log and returns.
    pub tenant: String,
    /// `hostile.allowed`: `http://host:port` of a destination on the run's allowlist.
    pub allowed: Option<String>,
    /// `hostile.forbidden`: `http://host:port` of a destination that is not.
    pub forbidden: Option<String>,
    /// `hostile.count`: how much of something, per mode.
    pub count: Option<u64>,
}

impl Setup {
    pub fn new(mode: &str, tenant: &str) -> Setup {
        Setup {
            mode: mode.to_string(),
            tenant: tenant.to_string(),
            allowed: None,
            forbidden: None,
            count: None,
        }
    }

    pub fn allowed(mut self, url: &str) -> Setup {
        self.allowed = Some(url.to_string());
        self
    }

    pub fn forbidden(mut self, url: &str) -> Setup {
        self.forbidden = Some(url.to_string());
        self
    }

    pub fn count(mut self, count: u64) -> Setup {
        self.count = Some(count);
        self
    }

    pub fn config(&self) -> Vec<(String, String)> {
        let mut pairs = vec![
            ("hostile.mode".to_string(), self.mode.clone()),
            ("hostile.tenant".to_string(), self.tenant.clone()),
        ];
        for (key, value) in [
            ("hostile.allowed", self.allowed.clone()),
            ("hostile.forbidden", self.forbidden.clone()),
            ("hostile.count", self.count.map(|n| n.to_string())),
        ] {
            if let Some(value) = value {
                pairs.push((key.to_string(), value));
            }
        }
        pairs
    }

    /// The line the guest writes first to its log.
    pub fn log_marker(&self) -> String {
        format!("hostile guest {}: mode {}", self.tenant, self.mode)
    }
}

/// What the guest observed, probe by probe, from the warnings of its ingestion.
pub fn observations(warnings: &[Warning]) -> Vec<(String, String)> {
    warnings
        .iter()
        .filter_map(|w| Some((w.table.clone()?, w.message.clone())))
        .collect()
}

/// What probe `probe` observed; panics, listing all observations, if it did not report.
pub fn observed<'a>(observations: &'a [(String, String)], probe: &str) -> &'a str {
    observations
        .iter()
        .find(|(p, _)| p == probe)
        .map(|(_, what)| what.as_str())
        .unwrap_or_else(|| panic!("probe `{probe}` reported nothing: {observations:#?}"))
}
