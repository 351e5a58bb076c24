//! Resource exhaustion inside the guest: memory, CPU, wall-clock time, stack, and exiting
//! mid-call. All but `allocate_huge` (when the allocation fits) end only when the host stops
//! them.

use crate::observations::Observations;
use std::hint::black_box;
use wasip2::clocks::monotonic_clock;

pub fn grow_memory() -> ! {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut chunk = vec![0u8; 1 << 20];
        // Touch the memory so that no allocator could hand out untouched pages lazily.
        chunk[(1 << 20) - 1] = 1;
        hoard.push(black_box(chunk));
    }
}

pub fn allocate_huge(seen: &mut Observations) {
    let huge: Vec<u8> = Vec::with_capacity(black_box(1536 << 20));
    seen.record(
        "allocate 1.5 GiB",
        format!("got {} bytes", black_box(&huge).capacity()),
    );
}

pub fn spin() -> ! {
    let mut n: u64 = 0;
    loop {
        n = black_box(n.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
}

pub fn sleep() -> ! {
    loop {
        monotonic_clock::subscribe_duration(3_600 * 1_000_000_000).block();
    }
}

pub fn recurse() -> ! {
    let depth = dive(0);
    unreachable!("recursion ended at depth {depth}")
}

fn dive(depth: u64) -> u64 {
    if black_box(depth) == u64::MAX {
        return depth;
    }
    1 + dive(black_box(depth + 1))
}

pub fn exit() -> ! {
    std::process::exit(0)
}
