# Sourced by demo.sh and wasmtime-run.sh: starts AWS's DynamoDB Local on a free port (or
# $DEMO_PORT) with the sample tables, stops it when the calling script exits, and writes a
# workflow for it (examples/local-dynamodb.yaml with the port) to target/demo/workflow.yaml.
# Sets: port, workflow.

start_local_dynamodb() {
  local root="$1"
  port="${DEMO_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
  local work="$root/target/demo"
  mkdir -p "$work"
  local emulator="$root/.tools/node/node_modules/amplify-dynamodb-simulator/emulator"
  (cd "$emulator" && exec java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar \
    -inMemory -disableTelemetry -port "$port") >"$work/dynamodb-local.log" 2>&1 &
  local ddb_pid=$!
  # shellcheck disable=SC2064 # expand now: the pid is known here
  trap "kill $ddb_pid 2>/dev/null || true" EXIT
  local ready=""
  for _ in $(seq 1 160); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then ready=yes; break; fi
    sleep 0.25
  done
  if [ -z "$ready" ]; then
    echo "DynamoDB Local did not start; see $work/dynamodb-local.log" >&2
    return 1
  fi
  local tables
  tables="$("$root/.tools/venv/bin/python" "$root/scripts/seed_sample_tables.py" "http://127.0.0.1:$port")"
  echo "DynamoDB Local on http://127.0.0.1:$port; sample tables: $tables" >&2
  workflow="$work/workflow.yaml"
  sed "s|http://127.0.0.1:8000|http://127.0.0.1:$port|" "$root/examples/local-dynamodb.yaml" >"$workflow"
}
