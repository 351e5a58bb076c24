#!/usr/bin/env bash
# Portability: runs the same dynamodb_connector.wasm under the stock `wasmtime` CLI, without
# ddb-catalog: wasi:http and wasi:config come from wasmtime's own -S flags, the settings from
# `-S config-var=KEY=VALUE` (the keys `ddb-catalog config-keys` prints for the demo workflow),
# and the export is called with `--invoke 'ingest()'`; wasmtime prints the result as WAVE text.
#
# scripts/install-wasmtime-cli.sh installs wasmtime-cli 48.0.8 once into .tools/wasmtime
# (about 6 minutes of compiling); tests/tests/all/portability.rs runs the same in CI.
# Note that the stock CLI has no allowlist: -S http lets the component reach any host.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/setup.sh
bash scripts/build.sh
bash scripts/install-wasmtime-cli.sh
wasmtime="$root/.tools/wasmtime/bin/wasmtime"
"$wasmtime" --version >&2

# shellcheck source=scripts/local-dynamodb.sh
source scripts/local-dynamodb.sh
start_local_dynamodb "$root"

config=()
while IFS= read -r pair; do
  config+=(-S "config-var=$pair")
done < <(target/release/ddb-catalog config-keys -c "$workflow" --show-secrets)
call="${1:-ingest}"
echo "Running: wasmtime run -S http -S config ${#config[@]} config vars --invoke '$call()' target/release/dynamodb_connector.wasm" >&2
"$wasmtime" run -S http -S config "${config[@]}" -W timeout=300s \
  --invoke "$call()" target/release/dynamodb_connector.wasm
