#!/usr/bin/env bash
# Installs the stock wasmtime CLI, 48.0.8 (the version the host embeds), into .tools/wasmtime,
# with only what running this component needs. Builds from crates.io (about 6 minutes on 2
# cores) once per machine: the build is kept under ~/.cache/ddb-catalog (XDG_CACHE_HOME), as
# cargo keeps the crates it downloaded, and each checkout copies it. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=48.0.8
features=run,wasi-http,wasi-config,component-model,cranelift,pooling-allocator,cache,parallel-compilation
wasmtime="$root/.tools/wasmtime/bin/wasmtime"
works() { [ -x "$1" ] && "$1" --version | grep -q "^wasmtime ${version//./\\.}"; }
if works "$wasmtime"; then
  exit 0
fi
cache="${XDG_CACHE_HOME:-$HOME/.cache}/ddb-catalog/wasmtime-cli-$version-$(printf %s "$features" | sha256sum | cut -c1-12)"
if ! works "$cache/bin/wasmtime"; then
  echo "[setup] building wasmtime-cli $version into $cache" >&2
  cargo install "wasmtime-cli@$version" --locked --root "$cache" --no-default-features \
    --features "$features"
fi
mkdir -p "$(dirname "$wasmtime")"
cp "$cache/bin/wasmtime" "$wasmtime"
echo "[setup] wasmtime-cli $version in .tools/wasmtime (from $cache)" >&2
