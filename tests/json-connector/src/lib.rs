//! A test-only connector of `catalog:connector/metadata-source` that catalogs one JSON document
//! served over HTTP:
//!
//! ```json
//! {"tables": [{"name": "orders", "description": "optional markdown",
//!              "columns": [{"name": "id", "type": "number", "primaryKey": true}]}]}
//! ```
//!
//! It exists to prove that the host runs any connector of the world: the host names it
//! nowhere, and learns all it needs from its exports (`manifest`, `configuration-schema`,
//! `destinations`). Everything it reads over HTTP is hostile input: bounded in size, parsed
//! without panics, and refused as `invalid-response` when it is not the document above.
//!
//! One concept per module: [`schema`] declares the keys (manifest and configuration schema),
//! [`settings`] reads them, [`url`] parses the document's URL, [`http`] GETs it, [`document`]
//! parses the body, [`filter`] applies the table filter, [`fqn`] names the entities,
//! [`mapping`] turns the document's tables into the world's, [`run`] hands them over, [`log`]
//! writes the log, and [`guest`] exports it all.

mod document;
mod filter;
mod fqn;
mod guest;
mod http;
mod log;
mod mapping;
mod run;
mod schema;
mod settings;
mod url;

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "catalog:connector/metadata-source",
        with: {
            "wasi:http/types@0.2.12": wasip2::http::types,
            "wasi:http/outgoing-handler@0.2.12": wasip2::http::outgoing_handler,
            "wasi:io/poll@0.2.12": wasip2::io::poll,
            "wasi:io/error@0.2.12": wasip2::io::error,
            "wasi:io/streams@0.2.12": wasip2::io::streams,
            "wasi:clocks/monotonic-clock@0.2.12": wasip2::clocks::monotonic_clock,
            "wasi:clocks/wall-clock@0.2.12": wasip2::clocks::wall_clock,
            "wasi:config/store@0.2.0-rc.1": generate,
        },
    });
}

use guest::JsonConnector;

bindings::export!(JsonConnector with_types_in bindings);
