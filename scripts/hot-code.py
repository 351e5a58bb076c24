"""Finds the host functions a run executes, for host/hot-code.txt (see scripts/hot-code.sh).

Usage: hot-code.py BINARY OUT [--bench-tables N] -- ARGS... [-- ARGS...]

Runs BINARY twice per ARGS list, the second time with its executable's pages dropped from the page
cache and the disk's readahead off, so that the only pages of its code in memory are the ones
the run touched. Each run is held at its exit (strace delays `exit_group`) while the pages
present in its code mapping are read from /proc/PID/pagemap. Every function on such a page
is written to OUT, mangled, in the binary's address order. With --bench-tables, one more run
ingests N of the benchmark's tables from a dynalite (scripts/bench_tables.py). Needs root
(readahead, pagemap).
"""
import contextlib
import os
import struct
import subprocess
import sys
import tempfile
import time

from bench_tables import served

PAGE = 4096


def block_device_readahead(path):
    """The sysfs readahead file of the disk holding `path`."""
    dev = os.stat(path).st_dev
    sys_dev = f"/sys/dev/block/{os.major(dev)}:{os.minor(dev)}"
    real = os.path.realpath(sys_dev)
    for candidate in (real, os.path.dirname(real)):
        ra = os.path.join(candidate, "queue", "read_ahead_kb")
        if os.path.exists(ra):
            return ra
    raise SystemExit(f"no read_ahead_kb for {path} under {real}")


def evict(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def code_mappings(pid, binary):
    real = os.path.realpath(binary)
    with open(f"/proc/{pid}/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) >= 6 and "x" in fields[1] and fields[5] == real:
                start, end = (int(x, 16) for x in fields[0].split("-"))
                yield start, end


def present_pages(pid, binary):
    pages = set()
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for start, end in code_mappings(pid, binary):
            count = (end - start) // PAGE
            pagemap.seek(start // PAGE * 8)
            data = pagemap.read(8 * count)
            for i in range(len(data) // 8):
                entry = struct.unpack_from("<Q", data, 8 * i)[0]
                if entry >> 62 & 3:  # present or swapped
                    pages.add(start + i * PAGE)
    return pages


def touched_by(binary, args):
    """Pages of `binary`'s code touched by one run with `args`, after a first run that fills
    the compile cache (compiling the component is not what a run usually does)."""
    subprocess.run([binary, *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    evict(binary)
    run = subprocess.Popen(
        ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=exit_group",
         "-e", "inject=exit_group:delay_enter=4000000", binary, *args],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    # The traced process is strace's child; wait for it to sit in its delayed exit_group.
    pid = None
    pages = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and run.poll() is None:
        if pid is None:
            out = subprocess.run(["pgrep", "-P", str(run.pid)], capture_output=True, text=True)
            pid = int(out.stdout.split()[0]) if out.stdout.split() else None
        else:
            try:
                with open(f"/proc/{pid}/syscall") as syscall:
                    number = syscall.read().split()[0]
            except OSError:
                break
            if number == "231":  # exit_group on x86_64
                pages = present_pages(pid, binary)
                break
        time.sleep(0.005)
    run.wait()
    if not pages:
        raise SystemExit(f"could not read the run's pages: {' '.join(args)}")
    return pages


def functions(binary):
    out = subprocess.run(["nm", "-n", "-S", "--defined-only", binary],
                         capture_output=True, text=True, check=True).stdout
    symbols = []
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[2] in "tTwW":
            symbols.append((int(fields[0], 16), int(fields[1], 16), fields[3]))
    return symbols


def main():
    binary, out, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    bench_tables = 0
    runs, current = [], None
    arguments = iter(rest)
    for arg in arguments:
        if arg == "--":
            current = []
            runs.append(current)
        elif current is not None:
            current.append(arg)
        elif arg == "--bench-tables":
            bench_tables = int(next(arguments))
        else:
            raise SystemExit(__doc__)
    if not runs and not bench_tables:
        raise SystemExit(__doc__)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    readahead = block_device_readahead(binary)
    with open(readahead) as f:
        saved = f.read().strip()
    pages = set()
    with contextlib.ExitStack() as stack:
        if bench_tables:
            work = stack.enter_context(tempfile.TemporaryDirectory(prefix="hot-code-"))
            workflow = stack.enter_context(served(root, bench_tables, work))
            runs.append(["ingest", "-c", workflow])
        try:
            with open(readahead, "w") as f:
                f.write("0")
            for args in runs:
                touched = touched_by(binary, args)
                print(f"{len(touched) * PAGE // 1024} KiB of code touched by: {' '.join(args)}",
                      file=sys.stderr)
                pages |= touched
        finally:
            with open(readahead, "w") as f:
                f.write(saved)
    symbols = functions(binary)
    hot = []
    for address, size, name in symbols:
        end = address + max(size, 1)
        first, last = address // PAGE * PAGE, (end - 1) // PAGE * PAGE
        if any(p in pages for p in range(first, last + PAGE, PAGE)):
            hot.append((address, size, name))
    with open(out, "w") as f:
        for _, _, name in hot:
            f.write(name + "\n")
    total = sum(size for _, size, _ in hot)
    print(f"{len(pages) * PAGE // 1024} KiB of code touched in all; {len(hot)} functions, "
          f"{total // 1024} KiB, written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
