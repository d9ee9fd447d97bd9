"""The engine's ``PreTradeView``: running totals the pre-trade controls read in O(1).

Working orders are counted from the moment they are sent (``OrderSubmitted``, so an
order in flight counts before the venue acknowledges it) until they are done: each
order event replaces that order's contribution (side, leaves in lots, leaves notional)
in the totals of its strategy and of all strategies. Reference prices are the last
market data seen per instrument (a bar's close, a trade's price, a quote's mid rounded
down to the tick) with its time; positions, equity and capital come from the portfolio.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any, Final

from ironkeel.core.clock import Clock
from ironkeel.model.data import Bar, QuoteTick, TradeTick
from ironkeel.model.enums import OrderSide
from ironkeel.model.events import OrderEvent, OrderInitialized
from ironkeel.model.identifiers import ClientOrderId, InstrumentId, StrategyId
from ironkeel.model.instruments import Instrument
from ironkeel.model.orders import Order
from ironkeel.model.values import Currency
from ironkeel.portfolio import Portfolio

__all__ = ["ExposureTracker"]

_Key = tuple[StrategyId | None, InstrumentId]
RECENT: Final = 64


class ExposureTracker:
    """Implements ``PreTradeView`` over the live engine (see the module doc)."""

    def __init__(
        self,
        *,
        clock: Clock,
        portfolio: Portfolio,
        instruments: Iterable[Instrument],
        currency: Currency,
        order_of: Any,
    ) -> None:
        self._clock = clock
        self._portfolio = portfolio
        self._instruments = {i.id: i for i in instruments}
        self._currency = currency
        self._order_of = order_of  # ClientOrderId -> Order | None (the OMS's lookup)
        self._lots: dict[_Key, list[int]] = {}
        self._notional: dict[StrategyId | None, list[int]] = {}
        self._contribution: dict[ClientOrderId, tuple[int, int, int, StrategyId, InstrumentId]] = {}
        self._references: dict[InstrumentId, tuple[int, int]] = {}
        self._recent: dict[StrategyId, deque[OrderInitialized]] = {}
        self._capital: dict[StrategyId | None, int] = {}

    # --- feeding ----------------------------------------------------------------------------

    def on_data(self, item: Any) -> None:
        """Remember the item's price as its instrument's reference (a loop handler)."""
        kind = type(item)
        if kind is Bar:
            self._references[item.bar_type.instrument_id] = (item.close, item.ts_event)
        elif kind is TradeTick:
            self._references[item.instrument_id] = (item.price, item.ts_event)
        elif kind is QuoteTick:
            self._references[item.instrument_id] = ((item.bid + item.ask) // 2, item.ts_event)

    def on_order_event(self, event: OrderEvent) -> None:
        """Refresh the contribution of the event's order to the working totals."""
        order: Order | None = self._order_of(event.client_order_id)
        if order is None:
            return
        self._set(order)

    def accepted(self, order: OrderInitialized) -> None:
        """An order passed the checks: keep it among the strategy's recent orders."""
        recent = self._recent.get(order.strategy_id)
        if recent is None:
            recent = self._recent[order.strategy_id] = deque(maxlen=RECENT)
        recent.append(order)

    def set_capital(self, strategy_id: StrategyId | None, raw: int) -> None:
        self._capital[strategy_id] = raw

    def _set(self, order: Order) -> None:
        cid = order.client_order_id
        old = self._contribution.pop(cid, None)
        if old is not None:  # unpacked by hand: a star call is a generic call when compiled
            side, lots, notional, strategy_id, instrument_id = old
            self._add(side, lots, notional, strategy_id, instrument_id, sign=-1)
        leaves = order.leaves_qty if order.is_open else 0
        if leaves:
            instrument = self._instruments[order.instrument_id]
            price = order.price
            if price is None:
                reference = self._references.get(order.instrument_id)
                price = reference[0] if reference is not None else 0
            notional = leaves * abs(price) * instrument.unit_raw
            side = int(order.side)
            self._contribution[cid] = (
                side, leaves, notional, order.strategy_id, order.instrument_id
            )  # fmt: skip
            self._add(side, leaves, notional, order.strategy_id, order.instrument_id, sign=1)

    def _add(
        self,
        side: int,
        lots: int,
        notional: int,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        *,
        sign: int,
    ) -> None:
        slot = 0 if side == OrderSide.BUY else 1
        for key in ((strategy_id, instrument_id), (None, instrument_id)):
            totals = self._lots.get(key)
            if totals is None:
                totals = self._lots[key] = [0, 0]
            totals[slot] += sign * lots
        for scope in (strategy_id, None):
            money = self._notional.get(scope)
            if money is None:
                money = self._notional[scope] = [0, 0]
            money[slot] += sign * notional

    # --- PreTradeView -----------------------------------------------------------------------

    def now_ns(self) -> int:
        return self._clock.timestamp_ns()

    def instrument(self, instrument_id: InstrumentId) -> Instrument:
        return self._instruments[instrument_id]

    def position(self, strategy_id: StrategyId, instrument_id: InstrumentId) -> int:
        return self._portfolio.position_qty(strategy_id, instrument_id)

    def net_position(self, instrument_id: InstrumentId) -> int:
        return self._portfolio.net_position(instrument_id)

    def working(
        self, strategy_id: StrategyId | None, instrument_id: InstrumentId
    ) -> tuple[int, int]:
        totals = self._lots.get((strategy_id, instrument_id))
        return (0, 0) if totals is None else (totals[0], totals[1])

    def working_notional(self, strategy_id: StrategyId | None) -> tuple[int, int]:
        money = self._notional.get(strategy_id)
        return (0, 0) if money is None else (money[0], money[1])

    def reference(self, instrument_id: InstrumentId) -> tuple[int, int] | None:
        return self._references.get(instrument_id)

    def equity(self, strategy_id: StrategyId | None) -> int:
        return self._portfolio.equity_raw(self._currency, strategy_id)

    def capital(self, strategy_id: StrategyId | None) -> int:
        if strategy_id is None and None not in self._capital:
            return sum(v for k, v in self._capital.items() if k is not None)
        return self._capital.get(strategy_id, 0)

    def gross_exposure(self, strategy_id: StrategyId | None) -> int:
        return self._exposure(strategy_id, gross=True)

    def net_exposure(self, strategy_id: StrategyId | None) -> int:
        return self._exposure(strategy_id, gross=False)

    def recent_orders(self, strategy_id: StrategyId) -> Sequence[OrderInitialized]:
        return self._recent.get(strategy_id, ())

    def _exposure(self, strategy_id: StrategyId | None, *, gross: bool) -> int:
        strategies = self._portfolio.strategies if strategy_id is None else (strategy_id,)
        total = 0
        for instrument_id, instrument in self._instruments.items():
            reference = self._references.get(instrument_id)
            if reference is None:
                continue
            for sid in strategies:
                lots = self._portfolio.position_qty(sid, instrument_id)
                if lots:
                    value = lots * reference[0] * instrument.unit_raw
                    total += abs(value) if gross else value
        return total
