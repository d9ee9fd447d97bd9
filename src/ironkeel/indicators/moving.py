"""Moving averages: SMA, EMA and WMA, O(1) per update.

Each keeps its window in a ``deque(maxlen=period)`` pre-filled with zeros, so the value
leaving the window is always ``window[0]`` (a zero during the warm-up) and the running sums
need no warm-up branch. The running sums are recomputed exactly with ``math.fsum`` when
the warm-up ends and then every ``max(period, EXACT_EVERY)`` updates, so rounding drift
never builds up (amortized O(1): one O(period) pass per at least ``period`` updates).
"""

from __future__ import annotations

import math
from collections import deque
from operator import mul

from ironkeel.indicators._base import EXACT_EVERY, check_period, non_finite

__all__ = ["EMA", "SMA", "WMA"]


class SMA:
    """Simple moving average: the mean of the last ``period`` values.

    ``value = sum(x[t - period + 1 .. t]) / period``; ready after ``period`` updates
    (matches pandas ``Series.rolling(period).mean()``).
    """

    __slots__ = (
        "_divisor",
        "_due",
        "_head",
        "_ring",
        "_sum",
        "count",
        "period",
        "ready",
        "value",
        "warmup",
    )

    period: int
    warmup: int
    count: int
    ready: bool
    value: float

    def __init__(self, period: object) -> None:
        self.period = period = check_period("SMA", "period", period)
        self.warmup = period
        self.reset()

    def reset(self) -> None:
        """Forget every update: back to the state right after construction."""
        # The window as a ring: a list indexed natively when compiled (a deque's indexing
        # and append are generic calls); ``_head`` is the oldest value, replaced next.
        self._ring = [0.0] * self.period
        self._head = 0
        self._sum = 0.0
        self._due = self.period  # the count at which the sum is next recomputed exactly
        # The period once ready (nan before: the value stays nan). A division, not a
        # multiplication by 1/period: it is correctly rounded, so two windows whose exact
        # means are equal give equal floats (a crossover rule then sees an exact tie).
        self._divisor = math.nan
        self.count = 0
        self.ready = False
        self.value = math.nan

    def update(self, x: float) -> None:
        """Add the newest value; rejects NaN and ±inf (InvalidInputError)."""
        if x - x:  # nan (truthy) for NaN and ±inf, 0.0 for a finite number
            raise non_finite(f"SMA({self.period})", "x", x)
        ring, head = self._ring, self._head
        total = self._sum + (x - ring[head])
        ring[head] = x
        head += 1
        self._head = 0 if head == self.period else head
        count = self.count + 1
        self.count = count
        if count == self._due:
            total = self._recompute(count)
        self._sum = total
        self.value = total / self._divisor

    def _recompute(self, count: int) -> float:
        self.ready = True
        self._divisor = float(self.period)
        self._due = count + max(self.period, EXACT_EVERY)
        return math.fsum(self._ring)  # exact: the order does not matter

    def __repr__(self) -> str:
        return f"SMA({self.period}, value={self.value!r}, ready={self.ready}, count={self.count})"


class EMA:
    """Exponential moving average, seeded with the SMA of the first ``period`` values.

    ``alpha = 2 / (period + 1)``; the value after ``period`` updates is the mean of those
    values, then ``ema = ema + alpha * (x - ema)``; ready after ``period`` updates. This
    equals pandas ``ewm(span=period, adjust=False).mean()`` applied to the series whose
    first ``period`` values are replaced by their mean (the test's reference).
    """

    __slots__ = ("_alpha", "_sum", "count", "period", "ready", "value", "warmup")

    period: int
    warmup: int
    count: int
    ready: bool
    value: float

    def __init__(self, period: object) -> None:
        self.period = period = check_period("EMA", "period", period)
        self.warmup = period
        self._alpha = 2.0 / (period + 1)
        self.reset()

    @property
    def alpha(self) -> float:
        """The smoothing factor, ``2 / (period + 1)``."""
        return self._alpha

    def reset(self) -> None:
        """Forget every update: back to the state right after construction."""
        self._sum = 0.0  # of the first ``period`` values, for the seed
        self.count = 0
        self.ready = False
        self.value = math.nan

    def update(self, x: float) -> None:
        """Add the newest value; rejects NaN and ±inf (InvalidInputError)."""
        if x - x:  # nan (truthy) for NaN and ±inf, 0.0 for a finite number
            raise non_finite(f"EMA({self.period})", "x", x)
        count = self.count + 1
        self.count = count
        if count > self.period:
            value = self.value
            self.value = value + self._alpha * (x - value)
        else:
            self._seed(x, count)

    def _seed(self, x: float, count: int) -> None:
        self._sum += x
        if count == self.period:
            self.value = self._sum / count
            self.ready = True

    def __repr__(self) -> str:
        return f"EMA({self.period}, value={self.value!r}, ready={self.ready}, count={self.count})"


class WMA:
    """Linearly weighted moving average: weights 1..period, the newest value weighs ``period``.

    ``value = sum(i * x[t - period + i] for i in 1..period) / (period * (period + 1) / 2)``;
    ready after ``period`` updates. O(1): with ``S`` the plain and ``W`` the weighted sum
    of the window, a new value ``x`` gives ``W' = W - S + period * x`` (every weight drops
    by one, the oldest to zero) and ``S' = S - oldest + x``.
    """

    __slots__ = (
        "_due",
        "_scale",
        "_sum",
        "_weighted",
        "_window",
        "count",
        "period",
        "ready",
        "value",
        "warmup",
    )

    period: int
    warmup: int
    count: int
    ready: bool
    value: float

    def __init__(self, period: object) -> None:
        self.period = period = check_period("WMA", "period", period)
        self.warmup = period
        self.reset()

    def reset(self) -> None:
        """Forget every update: back to the state right after construction."""
        self._window: deque[float] = deque([0.0] * self.period, maxlen=self.period)
        self._sum = 0.0
        self._weighted = 0.0
        self._due = self.period
        self._scale = math.nan  # 1 / (period * (period + 1) / 2) once ready
        self.count = 0
        self.ready = False
        self.value = math.nan

    def update(self, x: float) -> None:
        """Add the newest value; rejects NaN and ±inf (InvalidInputError)."""
        if x - x:  # nan (truthy) for NaN and ±inf, 0.0 for a finite number
            raise non_finite(f"WMA({self.period})", "x", x)
        window = self._window
        total = self._sum
        weighted = self._weighted - total + self.period * x
        total += x - window[0]
        window.append(x)
        count = self.count + 1
        self.count = count
        if count == self._due:
            total, weighted = self._recompute(count)
        self._sum = total
        self._weighted = weighted
        self.value = weighted * self._scale

    def _recompute(self, count: int) -> tuple[float, float]:
        period = self.period
        self.ready = True
        self._scale = 2.0 / (period * (period + 1))
        self._due = count + max(period, EXACT_EVERY)
        window = self._window
        return math.fsum(window), math.fsum(map(mul, window, range(1, period + 1)))

    def __repr__(self) -> str:
        return f"WMA({self.period}, value={self.value!r}, ready={self.ready}, count={self.count})"
