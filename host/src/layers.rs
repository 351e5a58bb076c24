//! The host's layers, bottom to top, and the test that holds its modules to them: a module
//! imports only from its own layer or those below, and no two parts of the host import each
//! other, directly or around a circle. A part is a row's module with its submodules (a module
//! and its own children may refer to each other; `openmetadata::fqn` is its own part, below the
//! workflow, while the rest of `openmetadata` sits above it).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Bottom to top.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundations: text, secrets, bounded lists, OpenMetadata's names, the contract's types",
        &[
            "sanitize",
            "secret",
            "code_pages",
            "component_path",
            "live_display",
            "bounded",
            "openmetadata::fqn",
            "runtime::bindings",
            "config_check",
            "connector",
        ],
    ),
    (
        "the workflow envelope, logging, and what the guest returns checked against the workflow",
        &[
            "pipeline",
            "workflow",
            "logging",
            "scope",
            "entities",
            "aws_credentials",
            "config_keys",
        ],
    ),
    (
        "capabilities: the sandbox, the distribution of components, the OpenMetadata client",
        &["runtime", "distribution", "openmetadata"],
    ),
    (
        "sinks, behind one trait (`sink::Sink`) with neutral outcomes",
        &["sink"],
    ),
    (
        "a run: its progress, summary, report and pipeline status",
        &["progress", "summary", "report", "pipeline_status", "runner"],
    ),
    ("the command line", &["cli", "commands", "main"]),
];

/// The part a module belongs to (the longest row of [`LAYERS`] that is it or contains it), and
/// that part's layer.
fn part_of(module: &str) -> Option<(&'static str, usize)> {
    LAYERS
        .iter()
        .enumerate()
        .flat_map(|(layer, (_, parts))| parts.iter().map(move |p| (*p, layer)))
        .filter(|(part, _)| module == *part || module.starts_with(&format!("{part}::")))
        .max_by_key(|(part, _)| part.len())
}

/// The module a source file holds: `sink/rest/mod.rs` is `sink::rest`; `main.rs` is `main`.
fn module_of(relative: &Path) -> String {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// Every path a source names from the crate root: `crate::a::b`, `crate::{a, b::{c}}`,
/// `super::x` (resolved from `module`), and `ddb_catalog::a` in the binary. Comments are left
/// out; so is a `#[cfg(test)] mod tests` block's `super` (it is the module itself).
fn named_paths(module: &str, source: &str) -> Vec<String> {
    let (code, tests) = match source.find("#[cfg(test)]\nmod tests") {
        Some(at) => source.split_at(at),
        None => (source, ""),
    };
    let strip = |text: &str| -> String {
        text.lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let parent = module.rsplit_once("::").map_or("", |(p, _)| p);
    let mut paths = Vec::new();
    for (text, super_is) in [(strip(code), parent), (strip(tests), module)] {
        for (root, base) in [
            ("crate::", String::new()),
            ("ddb_catalog::", String::new()),
            ("super::", super_is.to_string()),
        ] {
            let mut rest = text.as_str();
            while let Some(at) = rest.find(root) {
                let before = rest[..at].chars().next_back();
                rest = &rest[at + root.len()..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                let mut found = Vec::new();
                use_tree(rest, &base, &mut found);
                paths.extend(found);
            }
        }
    }
    paths
}

/// Reads a use tree (`a::b`, `a::{b, c::d}`, `{a, b}`) at the start of `text`, pushing each full
/// path under `prefix`; returns how much of `text` it read.
fn use_tree(text: &str, prefix: &str, out: &mut Vec<String>) -> usize {
    let mut path = prefix.to_string();
    let mut at = 0;
    loop {
        if text[at..].starts_with('{') {
            at += 1;
            loop {
                at += text[at..].len() - text[at..].trim_start().len();
                if text[at..].starts_with('}') {
                    return at + 1;
                }
                at += use_tree(&text[at..], &path, out);
                at += text[at..].len() - text[at..].trim_start().len();
                if text[at..].starts_with(',') {
                    at += 1;
                } else if text[at..].starts_with('}') {
                    return at + 1;
                } else {
                    // ` as name`: skip to what follows it.
                    match text[at..].find([',', '}']) {
                        Some(stop) => at += stop,
                        None => return text.len(),
                    }
                }
            }
        }
        let start = at;
        at += text[at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(text.len() - at);
        if at > start {
            path = if path.is_empty() {
                text[start..at].to_string()
            } else {
                format!("{path}::{}", &text[start..at])
            };
        }
        if at > start && text[at..].starts_with("::") {
            at += 2;
            continue;
        }
        out.push(path);
        return at;
    }
}

/// What is wrong with the imports between `sources` (module, text): each upward import, each
/// module with no layer, and each circle of parts importing each other.
fn problems(sources: &[(String, String)]) -> Vec<String> {
    let modules: BTreeSet<&str> = sources.iter().map(|(m, _)| m.as_str()).collect();
    let resolve = |path: &str| -> Option<&str> {
        let mut candidate = path;
        loop {
            if let Some(found) = modules.get(candidate) {
                return Some(found);
            }
            candidate = candidate.rsplit_once("::")?.0;
        }
    };
    let mut problems = Vec::new();
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (module, source) in sources {
        let Some((from, from_layer)) = part_of(module) else {
            problems.push(format!("`{module}` is in no layer of host/src/layers.rs"));
            continue;
        };
        edges.entry(from).or_default();
        for path in named_paths(module, source) {
            let Some(target) = resolve(&path) else {
                continue;
            };
            let Some((to, to_layer)) = part_of(target) else {
                continue;
            };
            if to == from {
                continue;
            }
            if to_layer > from_layer {
                problems.push(format!(
                    "`{module}` ({}) imports `{path}` from a layer above ({})",
                    LAYERS[from_layer].0, LAYERS[to_layer].0
                ));
            }
            edges.entry(from).or_default().insert(to);
        }
    }
    for circle in circles(&edges) {
        problems.push(format!("a circle of imports: {}", circle.join(" -> ")));
    }
    problems
}

/// The strongly connected parts of more than one node (Tarjan), each as a closed path.
fn circles<'a>(edges: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Vec<Vec<&'a str>> {
    struct Walk<'a, 'e> {
        edges: &'e BTreeMap<&'a str, BTreeSet<&'a str>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<&'a str>>,
    }
    impl<'a> Walk<'a, '_> {
        fn visit(&mut self, node: &'a str) {
            let n = self.index.len();
            self.index.insert(node, n);
            self.low.insert(node, n);
            self.stack.push(node);
            for &next in self.edges.get(node).into_iter().flatten() {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node, low);
                } else if self.stack.contains(&next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let at = self.stack.iter().rposition(|n| *n == node).unwrap_or(0);
                let mut component: Vec<&'a str> = self.stack.split_off(at);
                if component.len() > 1 {
                    component.sort();
                    component.push(component[0]);
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for &node in edges.keys() {
        if !walk.index.contains_key(node) {
            walk.visit(node);
        }
    }
    walk.found
}

fn host_sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(root).unwrap();
                let module = module_of(relative);
                if module != "lib" && module != "layers" {
                    out.push((module, std::fs::read_to_string(&path).unwrap()));
                }
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = Vec::new();
    walk(&root, &root, &mut sources);
    sources.sort();
    sources
}

/// Where the host may name the connector it ships with: the bundled component's file name, its
/// registry metadata, and the command line's help and examples. Everything else is the
/// connector's own declaration (`connector.rs`).
const MAY_NAME_THE_BUNDLED_CONNECTOR: &[&str] =
    &["component_path", "distribution::metadata", "cli"];

#[test]
fn the_host_names_dynamodb_only_where_it_ships_the_bundled_component() {
    let mut found = Vec::new();
    for (module, source) in host_sources() {
        if MAY_NAME_THE_BUNDLED_CONNECTOR.contains(&module.as_str()) {
            continue;
        }
        // Code only: up to the test module, comments left out.
        let code = source.split("#[cfg(test)]").next().unwrap_or_default();
        for (number, line) in code.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            if line.to_ascii_lowercase().contains("dynamodb") {
                found.push(format!("{module}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the host names DynamoDB:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_host_imports_only_downwards_and_in_no_circle() {
    let sources = host_sources();
    assert!(sources.len() > 40, "{} modules found", sources.len());
    let problems = problems(&sources);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_circle_and_an_upward_import_are_found() {
    let source = |m: &str, s: &str| (m.to_string(), s.to_string());
    // Two of the circles this test was written against, as they were.
    let before = [
        source("logging", "fn w() { crate::progress::suspend(|| ()) }"),
        source("progress", "use crate::logging::{self, Fields};"),
        source(
            "workflow",
            "use crate::secret::Secret;\nfn c() { crate::sink::SinkSpec::from_workflow() }",
        ),
        source("sink", "use crate::workflow::{Sink, Workflow};"),
        source("sink::file", "use super::{Format, SinkSpec};"),
        source("secret", ""),
    ];
    let found = problems(&before);
    assert!(
        found.contains(&"a circle of imports: logging -> progress -> logging".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"a circle of imports: sink -> workflow -> sink".to_string()),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("`workflow` (") && p.contains("imports `sink::SinkSpec")),
        "{found:?}"
    );
    // A module and its own children may refer to each other; a comment names nothing.
    let after = [
        source("sink", "use crate::workflow::Workflow;\nmod file;"),
        source("sink::file", "use super::{Format, SinkSpec};"),
        source(
            "workflow",
            "//! Written by [`crate::sink`].\nuse crate::secret::Secret;",
        ),
        source("secret", ""),
    ];
    assert_eq!(problems(&after), Vec::<String>::new());
    assert_eq!(
        problems(&[source("newcomer", "")]),
        vec!["`newcomer` is in no layer of host/src/layers.rs".to_string()]
    );
}

#[test]
fn use_trees_are_read_whole() {
    assert_eq!(
        named_paths(
            "sink::rest::tables",
            "use crate::{a::{b, c::{d as e}}, f};\nuse super::{X, y::Z};\nlet v = crate::g::h(1);"
        ),
        vec![
            "a::b",
            "a::c::d",
            "f",
            "g::h",
            "sink::rest::X",
            "sink::rest::y::Z"
        ]
    );
}
