"""The modules a strategy script may import: one list, read by the static checker and the
runtime import guard.

A dotted name is allowed when it, or a package above it, is in ``ALLOWED_MODULES`` and
neither it nor a package above it is in ``DENIED_MODULES``. ``ironkeel`` itself is
allowed only as the root and its strategy-facing packages, never the engine's inside
(backtest, venues, execution, sandbox, audit, cli ...).

Left out on purpose: anything that reaches files, the network, processes, threads,
signals, the wall clock or sleeping (``os``, ``io``, ``pathlib``, ``shutil``,
``socket``, ``subprocess``, ``threading``, ``multiprocessing``, ``asyncio``,
``signal``, ``time``), introspection and code loading (``sys``, ``gc``, ``inspect``,
``ctypes``, ``importlib``, ``builtins``, ``pickle``, ``marshal``), and unseeded
randomness (``random``, ``secrets``: use ``numpy.random.default_rng(seed)``).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ALLOWED_MODULES",
    "DENIED_MODULES",
    "PRELOAD",
    "ROOT_NAMES",
    "ROOT_ONLY",
    "is_allowed",
    "why_denied",
]

#: Top-level modules and packages a strategy may import (with their submodules).
ALLOWED_MODULES: Final[frozenset[str]] = frozenset(
    {
        # ironkeel's strategy-facing API
        "ironkeel",
        "ironkeel.strategy",
        "ironkeel.indicators",
        "ironkeel.model",
        # numbers and statistics
        "math",
        "cmath",
        "decimal",
        "fractions",
        "numbers",
        "statistics",
        # containers and algorithms
        "collections",
        "heapq",
        "bisect",
        "array",
        "itertools",
        "functools",
        "operator",
        "copy",
        # types and declarations
        "__future__",
        "abc",
        "dataclasses",
        "enum",
        "typing",
        "typing_extensions",
        # text and dates (datetime's now()/today() are refused by the static checks)
        "datetime",
        "zoneinfo",
        "re",
        "string",
        "json",
        # numerical libraries
        "numpy",
        "pandas",
    }
)

#: Submodules refused even though their package is allowed (file, C or test machinery).
DENIED_MODULES: Final[frozenset[str]] = frozenset(
    {
        "numpy.ctypeslib",
        "numpy.f2py",
        "numpy.distutils",
        "numpy.testing",
        "numpy.lib.format",
        "pandas.io",
        "pandas.testing",
        "pandas.util",
    }
)

#: Allowed as exactly this name: ``import ironkeel`` yes, ``ironkeel.backtest`` no.
ROOT_ONLY: Final[frozenset[str]] = frozenset({"ironkeel"})

#: The names ``from ironkeel import ...`` may take (the rest of the root is the engine's).
ROOT_NAMES: Final[frozenset[str]] = frozenset({"Param", "Strategy", "__version__"})


def _parents(name: str) -> list[str]:
    """``a.b.c`` -> ``['a.b.c', 'a.b', 'a']``."""
    parts = name.split(".")
    return [".".join(parts[:k]) for k in range(len(parts), 0, -1)]


def is_allowed(name: str) -> bool:
    """Whether a strategy may import the dotted module ``name``."""
    if not name or name.startswith(".") or any(not part for part in name.split(".")):
        return False
    chain = _parents(name)
    if any(p in DENIED_MODULES for p in chain):
        return False
    for candidate in chain:
        if candidate in ALLOWED_MODULES:
            return candidate not in ROOT_ONLY or candidate == name
    return False


def why_denied(name: str) -> str:
    """Why ``name`` is refused, with the fix ('' when it is allowed)."""
    if is_allowed(name):
        return ""
    chain = _parents(name)
    denied = next((p for p in chain if p in DENIED_MODULES), None)
    if denied is not None:
        return f"{denied} reaches files, C code or test machinery and is not allowed"
    if chain[-1] in ROOT_ONLY:
        return (
            f"{name} is the engine's inside; strategies use only "
            f"{sorted(m for m in ALLOWED_MODULES if m.startswith(chain[-1]))}"
        )
    return f"{chain[-1]} is not on the platform's allow-list of strategy imports"


#: What the zygote imports before it forks a strategy process: every allowed module
#: that exists here, and what the sandbox itself needs after hardening (a hardened
#: process may be unable to read the runtime's files, so nothing is imported late).
PRELOAD: Final[tuple[str, ...]] = (
    *sorted(ALLOWED_MODULES - {"__future__"}),
    "pyseccomp",
    "ctypes.util",
    "encodings.idna",
)
