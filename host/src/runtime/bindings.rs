//! Host-side bindings of the `catalog:connector/metadata-source` world. Only the exports are
//! used: the imports are provided by wasmtime-wasi, wasmtime-wasi-http and
//! wasmtime-wasi-config, so the same component also runs under the stock `wasmtime` CLI.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "catalog:connector/metadata-source",
    imports: { default: async | trappable },
    exports: { default: async },
    with: {
        "wasi:http": wasmtime_wasi_http::p2::bindings::http,
        "wasi:io": wasmtime_wasi::p2::bindings::io,
        "wasi:clocks": wasmtime_wasi::p2::bindings::clocks,
    },
    // `--output-format ingestion` writes the connector's answer as it is.
    additional_derives: [serde::Serialize],
});

pub use exports::catalog::connector::types;
