#!/usr/bin/env bash
# Builds the connector component as it ships: cargo's wasm32-wasip2 build (profile `component`:
# opt-level z, LTO, abort on panic, stripped), then Binaryen's wasm-opt -Oz on its core module
# (scripts/optimize-component.py), into target/component/dynamodb_connector.wasm.
# wasm-opt comes from npm (binaryen, installed into .tools/node by scripts/setup.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

wasm_opt=.tools/node/node_modules/binaryen/bin/wasm-opt
if [ ! -x "$wasm_opt" ]; then
  echo "build-component.sh: no wasm-opt at $wasm_opt: run scripts/setup.sh" >&2
  exit 1
fi
cargo build --locked -p dynamodb-connector --target wasm32-wasip2 --profile component
mkdir -p target/component
python3 scripts/optimize-component.py "$wasm_opt" \
  target/wasm32-wasip2/component/dynamodb_connector.wasm target/component/dynamodb_connector.wasm
