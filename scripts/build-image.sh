#!/usr/bin/env bash
# Builds a container image FROM scratch holding only the static host and the component from
# dist/ (scripts/release.sh), with buildah, without Docker or any daemon; for a Kubernetes Job
# or Airflow's KubernetesPodOperator (docs/python.md):
#
#   /ddb-catalog/ddb-catalog               the static binary (entrypoint)
#   /ddb-catalog/dynamodb_connector.wasm   the component, found next to it
#   /tmp                                   1777, where the compile cache goes
#                                          (DDB_CATALOG_CACHE_DIR=/tmp/ddb-catalog-cache)
#   user 65532:65532, working directory /work
#
# It writes dist/ddb-catalog-<version>-linux-amd64.oci.tar (an OCI archive: `skopeo copy
# oci-archive:… docker://REGISTRY/ddb-catalog:<version>`, or `buildah push`), then checks the
# image by running `ddb-catalog --version` and `component inspect` in it (buildah's chroot
# isolation, no runtime needed): the binary runs in an empty filesystem and finds its component.
#
#   bash scripts/build-image.sh
#
# Installs Debian's buildah when it is missing. buildah keeps its storage in a scratch directory
# (vfs driver), removed afterwards: nothing is left in /var/lib/containers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[image] %s\n' "$*" >&2; }
for file in dist/ddb-catalog dist/dynamodb_connector.wasm; do
  [ -f "$file" ] || { echo "build-image.sh: no $file: run \`bash scripts/release.sh\` first" >&2; exit 1; }
done
if ! command -v buildah >/dev/null 2>&1; then
  log "installing buildah (Debian)"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends buildah >/dev/null
fi

version=$(dist/ddb-catalog --version | awk '{print $2}')
revision=$(git rev-parse HEAD)
created=$(git log -1 --format=%ct)
archive="dist/ddb-catalog-$version-linux-amd64.oci.tar"
tag="localhost/ddb-catalog:$version"

scratch=$(mktemp -d)
b() { buildah --storage-driver vfs --root "$scratch/storage" --runroot "$scratch/run" "$@"; }
container=""
cleanup() {
  if [ -n "$container" ]; then b rm "$container" >/dev/null 2>&1 || true; fi
  # vfs layers are plain directories, some read-only: make them removable first.
  chmod -R u+w "$scratch" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

# /tmp (1777) and /work come from a tar archive, which keeps their modes (`buildah add` unpacks it).
mkdir -p "$scratch/root/tmp" "$scratch/root/work"
chmod 1777 "$scratch/root/tmp"
chmod 0755 "$scratch/root/work"
tar --numeric-owner --owner=0 --group=0 --mtime="@$created" -C "$scratch/root" -cf "$scratch/dirs.tar" tmp work
container=$(b from scratch)
b add "$container" "$scratch/dirs.tar" / >/dev/null
b copy --chmod 0755 "$container" dist/ddb-catalog /ddb-catalog/ddb-catalog >/dev/null
b copy --chmod 0644 "$container" dist/dynamodb_connector.wasm /ddb-catalog/dynamodb_connector.wasm >/dev/null
b config \
  --entrypoint '["/ddb-catalog/ddb-catalog"]' --cmd '["--help"]' \
  --user 65532:65532 --workingdir /work \
  --env DDB_CATALOG_CACHE_DIR=/tmp/ddb-catalog-cache \
  --os linux --arch amd64 \
  --label org.opencontainers.image.title=ddb-catalog \
  --label "org.opencontainers.image.description=OpenMetadata's DynamoDB connector as a sandboxed WebAssembly component" \
  --label "org.opencontainers.image.version=$version" \
  --label "org.opencontainers.image.revision=$revision" \
  --label org.opencontainers.image.licenses=Apache-2.0 \
  ${DDB_CATALOG_SOURCE_URL:+--label "org.opencontainers.image.source=$DDB_CATALOG_SOURCE_URL"} \
  "$container"
b commit --quiet --format oci --timestamp "$created" "$container" "$tag" >/dev/null

# The check: run the binary inside the image (chroot isolation, as the image's user).
checker=$(b from "$tag")
says=$(b run --isolation chroot "$checker" -- /ddb-catalog/ddb-catalog --version)
[ "$says" = "ddb-catalog $version" ] || { echo "build-image.sh: the image's binary says: $says" >&2; exit 1; }
inspect=$(b run --isolation chroot "$checker" -- /ddb-catalog/ddb-catalog component inspect 2>&1)
case "$inspect" in
  *"Component: /ddb-catalog/dynamodb_connector.wasm sha256:"*) ;;
  *) echo "build-image.sh: the image's binary does not find its component:" >&2; echo "$inspect" >&2; exit 1 ;;
esac
b rm "$checker" >/dev/null

rm -f "$archive"
b push --quiet "$tag" "oci-archive:$archive:ddb-catalog:$version" >/dev/null
log "$archive ($(du -h "$archive" | cut -f1)): FROM scratch, the static binary and the component; checked in the image"
echo "$archive"
