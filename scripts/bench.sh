#!/usr/bin/env bash
# The ingestion benchmark (never run by CI): installs its tools (scripts/bench-setup.sh), builds
# the release host and component, and runs tests/benches/ingest.rs, which seeds dynalite with
# 1,000 and 10,000 tables and measures `ddb-catalog ingest` against them, dynalite's own
# ceiling (wrk), a 10 ms latency proxy, OpenMetadata's connector, start-up and 50 tenants at
# once. Results: target/bench/results.md (the tables of docs/benchmarks.md) and results.json.
#
#   bash scripts/bench.sh                 # everything, about 10 minutes on 2 cores
#   bash scripts/bench.sh --quick         # every scenario once, small, about a minute
#   bash scripts/bench.sh --tables 1000 --repeat 3 --tenants 0
#   bash scripts/bench.sh --help
#
# Take figures on an otherwise idle machine: concurrent builds or tests skew them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/bench-setup.sh
bash scripts/build.sh
exec cargo bench --locked -p e2e --bench ingest -- "$@"
