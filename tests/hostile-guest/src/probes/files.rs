//! The filesystem, through std and through `wasi:filesystem/preopens`: the run is given no
//! directory, so every path must fail.

use crate::observations::Observations;
use std::io;

pub fn probe(seen: &mut Observations) {
    seen.record(
        "read /etc/passwd",
        describe(std::fs::read_to_string("/etc/passwd").map(|t| format!("read {} bytes", t.len()))),
    );
    seen.record("list /", describe(list("/")));
    seen.record("list .", describe(list(".")));
    seen.record(
        "current directory",
        describe(std::env::current_dir().map(|p| p.display().to_string())),
    );
    seen.record(
        "write /tmp",
        describe(
            std::fs::write("/tmp/hostile-guest-was-here", b"x").map(|()| "written".to_string()),
        ),
    );
    seen.record(
        "preopens",
        format!(
            "{} directories",
            wasip2::filesystem::preopens::get_directories().len()
        ),
    );
}

fn list(path: &str) -> io::Result<String> {
    let names: Vec<String> = std::fs::read_dir(path)?
        .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<io::Result<_>>()?;
    Ok(format!("{} entries: {}", names.len(), names.join(" ")))
}

fn describe(result: io::Result<String>) -> String {
    result.unwrap_or_else(|e| format!("error: {e}"))
}
