fn main() {
    // A position-dependent executable: its relocations are resolved when it is linked, so the
    // loader writes no page of it at start-up (docs/benchmarks.md, "Where the memory goes").
    // A build script runs on the building machine: the target is in CARGO_CFG_*, not cfg!().
    // Not for musl: its static build is static-pie (rcrt1.o relocates itself), and with
    // -no-pie the binary is left unrelocated and crashes at start (rust-lang/rust#95926).
    let target = |key: &str| std::env::var(key).unwrap_or_default();
    if target("CARGO_CFG_TARGET_OS") == "linux" && target("CARGO_CFG_TARGET_ENV") != "musl" {
        println!("cargo:rustc-link-arg-bin=ddb-catalog=-no-pie");
    }
}
