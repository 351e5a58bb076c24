//! The process's surroundings: environment variables, arguments, initial directory, stdin,
//! through std and through `wasi:cli`. The run is given none of them.

use crate::observations::Observations;
use wasip2::cli::environment;
use wasip2::io::streams::StreamError;

pub fn probe(seen: &mut Observations) {
    let vars: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
    seen.record("std variables", counted("variables", &vars));
    let args: Vec<String> = std::env::args().collect();
    seen.record("std arguments", counted("arguments", &args));
    let vars: Vec<String> = environment::get_environment()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    seen.record("wasi variables", counted("variables", &vars));
    seen.record(
        "wasi arguments",
        counted("arguments", &environment::get_arguments()),
    );
    seen.record(
        "initial directory",
        format!("{:?}", environment::initial_cwd()),
    );
    let stdin = wasip2::cli::stdin::get_stdin();
    seen.record(
        "stdin",
        match stdin.blocking_read(4096) {
            Ok(bytes) => format!("{} bytes", bytes.len()),
            Err(StreamError::Closed) => "closed".to_string(),
            Err(StreamError::LastOperationFailed(e)) => format!("error: {}", e.to_debug_string()),
        },
    );
}

fn counted(what: &str, names: &[String]) -> String {
    if names.is_empty() {
        format!("0 {what}")
    } else {
        format!("{} {what}: {}", names.len(), names.join(" "))
    }
}
