//! The global allocator: the system allocator, except that freeing can be switched off for the
//! rest of a run. Several `String`s may then own one buffer without a double free when the
//! bindings free the result after the host has read it (see `probes::results`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};

static FREEING: AtomicBool = AtomicBool::new(true);

/// From now on, memory is never given back.
pub fn stop_freeing() {
    FREEING.store(false, Ordering::Relaxed);
}

struct Allocator;

// SAFETY: every call goes to `System` with the caller's arguments, except that `dealloc` may
// do nothing, which only leaks.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if FREEING.load(Ordering::Relaxed) {
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if FREEING.load(Ordering::Relaxed) {
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // SAFETY: the caller guarantees a valid `layout` with a non-zero `new_size`.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let moved = unsafe { System.alloc(new_layout) };
        if !moved.is_null() {
            unsafe { std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size)) };
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Allocator = Allocator;
