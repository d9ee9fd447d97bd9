"""Seeded synthetic market data for tests and benchmarks.

``gbm_bars``: plain geometric Brownian motion. ``synthetic_bars`` (and
``synthetic_path``, which also returns the hidden regime and jump of each bar):
GBM whose volatility switches between ``Regime`` s by a Markov chain (each
regime lasts a geometric number of bars with mean ``mean_bars``, then the chain
moves to another regime, uniformly), plus Poisson jumps (``jumps_per_day``,
log-size normal with ``jump_mean``/``jump_std``).

The same arguments and seed give the same bars, to the tick, on every machine:
draws come from numpy's PCG64 in a fixed order, and prices are rounded once to
the instrument's grid (every bar is exact and valid: low <= open, close <= high).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Final, NamedTuple

import msgspec
import numpy as np
from numpy.typing import NDArray

from ironkeel.model.data import Bar, BarType
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.instruments import Instrument

__all__ = [
    "DEFAULT_REGIMES",
    "Regime",
    "SyntheticPath",
    "gbm_bars",
    "synthetic_bars",
    "synthetic_path",
]

MINUTE_NS = 60_000_000_000
DAY_NS: Final = 86_400 * 10**9
YEAR_NS: Final = 365 * DAY_NS
_POINTS: Final = 4  # price points drawn inside each bar; the last is the close


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


class Regime(msgspec.Struct, frozen=True, kw_only=True):
    """A volatility regime: annualised volatility and drift, and its mean length in bars."""

    annual_vol: float
    mean_bars: float
    annual_drift: float = 0.0

    def __post_init__(self) -> None:
        if not self.annual_vol >= 0:
            raise InvalidInputError(
                "Regime.annual_vol", self.annual_vol, "must be >= 0", "e.g. 0.6"
            )
        if not self.mean_bars >= 1:
            raise InvalidInputError("Regime.mean_bars", self.mean_bars, "must be >= 1", "e.g. 500")


#: A calm regime most of the time and a stormy one for a few hours now and then.
DEFAULT_REGIMES: Final = (
    Regime(annual_vol=0.4, mean_bars=2_000),
    Regime(annual_vol=1.5, mean_bars=240),
)


class SyntheticPath(NamedTuple):
    """Bars with the hidden state that made them: each bar's regime index and jump count."""

    bars: list[Bar]
    regimes: NDArray[np.int64]
    jumps: NDArray[np.int64]


def _regime_path(rng: np.random.Generator, n: int, regimes: Sequence[Regime]) -> NDArray[np.int64]:
    path = np.empty(n, np.int64)
    state, filled = 0, 0
    while filled < n:
        length = int(rng.geometric(1.0 / regimes[state].mean_bars))
        path[filled : filled + length] = state
        filled += length
        if len(regimes) > 1:
            state = (state + 1 + int(rng.integers(len(regimes) - 1))) % len(regimes)
    return path


def synthetic_path(
    instrument: Instrument,
    n: int,
    *,
    seed: int = 0,
    start_price: Decimal | str = "100",
    regimes: Sequence[Regime] = DEFAULT_REGIMES,
    jumps_per_day: float = 0.5,
    jump_mean: float = 0.0,
    jump_std: float = 0.02,
    start_ns: int = 1_600_000_000 * 1_000_000_000,
    interval_ns: int = MINUTE_NS,
    volume_lots: int = 1_000,
) -> SyntheticPath:
    """``n`` bars of regime-switching GBM with jumps; see the module docstring."""
    if n <= 0:
        raise InvalidInputError("n", n, "must be positive", "ask for at least one bar")
    if not regimes:
        raise InvalidInputError("regimes", regimes, "is empty", "give at least one Regime")
    if not (jumps_per_day >= 0 and jump_std >= 0):
        raise InvalidInputError(
            "jumps_per_day/jump_std", (jumps_per_day, jump_std), "must be >= 0", "e.g. 0.5 and 0.02"
        )
    rng = np.random.default_rng(seed)
    state = _regime_path(rng, n, regimes)
    vol = np.array([r.annual_vol for r in regimes])[state]
    drift = np.array([r.annual_drift for r in regimes])[state]
    dt = interval_ns / _POINTS / YEAR_NS
    sigma = vol * np.sqrt(dt)
    steps = rng.normal(size=(n, _POINTS)) * sigma[:, None] + ((drift - 0.5 * vol**2) * dt)[:, None]
    jumps = rng.poisson(jumps_per_day * interval_ns / DAY_NS, size=n).astype(np.int64)
    sizes = rng.normal(jump_mean * jumps, jump_std * np.sqrt(jumps))
    where = rng.integers(_POINTS, size=n)
    steps[np.arange(n), where] += sizes
    start = float(Decimal(start_price) / instrument.price_increment)
    path = start * np.exp(np.cumsum(steps.ravel())).reshape(n, _POINTS)
    ticks = np.maximum(np.rint(path), 1).astype(np.int64)
    close = ticks[:, -1]
    open_ = np.concatenate(([max(round(start), 1)], close[:-1]))
    high = np.maximum(open_, ticks.max(axis=1))
    low = np.minimum(open_, ticks.min(axis=1))
    volume = rng.integers(volume_lots // 2, volume_lots * 2, size=n) * (1 + jumps)
    ts = start_ns + interval_ns * np.arange(1, n + 1, dtype=np.int64)
    bar_type = BarType(instrument.id, interval_ns)
    bars = [
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
    return SyntheticPath(bars, state, jumps)


def synthetic_bars(
    instrument: Instrument,
    n: int,
    *,
    seed: int = 0,
    start_price: Decimal | str = "100",
    regimes: Sequence[Regime] = DEFAULT_REGIMES,
    jumps_per_day: float = 0.5,
    jump_mean: float = 0.0,
    jump_std: float = 0.02,
    start_ns: int = 1_600_000_000 * 1_000_000_000,
    interval_ns: int = MINUTE_NS,
    volume_lots: int = 1_000,
) -> list[Bar]:
    """``n`` bars of regime-switching GBM with Poisson jumps (the bars of ``synthetic_path``)."""
    return synthetic_path(
        instrument,
        n,
        seed=seed,
        start_price=start_price,
        regimes=regimes,
        jumps_per_day=jumps_per_day,
        jump_mean=jump_mean,
        jump_std=jump_std,
        start_ns=start_ns,
        interval_ns=interval_ns,
        volume_lots=volume_lots,
    ).bars
