#!/usr/bin/env bash
# Portability: runs the same dynamodb_connector.wasm under the stock `wasmtime` CLI, without
# ddb-catalog: wasi:http and wasi:config come from wasmtime's own -S flags, the settings from
# `-S config-var=KEY=VALUE` (the keys `ddb-catalog config-keys` prints for the demo workflow),
# and the export is called with `--invoke 'ingest()'`; wasmtime prints the result as WAVE text.
#
# Installing wasmtime-cli 48.0.8 builds it from crates.io (20+ minutes on 2 cores), so this is
# not part of scripts/test.sh; it installs once into .tools/wasmtime.
# Note that the stock CLI has no allowlist: -S http lets the component reach any host.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/setup.sh
bash scripts/build.sh
wasmtime="$root/.tools/wasmtime/bin/wasmtime"
if [ ! -x "$wasmtime" ]; then
  echo "installing wasmtime-cli 48.0.8 into .tools/wasmtime (20+ minutes)" >&2
  cargo install wasmtime-cli@48.0.8 --locked --root "$root/.tools/wasmtime" \
    --no-default-features \
    --features run,wasi-http,wasi-config,component-model,cranelift,pooling-allocator,cache,parallel-compilation
fi
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
