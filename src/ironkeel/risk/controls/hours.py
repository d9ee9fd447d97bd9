"""Trading hours from a real exchange calendar (``exchange_calendars``).

The calendar's sessions between ``start`` and ``end`` are turned, once, into sorted
int64 ns arrays of opens, closes and (for exchanges with a lunch break) break starts and
ends; a check is then a bisect, O(log n), and O(1) while the time stays in the session
it was last in. Holidays are absent sessions, early closes (half-days) earlier closes.
``"24/7"`` is always open and reads no calendar. A time outside the loaded range is
closed (fail closed): widen ``start``/``end``.

Every order is checked, emergency orders too: a venue that is closed cannot take them.
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import functools
import warnings
from typing import ClassVar, Final

# exchange_calendars ships no type information; its two calls are typed at our boundary.
import exchange_calendars  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt
import pandas as pd

from ironkeel.model.errors import InvalidInputError
from ironkeel.risk.controls.base import Control, Denial, ReasonCode
from ironkeel.risk.ticket import Ticket
from ironkeel.risk.view import PreTradeView

__all__ = ["ALWAYS_OPEN", "Sessions", "TradingHours", "calendar_names"]

ALWAYS_OPEN: Final = "24/7"
_NAT: Final = np.iinfo(np.int64).min


class Sessions:
    """One calendar's sessions as int64 ns arrays (UTC), sorted by open."""

    __slots__ = ("break_ends", "break_starts", "closes", "end", "name", "opens", "start")

    def __init__(self, name: str, start: dt.date, end: dt.date) -> None:
        with warnings.catch_warnings():
            # exchange_calendars trips pandas' own deprecation warnings (Series.values on
            # tz-aware data); they are about its code, not ours, and change no result.
            warnings.simplefilter("ignore", DeprecationWarning)
            calendar = exchange_calendars.get_calendar(
                name, start=pd.Timestamp(start), end=pd.Timestamp(end)
            )
        self.name, self.start, self.end = name, start, end
        self.opens = _ns(calendar.opens)
        self.closes = _ns(calendar.closes)
        starts, ends = _ns(calendar.break_starts), _ns(calendar.break_ends)
        no_break = (starts == _NAT) | (ends == _NAT)
        self.break_starts = np.where(no_break, self.closes, starts)
        self.break_ends = np.where(no_break, self.closes, ends)


def _ns(column: pd.Series[pd.Timestamp]) -> npt.NDArray[np.int64]:
    naive_utc = column.dt.tz_convert(None).to_numpy()
    return naive_utc.astype("datetime64[ns]").astype(np.int64)


@functools.lru_cache(maxsize=32)
def _sessions(name: str, start: dt.date, end: dt.date) -> Sessions:
    """Built once per (calendar, range) in a process: a calendar takes ~0.2 s."""
    return Sessions(name, start, end)


@functools.cache
def calendar_names() -> tuple[str, ...]:
    """Every calendar name ``TradingHours`` accepts (``exchange_calendars``' and aliases)."""
    names = set(exchange_calendars.get_calendar_names(include_aliases=True))
    return tuple(sorted(names | {ALWAYS_OPEN}))


class TradingHours(Control):
    """Deny orders while the instrument's exchange is closed (MARKET_CLOSED)."""

    __slots__ = ("_be", "_bs", "_closes", "_i", "_opens", "calendar", "end", "start")
    code: ClassVar[str] = ReasonCode.MARKET_CLOSED

    def __init__(
        self,
        calendar: str = ALWAYS_OPEN,
        *,
        start: dt.date = dt.date(2000, 1, 1),
        end: dt.date = dt.date(2035, 12, 31),
    ) -> None:
        if calendar != ALWAYS_OPEN and calendar not in calendar_names():
            raise InvalidInputError(
                "calendar", calendar, "is not a known exchange calendar", _suggest(calendar)
            )
        if end <= start:
            raise InvalidInputError("end", end, f"is not after start {start}", "swap them")
        self.calendar, self.start, self.end = calendar, start, end
        self._i = 0
        if calendar == ALWAYS_OPEN:
            self._opens: list[int] = []
            return
        sessions = _sessions(calendar, start, end)
        # Python lists: a bisect over a list of ints is ~5x faster than over numpy scalars.
        self._opens = sessions.opens.tolist()
        self._closes: list[int] = sessions.closes.tolist()
        self._bs: list[int] = sessions.break_starts.tolist()
        self._be: list[int] = sessions.break_ends.tolist()

    def is_open(self, ts_ns: int) -> bool:
        """Whether the exchange is open (in a session, not in its break) at ``ts_ns``."""
        opens = self._opens
        if not opens:
            return True
        i = self._i
        if not opens[i] <= ts_ns < self._closes[i]:
            i = bisect.bisect_right(opens, ts_ns) - 1
            if i < 0 or ts_ns >= self._closes[i]:
                return False
            self._i = i
        return not self._bs[i] <= ts_ns < self._be[i]

    def check(self, ticket: Ticket, view: PreTradeView) -> Denial | None:
        now = view.now_ns()
        opens = self._opens
        if not opens:
            return None
        i = self._i  # the fast path of is_open: still in the session of the last check
        if opens[i] <= now < self._closes[i] and not self._bs[i] <= now < self._be[i]:
            return None
        if self.is_open(now):
            return None
        return Denial(code=self.code, reason=self._reason(ticket, now))

    def _reason(self, ticket: Ticket, now: int) -> str:
        where = f"{self.calendar} ({ticket.instrument_id}) is closed at {_iso(now)}"
        opens = self._opens
        if now < opens[0] or now >= self._closes[-1]:
            return (
                f"{where}: outside the loaded calendar range {self.start}..{self.end} "
                "(denied, fail closed); widen global.calendar_start / calendar_end"
            )
        i = bisect.bisect_right(opens, now) - 1
        if self._bs[i] <= now < self._be[i]:
            return f"{where}: in the session's break until {_iso(self._be[i])}"
        following = bisect.bisect_right(opens, now)
        if following < len(opens):
            return f"{where}; next open {_iso(opens[following])}"
        return where


def _iso(ns: int) -> str:
    seconds, rest = divmod(ns, 1_000_000_000)
    moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC).replace(microsecond=rest // 1000)
    return moment.isoformat().replace("+00:00", "Z")


def _suggest(name: str) -> str:
    close = difflib.get_close_matches(name, calendar_names(), n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}use '24/7' or an exchange_calendars name such as 'XNYS', 'XLON', 'CMES'"
