#!/usr/bin/env bash
# The metadata-rest sink's benchmark (never run by CI): builds the release host and component,
# then writes 1,000 and 10,000 generated tables into the OpenMetadata stand-in at each server
# version it can be (1.3.4, 1.6, 1.9, 2.0.7), every call answered after 20 ms, and again over
# the unchanged tables. Prints a Markdown table (docs/benchmarks.md, "Into OpenMetadata").
#
#   bash scripts/bench-sink.sh            # 1,000 and 10,000 tables, a few minutes on 2 cores
#   bash scripts/bench-sink.sh 500        # other table counts
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
bash scripts/build.sh
exec cargo bench --locked -p e2e --bench sink -- "$@"
