"""Seeded synthetic market data for tests and benchmarks: geometric Brownian motion bars.

The same seed gives the same bars, to the tick, on every machine: prices are
drawn with numpy's PCG64 and rounded once to the instrument's grid.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from ironkeel.model.data import Bar, BarType
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.instruments import Instrument

__all__ = ["gbm_bars"]

MINUTE_NS = 60_000_000_000


def gbm_bars(
    instrument: Instrument,
    n: int,
    *,
    seed: int = 0,
    start_price: Decimal | str = "100",
    annual_vol: float = 0.6,
    start_ns: int = 1_600_000_000 * 1_000_000_000,
    interval_ns: int = MINUTE_NS,
    volume_lots: int = 1_000,
) -> list[Bar]:
    """``n`` OHLCV bars following GBM with the given annual volatility (floats only draw
    the path; every bar is exact on the instrument's grid)."""
    if n <= 0:
        raise InvalidInputError("n", n, "must be positive", "ask for at least one bar")
    rng = np.random.default_rng(seed)
    per_bar = annual_vol * np.sqrt(interval_ns / (365 * 24 * 3600 * 1e9))
    steps = rng.normal(-0.5 * per_bar**2, per_bar, size=(n, 4))
    start = float(Decimal(start_price) / instrument.price_increment)
    path = start * np.exp(np.cumsum(steps.ravel())).reshape(n, 4)
    ticks = np.maximum(np.rint(path), 1).astype(np.int64)
    open_ = np.concatenate(([ticks[0, 0]], ticks[:-1, 3]))  # each bar opens at the last close
    close = ticks[:, 3]
    high = np.maximum.reduce([open_, close, ticks[:, 1], ticks[:, 2]])
    low = np.minimum.reduce([open_, close, ticks[:, 1], ticks[:, 2]])
    volume = rng.integers(volume_lots // 2, volume_lots * 2, size=n)
    ts = start_ns + interval_ns * np.arange(1, n + 1, dtype=np.int64)
    bar_type = BarType(instrument.id, interval_ns)
    return [
        Bar(bar_type, o, h, lo, c, v, t, t)
        for o, h, lo, c, v, t in zip(
            open_.tolist(),
            high.tolist(),
            low.tolist(),
            close.tolist(),
            volume.tolist(),
            ts.tolist(),
            strict=True,
        )
    ]
