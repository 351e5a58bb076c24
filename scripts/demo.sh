#!/usr/bin/env bash
# The main job on a local default: installs what is needed, builds, starts AWS's DynamoDB Local
# with a few sample tables, and runs an ingestion that prints the entities (stdout) and the
# summary (stderr). DynamoDB Local is stopped at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/setup.sh
bash scripts/build.sh

port="${DEMO_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
work="$root/target/demo"
mkdir -p "$work"
emulator="$root/.tools/node/node_modules/amplify-dynamodb-simulator/emulator"
(cd "$emulator" && exec java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar \
  -inMemory -disableTelemetry -port "$port") >"$work/dynamodb-local.log" 2>&1 &
ddb_pid=$!
trap 'kill $ddb_pid 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.25
done
echo "DynamoDB Local on http://127.0.0.1:$port; sample tables: $("$root/.tools/venv/bin/python" scripts/seed_sample_tables.py "http://127.0.0.1:$port")" >&2

sed "s|http://127.0.0.1:8000|http://127.0.0.1:$port|" examples/local-dynamodb.yaml >"$work/workflow.yaml"
echo "Running: target/release/ddb-catalog ingest -c target/demo/workflow.yaml --output -" >&2
status=0
target/release/ddb-catalog ingest -c "$work/workflow.yaml" --output - || status=$?
exit "$status"
