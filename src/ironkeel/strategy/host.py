"""Hosting strategies inside the engine's process (backtests; the fast path).

``StrategyHost`` implements one ``StrategyContext`` per strategy, routes market
data and order events to the right hooks, and isolates failures: a strategy that
raises inside a hook is stopped, its orders are canceled and its positions closed
with emergency market orders (once), a ``StrategyFailed`` event is published, and
every other strategy goes on untouched.

Data reaches strategies after the venue and the portfolio have handled it (they
are subscribed first), so a strategy always sees fills and marks up to date.
Each bar is turned into one ``MarketBar`` view, shared by every strategy that
trades the instrument.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, Final

from msgspec.structs import astuple

from ironkeel.core.bus import MessageBus
from ironkeel.core.clock import Clock
from ironkeel.core.loop import EventLoop, Handler
from ironkeel.execution.oms import OrderManager
from ironkeel.model.book import OrderBook
from ironkeel.model.commands import CancelAllOrders, SubmitOrder
from ironkeel.model.data import Bar, OrderBookDeltas, OrderBookSnapshot, QuoteTick, TradeTick
from ironkeel.model.enums import OrderSide, OrderStatus
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.events import (
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderDenied,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderModifyRejected,
    OrderRejected,
    OrderTriggered,
    OrderUpdated,
    StrategyFailed,
)
from ironkeel.model.identifiers import InstrumentId, StrategyId
from ironkeel.model.instruments import Instrument
from ironkeel.model.orders import FILLED_EVENT
from ironkeel.model.values import Currency
from ironkeel.portfolio import Portfolio
from ironkeel.strategy.base import Strategy
from ironkeel.strategy.slot import Slot, SlotStatus
from ironkeel.strategy.views import (
    Fill,
    MarketBar,
    MarketQuote,
    MarketTrade,
    OrderUpdate,
)

__all__ = ["SlotStatus", "StrategyHost"]  # SlotStatus: re-exported from slot.py

log = logging.getLogger("ironkeel.strategy")

#: The order events a strategy hears (not the ones it made itself or the interim ones:
#: OrderInitialized, OrderSubmitted, OrderPendingUpdate, OrderPendingCancel).
_HEARD: Final = (
    OrderAccepted,
    OrderRejected,
    OrderDenied,
    OrderTriggered,
    OrderUpdated,
    OrderModifyRejected,
    OrderCancelRejected,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
)


#: Where each field of a Bar is in ``astuple(bar)``.
_OPEN: Final = Bar.__struct_fields__.index("open")
_HIGH: Final = Bar.__struct_fields__.index("high")
_LOW: Final = Bar.__struct_fields__.index("low")
_CLOSE: Final = Bar.__struct_fields__.index("close")
_VOLUME: Final = Bar.__struct_fields__.index("volume")
_TS_EVENT: Final = Bar.__struct_fields__.index("ts_event")
# Final aliases: compiled, a Final module constant is a native static, while a name imported
# from an interpreted module (msgspec, the views) is a dict lookup on every use.
_FIELDS_OF: Final = astuple
_VIEW_OF: Final = MarketBar


def _ratio(step: Decimal) -> tuple[int, int]:
    numerator, denominator = step.as_integer_ratio()
    return numerator, denominator


class StrategyHost:
    """Runs strategies in-process: one context each, data and order routing, isolation."""

    def __init__(
        self,
        *,
        clock: Clock,
        bus: MessageBus,
        loop: EventLoop,
        oms: OrderManager,
        portfolio: Portfolio,
        instruments: Iterable[Instrument],
        seed: int = 0,
    ) -> None:
        self.clock = clock
        self.bus = bus
        self.loop = loop
        self.oms = oms
        self.portfolio = portfolio
        self.instruments = {i.id: i for i in instruments}
        self.seed = seed
        self.slots: dict[StrategyId, Slot] = {}
        self._bar_routes: dict[InstrumentId, list[Slot]] = {}
        self._subscribed: set[object] = set()
        self.failures: list[StrategyFailed] = []
        self._boxes: list[
            tuple[list[tuple[tuple[Slot, Callable[[Any], None]], ...]], list[Slot], str]
        ] = []
        for kind in _HEARD:  # concrete types: the bus never calls us for the quiet ones
            bus.subscribe(kind, self._on_order_event)

    # --- set-up -------------------------------------------------------------------------

    def add(
        self,
        strategy_id: StrategyId,
        strategy: Strategy,
        instruments: Sequence[InstrumentId],
        currency: Currency,
    ) -> None:
        """Host ``strategy`` under ``strategy_id``, trading ``instruments`` (run order)."""
        if strategy_id in self.slots:
            raise InvalidInputError(
                "strategy name", str(strategy_id), "is already used", "give each strategy its own"
            )
        if not isinstance(strategy, Strategy):
            raise InvalidInputError(
                "strategy", type(strategy).__name__, "is not a Strategy", "subclass Strategy"
            )
        unknown = [str(i) for i in instruments if i not in self.instruments]
        if unknown or not instruments:
            raise InvalidInputError(
                f"strategy {strategy_id} instruments",
                unknown or [],
                "are not loaded" if unknown else "is empty",
                f"choose from {sorted(map(str, self.instruments))}",
            )
        slot = Slot(
            self,
            strategy_id=strategy_id,
            strategy=strategy,
            instruments=[self.instruments[i] for i in instruments],
            currency=currency,
            seed=self.seed,
        )
        self.slots[strategy_id] = slot
        for instrument_id in instruments:
            self._bar_routes.setdefault(instrument_id, []).append(slot)

    def subscribe(self, key: object, sample: Any) -> None:
        """Subscribe strategies to the loop stream ``key`` (whose items look like ``sample``).

        Call after the venue and the portfolio are subscribed, once per stream key.
        """
        if key in self._subscribed:
            return
        self._subscribed.add(key)
        instrument = self.instruments[sample.instrument_id]
        slots = self._bar_routes.get(instrument.id)
        if slots is None:  # no strategy trades this instrument: nothing to deliver
            return
        kind = type(sample)
        handler: Callable[[Any], None]
        if kind is Bar:
            handler = self._bar_handler(instrument, slots)
        elif kind is QuoteTick:
            handler = self._quote_handler(instrument, slots)
        elif kind is TradeTick:
            handler = self._trade_handler(instrument, slots)
        elif kind in (OrderBookDeltas, OrderBookSnapshot):
            handler = self._book_handler(instrument, slots)
        else:
            raise InvalidInputError("data", kind.__name__, "is not market data", "see model.data")
        self.loop.subscribe(key, handler)

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Attach every strategy and call ``on_start``."""
        for slot in self.slots.values():
            slot.strategy.attach(slot)
            slot.status = SlotStatus.RUNNING
        self._refresh_targets()
        for slot in self.slots.values():
            if slot.status is SlotStatus.RUNNING:
                self.call(slot, "on_start", slot.strategy.on_start)

    def stop(self) -> None:
        """Call ``on_stop`` of every strategy still running."""
        for slot in self.slots.values():
            if slot.status is SlotStatus.RUNNING:
                self.call(slot, "on_stop", slot.strategy.on_stop)
                if slot.status is SlotStatus.RUNNING:
                    slot.status = SlotStatus.STOPPED
        self._refresh_targets()

    def call(self, slot: Slot, hook: str, fn: Callable[..., None], *args: Any) -> None:
        """Run one hook; an exception stops this strategy only."""
        try:
            fn(*args)
        except Exception as error:
            self._fail(slot, hook, error)

    # --- routing ------------------------------------------------------------------------

    def _bar_handler(self, instrument: Instrument, slots: list[Slot]) -> Handler:
        """One MarketBar per bar, handed to each running strategy's ``on_bar``.

        The targets are a tuple of (slot, bound hook) that ``_fail`` replaces when a strategy
        stops, so the per-bar path does no status checks and no attribute lookups."""
        pn, pd = _ratio(instrument.price_increment)
        vn, vd = _ratio(instrument.size_increment)
        box = self._targets(slots, "on_bar")
        if pn == 1 and vn == 1:  # increments 10**-k (or 1/k): one correctly rounded division
            return _BarHandler(instrument.id, pd, vd, box, self._fail)
        return _ScaledBarHandler(instrument.id, (pn, pd), (vn, vd), box, self._fail)

    def _targets(
        self, slots: list[Slot], hook: str
    ) -> list[tuple[tuple[Slot, Callable[[Any], None]], ...]]:
        """A one-element box holding the (slot, bound hook) pairs of the running slots; the
        host refreshes every box when a strategy starts, fails or stops."""
        box: list[tuple[tuple[Slot, Callable[[Any], None]], ...]] = [()]
        self._boxes.append((box, slots, hook))
        return box

    def _deliver(self, slots: list[Slot], hook: str) -> Callable[[Any], None]:
        """Call ``hook`` of every running strategy in ``slots``; a raise stops only that one."""
        box = self._targets(slots, hook)
        fail = self._fail

        def deliver(view: Any) -> None:
            for slot, fn in box[0]:
                try:
                    fn(view)
                except Exception as error:  # isolates the strategy
                    fail(slot, hook, error)

        return deliver

    def _refresh_targets(self) -> None:
        for box, slots, hook in self._boxes:
            box[0] = tuple(
                (slot, getattr(slot.strategy, hook))
                for slot in slots
                if slot.status is SlotStatus.RUNNING
            )

    def _quote_handler(
        self, instrument: Instrument, slots: list[Slot]
    ) -> Callable[[QuoteTick], None]:
        pn, pd = _ratio(instrument.price_increment)
        vn, vd = _ratio(instrument.size_increment)

        def on_quote(quote: QuoteTick) -> None:
            view = MarketQuote(
                instrument.id,
                quote.ts_event,
                quote.bid * pn / pd,
                quote.ask * pn / pd,
                quote.bid_size * vn / vd,
                quote.ask_size * vn / vd,
                quote,
            )
            deliver(view)

        deliver = self._deliver(slots, "on_quote")
        return on_quote

    def _trade_handler(
        self, instrument: Instrument, slots: list[Slot]
    ) -> Callable[[TradeTick], None]:
        pn, pd = _ratio(instrument.price_increment)
        vn, vd = _ratio(instrument.size_increment)

        def on_trade(trade: TradeTick) -> None:
            view = MarketTrade(
                instrument.id,
                trade.ts_event,
                trade.price * pn / pd,
                trade.size * vn / vd,
                trade.aggressor_side,
                trade,
            )
            deliver(view)

        deliver = self._deliver(slots, "on_trade")
        return on_trade

    def _book_handler(
        self, instrument: Instrument, slots: list[Slot]
    ) -> Callable[[OrderBookDeltas | OrderBookSnapshot], None]:
        book = OrderBook(instrument.id)

        def on_book(update: OrderBookDeltas | OrderBookSnapshot) -> None:
            if type(update) is OrderBookSnapshot:
                book.apply_snapshot(update)
            elif not book.apply_deltas(update):  # type: ignore[arg-type]
                return
            deliver(book)

        deliver = self._deliver(slots, "on_book")
        return on_book

    def _on_order_event(self, event: OrderEvent) -> None:
        slot = self.slots.get(event.strategy_id)
        if slot is None or slot.status is not SlotStatus.RUNNING:
            return
        if type(event) is FILLED_EVENT:
            if not slot.hears_fills:
                return
            fill: OrderFilled = event
            instrument = self.instruments[fill.instrument_id]
            view = Fill(
                instrument_id=fill.instrument_id,
                client_order_id=fill.client_order_id,
                side=fill.side,
                quantity=fill.last_qty * instrument.size_increment,
                price=fill.last_px * instrument.price_increment,
                commission=fill.commission,
                liquidity_side=fill.liquidity_side,
                trade_id=str(fill.trade_id),
                ts=fill.ts_event,
            )
            self.call(slot, "on_fill", slot.strategy.on_fill, view)
            return
        if not slot.hears_orders:
            return
        order = self.oms.order(event.client_order_id)
        update = OrderUpdate(
            client_order_id=event.client_order_id,
            instrument_id=event.instrument_id,
            status=OrderStatus.DENIED if order is None else order.status,
            event=type(event).__name__,
            reason=getattr(event, "reason", None),
            ts=event.ts_event,
            raw=event,
        )
        self.call(slot, "on_order", slot.strategy.on_order, update)

    # --- failure ------------------------------------------------------------------------

    def _fail(self, slot: Slot, hook: str, error: BaseException) -> None:
        """Stop the strategy, cancel its orders, close its positions: exactly once."""
        if slot.status is SlotStatus.FAILED:
            return
        slot.status = SlotStatus.FAILED
        self._refresh_targets()
        location = _where(error)
        event = StrategyFailed(
            strategy_id=slot.strategy_id,
            hook=hook,
            error=f"{type(error).__name__}: {error}",
            location=location,
            ts_event=self.clock.timestamp_ns(),
            ts_init=self.clock.timestamp_ns(),
        )
        slot.failure = event
        self.failures.append(event)
        log.error(
            "strategy %s failed in %s at %s: %s; stopped and flattened",
            slot.strategy_id,
            hook,
            location,
            event.error,
        )
        for name in list(slot.timers):
            slot.cancel_timer(name)
        self.bus.publish(event)
        self._flatten(slot)

    def _flatten(self, slot: Slot) -> None:
        now = self.clock.timestamp_ns()
        self.bus.send(CancelAllOrders(strategy_id=slot.strategy_id, ts_init=now))
        for instrument in slot.instruments:
            lots = self.portfolio.position_qty(slot.strategy_id, instrument.id)
            if lots:
                side = OrderSide.SELL if lots > 0 else OrderSide.BUY
                init = slot.factory.create(
                    instrument.id, side, abs(lots), reduce_only=True, emergency=True
                )
                self.bus.send(SubmitOrder(order=init, ts_init=now))


def _where(error: BaseException) -> str:
    """``file:line`` of the innermost frame of the traceback (the user's code, usually),
    or the location an error from another process carries."""
    carried = getattr(error, "location", None)
    if isinstance(carried, str):
        return carried
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "unknown"
    last = frames[-1]
    return f"{last.filename}:{last.lineno}"


Targets = list[tuple[tuple[Slot, Callable[[Any], None]], ...]]
Fail = Callable[[Slot, str, BaseException], None]


class _BarHandler(Handler):
    """A bar stream's strategy handler (``StrategyHost._bar_handler``): one ``MarketBar``
    per bar (``view``), handed to every running strategy of the instrument. Here prices
    and volume are one correctly rounded division each (increments of 10**-k or 1/k)."""

    __slots__ = ("_box", "_fail", "_iid", "_pd", "_vd")

    def __init__(self, iid: InstrumentId, pd: int, vd: int, box: Targets, fail: Fail) -> None:
        self._iid = iid
        self._pd = pd
        self._vd = vd
        self._box = box
        self._fail = fail

    def handle(self, item: Any) -> None:
        targets = self._box[0]
        if not targets:  # no running strategy trades it: no view to build
            return
        view = self.view(item)
        for slot, hook in targets:
            try:
                hook(view)
            except Exception as error:  # isolates the strategy
                self._fail(slot, "on_bar", error)

    def view(self, item: Any) -> Any:
        # One call for every field: compiled, each attribute read of a Struct is a generic
        # lookup; the tuple's items are read natively.
        fields = _FIELDS_OF(item)
        pd = self._pd
        o: int = fields[_OPEN]
        h: int = fields[_HIGH]
        lo: int = fields[_LOW]
        c: int = fields[_CLOSE]
        v: int = fields[_VOLUME]
        return _VIEW_OF(
            self._iid, fields[_TS_EVENT], o / pd, h / pd, lo / pd, c / pd, v / self._vd, item
        )


class _ScaledBarHandler(_BarHandler):
    """``_BarHandler`` for any other increments: prices and volume scaled by their ratios."""

    __slots__ = ("_pn", "_vn")

    def __init__(
        self,
        iid: InstrumentId,
        price: tuple[int, int],
        volume: tuple[int, int],
        box: Targets,
        fail: Fail,
    ) -> None:
        super().__init__(iid, price[1], volume[1], box, fail)
        self._pn = price[0]
        self._vn = volume[0]

    def view(self, item: Any) -> Any:
        pn, pd = self._pn, self._pd
        bar: Bar = item
        return _VIEW_OF(
            self._iid, bar.ts_event, bar.open * pn / pd, bar.high * pn / pd, bar.low * pn / pd,
            bar.close * pn / pd, bar.volume * self._vn / self._vd, bar,
        )  # fmt: skip
