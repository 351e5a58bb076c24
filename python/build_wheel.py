"""Builds the ``ddb-catalog`` wheel from the release's prebuilt files, with Python's stdlib only.

    python3 python/build_wheel.py [--dist DIR] [--out DIR]

reads ``DIR/ddb-catalog`` (the static musl host) and ``DIR/dynamodb_connector.wasm`` (the
stamped component), checks them against ``DIR/SHA256SUMS`` when it is there, and writes
``OUT/ddb_catalog-<version>-py3-none-<platform tags>.whl`` (default: both ``dist/``). Nothing is
compiled: the wheel carries the very bytes ``scripts/release.sh`` built.

The wheel follows PEP 427 (binary distribution format) with PEP 376 RECORD hashes, metadata
2.1 from ``python/pyproject.toml`` ([project]) and the version of the workspace's Cargo.toml.
It is reproducible: entries are sorted and dated ``SOURCE_DATE_EPOCH`` (scripts/release.sh sets
it to the commit's time), so the same inputs give the same bytes.

Inside the wheel, the executable and the component sit side by side in the package,
``ddb_catalog/bin/``, where the host finds the component without a flag; the installed
``ddb-catalog`` command is a console script that execs it (``ddb_catalog/_cli.py``).

Platform tags: ``manylinux_2_17_x86_64.manylinux2014_x86_64.musllinux_1_1_x86_64``. The host is
a static-pie musl binary: it links no libc, so the only thing it needs of the system is a Linux
kernel (Rust's x86_64-unknown-linux-musl target supports kernel 3.2 and later). A manylinux tag
promises "runs where glibc >= X is": true for any X, and 2_17 (manylinux2014, CentOS 7, kernel
3.10) is the oldest baseline whose kernel Rust supports, so it is the widest honest one; older
pips read it as ``manylinux2014``. A musllinux tag promises "runs where musl >= X is": true for
any X since the binary carries its own musl, and 1_1 is the lowest PEP 656 defines. One wheel
thus installs on glibc distributions (Debian, Ubuntu, RHEL, Amazon Linux: MWAA, Composer and
the official Airflow images) and on musl ones (Alpine), with pip >= 19.3 (>= 21.2 on musl).

This file is also the in-tree PEP 517 backend of ``python/pyproject.toml``: ``pip wheel
./python`` and ``pip install ./python`` build the same wheel from the repository's ``dist/``
(or ``DDB_CATALOG_DIST``). There is no sdist: the wheel's contents are built by Cargo.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import os
import re
import stat
import sys
import time
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACKAGE = "ddb_catalog"
BINARY = "ddb-catalog"
COMPONENT = "dynamodb_connector.wasm"
PLATFORM_TAGS = ("manylinux_2_17_x86_64", "manylinux2014_x86_64", "musllinux_1_1_x86_64")
# 1980-01-01, the earliest date a zip entry can hold.
ZIP_EPOCH = 315532800


class BuildError(Exception):
    pass


def _toml(path: Path) -> Dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        raise BuildError(
            f"building the wheel needs Python >= 3.11 (tomllib) to read {path}; "
            f"this is {sys.version.split()[0]}"
        ) from None
    with path.open("rb") as file:
        value: Dict[str, Any] = tomllib.load(file)
    return value


def pep440_version(cargo_version: str) -> str:
    """Cargo's semver as a PEP 440 version: 1.2.3, 1.2.3-rc.1 -> 1.2.3rc1, -alpha.2 -> a2."""
    match = re.fullmatch(
        r"(\d+)\.(\d+)\.(\d+)(?:-(alpha|beta|rc)\.?(\d+))?", cargo_version
    )
    if not match:
        raise BuildError(
            f"the workspace version {cargo_version!r} has no PEP 440 equivalent here "
            "(use MAJOR.MINOR.PATCH, optionally -alpha.N, -beta.N or -rc.N)"
        )
    major, minor, patch, pre, number = match.groups()
    version = f"{major}.{minor}.{patch}"
    if pre:
        version += {"alpha": "a", "beta": "b", "rc": "rc"}[pre] + number
    return version


def workspace_version(root: Path = ROOT) -> str:
    cargo = _toml(root / "Cargo.toml")
    try:
        version = cargo["workspace"]["package"]["version"]
    except KeyError:
        raise BuildError(f"no [workspace.package] version in {root / 'Cargo.toml'}") from None
    return pep440_version(str(version))


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode("ascii")


def _metadata(project: Mapping[str, Any], version: str, source: Path) -> str:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {version}",
        f"Summary: {project['description']}",
    ]
    for author in project.get("authors", []):
        if "name" in author:
            lines.append(f"Author: {author['name']}")
    license_ = project.get("license", {})
    if isinstance(license_, dict) and "text" in license_:
        lines.append(f"License: {license_['text']}")
    if project.get("keywords"):
        lines.append("Keywords: " + ",".join(project["keywords"]))
    for label, url in project.get("urls", {}).items():
        lines.append(f"Project-URL: {label}, {url}")
    for classifier in project.get("classifiers", []):
        lines.append(f"Classifier: {classifier}")
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    for requirement in project.get("dependencies", []):
        lines.append(f"Requires-Dist: {requirement}")
    text = "\n".join(lines) + "\n"
    readme = project.get("readme")
    if readme:
        body = (source / str(readme)).read_text(encoding="utf-8")
        text += "Description-Content-Type: text/markdown\n\n" + body
    return text


def _entry_points(project: Mapping[str, Any]) -> str:
    scripts = project.get("scripts", {})
    if not scripts:
        return ""
    lines = ["[console_scripts]"] + [f"{name} = {target}" for name, target in scripts.items()]
    return "\n".join(lines) + "\n"


def _check_sums(dist: Path, names: Sequence[str]) -> None:
    sums = dist / "SHA256SUMS"
    if not sums.is_file():
        return
    listed: Dict[str, str] = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name.strip()] = digest.strip()
    for name in names:
        if name not in listed:
            raise BuildError(f"{name} is not in {sums}: run `bash scripts/release.sh` again")
        actual = hashlib.sha256((dist / name).read_bytes()).hexdigest()
        if actual != listed[name]:
            raise BuildError(
                f"{dist / name} does not match {sums} (sha256 {actual}, listed {listed[name]}): "
                "dist/ was changed after the release was built; run `bash scripts/release.sh`"
            )


def _check_binary(path: Path) -> None:
    head = path.read_bytes()[:20]
    # ELF, 64-bit, little-endian, e_machine 0x3e (x86-64): the platform the tags promise.
    if head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1 or head[18:20] != b"\x3e\x00":
        raise BuildError(
            f"{path} is not a Linux x86_64 executable, which the wheel's tags "
            f"({'.'.join(PLATFORM_TAGS)}) promise"
        )


def build(dist: Path, out: Path, source_date_epoch: Optional[int] = None) -> Path:
    """Writes the wheel into `out` and returns its path."""
    for name in (BINARY, COMPONENT):
        if not (dist / name).is_file():
            raise BuildError(
                f"no {dist / name}: build it first with `bash scripts/release.sh` "
                "(which builds this wheel too)"
            )
    _check_binary(dist / BINARY)
    _check_sums(dist, (BINARY, COMPONENT))

    project = _toml(HERE / "pyproject.toml")["project"]
    version = workspace_version()
    name = str(project["name"])
    dist_name = re.sub(r"[-_.]+", "_", name).lower()
    dist_info = f"{dist_name}-{version}.dist-info"

    # (path in the wheel, bytes, mode)
    files: List[Tuple[str, bytes, int]] = []
    package_dir = HERE / PACKAGE
    for path in sorted(package_dir.rglob("*")):
        relative = path.relative_to(HERE).as_posix()
        if path.is_dir() or "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
            continue
        if path.relative_to(package_dir).parts[0] == "bin":
            continue  # the bundled files come from dist/ only
        if not (path.suffix == ".py" or path.name == "py.typed"):
            raise BuildError(f"unexpected file in the package: {path}")
        files.append((relative, path.read_bytes(), 0o644))
    files.append((f"{PACKAGE}/bin/{BINARY}", (dist / BINARY).read_bytes(), 0o755))
    files.append((f"{PACKAGE}/bin/{COMPONENT}", (dist / COMPONENT).read_bytes(), 0o644))

    wheel_meta = "Wheel-Version: 1.0\nGenerator: ddb-catalog build_wheel.py\nRoot-Is-Purelib: false\n"
    wheel_meta += "".join(f"Tag: py3-none-{tag}\n" for tag in PLATFORM_TAGS)
    files.append((f"{dist_info}/METADATA", _metadata(project, version, HERE).encode(), 0o644))
    files.append((f"{dist_info}/WHEEL", wheel_meta.encode(), 0o644))
    entry_points = _entry_points(project)
    if entry_points:
        files.append((f"{dist_info}/entry_points.txt", entry_points.encode(), 0o644))
    files.append((f"{dist_info}/top_level.txt", f"{PACKAGE}\n".encode(), 0o644))

    record = io.StringIO()
    for path_in_wheel, data, _ in files:
        record.write(f"{path_in_wheel},{_record_hash(data)},{len(data)}\n")
    record.write(f"{dist_info}/RECORD,,\n")
    files.append((f"{dist_info}/RECORD", record.getvalue().encode(), 0o644))

    if source_date_epoch is None:
        source_date_epoch = int(os.environ.get("SOURCE_DATE_EPOCH", ZIP_EPOCH))
    date_time = time.gmtime(max(source_date_epoch, ZIP_EPOCH))[:6]

    out.mkdir(parents=True, exist_ok=True)
    wheel = out / f"{dist_name}-{version}-py3-none-{'.'.join(PLATFORM_TAGS)}.whl"
    partial = wheel.with_name(wheel.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for path_in_wheel, data, mode in files:
            info = zipfile.ZipInfo(path_in_wheel, date_time=date_time)
            info.create_system = 3  # Unix: installers read the mode from external_attr
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)
    partial.replace(wheel)
    return wheel


# PEP 517 hooks (python/pyproject.toml names this module as the in-tree backend).


def _dist_for_hooks(config_settings: Optional[Mapping[str, Any]]) -> Path:
    if config_settings and config_settings.get("dist"):
        return Path(str(config_settings["dist"]))
    return Path(os.environ.get("DDB_CATALOG_DIST", str(ROOT / "dist")))


def get_requires_for_build_wheel(config_settings: Optional[Mapping[str, Any]] = None) -> List[str]:
    return []


def build_wheel(
    wheel_directory: str,
    config_settings: Optional[Mapping[str, Any]] = None,
    metadata_directory: Optional[str] = None,
) -> str:
    return build(_dist_for_hooks(config_settings), Path(wheel_directory)).name


def build_sdist(sdist_directory: str, config_settings: Optional[Mapping[str, Any]] = None) -> str:
    raise BuildError(
        "ddb-catalog has no source distribution: its wheel bundles the static host and the "
        "component that Cargo builds; run `bash scripts/release.sh` in the repository"
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Build the ddb-catalog wheel from dist/.")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="the release's files")
    parser.add_argument("--out", type=Path, default=None, help="where to write (default: --dist)")
    options = parser.parse_args(argv)
    try:
        wheel = build(options.dist, options.out or options.dist)
    except BuildError as error:
        print(f"build_wheel.py: {error}", file=sys.stderr)
        return 1
    print(wheel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
