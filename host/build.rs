fn main() {
    // A build script runs on the building machine: the target is in CARGO_CFG_*, not cfg!().
    let target = |key: &str| std::env::var(key).unwrap_or_default();
    if target("CARGO_CFG_TARGET_OS") != "linux" || target("CARGO_CFG_TARGET_ENV") == "musl" {
        // Not for musl: its static build is static-pie (rcrt1.o relocates itself), and with
        // -no-pie the binary is left unrelocated and crashes at start (rust-lang/rust#95926).
        // Its symbols also differ (another target, other hashes), so hot-code.txt does not fit.
        return;
    }
    // A position-dependent executable: its relocations are resolved when it is linked, so the
    // loader writes no page of it at start-up (docs/benchmarks.md, "Where the memory goes").
    println!("cargo:rustc-link-arg-bin=ddb-catalog=-no-pie");
    // The functions a run executes, first and together (lld, the linker rustc uses on
    // x86_64 Linux): Linux maps 64 KiB around each page fault in a file, so code spread over
    // the executable made a run map 8.6 MiB of it instead of 5.0. scripts/hot-code.sh
    // measures the list; tests/tests/all/hot_code.rs fails when it no longer fits the binary.
    let hot = std::path::Path::new(&target("CARGO_MANIFEST_DIR")).join("hot-code.txt");
    println!("cargo:rerun-if-changed={}", hot.display());
    println!("cargo:rerun-if-changed=build.rs");
    println!(
        "cargo:rustc-link-arg-bin=ddb-catalog=-Wl,--symbol-ordering-file={}",
        hot.display()
    );
    println!("cargo:rustc-link-arg-bin=ddb-catalog=-Wl,--no-warn-symbol-ordering");
}
