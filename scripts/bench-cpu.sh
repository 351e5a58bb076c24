#!/usr/bin/env bash
# CPU per table of this checkout against another build, side by side (not a test, never in CI):
#
#   bash scripts/bench-cpu.sh BASE_DIR [--tables 1000] [--rounds 100]
#
# BASE_DIR is another build's `target/release` (its ddb-catalog and dynamodb_connector.wasm),
# e.g. of the commit before streaming:
#   git worktree add /tmp/before 7bf6276 && (cd /tmp/before && bash scripts/build.sh)
#   bash scripts/bench-cpu.sh /tmp/before/target/release
# Builds this checkout (scripts/build.sh), then scripts/bench_cpu.py runs the two in alternation
# against one dynalite and prints the paired ratio. About 2 minutes for 100 rounds of 1,000 tables.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ $# -lt 1 ] || [ ! -x "$1/ddb-catalog" ]; then
  echo "usage: bash scripts/bench-cpu.sh BASE_DIR [--tables N] [--rounds N] (BASE_DIR/ddb-catalog)" >&2
  exit 2
fi
base="$(cd "$1" && pwd)"
shift
bash scripts/setup.sh
bash scripts/build.sh
exec python3 scripts/bench_cpu.py "$root" "$base" "$root/target/release" "$@"
