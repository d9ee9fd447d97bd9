"""Shared output helpers: one JSON object per line, with the process's peak memory."""

from __future__ import annotations

import json
import platform
import resource
import sys
from typing import Any


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MiB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def emit(benchmark: str, **fields: Any) -> None:
    row = {"benchmark": benchmark, **fields, "python": platform.python_version()}
    print(json.dumps(row), flush=True)
    sys.stdout.flush()
