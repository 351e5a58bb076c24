//! Memory the host allocates on the guest's behalf, outside the guest's linear memory: header
//! fields live in the host's resource table until the guest drops them.

use crate::http;
use crate::observations::Observations;
use wasip2::http::types::Fields;

const FIELD_BYTES: usize = 64 << 10;

/// Creates `mib` MiB worth of 64 KiB header fields and keeps all of them alive.
pub fn probe(mib: u64, seen: &mut Observations) {
    let entry = [("x-pad".to_string(), vec![b'a'; FIELD_BYTES])];
    let wanted = mib * ((1 << 20) / FIELD_BYTES as u64);
    let mut held = Vec::new();
    let mut refusal = None;
    for _ in 0..wanted {
        match Fields::from_list(&entry) {
            Ok(fields) => held.push(fields),
            Err(e) => {
                refusal = Some(format!("refused: {}", http::header_error_name(&e)));
                break;
            }
        }
    }
    let held_bytes = held.len() * FIELD_BYTES;
    seen.record(
        "host memory",
        match refusal {
            None => format!("the host holds {held_bytes} bytes of header fields"),
            Some(e) => format!("the host holds {held_bytes} bytes of header fields, then {e}"),
        },
    );
    drop(held);
}

/// Creates `count` empty header field sets and keeps them all: every one is a handle in the
/// host's resource table, which is bounded.
pub fn handles(count: u64, seen: &mut Observations) {
    let mut held = Vec::new();
    for _ in 0..count {
        held.push(Fields::new());
    }
    seen.record("handles", format!("the host gave {} handles", held.len()));
}
