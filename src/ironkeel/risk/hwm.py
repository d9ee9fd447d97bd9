"""The rolling high-water mark: the highest equity over the trailing N sessions.

``RollingHighWaterMark.update(equity_raw, ts_ns)`` returns the maximum equity
seen in the current session and the ``window_sessions - 1`` sessions before it,
in O(1) amortized time: a monotonic deque keeps one ``(session ordinal, session
max)`` entry per session that can still be the maximum, their maxima strictly
decreasing from front to back. A new value pops every entry at or below it from
the back, and a session that leaves the window leaves from the front, so each
entry is pushed and popped at most once. The deque never holds more than
``window_sessions`` entries.

What counts as a session:

- Sessions are the ``session_ns``-long periods starting at ``origin_ns`` (by
  default UTC days); the session of ``ts_ns`` is ``(ts_ns - origin_ns) // session_ns``.
- The window counts the sessions that saw an update (the trading sessions), not
  elapsed periods: with ``window_sessions=252`` a weekend or a holiday without
  updates does not push a peak out of the window. A peak therefore stays at least
  as long as a calendar count would keep it, which errs on the safe side for a
  drawdown limit.
- Time never runs backwards here: an update stamped in an earlier session than
  the latest one counts in the latest one.

Everything is integer arithmetic on money raws; ``state()``/``from_state()``
carry the contents across a restart.
"""

from __future__ import annotations

from collections import deque
from typing import Final

import msgspec

from ironkeel.model.errors import InvalidInputError

__all__ = ["NANOS_PER_DAY", "HwmState", "RollingHighWaterMark"]

#: One UTC day in nanoseconds: the default session length.
NANOS_PER_DAY: Final = 86_400_000_000_000  # a literal: compiled modules inline it


class HwmState(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The contents of a rolling high-water mark, to journal and restore it."""

    window_sessions: int
    session_ns: int
    origin_ns: int = 0
    #: The index of the latest session that saw an update (None before the first).
    session: int | None = None
    #: How many sessions have seen an update: the ordinal of the latest one.
    ordinal: int = 0
    #: ``(session ordinal, session max raw)`` from oldest to newest, maxima decreasing.
    entries: tuple[tuple[int, int], ...] = ()


def _positive_int(field: str, value: object, fix: str) -> int:
    if type(value) is not int or value <= 0:
        raise InvalidInputError(field, value, "must be a positive int", fix)
    return value


class RollingHighWaterMark:
    """Max equity over the trailing ``window_sessions`` sessions (the current one included)."""

    __slots__ = ("_entries", "_ordinal", "_origin_ns", "_session", "_session_ns", "_window")

    def __init__(
        self, window_sessions: int, session_ns: int = NANOS_PER_DAY, *, origin_ns: int = 0
    ) -> None:
        self._window = _positive_int(
            "window_sessions", window_sessions, "pass the number of sessions, e.g. 30 or 252"
        )
        self._session_ns = _positive_int(
            "session_ns", session_ns, "pass the session length in ns, e.g. 86_400 * 10**9"
        )
        if type(origin_ns) is not int:
            raise InvalidInputError(
                "origin_ns", origin_ns, "must be an int", "pass ns since the epoch, e.g. 0"
            )
        self._origin_ns = origin_ns
        self._entries: deque[tuple[int, int]] = deque()
        self._session: int | None = None
        self._ordinal = 0

    @property
    def window_sessions(self) -> int:
        return self._window

    @property
    def value(self) -> int | None:
        """The high-water mark as of the latest update (None before the first)."""
        entries = self._entries
        return entries[0][1] if entries else None

    def __len__(self) -> int:
        """How many entries the deque holds (at most ``window_sessions``)."""
        return len(self._entries)

    def update(self, equity_raw: int, ts_ns: int) -> int:
        """Take the equity at ``ts_ns`` into account; return the high-water mark."""
        entries = self._entries
        session = (ts_ns - self._origin_ns) // self._session_ns
        last = self._session
        if last is None or session > last:
            self._session = session
            self._ordinal = ordinal = self._ordinal + 1
            expired = ordinal - self._window
            while entries and entries[0][0] <= expired:
                entries.popleft()
        else:
            ordinal = self._ordinal
        while entries and entries[-1][1] <= equity_raw:
            entries.pop()
        if not entries or entries[-1][0] != ordinal:
            entries.append((ordinal, equity_raw))
        return entries[0][1]

    def reset(self) -> None:
        """Forget every session: the next update starts a new window."""
        self._entries.clear()
        self._session = None
        self._ordinal = 0

    def state(self) -> HwmState:
        return HwmState(
            window_sessions=self._window,
            session_ns=self._session_ns,
            origin_ns=self._origin_ns,
            session=self._session,
            ordinal=self._ordinal,
            entries=tuple(self._entries),
        )

    @classmethod
    def from_state(cls, state: HwmState) -> RollingHighWaterMark:
        """Rebuild a high-water mark from ``state()``; inconsistent contents are refused."""
        hwm = cls(state.window_sessions, state.session_ns, origin_ns=state.origin_ns)
        entries = state.entries
        ordinal = state.ordinal
        for i, (at, value) in enumerate(entries):
            newer = i + 1 < len(entries)
            if not max(0, ordinal - state.window_sessions) < at <= ordinal or (
                newer and not (at < entries[i + 1][0] and value > entries[i + 1][1])
            ):
                raise InvalidInputError(
                    "HwmState.entries",
                    entries,
                    "are not a monotonic window (ordinals increasing inside the window, "
                    "maxima strictly decreasing)",
                    "restore from a state written by RollingHighWaterMark.state()",
                )
        if (state.session is None) != (ordinal == 0) or (state.session is None and entries):
            raise InvalidInputError(
                "HwmState.session",
                state.session,
                f"does not match ordinal={ordinal} and {len(entries)} entries",
                "restore from a state written by RollingHighWaterMark.state()",
            )
        hwm._entries.extend(entries)
        hwm._session = state.session
        hwm._ordinal = ordinal
        return hwm
