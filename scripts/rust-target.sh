#!/usr/bin/env bash
# Adds a compilation target to the pinned toolchain (rust-toolchain.toml), idempotently. A linked
# toolchain (scripts/setup.sh links the pinned name to this machine's `stable`) takes no
# `rustup target add`: the target goes to the toolchain it links to.
set -euo pipefail
target="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pinned="$(sed -n 's/^channel = "\(.*\)"$/\1/p' "$root/rust-toolchain.toml")"
cd /
toolchain="$pinned"
if [ "$(rustup run "$pinned" rustc --print sysroot)" = "$(rustup run stable rustc --print sysroot 2>/dev/null || true)" ]; then
  toolchain=stable
fi
if ! rustup target list --installed --toolchain "$toolchain" | grep -qx "$target"; then
  printf '[setup] adding the %s target to %s\n' "$target" "$toolchain" >&2
  rustup target add --toolchain "$toolchain" "$target"
fi
