//! Results built to be large: many small items, and many items that share one buffer.

use crate::allocator;
use crate::bindings::exports::catalog::connector::types::Warning;
use crate::observations::Observations;
use std::mem::ManuallyDrop;

/// `count` empty warnings after one observation saying so.
pub fn huge(count: u64, seen: &mut Observations) {
    seen.record("huge result", format!("{count} empty warnings follow"));
    seen.reserve(count as usize);
    for _ in 0..count {
        seen.push(Warning {
            table: None,
            message: String::new(),
        });
    }
}

/// The size of the buffer every aliased message shares.
const ALIASED_BYTES: usize = 1 << 20;

/// `count` warnings whose messages are all the same 1 MiB of guest memory. The canonical ABI
/// passes a string as pointer and length, so the result takes one buffer in the guest; the
/// host copies the buffer once per warning.
pub fn aliased(count: u64, seen: &mut Observations) {
    seen.record(
        "aliased result",
        format!("{count} warnings of {ALIASED_BYTES} bytes each follow, all in one buffer"),
    );
    // The aliases below all own the buffer; none of them may ever free it.
    allocator::stop_freeing();
    let mut buffer = ManuallyDrop::new("x".repeat(ALIASED_BYTES));
    let (ptr, len) = (buffer.as_mut_ptr(), buffer.len());
    for _ in 0..count {
        // SAFETY: `ptr` holds `len` bytes of valid UTF-8 allocated with capacity `len`
        // (`str::repeat` allocates exactly); nothing writes to it, and with freeing stopped no
        // alias ever deallocates it.
        let message = unsafe { String::from_raw_parts(ptr, len, len) };
        seen.push(Warning {
            table: None,
            message,
        });
    }
}

/// One warning of `mib` MiB.
pub fn huge_warning(mib: u64, seen: &mut Observations) {
    seen.record("huge warning", format!("one warning of {mib} MiB follows"));
    seen.push(Warning {
        table: Some("huge".to_string()),
        message: "x".repeat((mib as usize) << 20),
    });
}
