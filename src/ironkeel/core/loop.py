"""The deterministic event loop: replay merged data through handlers on an injected clock.

Order of events (documented, stable, tested):

1. Data is ordered by ``ts_init``.
2. At equal ``ts_init``: book updates, then quotes, then trades, then bars
   (finer data first, so a bar never runs ahead of the ticks inside it).
3. Still equal: the order in which the streams were added, then each item's
   position in its stream.
4. Before an item at time t is handled, everything the clock has scheduled at or
   before t runs (timers, alarms, venue latency), in (time, scheduling order);
   the clock then reads t while the item's handlers run.
5. An item's handlers run in subscription order (the runner subscribes the venue
   first, then the portfolio, then strategies).

A stream is one data type of one instrument (one bar type), in non-decreasing
``ts_init`` order; anything else is refused when the stream is added.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Final

import numpy as np

from ironkeel.core.clock import Clock
from ironkeel.model.data import Bar, OrderBookDeltas, OrderBookSnapshot, QuoteTick, TradeTick
from ironkeel.model.errors import InvalidInputError

__all__ = ["KIND_PRIORITY", "EventLoop", "Handler", "stream_key"]

DataHandler = Callable[[Any], None]

#: Tie-break at equal timestamps: lower runs first.
KIND_PRIORITY: Final[dict[type, int]] = {
    OrderBookSnapshot: 0,
    OrderBookDeltas: 0,
    QuoteTick: 1,
    TradeTick: 2,
    Bar: 3,
}


def stream_key(item: object) -> Hashable:
    """The key handlers subscribe to: the bar type for bars, else (type, instrument id)."""
    if type(item) is Bar:
        return item.bar_type
    kind = type(item)
    if kind not in KIND_PRIORITY:
        raise InvalidInputError(
            "data item", kind.__name__, "is not a market data type", f"use one of {_kinds()}"
        )
    return (kind, item.instrument_id)  # type: ignore[attr-defined]


def _kinds() -> list[str]:
    return sorted(t.__name__ for t in KIND_PRIORITY)


class Handler:
    """A loop handler the loop calls through ``handle``: the engine's own handlers (venue,
    portfolio, strategies, risk, recorder) subclass it, so the compiled loop calls them
    natively, without the generic call protocol (decision 0023). Any other callable is
    wrapped when it is subscribed. Calling a handler calls ``handle``."""

    __slots__ = ()

    def handle(self, item: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define handle(item)")

    def __call__(self, item: Any) -> None:
        self.handle(item)


class _Call(Handler):
    """A plain callable subscribed to the loop."""

    __slots__ = ("_fn",)

    def __init__(self, fn: DataHandler) -> None:
        self._fn = fn

    def handle(self, item: Any) -> None:
        self._fn(item)


class _Stream:
    __slots__ = ("items", "key", "name", "priority", "ts")

    def __init__(self, name: str, items: Sequence[Any]) -> None:
        self.name = name
        # A list, indexed natively when compiled (the caller's list is kept, not copied).
        self.items: list[Any] = items if type(items) is list else list(items)
        self.key = stream_key(items[0])
        self.priority = KIND_PRIORITY[type(items[0])]
        self.ts = np.fromiter((item.ts_init for item in items), dtype=np.int64, count=len(items))


class EventLoop:
    """Runs data through subscribed handlers, advancing the clock item by item."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._streams: list[_Stream] = []
        self._handlers: dict[Hashable, list[Handler]] = {}
        self._stopped = False
        self.processed = 0

    def subscribe(self, key: Hashable, handler: DataHandler) -> None:
        """Call ``handler(item)`` for each item whose ``stream_key`` is ``key``."""
        native = handler if isinstance(handler, Handler) else _Call(handler)
        self._handlers.setdefault(key, []).append(native)

    def add_stream(self, items: Sequence[Any], name: str = "") -> None:
        """Add one stream to replay; it is checked for type, instrument and time order."""
        label = name or f"stream {len(self._streams)}"
        if len(items) == 0:
            raise InvalidInputError(label, 0, "is empty", "add a stream with at least one item")
        stream = _Stream(label, items)
        kind = type(items[0])
        for index, item in enumerate(items):
            if type(item) is not kind or stream_key(item) != stream.key:
                raise InvalidInputError(
                    f"{label}[{index}]",
                    type(item).__name__,
                    f"differs from the stream's {stream.key}",
                    "put one data type of one instrument in each stream",
                )
        backwards = np.flatnonzero(np.diff(stream.ts) < 0)
        if backwards.size:
            at = int(backwards[0]) + 1
            raise InvalidInputError(
                f"{label}[{at}].ts_init",
                int(stream.ts[at]),
                f"is before the previous item's {int(stream.ts[at - 1])}",
                "sort the stream by time (and check for a bad timestamp)",
            )
        self._streams.append(stream)

    def stop(self) -> None:
        """Stop after the item being handled."""
        self._stopped = True

    def dispatch(self, item: Any) -> None:
        """Handle one item now (the live path): run what is due, then its handlers."""
        self.clock.advance_to(item.ts_init)
        for handler in self._handlers.get(stream_key(item), []):
            handler.handle(item)
        self.processed += 1

    def run(self, until_ns: int | None = None) -> int:
        """Replay every added stream in the documented order; returns the items handled.

        After the data, the clock runs what is scheduled up to ``until_ns``
        (default: the last item's time), so late fills and timers are not lost.
        """
        self._stopped = False
        streams = self._streams
        if not streams:
            return 0
        handlers = [list(self._handlers.get(s.key, [])) for s in streams]
        first = min(int(s.ts[0]) for s in streams)
        if first < self.clock.timestamp_ns():
            # Streams are sorted and merged in order, so only the start can go backwards.
            raise InvalidInputError(
                "data start ts_init",
                first,
                f"is before the clock's current time {self.clock.timestamp_ns()}",
                "start the clock at or before the first data item",
            )
        before = self.processed
        # The per-event path creates no reference cycles (a test checks it), so the cyclic
        # collector only costs time here: reference counting frees everything. Paused for
        # the replay, restored after (docs/decisions/0007-gc-paused-during-replay.md).
        collecting = gc.isenabled()
        gc.disable()
        try:
            if len(streams) == 1:
                self._run_one(streams[0], handlers[0])
            else:
                self._run_merged(streams, handlers)
        finally:
            if collecting:
                gc.enable()
        last = max(int(s.ts[-1]) for s in streams)
        end = last if until_ns is None else until_ns
        if not self._stopped and end >= self.clock.timestamp_ns():
            self.clock.advance_to(end)
        return self.processed - before

    def _run_one(self, stream: _Stream, handlers: list[Handler]) -> None:
        items = stream.items
        # The times from the stream's array: compiled, reading ``item.ts_init`` of a
        # msgspec item is a generic attribute lookup per item; a list item is native.
        times: list[int] = stream.ts.tolist()
        clock = self.clock
        heap = clock._heap
        count = 0
        for index in range(len(items)):
            item = items[index]
            ts = times[index]
            if heap and heap[0][0] <= ts:
                clock.advance_to(ts)
            else:
                clock._now = ts
            for handler in handlers:
                handler.handle(item)
            count += 1
            if self._stopped:
                break
        self.processed += count

    def _run_merged(self, streams: list[_Stream], handlers: list[list[Handler]]) -> None:
        ts = np.concatenate([s.ts for s in streams])
        prio = np.concatenate([np.full(len(s.items), s.priority, np.int8) for s in streams])
        sid = np.concatenate([np.full(len(s.items), i, np.int32) for i, s in enumerate(streams)])
        row = np.concatenate([np.arange(len(s.items), dtype=np.int64) for s in streams])
        order = np.lexsort((sid, prio, ts))  # stable: ties keep each stream's own order
        items = [s.items for s in streams]
        times: list[int] = ts[order].tolist()
        clock = self.clock
        heap = clock._heap
        count = 0
        for index, (s, r) in enumerate(zip(sid[order].tolist(), row[order].tolist(), strict=True)):
            item = items[s][r]
            t = times[index]
            if heap and heap[0][0] <= t:
                clock.advance_to(t)
            else:
                clock._now = t
            for handler in handlers[s]:
                handler.handle(item)
            count += 1
            if self._stopped:
                break
        self.processed += count
