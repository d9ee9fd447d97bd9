"""Periods per year, inferred from the bar interval and the trading calendar.

- ``"24/7"`` (crypto): every minute of a 365-day year trades, so one-minute bars give
  525,600 periods a year, hourly bars 8,760 and daily bars 365.
- ``"equities"``: 252 sessions a year of ``session_minutes`` (390, 09:30-16:00) each,
  so one-minute bars give 252 x 390 = 98,280 periods and daily (or longer-spaced) bars
  252 x (1 day / interval).

The bar interval is the median spacing of the timestamps (robust to gaps and
weekends). An explicit ``periods_per_year`` always wins.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from ironkeel.analytics.errors import AnalyticsError

__all__ = ["CALENDARS", "NANOS_PER_DAY", "Calendar", "bar_interval_ns", "periods_per_year"]

Calendar = Literal["24/7", "equities"]
CALENDARS: tuple[Calendar, ...] = ("24/7", "equities")
NANOS_PER_MINUTE = 60 * 1_000_000_000
NANOS_PER_DAY = 24 * 60 * NANOS_PER_MINUTE
SESSIONS_PER_YEAR = 252
SESSION_MINUTES = 390


def bar_interval_ns(ts_ns: np.ndarray) -> int | None:
    """The median spacing of increasing timestamps in ns; None with fewer than two."""
    if ts_ns.size < 2:
        return None
    steps = np.diff(ts_ns.astype(np.int64))
    if np.any(steps <= 0):
        at = int(np.argmax(steps <= 0)) + 1
        raise AnalyticsError(
            f"ts_ns[{at}]", int(ts_ns[at]), "timestamps are not strictly increasing",
            "sort the series by time and keep one row per timestamp",
        )  # fmt: skip
    return int(np.median(steps))


def periods_per_year(
    ts_ns: np.ndarray,
    *,
    calendar: Calendar = "24/7",
    session_minutes: int = SESSION_MINUTES,
    override: float | None = None,
) -> float | None:
    """Periods per year of a series stamped ``ts_ns`` (see the module doc); None when it
    cannot be inferred (fewer than two points) and no override is given."""
    if override is not None:
        if not override > 0:
            raise AnalyticsError(
                "periods_per_year", override, "must be positive", "pass e.g. 252 or 525600"
            )
        return float(override)
    if calendar not in CALENDARS:
        raise AnalyticsError("calendar", calendar, "is unknown", f"use one of {CALENDARS}")
    step = bar_interval_ns(ts_ns)
    if step is None:
        return None
    if calendar == "24/7":
        return 365 * NANOS_PER_DAY / step
    session_ns = session_minutes * NANOS_PER_MINUTE
    if step >= session_ns:  # daily (or sparser) bars: 252 sessions, scaled by days per bar
        return SESSIONS_PER_YEAR * NANOS_PER_DAY / max(step, NANOS_PER_DAY)
    return SESSIONS_PER_YEAR * session_ns / step
