"""Oscillators: RSI, MACD and the stochastic oscillator, O(1) per update."""

from __future__ import annotations

import math
from collections import deque

from ironkeel.indicators._base import check_bar, check_period, non_finite
from ironkeel.indicators.moving import EMA, SMA
from ironkeel.model.errors import InvalidInputError

__all__ = ["MACD", "RSI", "Stochastic"]


class RSI:
    """Relative strength index, Wilder's definition, in [0, 100].

    With ``change = x[t] - x[t-1]``, ``gain = max(change, 0)`` and ``loss = max(-change, 0)``:
    the first averages are the simple means of the first ``period`` gains and losses, then
    ``avg = (1 - 1/period) * avg + (1/period) * new`` (Wilder smoothing, alpha = 1/period).
    ``value = 100 - 100 / (1 + avg_gain / avg_loss)``, computed as
    ``100 * avg_gain / (avg_gain + avg_loss)``: 100 when there were no losses, and 50 when
    there were neither gains nor losses (a flat series). Ready after ``period + 1`` values.
    """

    __slots__ = (
        "_alpha",
        "_gain",
        "_keep",
        "_loss",
        "_prev",
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

    def __init__(self, period: object = 14) -> None:
        self.period = period = check_period("RSI", "period", period)
        self.warmup = period + 1
        self._alpha = 1.0 / period
        self._keep = 1.0 - self._alpha
        self.reset()

    def reset(self) -> None:
        """Forget every update: back to the state right after construction."""
        self._prev = math.nan
        self._gain = 0.0  # the sum of gains during the warm-up, then their Wilder average
        self._loss = 0.0
        self.count = 0
        self.ready = False
        self.value = math.nan

    def update(self, x: float) -> None:
        """Add the newest value; rejects NaN and ±inf (InvalidInputError)."""
        if x - x:  # nan (truthy) for NaN and ±inf, 0.0 for a finite number
            raise non_finite(f"RSI({self.period})", "x", x)
        change = x - self._prev
        self._prev = x
        count = self.count + 1
        self.count = count
        gain = change if change > 0.0 else 0.0
        loss = -change if change < 0.0 else 0.0
        if count > self.warmup:
            keep = self._keep
            alpha = self._alpha
            gain = keep * self._gain + alpha * gain
            loss = keep * self._loss + alpha * loss
        elif count > 1:
            gain += self._gain
            loss += self._loss
            if count < self.warmup:
                self._gain = gain
                self._loss = loss
                return
            gain /= self.period
            loss /= self.period
            self.ready = True
        else:
            return
        self._gain = gain
        self._loss = loss
        both = gain + loss
        self.value = 100.0 * gain / both if both > 0.0 else 50.0

    def __repr__(self) -> str:
        return f"RSI({self.period}, value={self.value!r}, ready={self.ready}, count={self.count})"


class MACD:
    """Moving average convergence/divergence: ``macd``, ``signal`` and ``histogram``.

    ``macd = EMA(fast) - EMA(slow)`` of the input, ``signal = EMA(signal)`` of the macd
    line, ``histogram = macd - signal``; each EMA is seeded with the SMA of its first values
    (see ``EMA``). ``value`` is the macd line. Ready after ``slow + signal - 1`` updates;
    every output is nan until then. ``fast`` must be shorter than ``slow``.
    """

    __slots__ = (
        "_fast",
        "_signal",
        "_slow",
        "count",
        "fast_period",
        "histogram",
        "macd",
        "ready",
        "signal",
        "signal_period",
        "slow_period",
        "value",
        "warmup",
    )

    fast_period: int
    slow_period: int
    signal_period: int
    warmup: int
    count: int
    ready: bool
    value: float
    macd: float
    signal: float
    histogram: float

    def __init__(self, *, fast: object = 12, slow: object = 26, signal: object = 9) -> None:
        self.fast_period = fast = check_period("MACD", "fast", fast)
        self.slow_period = slow = check_period("MACD", "slow", slow)
        self.signal_period = signal = check_period("MACD", "signal", signal)
        if fast >= slow:
            raise InvalidInputError(
                "MACD.fast", fast, f"must be shorter than slow={slow}", "swap fast and slow"
            )
        self.warmup = slow + signal - 1
        self._fast = EMA(fast)
        self._slow = EMA(slow)
        self._signal = EMA(signal)
        self.reset()

    def reset(self) -> None:
        """Forget every update: back to the state right after construction."""
        self._fast.reset()
        self._slow.reset()
        self._signal.reset()
        self.count = 0
        self.ready = False
        self.macd = self.signal = self.histogram = self.value = math.nan

    def update(self, x: float) -> None:
        """Add the newest value; rejects NaN and ±inf (InvalidInputError)."""
        if x - x:  # nan (truthy) for NaN and ±inf, 0.0 for a finite number
            raise non_finite(
                f"MACD(fast={self.fast_period}, slow={self.slow_period}, "
                f"signal={self.signal_period})",
                "x",
                x,
            )
        self.count += 1
        slow = self._slow
        self._fast.update(x)
        slow.update(x)
        if slow.ready:  # the fast EMA, shorter, is ready too
            macd = self._fast.value - slow.value
            signal = self._signal
            signal.update(macd)
            if signal.ready:
                line = signal.value
                self.macd = self.value = macd
                self.signal = line
                self.histogram = macd - line
                self.ready = True

    def __repr__(self) -> str:
        return (
            f"MACD(fast={self.fast_period}, slow={self.slow_period}, "
            f"signal={self.signal_period}, macd={self.macd!r}, signal={self.signal!r}, "
            f"histogram={self.histogram!r}, ready={self.ready})"
        )


class Stochastic:
    """Stochastic oscillator: ``k`` (%K) and ``d`` (%D), in [0, 100].

    ``%K = 100 * (close - lowest low) / (highest high - lowest low)`` over the last
    ``k_period`` bars, and 50 when that range is 0 (a flat market is mid-range, not
    undefined); ``%D = SMA(d_period)`` of %K. ``value`` is %K. Ready after
    ``k_period + d_period - 1`` bars; both outputs are nan until then. The rolling high and
    low use monotonic deques: O(1) amortized per bar. ``update`` rejects non-finite input
    and ``low > high`` (InvalidInputError).
    """

    __slots__ = (
        "_d_sma",
        "_highs",
        "_lows",
        "count",
        "d",
        "d_period",
        "k",
        "k_period",
        "ready",
        "value",
        "warmup",
    )

    k_period: int
    d_period: int
    warmup: int
    count: int
    ready: bool
    value: float
    k: float
    d: float

    def __init__(self, *, k_period: object = 14, d_period: object = 3) -> None:
        self.k_period = k_period = check_period("Stochastic", "k_period", k_period)
        self.d_period = d_period = check_period("Stochastic", "d_period", d_period)
        self.warmup = k_period + d_period - 1
        self._d_sma = SMA(d_period)
        self.reset()

    def reset(self) -> None:
        """Forget every update: back to the state right after construction."""
        # (count, price) of the bars that can still become the window's highest / lowest
        self._highs: deque[tuple[int, float]] = deque()
        self._lows: deque[tuple[int, float]] = deque()
        self._d_sma.reset()
        self.count = 0
        self.ready = False
        self.k = self.d = self.value = math.nan

    def update(self, high: float, low: float, close: float) -> None:
        """Add the newest bar's high, low and close."""
        if (high + low + close) * 0.0 or low > high:  # nan for any NaN or ±inf
            check_bar(
                f"Stochastic(k_period={self.k_period}, d_period={self.d_period})",
                high=high,
                low=low,
                close=close,
            )
        count = self.count + 1
        self.count = count
        expired = count - self.k_period
        highs = self._highs
        while highs and highs[-1][1] <= high:
            highs.pop()
        highs.append((count, high))
        if highs[0][0] <= expired:
            highs.popleft()
        lows = self._lows
        while lows and lows[-1][1] >= low:
            lows.pop()
        lows.append((count, low))
        if lows[0][0] <= expired:
            lows.popleft()
        if expired >= 0:
            lowest = lows[0][1]
            spread = highs[0][1] - lowest
            k = 100.0 * (close - lowest) / spread if spread > 0.0 else 50.0
            d_sma = self._d_sma
            d_sma.update(k)
            if d_sma.ready:
                self.k = self.value = k
                self.d = d_sma.value
                self.ready = True

    def __repr__(self) -> str:
        return (
            f"Stochastic(k_period={self.k_period}, d_period={self.d_period}, k={self.k!r}, "
            f"d={self.d!r}, ready={self.ready})"
        )
