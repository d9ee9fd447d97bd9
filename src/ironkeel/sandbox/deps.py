"""The dependency check: every import of a script resolves to an allowed module whose
installed distribution is the version the platform pinned.

The pins come from the project's lock file (``uv.lock`` at the repository root,
found next to the ``pyproject.toml`` that declares ``ironkeel``) when there is one;
otherwise the installed versions (``importlib.metadata``) are the platform's lock.
A lock may hold several versions of a name (one per Python-version marker); the
installed one must be among them.

``dependency_lock(script)`` is what the registry stores with each version: the
distribution and version of every third-party package the script imports, plus
``ironkeel`` and ``python`` themselves.
"""

from __future__ import annotations

import ast
import importlib.util
import platform
import re
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from ironkeel.sandbox.allowlist import is_allowed
from ironkeel.sandbox.static import Finding

__all__ = [
    "PlatformLock",
    "check_dependencies",
    "dependency_lock",
    "find_lock_file",
    "imported_modules",
    "platform_lock",
]

_PLATFORM = "ironkeel"


def _normalize(name: str) -> str:
    """A distribution name as the lock spells it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class PlatformLock:
    """The pinned versions (normalized name -> versions) and where they came from."""

    source: str
    versions: dict[str, frozenset[str]]

    def allows(self, distribution: str, version: str) -> bool:
        return version in self.versions.get(_normalize(distribution), frozenset())


def find_lock_file(start: Path | None = None) -> Path | None:
    """``uv.lock`` beside the ``pyproject.toml`` that declares ironkeel, above ``start``
    (default: this package's folder); None when there is none (an installed platform)."""
    here = (start or Path(__file__)).resolve()
    for folder in [here, *here.parents]:
        project = folder / "pyproject.toml"
        lock = folder / "uv.lock"
        if project.is_file() and lock.is_file():
            try:
                name = tomllib.loads(project.read_text(encoding="utf-8"))["project"]["name"]
            except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError):
                continue
            if _normalize(str(name)) == _PLATFORM:
                return lock
    return None


def platform_lock(lock_file: Path | None = None) -> PlatformLock:
    """The pins from ``lock_file`` (default: ``find_lock_file()``), else the installed set."""
    path = lock_file if lock_file is not None else find_lock_file()
    if path is None:
        return _installed_lock()
    return _read_lock(path)


@cache
def _read_lock(path: Path) -> PlatformLock:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    versions: dict[str, set[str]] = {}
    for package in data.get("package", []):
        name, version = package.get("name"), package.get("version")
        if isinstance(name, str) and isinstance(version, str):
            versions.setdefault(_normalize(name), set()).add(version)
    return PlatformLock(str(path), {k: frozenset(v) for k, v in versions.items()})


def _installed_lock() -> PlatformLock:
    versions: dict[str, frozenset[str]] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            versions[_normalize(name)] = frozenset({dist.version})
    return PlatformLock("installed distributions (no uv.lock found)", versions)


def imported_modules(source: str) -> dict[str, int]:
    """Every absolute module the source imports -> the first line importing it."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module]
        for name in names:
            found.setdefault(name, getattr(node, "lineno", 0))
    return found


def _distribution(top: str) -> str | None:
    """The distribution that installs the top-level module ``top`` (None: stdlib or unknown)."""
    if top == _PLATFORM:
        return _PLATFORM
    if top in sys.stdlib_module_names:
        return None
    owners = metadata.packages_distributions().get(top)
    return owners[0] if owners else None


def check_dependencies(
    path: Path | str, source: str | None = None, lock: PlatformLock | None = None
) -> list[Finding]:
    """IK601..IK604: an import that is not allowed, not installed, installed by no known
    distribution, or installed at a version the platform did not pin."""
    file = str(path)
    text = Path(path).read_text(encoding="utf-8") if source is None else source
    pins = lock if lock is not None else platform_lock()
    findings: list[Finding] = []
    for module, line in sorted(imported_modules(text).items(), key=lambda kv: kv[1]):
        top = module.split(".")[0]
        if module == "__future__":
            continue
        if not is_allowed(module):
            findings.append(_f(file, line, "IK601", f"{module} is not an allowed module",
                               "import only modules on the allow-list"))  # fmt: skip
            continue
        if importlib.util.find_spec(top) is None:
            findings.append(_f(file, line, "IK602", f"{top} is not installed on the platform",
                               "remove the import (the platform runs only its lock)"))  # fmt: skip
            continue
        dist = _distribution(top)
        if dist is None:
            if top not in sys.stdlib_module_names:
                findings.append(_f(file, line, "IK603", f"no installed distribution provides {top}",
                                   "import only the platform's locked packages"))  # fmt: skip
            continue
        if dist == _PLATFORM:
            continue
        version = metadata.version(dist)
        if not pins.allows(dist, version):
            pinned = sorted(pins.versions.get(_normalize(dist), frozenset())) or "nothing"
            findings.append(_f(
                file, line, "IK604",
                f"{dist} {version} is installed, but {pins.source} pins {pinned}",
                "reinstall the locked environment (make env)",
            ))  # fmt: skip
    return findings


def _f(path: str, line: int, code: str, reason: str, fix: str) -> Finding:
    return Finding(path, line, 0, code, reason, fix)


def dependency_lock(path: Path | str, source: str | None = None) -> dict[str, str]:
    """{distribution: version} of every package the script imports, with ``ironkeel`` and
    ``python``; sorted by name (the registry stores it with each version)."""
    text = Path(path).read_text(encoding="utf-8") if source is None else source
    lock = {"python": platform.python_version(), _PLATFORM: metadata.version(_PLATFORM)}
    for module in imported_modules(text):
        top = module.split(".")[0]
        dist = _distribution(top) if importlib.util.find_spec(top) is not None else None
        if dist is not None:
            lock[_normalize(dist)] = metadata.version(dist)
    return dict(sorted(lock.items()))
