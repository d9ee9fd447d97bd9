"""Fewer points for charts without hiding the extremes: each bucket of consecutive points
keeps its first, minimum, maximum and last point (in time order), so a drawdown's trough
and a peak survive any reduction."""

from __future__ import annotations

import numpy as np

__all__ = ["MAX_POINTS", "minmax_indices"]

#: Points per chart line: enough for a smooth curve, small enough for a light file.
MAX_POINTS = 4_000


def minmax_indices(values: np.ndarray, max_points: int = MAX_POINTS) -> np.ndarray:
    """Sorted indices into ``values`` to draw: all of them when there are at most
    ``max_points``, else first/min/max/last of each of ``max_points // 4`` buckets."""
    n = values.size
    if n <= max_points:
        return np.arange(n)
    buckets = max(1, max_points // 4)
    size = -(-n // buckets)
    pad = buckets * size - n
    padded = np.concatenate((values, np.full(pad, values[-1])))
    grid = padded.reshape(buckets, size)
    starts = np.arange(buckets) * size
    picks = np.concatenate(
        (starts, starts + grid.argmin(axis=1), starts + grid.argmax(axis=1),
         np.minimum(starts + size - 1, n - 1))
    )  # fmt: skip
    return np.unique(np.minimum(picks, n - 1))
