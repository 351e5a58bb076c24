#!/usr/bin/env bash
# Runs every check CI runs: formatting, lints (host and component), the unit tests and the
# end-to-end tests (the real host and component against local DynamoDB servers), the release
# artefacts (dist/) and the Airflow DAG.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
# For tests/tests/all/portability.rs, the stock CLI that runs the .wasm: built (once per machine)
# beside the host's build, which leaves a core idle while it links; awaited before the tests.
mkdir -p target
bash scripts/install-wasmtime-cli.sh > target/install-wasmtime-cli.log 2>&1 &
cli=$!
cargo fmt --all -- --check
# The hostile test guest and the second connector are built on their own (tests/src/hostile.rs,
# tests/src/json_connector.rs), outside the workspace.
cargo fmt --manifest-path tests/hostile-guest/Cargo.toml -- --check
cargo fmt --manifest-path tests/json-connector/Cargo.toml -- --check
bash scripts/build.sh
# dist/: the static musl host, the stamped component and the wheel, which tests/tests/all/distribution.rs
# and tests/tests/all/wheel.rs install and run (the musl build compiles wasmtime once more: ~6 min).
bash scripts/release.sh
cargo clippy --locked --release --workspace --all-targets -- -D warnings
cargo clippy --locked -p dynamodb-connector --target wasm32-wasip2 --profile component -- -D warnings
CARGO_TARGET_DIR=target/hostile-guest cargo clippy --locked --release --all-features \
  --manifest-path tests/hostile-guest/Cargo.toml --target wasm32-wasip2 -- -D warnings
CARGO_TARGET_DIR=target/hostile-guest cargo clippy --locked --release \
  --manifest-path tests/json-connector/Cargo.toml --target wasm32-wasip2 -- -D warnings
# Its plain parts (document, mapping, filters, URLs), natively.
CARGO_TARGET_DIR=target/hostile-guest cargo test --locked \
  --manifest-path tests/json-connector/Cargo.toml
if ! wait "$cli"; then
  cat target/install-wasmtime-cli.log >&2
  exit 1
fi
cargo test --locked --release --workspace
# The wheel from dist/ in a real Airflow (venv under .tools/airflow): the example DAG runs end to end.
bash scripts/test-airflow.sh
# The same DAG on a distributed Airflow (Celery, Redis, PostgreSQL, two workers), checked in its database.
bash scripts/test-airflow-celery.sh
