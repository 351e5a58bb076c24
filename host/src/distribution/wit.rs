//! What a component imports and exports (its world, decoded from its type), and the contract's
//! WIT package in binary form (what `wkg wit build` publishes) for other connector authors.

use std::path::Path;
use wit_component::{DecodedWasm, WitPrinter};
use wit_parser::{PackageId, Resolve, WorldItem};

/// A component's world. Names and text come from the component: show them through `sanitize`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World {
    /// Interfaces (with their package and version), functions and types it imports.
    pub imports: Vec<String>,
    pub exports: Vec<String>,
    /// The functions of each exported interface: `(interface, [function])`.
    pub exported_functions: Vec<(String, Vec<String>)>,
    /// The world as WIT text (imports and exports by name, no docs).
    pub wit: String,
}

/// Decodes a component's world from its type.
pub fn world_of(component: &[u8]) -> Result<World, String> {
    let (resolve, world_id) = match wit_component::decode(component) {
        Ok(DecodedWasm::Component(resolve, world)) => (resolve, world),
        Ok(DecodedWasm::WitPackage(resolve, package)) => {
            return Err(format!(
                "this is the WIT package {}, not a component",
                package_name(&resolve, package)
            ));
        }
        Err(e) => return Err(format!("not a WebAssembly component: {e:#}")),
    };
    let world = &resolve.worlds[world_id];
    let name = |key, item: &WorldItem| match item {
        WorldItem::Interface { .. } => resolve.name_world_key(key),
        WorldItem::Function(f) => format!("func {}", f.name),
        WorldItem::Type { .. } => format!("type {}", resolve.name_world_key(key)),
    };
    let imports = world.imports.iter().map(|(k, i)| name(k, i)).collect();
    let exports = world.exports.iter().map(|(k, i)| name(k, i)).collect();
    let exported_functions = world
        .exports
        .iter()
        .filter_map(|(key, item)| match item {
            WorldItem::Interface { id, .. } => Some((
                resolve.name_world_key(key),
                resolve.interfaces[*id].functions.keys().cloned().collect(),
            )),
            _ => None,
        })
        .collect();
    let wit = match world.package {
        Some(package) => {
            let mut printer = WitPrinter::default();
            printer.emit_docs(false);
            printer
                .print(&resolve, package, &[])
                .map_err(|e| format!("cannot print its world: {e:#}"))?;
            printer.output.to_string()
        }
        None => String::new(),
    };
    Ok(World {
        imports,
        exports,
        exported_functions,
        wit,
    })
}

/// The WIT package in `dir` (with its `deps/`), encoded as a binary WIT package, and its name
/// (`catalog:connector@0.6.0`).
pub fn build_package(dir: &Path) -> Result<(Vec<u8>, String), String> {
    let mut resolve = Resolve::default();
    let (package, _) = resolve
        .push_dir(dir)
        .map_err(|e| format!("cannot read the WIT in {}: {e:#}", dir.display()))?;
    let bytes = wit_component::encode(&resolve, package, false)
        .map_err(|e| format!("cannot encode the WIT package: {e:#}"))?;
    Ok((bytes, package_name(&resolve, package)))
}

/// Decodes a binary WIT package.
pub fn read_package(bytes: &[u8]) -> Result<(Resolve, PackageId), String> {
    match wit_component::decode(bytes) {
        Ok(DecodedWasm::WitPackage(resolve, package)) => Ok((resolve, package)),
        Ok(DecodedWasm::Component(..)) => Err("this is a component, not a WIT package".to_string()),
        Err(e) => Err(format!("not a binary WIT package: {e:#}")),
    }
}

/// `namespace:name@version`.
pub fn package_name(resolve: &Resolve, package: PackageId) -> String {
    resolve.packages[package].name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wit_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit")
    }

    #[test]
    fn the_contract_encodes_as_a_binary_wit_package_and_back() {
        let (bytes, name) = build_package(&wit_dir()).unwrap();
        assert_eq!(name, "catalog:connector@0.6.0");
        let (resolve, package) = read_package(&bytes).unwrap();
        assert_eq!(package_name(&resolve, package), name);
        let source = resolve.packages[package].interfaces["source"];
        assert!(
            resolve.interfaces[source]
                .functions
                .contains_key("start-ingestion")
        );
        assert!(
            resolve.packages[package]
                .worlds
                .contains_key("metadata-source")
        );
        assert!(world_of(&bytes).unwrap_err().contains("WIT package"));
        assert!(read_package(b"\0asm\x0d\x00\x01\x00").is_err());
    }
}
