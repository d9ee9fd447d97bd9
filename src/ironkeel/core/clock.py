"""The injected clock: the only place that knows what time it is.

Both clocks keep one scheduler, a heap of (time, sequence) entries, for timers,
alarms and internal calls (a venue's latency, a delayed message). Entries due at
the same nanosecond run in the order they were scheduled. ``TestClock`` moves
only when told (``advance_to``), so a backtest jumps from event to event;
``LiveClock`` reads the system time and its owner calls ``advance_to(now)``.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from typing import ClassVar, Final

from ironkeel.model.errors import InvalidInputError
from ironkeel.model.events import TimeEvent

__all__ = ["Clock", "LiveClock", "TestClock"]

_ACTIVE: Final = 0
_CANCELED: Final = 1


class _Entry:
    """A scheduled call: ``fn()`` at ``ts``; a timer re-arms itself every ``interval``."""

    __slots__ = ("fn", "interval", "name", "state", "stop", "timer_fn")

    def __init__(
        self,
        fn: Callable[[], None] | None,
        name: str | None = None,
        timer_fn: Callable[[TimeEvent], None] | None = None,
        interval: int = 0,
        stop: int | None = None,
    ) -> None:
        self.fn = fn
        self.name = name
        self.timer_fn = timer_fn
        self.interval = interval
        self.stop = stop
        self.state = _ACTIVE


class Clock:
    """Time in int ns UTC plus one deterministic scheduler. Subclasses say what 'now' is."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, _Entry]] = []
        self._seq = 0
        self._timers: dict[str, _Entry] = {}
        self._now = 0

    def timestamp_ns(self) -> int:
        """The current time, int nanoseconds since the epoch (UTC)."""
        return self._now

    # --- scheduling -------------------------------------------------------------------

    def call_at(self, ts_ns: int, fn: Callable[[], None]) -> None:
        """Run ``fn()`` when the clock reaches ``ts_ns`` (or at once on the next advance)."""
        self._push(max(ts_ns, self._now), _Entry(fn))

    def set_alarm(self, name: str, ts_ns: object, callback: Callable[[TimeEvent], None]) -> None:
        """Call ``callback(TimeEvent)`` once at ``ts_ns`` (an int, not before now); the name
        must be unused."""
        when = self._check_new_timer(name, ts_ns)
        entry = _Entry(None, name, callback)
        self._timers[name] = entry
        self._push(when, entry)

    def set_timer(
        self,
        name: str,
        interval_ns: object,
        callback: Callable[[TimeEvent], None],
        *,
        start_ns: int | None = None,
        stop_ns: int | None = None,
    ) -> None:
        """Call ``callback(TimeEvent)`` every ``interval_ns`` (a positive int) from
        ``start_ns`` (default now).

        The checked arguments are typed ``object`` so that a wrong type reaches the
        checks, with the field named, also when this module runs compiled."""
        if type(interval_ns) is not int or interval_ns <= 0:
            raise InvalidInputError(
                f"timer {name!r}.interval_ns",
                interval_ns,
                "must be a positive int",
                "pass e.g. 1e9",
            )
        first = (self._now if start_ns is None else start_ns) + interval_ns
        self._check_new_timer(name, first)
        if stop_ns is not None and stop_ns < first:
            raise InvalidInputError(
                f"timer {name!r}.stop_ns",
                stop_ns,
                f"is before the first fire at {first}",
                "pass a stop at or after start + interval, or no stop",
            )
        entry = _Entry(None, name, callback, interval_ns, stop_ns)
        self._timers[name] = entry
        self._push(first, entry)

    def cancel_timer(self, name: str) -> None:
        """Cancel a timer or alarm; cancelling an unknown name is an error that lists the names."""
        entry = self._timers.pop(name, None)
        if entry is None:
            raise InvalidInputError(
                "timer", name, "is not set", f"cancel one of {sorted(self._timers) or 'none'}"
            )
        entry.state = _CANCELED

    @property
    def timer_names(self) -> list[str]:
        return sorted(self._timers)

    def next_due_ns(self) -> int | None:
        """When the next scheduled entry is due, or None."""
        return self._heap[0][0] if self._heap else None

    def advance_to(self, ts_ns: int) -> None:
        """Run every entry due at or before ``ts_ns`` in (time, order) and set now to ``ts_ns``."""
        if ts_ns < self._now:
            raise InvalidInputError(
                "clock.advance_to",
                ts_ns,
                f"is before the current time {self._now}: time only moves forward",
                "feed events in timestamp order",
            )
        heap = self._heap
        while heap and heap[0][0] <= ts_ns:
            due, _, entry = heapq.heappop(heap)
            if entry.state == _CANCELED:
                continue
            self._now = due
            if entry.fn is not None:
                entry.fn()
                continue
            self._fire_timer(due, entry)
        self._now = ts_ns

    def _fire_timer(self, due: int, entry: _Entry) -> None:
        name = entry.name
        callback = entry.timer_fn
        if name is None or callback is None:  # only timers and alarms reach here
            raise TypeError("scheduler entry without a timer callback")
        if entry.interval:
            following = due + entry.interval
            if entry.stop is None or following <= entry.stop:
                self._push(following, entry)
            else:
                self._timers.pop(name, None)
        else:
            self._timers.pop(name, None)
        callback(TimeEvent(name=name, ts_event=due, ts_init=due))

    def _push(self, ts_ns: int, entry: _Entry) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (ts_ns, self._seq, entry))

    def _check_new_timer(self, name: str, ts_ns: object) -> int:
        if not name:
            raise InvalidInputError("timer name", name, "is empty", "name the timer")
        if name in self._timers:
            raise InvalidInputError(
                "timer name", name, "is already set", "cancel it first or pick another name"
            )
        if type(ts_ns) is not int or ts_ns < self._now:
            raise InvalidInputError(
                f"timer {name!r} time", ts_ns, f"is before now ({self._now})", "pick a later time"
            )
        return ts_ns


class TestClock(Clock):
    """A clock that moves only when told: backtests and tests."""

    __test__: ClassVar[bool] = False  # not a pytest test class

    def __init__(self, start_ns: int = 0) -> None:
        super().__init__()
        self._now = start_ns

    def set_time(self, ts_ns: int) -> None:
        """Jump to ``ts_ns`` without running what is due (use advance_to to run it)."""
        if ts_ns < self._now:
            raise InvalidInputError(
                "clock.set_time", ts_ns, f"is before now ({self._now})", "time only moves forward"
            )
        self._now = ts_ns


class LiveClock(Clock):
    """The system clock; its owner calls ``advance_to(timestamp_ns())`` to run what is due."""

    def timestamp_ns(self) -> int:
        now = time.time_ns()
        self._now = max(now, self._now)
        return self._now
