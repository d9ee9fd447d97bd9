"""Drawdowns of an equity curve: the underwater curve, the maximum, its duration, and the
table of episodes.

The drawdown at ``t`` is ``1 - E[t] / max(E[0..t])``, a fraction >= 0 (0 at a new high).
An episode starts at a peak, reaches its trough, and ends when the curve first gets
back to the peak (recovery) or is still open at the end. A curve whose running peak is
not positive has no defined drawdown: it is an error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ironkeel.analytics.errors import AnalyticsError
from ironkeel.analytics.returns import check_finite

__all__ = ["Drawdown", "drawdown_episodes", "max_drawdown", "underwater"]

EPISODE_COLUMNS = [
    "peak_ns", "trough_ns", "recovery_ns", "depth", "bars_to_trough", "bars",
    "duration_ns", "recovered",
]  # fmt: skip


def underwater(equity: np.ndarray, name: str = "equity") -> np.ndarray:
    """The drawdown at every point, as a fraction of the running peak (>= 0)."""
    curve = check_finite(equity, name)
    if curve.size == 0:
        return np.zeros(0)
    peak = np.maximum.accumulate(curve)
    if peak[0] <= 0:
        raise AnalyticsError(
            f"{name}[0]", float(curve[0]), "the curve starts at zero or below",
            "drawdowns need a positive peak; analyse P&L in money instead",
        )  # fmt: skip
    return np.asarray(1.0 - curve / peak, dtype=np.float64)


@dataclass(frozen=True)
class Drawdown:
    """The maximum drawdown (fraction), where it happened, and the longest time spent
    below a peak (in points and in ns; a drawdown still open at the end counts to the
    last point)."""

    depth: float
    peak_index: int
    trough_index: int
    longest_bars: int
    longest_ns: int


def max_drawdown(equity: np.ndarray, ts_ns: np.ndarray | None = None) -> Drawdown:
    """The deepest drawdown and the longest one (0 for a curve never below its peak)."""
    dd = underwater(equity)
    if dd.size == 0:
        return Drawdown(0.0, 0, 0, 0, 0)
    trough = int(np.argmax(dd))
    peak = int(np.argmax(np.asarray(equity)[: trough + 1])) if dd[trough] > 0 else trough
    starts, ends = _spans(dd)
    if starts.size == 0:
        return Drawdown(float(dd[trough]), peak, trough, 0, 0)
    # an episode runs from its peak (the point before it goes under) to its recovery
    bars = ends - (starts - 1)
    longest_bars = int(bars.max())
    longest_ns = 0
    if ts_ns is not None and ts_ns.size == dd.size:
        stamps = ts_ns.astype(np.int64)
        longest_ns = int((stamps[ends] - stamps[starts - 1]).max())
    return Drawdown(float(dd[trough]), peak, trough, longest_bars, longest_ns)


def _spans(dd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the first point under water of each episode, and of its recovery point
    (or of the last point when it never recovered)."""
    under = dd > 0
    edges = np.diff(np.concatenate(([False], under, [False])).astype(np.int8))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)  # first index back at a peak (may be len(dd))
    return starts, np.minimum(ends, dd.size - 1)


def drawdown_episodes(
    equity: np.ndarray, ts_ns: np.ndarray, top: int | None = None
) -> pd.DataFrame:
    """One row per drawdown episode, deepest first (``top`` keeps the deepest N):
    peak, trough and recovery times (ns; recovery empty when still open), depth, points
    from peak to trough, points from peak to recovery, duration in ns, recovered flag."""
    dd = underwater(equity)
    starts, ends = _spans(dd)
    if starts.size == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in EPISODE_COLUMNS})
    # trough of each episode: argmax of dd inside [start, end]
    ids = np.repeat(np.arange(starts.size), ends - starts + 1)
    idx = _ranges(starts, ends)
    order = np.lexsort((-dd[idx], ids))
    first = np.concatenate(([True], ids[order][1:] != ids[order][:-1]))
    troughs = idx[order][first]
    stamps = ts_ns.astype(np.int64)
    recovered = dd[ends] == 0
    frame = pd.DataFrame(
        {
            "peak_ns": stamps[starts - 1],
            "trough_ns": stamps[troughs],
            "recovery_ns": pd.array(stamps[ends], dtype="Int64"),
            "depth": dd[troughs],
            "bars_to_trough": troughs - (starts - 1),
            "bars": ends - (starts - 1),
            "duration_ns": stamps[ends] - stamps[starts - 1],
            "recovered": recovered,
        }
    )
    frame.loc[~recovered, "recovery_ns"] = pd.NA
    frame = frame.sort_values(["depth", "peak_ns"], ascending=[False, True], kind="stable")
    frame = frame.reset_index(drop=True)
    return frame if top is None else frame.head(top)


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(s, e + 1)`` for each pair, vectorized."""
    lengths = ends - starts + 1
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return np.asarray(np.arange(int(lengths.sum())) + offsets, dtype=np.int64)
