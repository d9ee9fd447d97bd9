"""PLACEHOLDER replaced at merge by the validation worker's allow-list."""

from __future__ import annotations

_ALLOWED = (
    "ironkeel", "math", "statistics", "collections", "dataclasses", "decimal", "fractions",
    "enum", "typing", "functools", "itertools", "heapq", "bisect", "numpy", "pandas",
    "datetime", "zoneinfo", "re", "operator", "abc", "random", "array",
)  # fmt: skip


def is_allowed(name: str) -> bool:
    return name.split(".", maxsplit=1)[0] in _ALLOWED


#: Imported by the zygote before it forks: every allowed module that exists here, and
#: what the sandbox itself needs after hardening.
PRELOAD = (*_ALLOWED, "ironkeel.indicators", "ironkeel.strategy", "pyseccomp")
