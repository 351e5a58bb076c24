//! The host's own machine code, read from its executable as it runs. On a page fault in a file
//! mapping Linux maps the neighbouring pages that are in the page cache too ("fault-around",
//! 64 KiB by default), and a fault first reads ahead around the page (8 MiB on the disk these
//! figures come from), so a process that touches a little of a large executable counts much of
//! it in its resident set. `MADV_RANDOM` on the executable's code turns the read-ahead off;
//! fault-around stays, which is why the code a run executes is also laid out together
//! (host/build.rs, hot-code.txt). The cost is a few hundred more minor faults at start-up
//! (docs/benchmarks.md, "Where the memory goes").

/// Asks the kernel not to read ahead around faults in the executable's code. Best effort:
/// nothing changes when `/proc` is absent or the call fails.
pub fn map_on_demand() {
    #[cfg(target_os = "linux")]
    linux::map_on_demand();
}

#[cfg(target_os = "linux")]
mod linux {
    pub fn map_on_demand() {
        let Ok(exe) = std::fs::read_link("/proc/self/exe") else {
            return;
        };
        let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
            return;
        };
        for (start, end) in code_ranges(&maps, &exe.to_string_lossy()) {
            // SAFETY: the range is a mapping of this process (from /proc/self/maps); MADV_RANDOM
            // changes only how the kernel reads it in, never its contents.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_RANDOM);
            }
        }
    }

    /// The executable mappings of `exe` in a `/proc/<pid>/maps` text. The path is the rest of
    /// the line after five fields: it may hold spaces, and ends in ` (deleted)` when the file
    /// was replaced since (as `/proc/self/exe` then does too).
    pub(super) fn code_ranges(maps: &str, exe: &str) -> Vec<(usize, usize)> {
        maps.lines()
            .filter_map(|line| {
                let mut rest = line;
                let mut field = || {
                    rest = rest.trim_start_matches(' ');
                    let end = rest.find(' ').unwrap_or(rest.len());
                    let (field, after) = rest.split_at(end);
                    rest = after;
                    Some(field).filter(|f| !f.is_empty())
                };
                let range = field()?;
                let perms = field()?;
                for _ in 0..3 {
                    field()?; // offset, device, inode
                }
                let path = rest.trim_start_matches(' ');
                if !perms.contains('x') || path != exe {
                    return None;
                }
                let (start, end) = range.split_once('-')?;
                Some((
                    usize::from_str_radix(start, 16).ok()?,
                    usize::from_str_radix(end, 16).ok()?,
                ))
            })
            .collect()
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::linux::code_ranges;

    #[test]
    fn only_the_executables_code_is_picked() {
        let maps = "\
55d0c0000000-55d0c0200000 r--p 00000000 fd:01 123 /opt/ddb-catalog/ddb-catalog
55d0c0200000-55d0c1a00000 r-xp 00200000 fd:01 123 /opt/ddb-catalog/ddb-catalog
55d0c1a00000-55d0c2000000 r--p 01a00000 fd:01 123 /opt/ddb-catalog/ddb-catalog
7f0000000000-7f0000100000 r-xp 00000000 fd:01 456 /usr/lib/libc.so.6
7f0000200000-7f0000300000 rw-p 00000000 00:00 0
7f0000400000-7f0000500000 r-xp 00000000 00:00 0 [vdso]
";
        assert_eq!(
            code_ranges(maps, "/opt/ddb-catalog/ddb-catalog"),
            [(0x55d0c0200000, 0x55d0c1a00000)]
        );
    }

    #[test]
    fn a_path_with_spaces_or_deleted_is_read_whole() {
        let maps = "55d0c0200000-55d0c1a00000 r-xp 00200000 fd:01 123                        /opt/my tools/ddb-catalog
55d0c2200000-55d0c3a00000 r-xp 00200000 fd:01 124                        /opt/old/ddb-catalog (deleted)
";
        assert_eq!(
            code_ranges(maps, "/opt/my tools/ddb-catalog"),
            [(0x55d0c0200000, 0x55d0c1a00000)]
        );
        assert_eq!(
            code_ranges(maps, "/opt/old/ddb-catalog (deleted)"),
            [(0x55d0c2200000, 0x55d0c3a00000)]
        );
        assert_eq!(code_ranges(maps, "/opt/my"), []);
    }
}
