"""Stressed bars: an instrument's price carried along a shock path, bar by bar.

From the anchor (the last real close, or a configured price) the bars follow the path,
interpolated onto the history's bar interval (linearly in log price between points),
plus seeded noise: a Brownian bridge pinned to zero at every path point that falls on
the bar grid and at the end, with the per-bar volatility of the history. So a bar that
closes at a point's offset closes exactly at ``anchor * (1 + move)`` rounded half-even
to the tick (Decimal), and between points the prices wander as real bars do. Opens are
the previous close; wicks are drawn from the same volatility; volumes are resampled
from the history. Every price is an int on the instrument's grid (at least one tick).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
from numpy.typing import NDArray

from ironkeel.model.data import Bar
from ironkeel.model.errors import InvalidInputError
from ironkeel.stress.shock import ShockPath

__all__ = ["derive_seed", "exact_close", "stressed_bars"]

_WICK = 0.5  # wick size in units of the per-bar volatility


def derive_seed(*parts: object) -> int:
    """A seed from named parts (run seed, scenario, symbol): stable across processes and
    independent of the order scenarios run in."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def exact_close(anchor_ticks: int, move: Decimal) -> int:
    """``anchor * (1 + move)`` in ticks, rounded half-even, at least one tick."""
    ticks = (Decimal(anchor_ticks) * (1 + move)).to_integral_value(rounding=ROUND_HALF_EVEN)
    return max(int(ticks), 1)


def _bridge(rng: np.random.Generator, n: int, pins: list[int], sigma: float) -> NDArray[np.float64]:
    """Noise for bars 1..n (index 0 is the anchor): zero at each pin, a random walk of
    step ``sigma`` in between."""
    steps = rng.standard_normal(n) * sigma
    noise = np.zeros(n + 1)
    start = 0
    for pin in pins:
        length = pin - start
        walk = np.cumsum(steps[start:pin])
        noise[start + 1 : pin + 1] = walk - walk[-1] * np.arange(1, length + 1) / length
        start = pin
    return noise


def _volatility(history: Sequence[Bar]) -> float:
    closes = np.array([b.close for b in history], dtype=np.float64)
    if closes.size < 3 or np.any(closes <= 0):
        return 0.0
    return float(np.std(np.diff(np.log(closes))))


def stressed_bars(
    history: Sequence[Bar],
    path: ShockPath | None,
    *,
    duration_ns: int,
    seed: int,
    anchor_ticks: int | None = None,
    noise: float = 1.0,
) -> list[Bar]:
    """Bars after ``history`` (the same bar type) for ``duration_ns``, following ``path``
    (None: flat, noise only) from the anchor. See the module doc."""
    if not history:
        raise InvalidInputError("history", [], "is empty", "give the run's real bars")
    last = history[-1]
    interval = last.bar_type.interval_ns
    anchor = last.close if anchor_ticks is None else anchor_ticks
    if anchor <= 0:
        raise InvalidInputError("anchor", anchor, "is not positive", "anchor at a positive price")
    n = max(-(-duration_ns // interval), 1)
    offsets = np.arange(n + 1, dtype=np.int64) * interval
    exact: dict[int, Decimal] = {n: Decimal(0) if path is None else path.end_move}
    if path is None:
        target = np.zeros(n + 1)
    else:
        log_moves = np.log1p(np.array([float(m) for m in path.moves]))
        knots = np.array(path.offsets_ns, dtype=np.float64)
        target = np.interp(offsets.astype(np.float64), knots, log_moves)
        for offset, move in zip(path.offsets_ns, path.moves, strict=True):
            if offset % interval == 0 and 0 < offset // interval <= n:
                exact[offset // interval] = move
    rng = np.random.default_rng(seed)
    sigma = _volatility(history) * noise
    bridge = _bridge(rng, n, sorted(exact), sigma)
    closes = np.maximum(np.rint(anchor * np.exp(target + bridge)), 1).astype(np.int64).tolist()
    closes[0] = anchor
    for index, move in exact.items():
        closes[index] = exact_close(anchor, move)
    wick_up = np.exp(np.abs(rng.standard_normal(n)) * sigma * _WICK)
    wick_down = np.exp(-np.abs(rng.standard_normal(n)) * sigma * _WICK)
    volumes = np.array([b.volume for b in history], dtype=np.int64)
    drawn = rng.choice(volumes, size=n).tolist()
    bars = []
    lag = last.ts_init - last.ts_event
    for k in range(1, n + 1):
        open_, close = closes[k - 1], closes[k]
        high = max(int(np.ceil(max(open_, close) * wick_up[k - 1])), open_, close)
        low = max(min(int(np.floor(min(open_, close) * wick_down[k - 1])), open_, close), 1)
        ts_event = last.ts_event + k * interval
        bars.append(
            Bar(
                bar_type=last.bar_type,
                open=open_,
                high=high,
                low=low,
                close=close,
                volume=int(drawn[k - 1]),
                ts_event=ts_event,
                ts_init=ts_event + lag,
            )
        )
    return bars
