//! Where the connector component is, so that the common case needs no flag: next to the
//! `ddb-catalog` executable (an installed pair), or where `cargo build` puts it in this
//! workspace.

use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "dynamodb_connector.wasm";
pub const BUILD_HINT: &str =
    "build it with `scripts/build.sh` (or `scripts/build-component.sh`), or pass --component PATH";

pub fn locate(explicit: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(path) = explicit {
        return if path.is_file() {
            Ok(path.to_path_buf())
        } else {
            Err(format!("no component at {}", path.display()))
        };
    }
    let candidates = candidates();
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| {
            let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
            format!(
                "cannot find the connector component (looked at {}); {BUILD_HINT}",
                looked.join(", ")
            )
        })
}

fn candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        out.push(dir.join(FILE_NAME));
        // target/<profile>/ddb-catalog -> target/component/ (scripts/build-component.sh), then
        // cargo's own, unoptimised, output
        if let Some(target) = dir.parent() {
            out.push(target.join("component").join(FILE_NAME));
            out.push(target.join("wasm32-wasip2/component").join(FILE_NAME));
        }
        // target/<profile>/deps/<test binary> -> the same, one level up
        if let Some(target) = dir.parent().and_then(Path::parent) {
            out.push(target.join("component").join(FILE_NAME));
            out.push(target.join("wasm32-wasip2/component").join(FILE_NAME));
        }
    }
    out
}
