"""Callback latencies in constant memory, for processes that run for days.

A list of every round trip would grow without bound in a node (and its appends
reallocate it now and then, inside the timed path). ``LatencyHistogram`` counts
round trips in 256 ns buckets up to ~16.8 ms and keeps the rare slower ones exactly;
percentiles are read from the counts (to within one bucket: 0.26 µs).
"""

from __future__ import annotations

from array import array
from typing import Final

__all__ = ["LatencyHistogram"]

_SHIFT: Final = 8  # 256 ns buckets
_BUCKETS: Final = 1 << 16  # up to 2**24 ns ~ 16.8 ms


class LatencyHistogram:
    """Count latencies (ns); ``percentile`` and ``max`` in ns."""

    __slots__ = ("_counts", "_slow", "count", "max")

    def __init__(self) -> None:
        self._counts = array("I", bytes(4 * _BUCKETS))
        self._slow: list[int] = []  # the few beyond the last bucket, exact
        self.count = 0
        self.max = 0

    def add(self, ns: int) -> None:
        index = ns >> _SHIFT
        if index < _BUCKETS:
            self._counts[index] += 1
        else:
            self._slow.append(ns)
        self.count += 1
        if ns > self.max:  # noqa: PLR1730 - the hot path: a compare is cheaper than max()
            self.max = ns

    def percentile(self, q: float) -> int | None:
        """The latency below which a fraction ``q`` of the calls fell (None: no calls);
        the middle of its bucket, or the exact value beyond the buckets."""
        if self.count == 0:
            return None
        rank = min(self.count - 1, int(q * self.count))
        seen = 0
        for index, n in enumerate(self._counts):
            seen += n
            if seen > rank:
                return (index << _SHIFT) + (1 << (_SHIFT - 1))
        slow = sorted(self._slow)
        return slow[rank - seen]
