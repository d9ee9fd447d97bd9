"""Shared output helpers: one JSON object per line, with the process's peak memory and
which variant of ironkeel ran (the compiled build or the sources)."""

from __future__ import annotations

import json
import platform
import resource
import sys
from typing import Any

from ironkeel import _native
from ironkeel.model import AssetClass, Currency, Instrument, InstrumentId, Venue


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MiB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def emit(benchmark: str, **fields: Any) -> None:
    row = {
        "benchmark": benchmark,
        **fields,
        "python": platform.python_version(),
        # "compiled" (make native) or "source (why)": figures differ ~2x between them.
        "native": _native.STATUS,
    }
    print(json.dumps(row), flush=True)
    sys.stdout.flush()


def bench_instrument() -> Instrument:
    """The instrument every benchmark trades: BTCUSD on a 0.01 / 0.001 grid, 2/4 bps fees."""
    return Instrument(
        id=InstrumentId("BTCUSD", Venue("SIM")),
        asset_class=AssetClass.CRYPTO,
        quote_currency=Currency("USD", 2),
        price_increment="0.01",
        size_increment="0.001",
        taker_fee="0.0004",
        maker_fee="0.0002",
    )
