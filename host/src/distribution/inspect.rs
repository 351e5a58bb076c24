//! `ddb-catalog component inspect`: what a component says it is, what it is (digest,
//! signature, world) and what it reads (its configuration schema). Everything taken from the
//! component is untrusted and shown through the sanitiser.

use super::Resolved;
use super::metadata::Shown;
use super::signing::Signatures;
use super::wit::World;
use crate::sanitize::{self, MESSAGE_CHARS};
use serde_json::ser::{Formatter, PrettyFormatter};
use std::borrow::Cow;
use std::fmt::Write;
use std::io;

/// Lines of a block (WIT, schema) shown at most.
const MAX_BLOCK_LINES: usize = 2000;

pub struct Report<'a> {
    pub resolved: &'a Resolved,
    pub metadata: Result<Shown, String>,
    pub signatures: Result<Option<Signatures>, String>,
    /// Under `--trust-key`: the trusted keys that signed it (the check passed).
    pub verified_by: Option<Vec<String>>,
    pub world: Result<World, String>,
    /// The `configuration-schema` export's answer, or why there is none.
    pub schema: Result<String, String>,
}

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    let resolved = report.resolved;
    let _ = writeln!(out, "Component: {}", resolved.label);
    let _ = writeln!(
        out,
        "  digest: {} ({} bytes)",
        resolved.digest,
        resolved.bytes.len()
    );
    if let Some(fetched) = &resolved.fetched {
        let _ = writeln!(out, "  manifest: {}", fetched.manifest);
        let _ = writeln!(
            out,
            "  fetched: {}",
            if fetched.offline {
                "no, from the cache (a pinned reference)"
            } else {
                "from the registry (now in the cache)"
            }
        );
    }

    out.push_str("Metadata:\n");
    match &report.metadata {
        Ok(shown) => {
            let fields = shown.fields();
            if fields.is_empty() && shown.producers.is_empty() {
                out.push_str("  (none)\n");
            }
            for (field, value) in fields {
                let _ = writeln!(out, "  {field:<12} {}", sanitize::message(value));
            }
            if !shown.producers.is_empty() {
                let mut by_field: Vec<(String, Vec<String>)> = Vec::new();
                for (field, name, version) in &shown.producers {
                    let entry = if version.is_empty() {
                        sanitize::name(name).to_string()
                    } else {
                        format!("{} {}", sanitize::name(name), sanitize::name(version))
                    };
                    match by_field.iter_mut().find(|(f, _)| f == field) {
                        Some((_, entries)) => entries.push(entry),
                        None => by_field.push((field.clone(), vec![entry])),
                    }
                }
                for (field, entries) in by_field {
                    let _ = writeln!(
                        out,
                        "  {:<12} {}",
                        sanitize::name(&field).to_string(),
                        entries.join(", ")
                    );
                }
            }
        }
        Err(why) => {
            let _ = writeln!(out, "  unreadable: {}", sanitize::message(why));
        }
    }

    out.push_str("Signature: ");
    match (&report.signatures, &report.verified_by) {
        (_, Some(ids)) => {
            let _ = writeln!(out, "verified: signed by trusted key {}", ids.join(", "));
        }
        (Ok(None), None) => out.push_str("none (not signed)\n"),
        (Ok(Some(signatures)), None) => {
            let ids = if signatures.key_ids.is_empty() {
                "a key without an id".to_string()
            } else {
                signatures.key_ids.join(", ")
            };
            let _ = writeln!(
                out,
                "signed by key {ids} ({} signature{}; not verified: pass --trust-key KEY.pub to check it)",
                signatures.count,
                if signatures.count == 1 { "" } else { "s" }
            );
        }
        (Err(why), None) => {
            let _ = writeln!(out, "unreadable: {}", sanitize::message(why));
        }
    }

    out.push_str("World:\n");
    match &report.world {
        Ok(world) => {
            out.push_str("  imports:\n");
            for name in &world.imports {
                let _ = writeln!(out, "    {}", sanitize::name(name));
            }
            out.push_str("  exports:\n");
            for name in &world.exports {
                let functions = world
                    .exported_functions
                    .iter()
                    .find(|(interface, _)| interface == name)
                    .filter(|(_, functions)| !functions.is_empty())
                    .map(|(_, functions)| {
                        functions
                            .iter()
                            .map(|f| sanitize::name(f).to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    });
                match functions {
                    Some(functions) => {
                        let _ = writeln!(out, "    {}: {functions}", sanitize::name(name));
                    }
                    None => {
                        let _ = writeln!(out, "    {}", sanitize::name(name));
                    }
                }
            }
            if !world.wit.is_empty() {
                out.push_str("  WIT:\n");
                block(&mut out, &world.wit, "    ");
            }
        }
        Err(why) => {
            let _ = writeln!(out, "  unreadable: {}", sanitize::message(why));
        }
    }

    out.push_str("Configuration schema:\n");
    match &report.schema {
        Ok(schema) => match serde_json::from_str::<serde_json::Value>(schema) {
            Ok(value) => json_block(&mut out, &value, "  "),
            Err(e) => {
                let _ = writeln!(out, "  not JSON ({e}):");
                block(&mut out, schema, "  ");
            }
        },
        Err(why) => {
            let _ = writeln!(out, "  unavailable: {}", sanitize::message(why));
        }
    }
    out
}

/// Text of many lines, each one sanitised, indented, at most [`MAX_BLOCK_LINES`].
fn block(out: &mut String, text: &str, indent: &str) {
    lines(out, text, indent, |line| {
        sanitize::clean(line, MESSAGE_CHARS)
    });
}

/// JSON, pretty-printed with the sanitiser's JSON escaping ([`sanitize::SafeJsonFormatter`]:
/// what a terminal would act on becomes `\uXXXX`), so that it stays valid JSON; long lines
/// are cut.
fn json_block(out: &mut String, value: &serde_json::Value, indent: &str) {
    let mut bytes = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, SafePretty::default());
    if serde::Serialize::serialize(value, &mut serializer).is_err() {
        return;
    }
    let text = String::from_utf8_lossy(&bytes);
    lines(out, &text, indent, |line| {
        let chars = line.chars().count();
        if chars <= MAX_JSON_LINE_CHARS {
            Cow::Borrowed(line)
        } else {
            let kept: String = line.chars().take(MAX_JSON_LINE_CHARS).collect();
            Cow::Owned(format!("{kept}…({chars} characters)"))
        }
    });
}

/// Characters of a JSON line shown at most.
const MAX_JSON_LINE_CHARS: usize = 4096;

fn lines<'t>(
    out: &mut String,
    text: &'t str,
    indent: &str,
    show: impl Fn(&'t str) -> Cow<'t, str>,
) {
    let all: Vec<&str> = text.lines().collect();
    for line in all.iter().take(MAX_BLOCK_LINES) {
        let _ = writeln!(out, "{indent}{}", show(line));
    }
    if all.len() > MAX_BLOCK_LINES {
        let _ = writeln!(
            out,
            "{indent}… ({} more lines)",
            all.len() - MAX_BLOCK_LINES
        );
    }
}

/// serde_json's pretty layout with the sanitiser's string escaping.
#[derive(Default)]
struct SafePretty<'a> {
    pretty: PrettyFormatter<'a>,
    safe: sanitize::SafeJsonFormatter,
}

impl Formatter for SafePretty<'_> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        self.safe.write_string_fragment(writer, fragment)
    }
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::digest::Digest;
    use std::path::PathBuf;

    #[test]
    fn what_the_component_says_is_shown_escaped() {
        let bytes = b"\0asm".to_vec();
        let resolved = Resolved {
            path: PathBuf::from("/x.wasm"),
            digest: Digest::of(&bytes),
            label: "/x.wasm sha256:…".to_string(),
            bytes,
            fetched: None,
        };
        let report = Report {
            resolved: &resolved,
            metadata: Ok(Shown {
                description: Some("evil\x1b[2J\nWorkflow finished successfully".into()),
                ..Shown::default()
            }),
            signatures: Ok(None),
            verified_by: None,
            world: Ok(World {
                imports: vec!["wasi:io/error@0.2.0\u{202e}".into()],
                exports: vec![],
                exported_functions: vec![],
                wit: "package a:b;\n// \x07bell".into(),
            }),
            schema: Ok(
                r#"{"properties": {"k": {"description": "a\u001b[31m\u202e", "pattern": "^a\\."}}}"#
                    .into(),
            ),
        };
        let text = render(&report);
        for raw in ['\x1b', '\x07', '\u{202e}'] {
            assert!(!text.contains(raw), "{text:?}");
        }
        assert!(
            !text
                .lines()
                .any(|l| l.starts_with("Workflow finished successfully")),
            "{text}"
        );
        assert!(text.contains("Signature: none"), "{text}");
        // The schema stays JSON: escapes as JSON writes them, not doubled.
        assert!(text.contains(r#""pattern": "^a\\.""#), "{text}");
        assert!(text.contains(r#""a\u001b[31m\u202e""#), "{text}");
    }
}
