"""The compiled build of the hot modules: used only when it matches the sources exactly.

``make native`` (``tools/native.py``) compiles the modules in :data:`COMPILED` with
mypyc into extension modules beside their sources and writes ``_native.json``: the
SHA-256 of every source the build read (those modules and every ironkeel module
they import). Python would load an extension module in preference to its ``.py``,
so a build that no longer matches its sources would run old code. ``activate()``,
called by ``ironkeel/__init__`` before any other ironkeel import, prevents that:

* the manifest is present and every hash matches: the compiled modules load;
* ``IRONKEEL_NATIVE=0`` in the environment: every module runs from source;
* no manifest (never built, or a build that did not finish): from source;
* a source changed since the build: from source, with a RuntimeWarning that names
  the changed files and the fix (``make native``).

The modules are compiled as one group that calls across modules natively, so the
choice is all or nothing: no mix of compiled and edited source modules. The two
variants give the same results (the test suite runs on both, decision 0015).
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Final

__all__ = ["COMPILED", "MANIFEST", "STATUS", "activate", "stale_sources"]

#: The modules compiled by ``make native``: the per-event and per-order paths of a
#: backtest. A module that defines msgspec Structs cannot be compiled (mypyc would make
#: them unhashable), nor one whose public arguments rely on runtime type checks of
#: values mypyc would reject first with a bare TypeError (see decision 0015).
COMPILED: Final[tuple[str, ...]] = (
    "ironkeel.core.bus",
    "ironkeel.core.clock",
    "ironkeel.core.exact",
    "ironkeel.core.loop",
    "ironkeel.model.orders",
    "ironkeel.execution.factory",
    "ironkeel.execution.oms",
    "ironkeel.venues.sim.exchange",
    "ironkeel.venues.sim.executor",
    "ironkeel.venues.sim.fees",
    "ironkeel.venues.sim.intake",
    "ironkeel.venues.sim.market",
    "ironkeel.venues.sim.matching",
    "ironkeel.venues.sim.records",
    "ironkeel.venues.sim.slippage",
    "ironkeel.indicators._base",
    "ironkeel.indicators.moving",
    "ironkeel.indicators.oscillators",
    "ironkeel.indicators.volatility",
    "ironkeel.indicators.volume",
    "ironkeel.portfolio._balance",
    "ironkeel.portfolio._mark",
    "ironkeel.portfolio.account",
    "ironkeel.portfolio.ledger",
    "ironkeel.portfolio.portfolio",
    "ironkeel.portfolio.position",
    "ironkeel.strategy.host",
    "ironkeel.strategy.slot",
    "ironkeel.risk.breaker",
    "ironkeel.risk.breaker_states",
    "ironkeel.risk.controls.base",
    "ironkeel.risk.controls.collar",
    "ironkeel.risk.controls.control_set",
    "ironkeel.risk.controls.duplicate",
    "ironkeel.risk.controls.exposure",
    "ironkeel.risk.controls.position",
    "ironkeel.risk.controls.reduce_only",
    "ironkeel.risk.controls.size",
    "ironkeel.risk.controls.throttle",
    "ironkeel.risk.deleverage",
    "ironkeel.risk.engine",
    "ironkeel.risk.engine_core",
    "ironkeel.risk.engine_types",
    "ironkeel.risk.limits",
    "ironkeel.risk.liquidation",
    "ironkeel.risk.reference",
    "ironkeel.risk.ticket",
    "ironkeel.risk.tracker",
    "ironkeel.risk.tripwires",
    "ironkeel.risk.view",
    "ironkeel.risk.watch",
    "ironkeel.backtest.recording",
    "ironkeel.sandbox.channel",
    "ironkeel.sandbox.latency",
)

SRC: Final = Path(__file__).resolve().parent.parent
MANIFEST: Final = Path(__file__).with_name("_native.json")
#: Set by ``activate()``: "compiled", or "source (<why>)".
NOT_ACTIVATED: Final = "source (not activated)"
STATUS = NOT_ACTIVATED


def source_path(module: str, src: Path = SRC) -> Path:
    """The ``.py`` file of a dotted ironkeel module name."""
    return src.joinpath(*module.split(".")).with_suffix(".py")


def extension_path(module: str, src: Path = SRC) -> Path:
    """Where the build puts the extension module of a dotted ironkeel module name."""
    return source_path(module, src).with_suffix(importlib.machinery.EXTENSION_SUFFIXES[0])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stale_sources(manifest: dict[str, object], src: Path = SRC) -> list[str]:
    """The sources (paths relative to ``src``) whose hash differs from the manifest's,
    including those that were deleted; empty when the build matches."""
    recorded = manifest.get("sources")
    if not isinstance(recorded, dict):
        return ["<manifest without sources>"]
    stale = []
    for relative, expected in sorted(recorded.items()):
        path = src / relative
        if not path.is_file() or digest(path) != expected:
            stale.append(str(relative))
    return stale


class _FromSource(importlib.abc.MetaPathFinder):
    """Finds the listed modules as their ``.py`` files, never as extension modules."""

    def __init__(self, modules: Sequence[str], src: Path) -> None:
        self._paths = {name: source_path(name, src) for name in modules}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        source = self._paths.get(fullname)
        if source is None:
            return None
        return importlib.util.spec_from_file_location(fullname, source)


def activate() -> str:
    """Decide between the compiled build and the sources, once per process."""
    global STATUS  # noqa: PLW0603 - one decision per process, read by benchmarks and tools
    if STATUS != NOT_ACTIVATED:
        return STATUS
    reason = _reason_for_source()
    if reason is None:
        STATUS = "compiled"
    else:
        STATUS = f"source ({reason})"
        sys.meta_path.insert(0, _FromSource(COMPILED, SRC))
    return STATUS


def _reason_for_source() -> str | None:
    if os.environ.get("IRONKEEL_NATIVE", "1") == "0":
        return "IRONKEEL_NATIVE=0"
    if not MANIFEST.is_file():
        return "not built: run 'make native'"
    try:
        manifest = json.loads(MANIFEST.read_text())
    except (OSError, ValueError) as error:
        return f"unreadable {MANIFEST.name}: {error}"
    if not isinstance(manifest, dict) or manifest.get("python") != sys.implementation.cache_tag:
        return f"built for another Python than {sys.implementation.cache_tag}"
    missing = [name for name in COMPILED if not extension_path(name).is_file()]
    if missing:
        return f"incomplete build: no extension module for {', '.join(missing)}"
    stale = stale_sources(manifest)
    if stale:
        shown = ", ".join(stale[:5]) + (f" and {len(stale) - 5} more" if len(stale) > 5 else "")
        warnings.warn(
            f"ironkeel runs from source: the compiled build is older than {shown}; "
            "run 'make native' to rebuild it",
            RuntimeWarning,
            stacklevel=3,
        )
        return f"stale build: {shown}"
    return None
