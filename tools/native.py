"""Compile ironkeel's hot modules with mypyc, when their sources changed (``make native``).

    python tools/native.py            build if the sources differ from the last build
    python tools/native.py --clean    remove the build: every module runs from source

The module list is ``ironkeel._native.COMPILED``; the build writes the extension
modules beside their sources and ``src/ironkeel/_native.json``, the SHA-256 of every
source it read (the compiled modules and the ironkeel modules they import, found by
walking their imports). ``ironkeel._native.activate()`` loads the build only while
those hashes match. The old build is removed before a new one starts, so a failed or
interrupted build leaves the package running from source, never half compiled.
Without a C compiler the build is skipped with a message, and ironkeel runs from
source (slower, same results). See docs/decisions/0015-compiled-hot-path.md.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import shutil
import sys
import sysconfig
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
BUILD = ROOT / "build" / "native"


def load_native() -> ModuleType:
    """``ironkeel._native`` by path, without importing the package (which activates it)."""
    spec = importlib.util.spec_from_file_location(
        "_ironkeel_native", SRC / "ironkeel" / "_native.py"
    )
    if spec is None or spec.loader is None:
        raise SystemExit(f"native: cannot load {SRC / 'ironkeel' / '_native.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def module_file(name: str) -> Path | None:
    base = SRC.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_ironkeel_modules(path: Path) -> set[str]:
    """Every ironkeel module ``path`` imports (``from a import b`` counts ``a.b`` if it is one)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "ironkeel")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "ironkeel":
                continue
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return {name for name in found if module_file(name) is not None}


def sources_read(compiled: tuple[str, ...]) -> list[Path]:
    """The compiled modules and, transitively, the ironkeel modules they import, with the
    ``__init__`` of every package on the way."""
    seen: set[str] = set()
    todo = list(compiled)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        path = module_file(name)
        if path is not None:
            todo.extend(imported_ironkeel_modules(path) - seen)
    files = {module_file(name) for name in seen}
    return sorted(path for path in files if path is not None)


def manifest_for(native: ModuleType) -> dict[str, object]:
    sources = sources_read(native.COMPILED)
    return {
        "python": sys.implementation.cache_tag,
        "compiled": list(native.COMPILED),
        "sources": {str(p.relative_to(SRC)): native.digest(p) for p in sources},
    }


def up_to_date(native: ModuleType) -> bool:
    if not native.MANIFEST.is_file():
        return False
    try:
        recorded = json.loads(native.MANIFEST.read_text())
    except ValueError:
        return False
    built = all(native.extension_path(m, SRC).is_file() for m in native.COMPILED)
    return built and recorded == manifest_for(native)


def clean(native: ModuleType) -> int:
    native.MANIFEST.unlink(missing_ok=True)
    removed = 0
    for path in SRC.rglob("*.so"):
        path.unlink()
        removed += 1
    shutil.rmtree(BUILD, ignore_errors=True)
    return removed


def compiler() -> str | None:
    command = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(command)


def build(native: ModuleType) -> None:
    from mypyc.build import mypycify  # noqa: PLC0415 - build-time only
    from setuptools import setup  # type: ignore[import-untyped]  # noqa: PLC0415

    paths = [str(native.source_path(m, SRC).relative_to(SRC)) for m in native.COMPILED]
    previous = Path.cwd()
    os.chdir(SRC)  # mypyc names the modules by their paths relative to here
    try:
        setup(
            name="ironkeel-native",
            ext_modules=mypycify(paths, opt_level="3", target_dir=str(BUILD / "c")),
            script_args=[
                "--quiet",
                "build_ext",
                "--inplace",
                "--build-temp",
                str(BUILD / "temp"),
                "--build-lib",
                str(BUILD / "lib"),
            ],
        )
    finally:
        os.chdir(previous)


def main(argv: list[str]) -> int:
    native = load_native()
    if argv == ["--clean"]:
        print(f"native: removed the build ({clean(native)} extension modules)")
        return 0
    if argv:
        print("usage: python tools/native.py [--clean]", file=sys.stderr)
        return 2
    count = len(native.COMPILED)
    if up_to_date(native):
        print(f"native: up to date ({count} modules compiled)")
        return 0
    clean(native)
    if compiler() is None:
        print(
            "native: no C compiler found (set CC or install gcc): ironkeel runs from source, "
            "slower with the same results",
            file=sys.stderr,
        )
        return 0
    print(f"native: compiling {count} modules with mypyc ...", flush=True)
    started = time.perf_counter()
    build(native)
    manifest = manifest_for(native)
    native.MANIFEST.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    seconds = time.perf_counter() - started
    hashed = len(manifest["sources"])  # type: ignore[arg-type]
    print(f"native: {count} modules compiled in {seconds:.0f} s ({hashed} sources hashed)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
