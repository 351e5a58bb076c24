#!/usr/bin/env bash
# Installs what the benchmark needs besides scripts/setup.sh's tools, idempotently: Debian's
# `wrk` (the load generator for dynalite's own ceiling) and, in `.tools/om-venv`, OpenMetadata's
# own ingestion framework with its DynamoDB connector, to run side by side. Never run by
# scripts/setup.sh or CI: only scripts/bench.sh needs it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools"

log() { printf '[bench-setup] %s\n' "$*" >&2; }

bash "$root/scripts/setup.sh"

if ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk (Debian)"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

om_venv="$tools/om-venv"
if [ ! -x "$om_venv/bin/metadata" ]; then
  # OpenMetadata 1.3 supports Python 3.8 to 3.11.
  if ! python3 -c 'import sys; sys.exit(not (3, 8) <= sys.version_info[:2] <= (3, 11))'; then
    log "error: OpenMetadata 1.3.4 needs Python 3.8 to 3.11; python3 is $(python3 --version)"
    exit 1
  fi
  log "installing openmetadata-ingestion[dynamodb] 1.3.4.0 (PyPI, venv $om_venv)"
  rm -rf "$om_venv"
  python3 -m venv "$om_venv"
  # It imports pkg_resources, which newer setuptools no longer ship.
  "$om_venv/bin/pip" install --quiet --disable-pip-version-check --upgrade "pip<25" "setuptools<70" wheel
  # 1.3.4.0 predates pandas 2.1 and numpy 2: pin both, or its imports fail.
  "$om_venv/bin/pip" install --quiet --disable-pip-version-check \
    "openmetadata-ingestion[dynamodb]==1.3.4.0" "pandas~=2.0.0" "numpy<2"
fi

log "benchmark tools ready: $(command -v wrk), $om_venv/bin/metadata"
