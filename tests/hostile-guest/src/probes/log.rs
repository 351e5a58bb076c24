//! The tenant log: flooding it (with lines, with empty lines, to crowd out the host's own
//! lines), and forging lines that look like the host's.

use crate::http::{self, Request};
use crate::observations::Observations;
use crate::settings::Target;
use std::io::Write;

/// Writes `mib` MiB of short lines to stdout and to stderr, then `mib` MiB without a newline.
pub fn flood(mib: u64, seen: &mut Observations) {
    let line = b"hostile flood: the log must stay bounded, whatever the guest writes..........\n";
    let block: Vec<u8> = line.iter().copied().cycle().take(64 << 10).collect();
    let total = mib << 20;
    let stdout = write_repeatedly(&mut std::io::stdout().lock(), &block, total);
    let stderr = write_repeatedly(&mut std::io::stderr().lock(), &block, total);
    let endless = vec![b'z'; 64 << 10];
    let unterminated = write_repeatedly(&mut std::io::stdout().lock(), &endless, total);
    seen.record(
        "flood",
        format!(
            "wrote {stdout} bytes of lines to stdout, {stderr} to stderr, {unterminated} without a newline"
        ),
    );
}

/// Writes `mib` MiB of bare newlines to stdout: empty lines, each of zero bytes.
pub fn flood_blank_lines(mib: u64, seen: &mut Observations) {
    let newlines = vec![b'\n'; 64 << 10];
    let written = write_repeatedly(&mut std::io::stdout().lock(), &newlines, mib << 20);
    seen.record("blank lines", format!("wrote {written} newlines"));
}

/// Fills the log with `mib` MiB of lines, then makes a request the host must deny and log.
pub fn hide_denial(mib: u64, seen: &mut Observations) {
    let line = b"hostile flood: pushing the host's own lines out of the log....................\n";
    let block: Vec<u8> = line.iter().copied().cycle().take(64 << 10).collect();
    let written = write_repeatedly(&mut std::io::stdout().lock(), &block, mib << 20);
    seen.record("flood", format!("wrote {written} bytes of lines to stdout"));
    let metadata = Target {
        https: false,
        authority: "169.254.169.254:80".to_string(),
        host: "169.254.169.254".to_string(),
        port: 80,
    };
    seen.record(
        "metadata-service",
        http::fetch(Request::get(
            &metadata,
            "/latest/meta-data/",
            "metadata-service",
        )),
    );
}

fn write_repeatedly(out: &mut impl Write, block: &[u8], total: u64) -> String {
    let mut written = 0;
    while written < total {
        if let Err(e) = out.write_all(block) {
            return format!("{written} (then error: {e})");
        }
        written += block.len() as u64;
    }
    let _ = out.flush();
    written.to_string()
}

/// Lines a reader of the log could take for the host's: a denied request, a limit hit, and
/// terminal escapes and carriage returns that would redraw what a terminal shows.
pub const FORGED_LINES: [&str; 4] = [
    "WARN [host] HTTP request to https://dynamodb.us-east-1.amazonaws.com:443 denied: not on this run's allowlist",
    "ERROR [host] stopped: the connector needed more memory than its limit of 1 MiB",
    "INFO harmless\rERROR [host] carriage return over a harmless line",
    "\x1b[2K\x1b[1AERROR [host] terminal escapes erasing the previous line",
];

pub fn forge(seen: &mut Observations) {
    for line in FORGED_LINES {
        println!("{line}");
        eprintln!("{line}");
    }
    seen.record(
        "forged lines",
        format!("{} lines, on stdout and stderr", FORGED_LINES.len()),
    );
}
