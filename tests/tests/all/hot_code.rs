//! The functions a run executes sit together at the start of the host's machine code
//! (host/hot-code.txt, laid out by lld through host/build.rs; scripts/hot-code.sh measures
//! them). Linux maps 64 KiB of a file around every page fault, so the same code spread over
//! the executable's 20 MB made a run map 8.6 MiB of it instead of 5.0 (docs/benchmarks.md,
//! "Where the memory goes").

use std::collections::HashSet;

use e2e::host;
use object::{Object, ObjectSection, ObjectSymbol, SymbolKind};

const HOT_CODE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../host/hot-code.txt");
const MEASURED_WITH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../host/hot-code.inputs");

/// What changed since the list was measured (compiler, Cargo.lock), or nothing. The mangled names
/// in the list carry hashes of their crates' versions and of the compiler, so after a bump a
/// part of the list no longer names anything: the binary still works, it maps more of its code
/// (scripts/bench.sh shows how much) until scripts/hot-code.sh measures a new list.
fn inputs_changed_since_the_list() -> Vec<String> {
    let recorded = std::fs::read_to_string(MEASURED_WITH).unwrap();
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let rustc = String::from_utf8(rustc.stdout).unwrap().trim().to_string();
    let lock = std::process::Command::new("sha256sum")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"))
        .output()
        .unwrap();
    let lock = String::from_utf8(lock.stdout).unwrap();
    let lock = format!("Cargo.lock {}", lock.split_whitespace().next().unwrap());
    let recorded: Vec<&str> = recorded.lines().filter(|l| !l.starts_with('#')).collect();
    [rustc, lock]
        .into_iter()
        .filter(|now| !recorded.contains(&now.as_str()))
        .collect()
}

#[test]
fn the_functions_a_run_executes_sit_together_at_the_start_of_the_code() {
    let listed_text = std::fs::read_to_string(HOT_CODE).unwrap();
    let listed: HashSet<&str> = listed_text.lines().filter(|l| !l.is_empty()).collect();
    assert!(
        listed.len() > 1_000,
        "{HOT_CODE} lists only {} functions",
        listed.len()
    );

    let binary = host::binary();
    let bytes = std::fs::read(&binary).unwrap();
    let file = object::File::parse(&*bytes).unwrap();
    let text = file
        .section_by_name(".text")
        .expect("the host has a .text section");
    let text_start = text.address();
    let functions: Vec<(u64, u64, &str)> = file
        .symbols()
        .filter(|s| s.kind() == SymbolKind::Text && s.section_index() == Some(text.index()))
        .filter_map(|s| Some((s.address(), s.size(), s.name().ok()?)))
        .collect();

    // A list measured on another build of the dependencies or the toolchain names functions
    // (their mangled names carry a hash) that this binary does not have. Local functions that
    // LLVM exported across codegen units carry a `.llvm.<hash of their unit>` suffix, which
    // changes whenever anything in the unit does: only the other names are held to the list.
    let hot: Vec<&(u64, u64, &str)> = functions.iter().filter(|f| listed.contains(f.2)).collect();
    let found: HashSet<&str> = hot.iter().map(|f| f.2).collect();
    let stable = |names: &HashSet<&str>| names.iter().filter(|n| !n.contains(".llvm.")).count();
    let (stable_listed, stable_found) = (stable(&listed), stable(&found));
    let changed = inputs_changed_since_the_list();
    if changed.is_empty() {
        assert!(
            stable_found * 100 >= stable_listed * 95,
            "{HOT_CODE} is stale: {stable_found} of its {stable_listed} functions (without \
             `.llvm.` suffixes) are in {}, built from the inputs it was measured with. \
             Regenerate it: bash scripts/hot-code.sh",
            binary.display()
        );
    } else {
        eprintln!(
            "warning: {HOT_CODE} was measured before {}: {stable_found} of its {stable_listed} \
             functions (without `.llvm.` suffixes) are in this build, and a run maps more of \
             its code for each one missing. Regenerate it: bash scripts/hot-code.sh",
            changed.join(" and ")
        );
        if hot.len() < 100 {
            return;
        }
    }

    // Laid out together: the listed functions fill the start of .text, with little else among
    // them (lld keeps what it cannot move, such as code of the C runtime, where it is).
    let hot_end = hot.iter().map(|f| f.0 + f.1).max().unwrap();
    let hot_bytes: u64 = hot.iter().map(|f| f.1).sum();
    let span = hot_end - text_start;
    let others_inside = functions
        .iter()
        .filter(|f| f.0 < hot_end && !listed.contains(f.2))
        .count();
    assert!(
        span <= hot_bytes + hot_bytes / 10 + 64 * 1024,
        "the {} listed functions ({} KiB) spread over the first {} KiB of .text, with {} others \
         among them: is host/build.rs's --symbol-ordering-file reaching the linker?",
        hot.len(),
        hot_bytes / 1024,
        span / 1024,
        others_inside
    );
    assert!(
        span < text.size() / 2,
        "the hot code spans {} KiB of {} KiB: it is not at the start",
        span / 1024,
        text.size() / 1024
    );
}
