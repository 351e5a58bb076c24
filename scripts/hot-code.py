"""Finds the host functions a run executes, for host/hot-code.txt (see scripts/hot-code.sh).

Usage: hot-code.py BINARY OUT [--bench-tables N] -- ARGS... [-- ARGS...]

Runs BINARY twice per ARGS list, the second time under valgrind's callgrind, which records every
function the run executes. Those of BINARY are written to OUT, mangled, in the binary's address
order. With --bench-tables, one more run ingests N of the benchmark's tables from a dynalite
(scripts/bench_tables.py). Needs no root.
"""
import contextlib
import os
import re
import subprocess
import sys
import tempfile

from bench_tables import served


def executed_by(binary, args):
    """The functions of `binary` that one run with `args` executes (callgrind), after a first
    run that fills the compile cache (compiling the component is not what a run usually does).
    The first run is under valgrind too: the CPU valgrind presents has other features than the
    machine's, and the compile cache is keyed by them."""
    subprocess.run(["valgrind", "--tool=none", binary, *args], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    real = os.path.realpath(binary)
    with tempfile.NamedTemporaryFile(prefix="hot-code-callgrind-") as out:
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--demangle=no", "--compress-strings=no",
             "--compress-pos=no", f"--callgrind-out-file={out.name}", binary, *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, timeout=1800)
        if run.returncode != 0:
            raise SystemExit(f"the run under valgrind failed ({run.returncode}):\n"
                             f"{run.stderr[-4000:]}")
        executed, current = set(), None
        with open(out.name) as profile:
            for line in profile:
                if line.startswith("ob="):
                    current = os.path.realpath(line[3:].strip())
                elif line.startswith("fn=") and current == real:
                    # callgrind marks a recursion level with a `'N` suffix.
                    executed.add(re.sub(r"'\d+$", "", line[3:].strip()))
    if not executed:
        raise SystemExit(f"no function of {binary} ran: {' '.join(args)}")
    return executed


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
    executed = set()
    with contextlib.ExitStack() as stack:
        if bench_tables:
            work = stack.enter_context(tempfile.TemporaryDirectory(prefix="hot-code-"))
            workflow = stack.enter_context(served(root, bench_tables, work))
            runs.append(["ingest", "-c", workflow])
        for args in runs:
            ran = executed_by(binary, args)
            print(f"{len(ran)} functions executed by: {' '.join(args)}", file=sys.stderr)
            executed |= ran
    hot = [(address, size, name) for address, size, name in functions(binary)
           if name in executed]
    with open(out, "w") as f:
        for _, _, name in hot:
            f.write(name + "\n")
    total = sum(size for _, size, _ in hot)
    print(f"{len(hot)} functions, {total // 1024} KiB, written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
