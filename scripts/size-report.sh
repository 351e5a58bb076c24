#!/usr/bin/env bash
# What takes the component's bytes (docs/size.md): builds the component with its symbol names
# kept (a separate target dir, so the shipped build is untouched), runs the same wasm-opt -Oz as
# scripts/build-component.sh with -g (names kept), and sums twiggy's per-item sizes by crate or
# module. Installs twiggy 0.8 into .tools/twiggy on first use.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

twiggy=.tools/twiggy/bin/twiggy
if [ ! -x "$twiggy" ]; then
  cargo install --locked --quiet --root .tools/twiggy twiggy@0.8.0
fi
wasm_opt=.tools/node/node_modules/binaryen/bin/wasm-opt
[ -x "$wasm_opt" ] || { echo "size-report.sh: run scripts/setup.sh first (wasm-opt)" >&2; exit 1; }

named=target/size-report
CARGO_PROFILE_COMPONENT_STRIP=false CARGO_TARGET_DIR="$named" \
  cargo build --locked --quiet -p dynamodb-connector --target wasm32-wasip2 --profile component
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$named/wasm32-wasip2/component/dynamodb_connector.wasm" "$work/core.wasm" <<'PY'
import sys
sys.path.insert(0, "scripts")
import importlib.util
spec = importlib.util.spec_from_file_location("opt", "scripts/optimize-component.py")
opt = importlib.util.module_from_spec(spec); spec.loader.exec_module(opt)
parts = opt.sections(open(sys.argv[1], "rb").read())
core = max((p for sid, p in parts if sid == opt.CORE_MODULE), key=len)
open(sys.argv[2], "wb").write(core)
PY
# shellcheck disable=SC2046
"$wasm_opt" -Oz -g --strip-dwarf $(python3 -c 'import importlib.util as u; s=u.spec_from_file_location("o","scripts/optimize-component.py"); m=u.module_from_spec(s); s.loader.exec_module(m); print(" ".join(m.FEATURES))') \
  "$work/core.wasm" -o "$work/named.wasm"
"$twiggy" top -n 1000000 --format csv "$work/named.wasm" > "$work/top.csv"
python3 - "$work/top.csv" "$(wc -c < target/component/dynamodb_connector.wasm 2>/dev/null || echo 0)" <<'PY'
import csv, re, sys
from collections import Counter
groups, total, names = Counter(), 0, 0
for row in csv.DictReader(open(sys.argv[1])):
    name, size = row["Name"], int(row["ShallowSize"])
    if name.startswith("custom section") or "subsection" in name:
        names += size  # symbol names: stripped from the shipped component
        continue
    total += size
    if name.startswith("data segment"):
        key = "(data: strings, tables, statics)"
    elif name.startswith(("catalog:", "cabi_")):
        key = "(WIT bindings: exports, lifting and lowering)"
    else:
        m = re.search(r"(dynamodb_connector::[a-z_]+|[a-z_0-9]+)(\[[0-9a-f]+\])?::", name.lstrip("<"))
        key = m.group(1) if m else "(other)"
    groups[key] += size
print(f"core module without names: {total} bytes; shipped component: {sys.argv[2]} bytes")
for key, size in groups.most_common(40):
    print(f"{size:>8}  {100 * size / total:5.1f}%  {key}")
PY
