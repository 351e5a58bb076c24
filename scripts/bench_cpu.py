"""CPU of two builds of ddb-catalog, side by side, on the same dynalite tables (scripts/bench-cpu.sh).

Usage: bench_cpu.py ROOT BASE_DIR NEW_DIR [--tables N] [--rounds N]

Each DIR holds a `ddb-catalog` and its `dynamodb_connector.wasm` (a `target/release`). One
dynalite serves N tables of the benchmark's four shapes (`includeTags: false`, a file sink). The
two builds run in alternation, ROUNDS times each, after one warm-up run each (their compile
caches filled): dynalite on the last core, each run on core 0, so that the two do not take CPU
from each other. A run's CPU is its user + system time from wait4. Rounds pair the two builds'
runs, which cancels the machine's drift (a VM's neighbours); the summary gives the median of the
per-round ratios NEW / BASE with a bootstrap 95% interval.
"""
import os
import random
import statistics
import subprocess
import sys
import tempfile

from bench_tables import served


def cpu_of(build, workflow, work):
    """User + system seconds of one `ingest` run of `build`, pinned to core 0."""
    binary = os.path.join(build, "ddb-catalog")
    component = os.path.join(build, "dynamodb_connector.wasm")
    process = subprocess.Popen(
        [binary, "ingest", "-c", workflow, "--component", component],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        cwd=work, preexec_fn=lambda: os.sched_setaffinity(0, {0}),
    )
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"{binary} ingest failed (wait status {status})")
    return usage.ru_utime + usage.ru_stime


def main():
    root, base, new = sys.argv[1], sys.argv[2], sys.argv[3]
    options = dict(zip(sys.argv[4::2], sys.argv[5::2]))
    tables = int(options.get("--tables", 1000))
    rounds = int(options.get("--rounds", 100))
    work = tempfile.mkdtemp(prefix="bench-cpu-")
    builds = {"base": base, "new": new}
    samples = {"base": [], "new": []}
    with served(root, tables, work, core=max(os.sched_getaffinity(0))) as workflow:
        for build in builds.values():
            cpu_of(build, workflow, work)
        for round_ in range(rounds):
            order = ["base", "new"] if round_ % 2 == 0 else ["new", "base"]
            for name in order:
                samples[name].append(cpu_of(builds[name], workflow, work))
    ratios = [n / b for b, n in zip(samples["base"], samples["new"])]
    random.seed(0)
    medians = sorted(statistics.median(random.choices(ratios, k=len(ratios)))
                     for _ in range(2000))
    for name, build in builds.items():
        print(f"{name}: {build}: CPU per run median {statistics.median(samples[name]) * 1000:.1f} ms "
              f"({statistics.median(samples[name]) / tables * 1e6:.0f} µs per table), "
              f"min {min(samples[name]) * 1000:.1f} ms")
    print(f"new / base, paired by round: median {statistics.median(ratios):.3f}, 95% interval "
          f"{medians[50]:.3f}-{medians[1949]:.3f}; new was cheaper in "
          f"{sum(r < 1 for r in ratios)} of {rounds} rounds ({tables} tables, includeTags: false)")


if __name__ == "__main__":
    main()
