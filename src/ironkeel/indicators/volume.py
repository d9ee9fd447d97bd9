"""Volume-weighted indicators: VWAP (cumulative and rolling) and OBV, O(1) per update.

Volumes must be finite and >= 0; prices finite with ``low <= high`` (InvalidInputError).
"""

from __future__ import annotations

import math
from collections import deque

from ironkeel.indicators._base import EXACT_EVERY, check_bar, check_period

__all__ = ["OBV", "VWAP", "RollingVWAP"]


class VWAP:
    """Cumulative volume-weighted average price since construction or the last ``reset()``.

    ``value = sum(typical * volume) / sum(volume)`` with ``typical = (high + low + close) / 3``.
    Call ``reset()`` at each session boundary to start a new session's VWAP (``count``
    restarts too). Ready at the first bar with a volume > 0 (``warmup`` is 1, for a bar
    with volume); bars with volume 0 count but do not move the value.
    """

    __slots__ = ("_pv", "_volume", "count", "ready", "value", "warmup")

    warmup: int
    count: int
    ready: bool
    value: float

    def __init__(self) -> None:
        self.warmup = 1
        self.reset()

    def reset(self) -> None:
        """Start over (a new session): back to the state right after construction."""
        self._pv = 0.0
        self._volume = 0.0
        self.count = 0
        self.ready = False
        self.value = math.nan

    def update(self, high: float, low: float, close: float, volume: float) -> None:
        """Add the newest bar's high, low, close and volume."""
        if (high + low + close + volume) * 0.0 or low > high or volume < 0.0:
            check_bar("VWAP()", high=high, low=low, close=close, volume=volume)
        pv = self._pv + (high + low + close) / 3.0 * volume
        total = self._volume + volume
        self._pv = pv
        self._volume = total
        self.count += 1
        if total > 0.0:
            self.value = pv / total
            self.ready = True

    def __repr__(self) -> str:
        return f"VWAP(value={self.value!r}, ready={self.ready}, count={self.count})"


class RollingVWAP:
    """VWAP of the last ``period`` bars: ``sum(typical * volume) / sum(volume)`` over them.

    ``typical = (high + low + close) / 3``. Ready after ``period`` bars; the value is nan
    while every bar in the window has volume 0 (there is no price to weight). The sums are
    recomputed exactly every ``max(period, EXACT_EVERY)`` bars, and the count of bars with
    volume in the window is an exact int, so an empty window is detected exactly.
    """

    __slots__ = (
        "_due",
        "_pv",
        "_pv_window",
        "_traded",
        "_volume",
        "_volume_window",
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
        self.period = period = check_period("RollingVWAP", "period", period)
        self.warmup = period
        self.reset()

    def reset(self) -> None:
        """Forget every update: back to the state right after construction."""
        self._pv_window: deque[float] = deque([0.0] * self.period, maxlen=self.period)
        self._volume_window: deque[float] = deque([0.0] * self.period, maxlen=self.period)
        self._pv = 0.0
        self._volume = 0.0
        self._traded = 0  # bars in the window with volume > 0
        self._due = self.period
        self.count = 0
        self.ready = False
        self.value = math.nan

    def update(self, high: float, low: float, close: float, volume: float) -> None:
        """Add the newest bar's high, low, close and volume."""
        if (high + low + close + volume) * 0.0 or low > high or volume < 0.0:
            check_bar(f"RollingVWAP({self.period})", high=high, low=low, close=close, volume=volume)
        pv = (high + low + close) / 3.0 * volume
        pvs = self._pv_window
        volumes = self._volume_window
        oldest = volumes[0]
        traded = self._traded + (volume > 0.0) - (oldest > 0.0)
        self._traded = traded
        if traded:
            total_pv = self._pv + (pv - pvs[0])
            total = self._volume + (volume - oldest)
        else:  # no volume in the window: both sums are exactly 0, drop any rounding residue
            total_pv = total = 0.0
        pvs.append(pv)
        volumes.append(volume)
        count = self.count + 1
        self.count = count
        if count == self._due:
            self.ready = True
            self._due = count + max(self.period, EXACT_EVERY)
            total_pv = math.fsum(pvs)
            total = math.fsum(volumes)
        self._pv = total_pv
        self._volume = total
        if self.ready:
            self.value = total_pv / total if traded else math.nan

    def __repr__(self) -> str:
        return (
            f"RollingVWAP({self.period}, value={self.value!r}, ready={self.ready}, "
            f"count={self.count})"
        )


class OBV:
    """On-balance volume: a running total that starts at 0 on the first bar.

    Each later bar adds its volume when the close rose, subtracts it when the close fell
    and adds nothing when it was unchanged. Ready after the first bar (value 0).
    """

    __slots__ = ("_prev", "count", "ready", "value", "warmup")

    warmup: int
    count: int
    ready: bool
    value: float

    def __init__(self) -> None:
        self.warmup = 1
        self.reset()

    def reset(self) -> None:
        """Forget every update: back to the state right after construction."""
        self._prev = math.nan  # comparisons with nan are False: the first bar adds nothing
        self.count = 0
        self.ready = False
        self.value = math.nan

    def update(self, close: float, volume: float) -> None:
        """Add the newest bar's close and volume."""
        if (close + volume) * 0.0 or volume < 0.0:  # nan for any NaN or ±inf
            check_bar("OBV()", close=close, volume=volume)
        prev = self._prev
        self._prev = close
        self.count += 1
        if close > prev:
            self.value += volume
        elif close < prev:
            self.value -= volume
        elif not self.ready:
            self.value = 0.0
            self.ready = True

    def __repr__(self) -> str:
        return f"OBV(value={self.value!r}, ready={self.ready}, count={self.count})"
