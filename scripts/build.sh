#!/usr/bin/env bash
# Builds the connector component (scripts/build-component.sh: wasm32-wasip2, size-optimised) and
# the ddb-catalog host (release), and puts the component next to the host binary, where the host
# looks first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/build-component.sh
# The whole workspace, as `cargo test --release --workspace` builds it: cargo unifies the features
# of shared dependencies over the packages it builds, so `-p ddb-catalog` alone would give
# wasmtime other features (the tests' `object` reader, for one) and the tests a second wasmtime
# to compile.
cargo build --locked --release --workspace
cp target/component/dynamodb_connector.wasm target/release/dynamodb_connector.wasm
printf 'built target/release/ddb-catalog and target/release/dynamodb_connector.wasm (%s bytes)\n' \
  "$(wc -c < target/release/dynamodb_connector.wasm)" >&2
