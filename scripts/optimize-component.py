#!/usr/bin/env python3
"""Shrinks a component's main core module with Binaryen's wasm-opt, leaving the component around it
(its types, the canonical ABI glue, the shim modules) byte for byte as wasm-component-ld wrote it.

    optimize-component.py WASM_OPT IN.wasm OUT.wasm

A component's binary is a header and a list of sections (id, LEB128 size, payload); a core module
is section 1, whose payload is a whole core wasm module. The largest core module is the
connector's code: it goes through `wasm-opt -Oz` with exactly the features rustc's wasm32-wasip2
target enables (so no instruction appears that the host's engine was not asked to support), and
the section is written back with its new size. wasm-opt keeps every import and export, which is
what the component's instantiations name.
"""

import os
import subprocess
import sys
import tempfile

COMPONENT_HEADER = b"\x00asm\x0d\x00\x01\x00"
CORE_MODULE = 1
# rustc 1.95's wasm32-wasip2 defaults (`rustc --print cfg --target wasm32-wasip2`).
FEATURES = [
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
]


def read_leb(data: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated LEB128")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def write_leb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def sections(data: bytes) -> list[tuple[int, bytes]]:
    if not data.startswith(COMPONENT_HEADER):
        raise ValueError("not a component (wrong header)")
    pos, found = len(COMPONENT_HEADER), []
    while pos < len(data):
        section_id = data[pos]
        size, pos = read_leb(data, pos + 1)
        if pos + size > len(data):
            raise ValueError(f"section {section_id} runs past the end")
        found.append((section_id, data[pos : pos + size]))
        pos += size
    return found


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    wasm_opt, source, target = sys.argv[1:]
    with open(source, "rb") as f:
        parts = sections(f.read())
    modules = [i for i, (sid, _) in enumerate(parts) if sid == CORE_MODULE]
    if not modules:
        raise SystemExit(f"{source}: no core module")
    main_module = max(modules, key=lambda i: len(parts[i][1]))
    with tempfile.TemporaryDirectory() as tmp:
        before, after = os.path.join(tmp, "in.wasm"), os.path.join(tmp, "out.wasm")
        with open(before, "wb") as f:
            f.write(parts[main_module][1])
        subprocess.run(
            [wasm_opt, "-Oz", "--strip-debug", "--strip-producers", *FEATURES, before, "-o", after],
            check=True,
        )
        with open(after, "rb") as f:
            optimized = f.read()
    original = len(parts[main_module][1])
    parts[main_module] = (CORE_MODULE, optimized)
    out = bytearray(COMPONENT_HEADER)
    for section_id, payload in parts:
        out.append(section_id)
        out += write_leb(len(payload))
        out += payload
    with open(target + ".tmp", "wb") as f:
        f.write(out)
    os.replace(target + ".tmp", target)
    print(f"wasm-opt -Oz: core module {original} -> {len(optimized)} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
