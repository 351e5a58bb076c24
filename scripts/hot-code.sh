#!/usr/bin/env bash
# Regenerates host/hot-code.txt: the functions of `ddb-catalog` that an ingestion executes, which
# host/build.rs hands to the linker (lld's --symbol-ordering-file) so that they sit together at
# the start of the executable's code. Linux maps 64 KiB of a file around every page fault, so
# hot code spread over 20 MB of machine code made a run map about twice the code it executes
# (docs/benchmarks.md, "Where the memory goes").
#
# Run it after a dependency or toolchain update; it needs no root: valgrind's callgrind records the
# functions each run executes (scripts/hot-code.py). host/hot-code.inputs records the compiler
# and the Cargo.lock the list was measured with: tests/tests/all/hot_code.rs holds the binary to
# the list when they are this build's, and only warns otherwise (a bump never turns CI red; the
# memory benchmark, scripts/bench.sh, shows what a stale list costs). It measures two runs of
# the release build:
#   - the main job: DynamoDB Local with the sample tables (sampling, filters, file sink);
#   - 1,000 tables of four shapes on dynalite, as the benchmark runs them.
# Takes about three minutes after the build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v valgrind >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends valgrind
  else
    echo "hot-code.sh needs valgrind (Debian's package valgrind)" >&2
    exit 1
  fi
fi

bash scripts/setup.sh
# shellcheck source=scripts/local-dynamodb.sh
source scripts/local-dynamodb.sh
start_local_dynamodb "$root"
demo_workflow="$workflow"

work="$root/target/hot-code"
rm -rf "$work" && mkdir -p "$work"

bash scripts/build.sh
# The measured copy sits outside cargo's reach.
cp target/release/ddb-catalog "$work/ddb-catalog"
cp target/release/dynamodb_connector.wasm "$work/dynamodb_connector.wasm"
python3 scripts/hot-code.py "$work/ddb-catalog" host/hot-code.txt \
  --bench-tables 1000 -- ingest -c "$demo_workflow" --output "$work/demo.json"
{
  echo "# What host/hot-code.txt was measured with (scripts/hot-code.sh writes this file)."
  rustc --version
  echo "Cargo.lock $(sha256sum Cargo.lock | cut -d' ' -f1)"
} > host/hot-code.inputs
bash scripts/build.sh
