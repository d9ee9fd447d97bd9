"""What the risk engine keeps per stream and per strategy to evaluate on every item:
the stream handlers (``RiskEngine.handler``) and the strategies' last equities.

Plain native objects with int fields, so a compiled comparison allocates nothing
(decision 0017).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ironkeel.model.identifiers import InstrumentId, StrategyId
from ironkeel.portfolio.portfolio import EquityReader
from ironkeel.risk.breaker import DrawdownBreaker

if TYPE_CHECKING:
    from ironkeel.risk.engine import RiskEngine

__all__ = ["AfterBar", "AfterData", "WatchedStrategy", "any_moved"]


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

    def moved(self, read: EquityReader) -> bool:
        return not self.seen or read.value(self.index) != self.last


def any_moved(watched: list[WatchedStrategy], read: EquityReader) -> bool:
    return any(strategy.moved(read) for strategy in watched)


class AfterData:
    """``RiskEngine.handler`` for one stream: the latest data time, then the breakers."""

    __slots__ = ("_engine", "_key", "_last_data")

    def __init__(self, engine: RiskEngine, key: InstrumentId) -> None:
        self._engine = engine
        self._key = key
        self._last_data = engine.tripwires.last_data

    def __call__(self, item: Any) -> None:
        self._last_data[self._key] = item.ts_event
        self._engine.evaluate(item.ts_init)


class AfterBar(AfterData):
    """``AfterData`` for a bar stream checked for gaps (``kill_on_data_gap``)."""

    __slots__ = ()

    def __call__(self, item: Any) -> None:
        self._last_data[self._key] = item.ts_event
        self._engine.on_gap(self._key, item)
        self._engine.evaluate(item.ts_init)
