//! Least privilege at link time: the host links exactly the interfaces a connector may use —
//! the `metadata-source` world's own (`wasi:http/outgoing-handler` and its types,
//! `wasi:config/store`, `wasi:clocks`) and what Rust's std pulls in (`wasi:io`, `wasi:cli`
//! stdio, environment, exit and terminals, `wasi:random`) — and nothing else: no filesystem,
//! no sockets. A component that imports anything more is refused at load, with the list of
//! what it asked for, instead of being instantiated with nothing behind those imports.

use super::state::RunState;
use wasmtime::Engine;
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Linker};
use wasmtime_wasi::cli::{WasiCli, WasiCliView};
use wasmtime_wasi::p2::bindings::{cli, random};
use wasmtime_wasi::random::{WasiRandom, WasiRandomView};

/// The interfaces (without their version) a connector may import.
pub const ALLOWED_IMPORTS: &[&str] = &[
    "wasi:http/outgoing-handler",
    "wasi:http/types",
    "wasi:config/store",
    "wasi:clocks/wall-clock",
    "wasi:clocks/monotonic-clock",
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
];

/// A linker with the allowed interfaces and nothing else.
pub fn linker(engine: &Engine) -> wasmtime::Result<Linker<RunState>> {
    let mut linker = Linker::<RunState>::new(engine);
    let l = &mut linker;
    // wasi:io, wasi:clocks, wasi:random/random and std's stdio, as the `wasi:http/proxy`
    // world has them.
    wasmtime_wasi::p2::add_to_linker_proxy_interfaces_async(l)?;
    let random_of = <RunState as WasiRandomView>::random;
    let cli_of = <RunState as WasiCliView>::cli;
    random::insecure::add_to_linker::<RunState, WasiRandom>(l, random_of)?;
    random::insecure_seed::add_to_linker::<RunState, WasiRandom>(l, random_of)?;
    cli::environment::add_to_linker::<RunState, WasiCli>(l, cli_of)?;
    cli::exit::add_to_linker::<RunState, WasiCli>(l, cli_of)?;
    cli::terminal_input::add_to_linker::<RunState, WasiCli>(l, cli_of)?;
    cli::terminal_output::add_to_linker::<RunState, WasiCli>(l, cli_of)?;
    cli::terminal_stdin::add_to_linker::<RunState, WasiCli>(l, cli_of)?;
    cli::terminal_stdout::add_to_linker::<RunState, WasiCli>(l, cli_of)?;
    cli::terminal_stderr::add_to_linker::<RunState, WasiCli>(l, cli_of)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(l)?;
    wasmtime_wasi_config::add_to_linker(l, RunState::config)?;
    Ok(linker)
}

/// The component's imports that are not allowed, as `package/interface@version`.
pub fn unexpected_imports(engine: &Engine, component: &Component) -> Vec<String> {
    component
        .component_type()
        .imports(engine)
        .filter(|(name, item)| {
            let unversioned = name.split('@').next().unwrap_or(name);
            !matches!(item.ty, ComponentItem::ComponentInstance(_))
                || !ALLOWED_IMPORTS.contains(&unversioned)
        })
        .map(|(name, _)| name.to_string())
        .collect()
}
