#!/usr/bin/env bash
# Builds a release into dist/ (docs/distribution.md):
#   dist/ddb-catalog                   the host, a static Linux x86_64 binary (musl): runs on any
#                                      distribution, no libc needed
#   dist/dynamodb_connector.wasm       the component, stamped with its metadata (name, version,
#                                      description, license, source, revision, authors); signed
#                                      when --sign-key is given
#   dist/catalog-connector@<v>.wasm    the contract's WIT package (binary, as `wkg wit build` makes)
#   dist/ddb_catalog-<v>-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.musllinux_1_1_x86_64.whl
#                                      the Python wheel: both files above and the Python API
#                                      (`pip install` it; docs/python.md), built by
#                                      python/build_wheel.py from them, nothing compiled again
#   dist/SHA256SUMS                    `sha256sum -c SHA256SUMS` checks them
#   dist/ddb-catalog-<v>-linux-amd64.oci.tar   with --image: a container image FROM scratch with
#                                      the binary and the component (scripts/build-image.sh,
#                                      buildah, no Docker daemon)
# and pushes the component to a registry when --push is given (the manifest digest is printed).
#
#   bash scripts/release.sh [--sign-key KEY] [--push oci://HOST[:PORT]/REPO:TAG] [--image]
#
# Installs what it needs, idempotently: the wasm32-wasip2 and x86_64-unknown-linux-musl targets,
# and Debian's musl-tools (musl-gcc, for ring's C and assembly). The static build compiles
# wasmtime a second time, for the musl target: several minutes on 2 cores (timed below).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

sign_key=""
push_ref=""
image=false
while [ $# -gt 0 ]; do
  case "$1" in
    --sign-key) sign_key="${2:?--sign-key needs a key file}"; shift 2 ;;
    --push) push_ref="${2:?--push needs oci://HOST[:PORT]/REPO:TAG}"; shift 2 ;;
    --image) image=true; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "release.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -n "$sign_key" ] && [ ! -f "$sign_key" ]; then
  echo "release.sh: no key at $sign_key (make one with: ddb-catalog component keygen --out PREFIX)" >&2
  exit 2
fi

log() { printf '[release] %s\n' "$*" >&2; }

musl=x86_64-unknown-linux-musl
for target in wasm32-wasip2 "$musl"; do
  bash scripts/rust-target.sh "$target"
done
if ! command -v musl-gcc >/dev/null 2>&1; then
  log "installing musl-tools (musl-gcc) for the static build"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends musl-tools
fi

log "building the component (wasm32-wasip2)"
bash scripts/build-component.sh

log "building the static host ($musl)"
started=$(date +%s)
cargo build --locked --release --target "$musl" -p ddb-catalog
log "static host built in $(( $(date +%s) - started )) s"
host="target/$musl/release/ddb-catalog"

# Static: no program interpreter (dynamic loader), nothing for ldd to resolve.
if LC_ALL=C readelf -l "$host" 2>/dev/null | grep -q 'INTERP'; then
  echo "release.sh: $host asks for a dynamic loader: not static" >&2
  exit 1
fi
file_says=$(file -b "$host")
case "$file_says" in
  *"statically linked"*|*"static-pie linked"*) ;;
  *) echo "release.sh: $host is not statically linked: $file_says" >&2; exit 1 ;;
esac
ldd_says=$(ldd "$host" 2>&1 || true)
case "$ldd_says" in
  *"statically linked"*|*"not a dynamic executable"*) ;;
  *) echo "release.sh: ldd resolves libraries for $host: $ldd_says" >&2; exit 1 ;;
esac
log "$host: $file_says"

rm -rf dist
mkdir -p dist
cp "$host" dist/ddb-catalog

# The revision is the commit; `-dirty` when the component's sources differ from it.
revision=$(git rev-parse HEAD)
if ! git diff --quiet HEAD -- component wit Cargo.toml Cargo.lock \
  || [ -n "$(git ls-files --others --exclude-standard -- component wit)" ]; then
  revision="$revision-dirty"
fi
# The source repository's URL goes into the metadata (and the image's labels) when the release
# names it: DDB_CATALOG_SOURCE_URL=https://... bash scripts/release.sh
dist/ddb-catalog component stamp target/component/dynamodb_connector.wasm \
  -o dist/dynamodb_connector.wasm --revision "$revision" \
  ${DDB_CATALOG_SOURCE_URL:+--source-url "$DDB_CATALOG_SOURCE_URL"}
if [ -n "$sign_key" ]; then
  dist/ddb-catalog component sign dist/dynamodb_connector.wasm --key "$sign_key" \
    -o dist/dynamodb_connector.wasm.signed
  mv dist/dynamodb_connector.wasm.signed dist/dynamodb_connector.wasm
fi

wit_version=$(sed -n 's/^package catalog:connector@\([^;]*\);.*/\1/p' wit/connector.wit)
dist/ddb-catalog component wit-package --wit wit --out "dist/catalog-connector@$wit_version.wasm" >/dev/null

(cd dist && sha256sum ddb-catalog dynamodb_connector.wasm "catalog-connector@$wit_version.wasm" > SHA256SUMS)

# The Python wheel (docs/python.md): the same static binary and component, for `pip install`.
# Python's stdlib only, nothing compiled again; reproducible (dated by the commit).
log "building the Python wheel"
wheel=$(SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)" python3 python/build_wheel.py --dist dist --out dist)
(cd dist && sha256sum "$(basename "$wheel")" >> SHA256SUMS)

if [ "$image" = true ]; then
  # FROM scratch: the static binary and the component, built with buildah (no Docker daemon).
  archive=$(bash scripts/build-image.sh)
  (cd dist && sha256sum "$(basename "$archive")" >> SHA256SUMS)
fi

if [ -n "$push_ref" ]; then
  log "pushing dist/dynamodb_connector.wasm to $push_ref"
  digest=$(dist/ddb-catalog component push dist/dynamodb_connector.wasm "$push_ref")
  # The pinned reference, for --component (stdout, for scripts).
  echo "$push_ref@$digest"
fi

log "dist/:"
(cd dist && ls -l && cat SHA256SUMS) >&2
