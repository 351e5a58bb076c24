#!/usr/bin/env bash
# The main job on a local default: installs what is needed, builds, starts AWS's DynamoDB Local
# with a few sample tables, and runs an ingestion that prints the entities (stdout) and the
# summary (stderr). DynamoDB Local is stopped at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/setup.sh
bash scripts/build.sh
# shellcheck source=scripts/local-dynamodb.sh
source scripts/local-dynamodb.sh
start_local_dynamodb "$root"

echo "Running: target/release/ddb-catalog ingest -c target/demo/workflow.yaml --output -" >&2
status=0
target/release/ddb-catalog ingest -c "$workflow" --output - || status=$?
exit "$status"
