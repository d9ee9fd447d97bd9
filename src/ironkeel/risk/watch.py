"""What the risk engine keeps per stream and per strategy to evaluate on every item:
the stream handlers (``EngineCore.handlers``) and the strategies' last equities.

Plain native objects with int fields, so a compiled comparison allocates nothing
(decision 0017).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ironkeel.core.clock import Clock
from ironkeel.core.loop import Handler
from ironkeel.model.identifiers import InstrumentId, StrategyId
from ironkeel.risk.breaker import DrawdownBreaker
from ironkeel.risk.reference import Reference

if TYPE_CHECKING:
    from ironkeel.risk.engine_core import EngineCore

__all__ = ["AfterBar", "AfterData", "AfterPriced", "WatchedStrategy"]


class WatchedStrategy:
    """A strategy's breaker and the equity (a figure of the engine's reader) it last saw."""

    __slots__ = ("breaker", "index", "last", "scope", "seen", "strategy_id")

    def __init__(self, strategy_id: StrategyId, breaker: DrawdownBreaker, index: int) -> None:
        self.strategy_id = strategy_id
        self.scope = (strategy_id,)
        self.breaker = breaker
        self.index = index  # in the reader's figures
        self.last = 0
        self.seen = False  # the first evaluation always counts as a change


class AfterPriced(Handler):
    """``EngineCore.handlers`` after the strategies, for a stream with prices: the
    breakers, at the clock's time (the loop set it to the item's ``ts_init``; the
    tracker's handler, before the strategies, noted the data time)."""

    __slots__ = ("_clock", "_engine")

    def __init__(self, engine: EngineCore, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def handle(self, item: Any) -> None:
        self._engine.evaluate(self._clock.timestamp_ns())


class AfterBar(AfterPriced):
    """``AfterPriced`` for a bar stream checked for gaps (``kill_on_data_gap``)."""

    __slots__ = ("_key",)

    def __init__(self, engine: EngineCore, clock: Clock, key: InstrumentId) -> None:
        super().__init__(engine, clock)
        self._key = key

    def handle(self, item: Any) -> None:
        self._engine.on_gap(self._key, item)
        self._engine.evaluate(self._clock.timestamp_ns())


class AfterData(AfterPriced):
    """``EngineCore.handlers`` for a stream without prices (book updates): the latest data
    time of its instrument, then the breakers."""

    __slots__ = ("_stamp",)

    def __init__(self, engine: EngineCore, clock: Clock, stamp: Reference) -> None:
        super().__init__(engine, clock)
        self._stamp = stamp

    def handle(self, item: Any) -> None:
        self._stamp.item = item
        self._engine.evaluate(self._clock.timestamp_ns())
