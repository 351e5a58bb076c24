//! `ddb-catalog`: the command line. The commands themselves are in the library's
//! [`ddb_catalog::commands`].

use clap::Parser;
use ddb_catalog::cli::Cli;
use ddb_catalog::commands::{self, EXIT_FAILURES};
use ddb_catalog::logging;
use std::process::ExitCode;

fn main() -> ExitCode {
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // Errors that reach a tenant (e.g. a body cut short, as the guest reads it) must not
        // carry the host's stack backtrace, even when RUST_BACKTRACE is set for debugging.
        // SAFETY: no other thread exists yet.
        unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    }
    ddb_catalog::code_pages::map_on_demand();
    let cli = Cli::parse();
    logging::init(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return commands::fail(EXIT_FAILURES, &format!("cannot start: {e}")),
    };
    runtime.block_on(commands::run(&cli.sandbox, cli.command))
}
