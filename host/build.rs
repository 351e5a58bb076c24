fn main() {
    // A position-dependent executable: its relocations are resolved when it is linked, so the
    // loader writes no page of it at start-up (docs/benchmarks.md, "Where the memory goes").
    #[cfg(target_os = "linux")]
    println!("cargo:rustc-link-arg-bin=ddb-catalog=-no-pie");
}
