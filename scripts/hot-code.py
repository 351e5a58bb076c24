"""Finds the host functions a run executes, for host/hot-code.txt (see scripts/hot-code.sh).

Usage: hot-code.py BINARY OUT [--bench-tables N] -- ARGS... [-- ARGS...]

Runs BINARY twice per ARGS list, the second time with scripts/hot-code-probe.c preloaded: it
drops the executable's code from memory and turns readahead off for it before the first
instruction, so that the pages present at exit are the ones the run touched. Every function on
such a page is written to OUT, mangled, in the binary's address order. With --bench-tables, one
more run ingests N of the benchmark's tables from a dynalite (scripts/bench_tables.py). Needs
no root: a C compiler (cc) builds the probe.
"""
import contextlib
import os
import subprocess
import sys
import tempfile

from bench_tables import served

PAGE = 4096


def touched_by(binary, probe, args):
    """Pages of `binary`'s code touched by one run with `args` (scripts/hot-code-probe.c), after
    a first run that fills the compile cache (compiling the component is not what a run usually
    does)."""
    subprocess.run([binary, *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    with tempfile.NamedTemporaryFile(prefix="hot-code-pages-") as record:
        env = dict(os.environ, LD_PRELOAD=probe, HOT_CODE_PAGES=record.name)
        run = subprocess.run([binary, *args], env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             timeout=300)
        if "hot-code-probe" in run.stderr:
            raise SystemExit(run.stderr)
        with open(record.name) as f:
            pages = {int(line, 16) for line in f if line.strip()}
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
    pages = set()
    with contextlib.ExitStack() as stack:
        work = stack.enter_context(tempfile.TemporaryDirectory(prefix="hot-code-"))
        probe = os.path.join(work, "hot-code-probe.so")
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", probe,
                        os.path.join(root, "scripts", "hot-code-probe.c")], check=True)
        if bench_tables:
            workflow = stack.enter_context(served(root, bench_tables, work))
            runs.append(["ingest", "-c", workflow])
        for args in runs:
            touched = touched_by(binary, probe, args)
            print(f"{len(touched) * PAGE // 1024} KiB of code touched by: {' '.join(args)}",
                  file=sys.stderr)
            pages |= touched
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
