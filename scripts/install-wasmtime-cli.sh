#!/usr/bin/env bash
# Installs the stock wasmtime CLI, 48.0.8 (the version the host embeds), into .tools/wasmtime,
# with only what running this component needs. Builds from crates.io: about 6 minutes on 2
# cores. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wasmtime="$root/.tools/wasmtime/bin/wasmtime"
if [ -x "$wasmtime" ] && "$wasmtime" --version | grep -q '^wasmtime 48\.0\.8'; then
  exit 0
fi
echo "[setup] installing wasmtime-cli 48.0.8 into .tools/wasmtime" >&2
cargo install wasmtime-cli@48.0.8 --locked --root "$root/.tools/wasmtime" \
  --no-default-features \
  --features run,wasi-http,wasi-config,component-model,cranelift,pooling-allocator,cache,parallel-compilation
