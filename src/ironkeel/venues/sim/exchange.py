"""The simulated exchange: a venue adapter behind the same port as live venues.

``SimulatedExchange`` takes orders from the OMS (``submit``/``modify``/``cancel``)
and market data from the event loop (``on_bar``/``on_quote``/``on_trade``/
``on_book_snapshot``/``on_book_deltas``), and answers only with order events
sent to the connected ``VenueEventSink``. It keeps its own record of every
order (``SimOrder``), its own net position per instrument and, per instrument,
its own L2 book when fed book data.

Timing. A request takes effect at the venue ``latency`` ns after the call
(``clock.call_at``); with 0 it takes effect inside the call. Every event is
stamped ``ts_event = ts_init =`` the clock's time when it happened at the venue
(a fault may delay a fill's delivery: then ``ts_init`` is the delivery time).
Venue order ids are "V-1", "V-2", ... in order of acceptance, trade ids "T-1",
"T-2", ... in order of execution, per exchange.

When an order can first fill (see ``matching`` for prices and liquidity):

- Quote or book data: on arrival, against the current quote or book.
- Bars: an order that arrives at time a fills no earlier than the first bar
  whose open time (``ts_event - interval``) is at or after a; so an order sent
  while bar t is handled fills from bar t+1's open, and latency can push it
  later. With ``SimConfig(fill_on_close=True)`` a market or marketable order
  that arrives while bar t is handled (same clock time) fills at bar t's close.
- Trade ticks: from the next trade print.
- IOC/FOK: at that first chance; what does not fill then is canceled.
- DAY orders expire at the session end (``SimConfig.session_end_ns`` after UTC
  midnight), GTD orders at ``expire_time_ns``, both by a ``clock.call_at``
  that runs before any data stamped at that time is matched.

Fast path: ``on_bar`` for an instrument with no working orders is an identity
check (or one dict lookup), one attribute store and a return.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Final

from ironkeel.core.clock import Clock
from ironkeel.core.loop import Handler
from ironkeel.model.book import OrderBook
from ironkeel.model.commands import CancelOrder, ModifyOrder
from ironkeel.model.data import (
    Bar,
    BarType,
    OrderBookDeltas,
    OrderBookSnapshot,
    QuoteTick,
    TradeTick,
)
from ironkeel.model.enums import OrderStatus, TimeInForce
from ironkeel.model.errors import InvalidInputError, StateError
from ironkeel.model.events import OrderCancelRejected, OrderEvent, OrderModifyRejected
from ironkeel.model.identifiers import (
    AccountId,
    ClientOrderId,
    InstrumentId,
    Venue,
    VenueOrderId,
    formatted_id_maker,
)
from ironkeel.model.instruments import Instrument
from ironkeel.model.orders import Order
from ironkeel.venues.port import VenueEventSink
from ironkeel.venues.sim.config import NANOS_PER_DAY, SimConfig
from ironkeel.venues.sim.executor import Executor
from ironkeel.venues.sim.faults import FaultPlan, FaultState, Outage
from ironkeel.venues.sim.fees import FeeModel, MakerTakerFee, minimum_raw
from ironkeel.venues.sim.fills import FillModel, TouchPolicy
from ironkeel.venues.sim.intake import (
    check_exchange_arguments,
    modify_rejection,
    order_rejection,
)
from ironkeel.venues.sim.latency import LatencyModel
from ironkeel.venues.sim.market import Market
from ironkeel.venues.sim.matching import fill_at_start, match_levels, match_path
from ironkeel.venues.sim.path import bar_path
from ironkeel.venues.sim.records import SimOrder
from ironkeel.venues.sim.slippage import NoSlippage, SlipContext, SlippageModel

__all__ = ["SimulatedExchange"]

_OUTAGE: Final = "venue outage"
# Members read once: an enum member read through its class costs ~100 ns in CPython 3.11.
_GTD: Final = TimeInForce.GTD
_DAY: Final = TimeInForce.DAY
_tuple_new = tuple.__new__


class _Unconnected:
    """The sink before ``connect``: any event is a programming error."""

    def on_venue_event(self, event: OrderEvent) -> None:
        raise StateError(
            f"the simulated exchange emitted {type(event).__name__} before connect(sink); "
            "connect the OMS to the exchange before sending it orders"
        )


class SimulatedExchange:
    """A deterministic simulated venue implementing the ``VenueAdapter`` port."""

    def __init__(
        self,
        venue: Venue,
        account_id: AccountId,
        clock: Clock,
        instruments: Sequence[Instrument],
        *,
        config: SimConfig = SimConfig(),  # noqa: B008 -- frozen and immutable, safe to share
        fill_model: TouchPolicy | None = None,
        slippage: SlippageModel | None = None,
        fees: FeeModel | None = None,
        latency: LatencyModel = LatencyModel(),  # noqa: B008 -- frozen and immutable
        faults: FaultPlan | None = None,
    ) -> None:
        check_exchange_arguments(
            venue=venue,
            account_id=account_id,
            instruments=instruments,
            config=config,
            latency=latency,
            faults=faults,
        )
        self.venue = venue
        self.account_id = account_id
        self.clock = clock
        self.config = config
        self.fill_model: TouchPolicy = FillModel() if fill_model is None else fill_model
        self.latency = latency
        fee_model: FeeModel = MakerTakerFee() if fees is None else fees
        self._markets = {i.id: Market(i, minimum_raw(fee_model, i)) for i in instruments}
        self._orders: dict[ClientOrderId, SimOrder] = {}
        self._sink: VenueEventSink = _Unconnected()
        self._faults = None if faults is None else FaultState(faults, clock, self._deliver)
        self._exec = Executor(
            venue=venue,
            account_id=account_id,
            clock=clock,
            fees=fee_model,
            slippage=NoSlippage() if slippage is None else slippage,
            emit=self._emit,
        )
        self._accepted = 0
        self._venue_order_id = formatted_id_maker(VenueOrderId)
        first = self._markets[instruments[0].id]
        self._bar_type: BarType | None = None
        self._bar_market = first

    def __repr__(self) -> str:
        return f"SimulatedExchange({self.venue}, {len(self._markets)} instruments)"

    # --- the VenueAdapter port ----------------------------------------------------------

    def connect(self, sink: VenueEventSink) -> None:
        """Send every order event from now on to ``sink.on_venue_event``."""
        self._sink = sink
        if self._faults is None:  # nothing between the executor and the sink
            self._exec.emit_to(sink.on_venue_event)

    def submit(self, order: Order) -> None:
        """Send a new order; the venue copies what it needs and never changes ``order``."""
        rec = SimOrder(order)
        delay = self.latency.submit_ns
        if delay:
            self.clock.call_at(self.clock.timestamp_ns() + delay, partial(self._arrive, rec))
        else:  # what ``_after`` does, without a partial per order
            self._arrive(rec)

    def modify(self, command: ModifyOrder) -> None:
        self._after(self.latency.modify_ns, partial(self._apply_modify, command))

    def cancel(self, command: CancelOrder) -> None:
        self._after(self.latency.cancel_ns, partial(self._apply_cancel, command))

    # --- what the venue shows -----------------------------------------------------------

    def position(self, instrument_id: InstrumentId) -> int:
        """The venue's net position in lots from its own fills (+ long, - short)."""
        return self._market(instrument_id).position

    def open_orders(self, instrument_id: InstrumentId | None = None) -> tuple[SimOrder, ...]:
        """The venue's working orders, in arrival order (read-only views)."""
        markets = self._markets.values() if instrument_id is None else [self._market(instrument_id)]
        return tuple(rec for market in markets for rec in market.working)

    def book(self, instrument_id: InstrumentId) -> OrderBook | None:
        """The venue's L2 book of the instrument, if it has been fed book data."""
        return self._market(instrument_id).book

    # --- market data --------------------------------------------------------------------

    def on_bar(self, bar: Bar) -> None:
        """Match working orders along the bar's path, then remember the bar."""
        bar_type = bar.bar_type
        market = self._bar_market if bar_type is self._bar_type else self._market_for_bar(bar_type)
        if market.working:
            self._match_bar(market, bar)
        market.last_bar = bar

    def bar_handler(self, bar_type: BarType) -> Callable[[Bar], None]:
        """``on_bar`` for one bar stream, its market looked up now: what the event loop
        calls per bar when the stream is known at subscription (no bar type read per bar)."""
        return BarFeed(self, self._market(bar_type.instrument_id))

    def on_quote(self, quote: QuoteTick) -> None:
        market = self._market(quote.instrument_id)
        market.last_quote = quote
        market.consumed.clear()
        if market.working:
            self._match_touch(market)

    def on_trade(self, trade: TradeTick) -> None:
        market = self._market(trade.instrument_id)
        market.last_trade = trade
        if market.working and not self._down():
            cap = self.config.participation_cap(trade.size)
            ctx = SlipContext(volume=trade.size, spread=market.spread(), at_touch=False)
            path = (trade.price,)
            match_path(
                self._exec,
                market,
                list(market.working),
                path,
                budget=cap,
                ctx=ctx,
                touch=self.fill_model,
            )

    def on_book_snapshot(self, snapshot: OrderBookSnapshot) -> None:
        market = self._market(snapshot.instrument_id)
        self._book_of(market).apply_snapshot(snapshot)
        market.consumed.clear()
        if market.working:
            self._match_touch(market)

    def on_book_deltas(self, deltas: OrderBookDeltas) -> None:
        """Apply a batch to the venue's book; a gap raises ``BookSequenceError``."""
        market = self._market(deltas.instrument_id)
        if not self._book_of(market).apply_deltas(deltas):
            return
        market.consumed.clear()
        if market.working:
            self._match_touch(market)

    # --- matching -----------------------------------------------------------------------

    def _match_bar(self, market: Market, bar: Bar) -> None:
        if self._faults is not None and self._down():
            return
        open_ns = bar.ts_event - bar.bar_type.interval_ns
        high = bar.high
        low = bar.low
        working = market.working
        for rec in working:
            if rec.arrival_ns <= open_ns and (low <= rec.reach_low or high >= rec.reach_high):
                break
        else:
            return  # no order can act on this bar: skip the path match
        orders = []
        plain = True  # all_plain_market(orders), found on the way
        for rec in working:
            if rec.arrival_ns <= open_ns:
                rec.fresh = True  # on bars, every order meets the open as if it had just arrived
                orders.append(rec)
                if not rec.is_market or rec.awaits_trigger:
                    plain = False
        config = self.config
        cap = None if config.max_participation is None else config.participation_cap(bar.volume)
        # SlipContext(volume, spread, at_touch), built without the NamedTuple's Python __new__.
        ctx: SlipContext = _tuple_new(SlipContext, (bar.volume, market.spread(), False))
        if cap is None and plain:  # match_path's shortcut, without the path
            used = fill_at_start(self._exec, market, orders, bar.open, ctx)
        else:
            path = bar_path(bar)
            used = match_path(
                self._exec, market, orders, path, budget=cap, ctx=ctx, touch=self.fill_model
            )
        market.used_bar = bar
        market.bar_used = used

    def _match_touch(self, market: Market) -> None:
        if self._down():
            return
        for rec in list(market.working):
            if rec.is_open:
                match_levels(self._exec, market, rec, self.config)

    def _match_new(self, market: Market, rec: SimOrder) -> None:
        """The first chance of an order that just arrived or was modified."""
        if market.has_touch():
            match_levels(self._exec, market, rec, self.config)
            return
        trade = market.last_trade
        if trade is not None and rec.price is not None and (trade.price - rec.price) * rec.side > 0:
            rec.fresh = False  # not marketable at the last print: it rests, and fills as maker
        if not self.config.fill_on_close:
            return
        bar = market.last_bar
        if bar is None or bar.ts_init != self.clock.timestamp_ns():
            return
        cap = self.config.participation_cap(bar.volume)
        used_before = market.bar_used if market.used_bar is bar else 0
        left = None if cap is None else cap - used_before
        ctx = SlipContext(volume=bar.volume, spread=market.spread(), at_touch=False)
        used = match_path(
            self._exec, market, [rec], (bar.close,), budget=left, ctx=ctx, touch=self.fill_model
        )
        market.used_bar = bar
        market.bar_used = used_before + used

    # --- requests at the venue ----------------------------------------------------------

    def _arrive(self, rec: SimOrder) -> None:
        now = self.clock.timestamp_ns()
        faults = self._faults
        if faults is not None:
            outage = faults.plan.outage_at(now)
            if outage is not None:
                if outage.mode == "reject":
                    self._exec.reject(rec, _OUTAGE)
                return
        orders = self._orders
        client_order_id = rec.client_order_id
        if client_order_id in orders:
            self._exec.reject(rec, f"duplicate client order id {client_order_id}")
            return
        if faults is not None and faults.take_reject(now):
            orders[client_order_id] = rec
            self._exec.reject(rec, "fault injection: order rejected")
            return
        market = self._markets.get(rec.instrument_id)
        reason = order_rejection(market, rec, now)
        if reason is not None or market is None:
            orders[client_order_id] = rec
            self._exec.reject(rec, reason or "unknown instrument")
            return
        accepted = self._accepted = self._accepted + 1
        rec.arrival_ns = now
        orders[client_order_id] = rec
        self._exec.accept(market, rec, self._venue_order_id(f"V-{accepted}"))
        time_in_force = rec.time_in_force
        if time_in_force is _GTD or time_in_force is _DAY:
            self._schedule_expiry(market, rec, now)
        if (
            market.book is not None
            or market.last_quote is not None
            or market.last_trade is not None
            or self.config.fill_on_close
        ):  # else _match_new has nothing to do: no touch, no print, no fill at the close
            self._match_new(market, rec)

    def _schedule_expiry(self, market: Market, rec: SimOrder, now: int) -> None:
        if rec.time_in_force is _GTD and rec.expire_time_ns is not None:
            expire_at = rec.expire_time_ns
        elif rec.time_in_force is _DAY:
            expire_at = now - now % NANOS_PER_DAY + self.config.session_end_ns
            if expire_at <= now:
                expire_at += NANOS_PER_DAY
        else:
            return
        self.clock.call_at(expire_at, partial(self._expire, market, rec))

    def _expire(self, market: Market, rec: SimOrder) -> None:
        if rec.is_open:
            self._exec.close(market, rec, OrderStatus.EXPIRED)

    def _apply_modify(self, cmd: ModifyOrder) -> None:
        rec, reason = self._find(cmd.client_order_id)
        if rec is None or reason is not None:
            if reason is not None:
                self._exec.refuse(OrderModifyRejected, cmd, reason)
            return
        market = self._markets[rec.instrument_id]
        reason = modify_rejection(market, rec, cmd)
        if reason is not None:
            self._exec.refuse(OrderModifyRejected, cmd, reason)
            return
        if cmd.quantity is not None:
            rec.quantity = cmd.quantity
        if cmd.price is not None:
            rec.price = cmd.price
        if cmd.trigger_price is not None:
            rec.trigger_price = cmd.trigger_price
        rec.fresh = True
        rec.refresh_reach()
        self._exec.updated(rec)
        self._match_new(market, rec)

    def _apply_cancel(self, cmd: CancelOrder) -> None:
        rec, reason = self._find(cmd.client_order_id)
        if rec is None or reason is not None:
            if reason is not None:
                self._exec.refuse(OrderCancelRejected, cmd, reason)
            return
        self._exec.close(self._markets[rec.instrument_id], rec, OrderStatus.CANCELED)

    def _find(self, client_order_id: ClientOrderId) -> tuple[SimOrder | None, str | None]:
        """The open order a request is about, or why there is none (None, None: dropped)."""
        outage = self._outage()
        if outage is not None:
            return None, (_OUTAGE if outage.mode == "reject" else None)
        rec = self._orders.get(client_order_id)
        if rec is None:
            return None, f"unknown order {client_order_id} at {self.venue}"
        if not rec.is_open:
            return rec, f"order {client_order_id} is already {rec.status.value}"
        return rec, None

    # --- plumbing -----------------------------------------------------------------------

    def _after(self, delay_ns: int, action: Callable[[], None]) -> None:
        if delay_ns:
            self.clock.call_at(self.clock.timestamp_ns() + delay_ns, action)
        else:
            action()

    def _emit(self, event: OrderEvent) -> None:
        faults = self._faults
        if faults is None:
            self._sink.on_venue_event(event)
        else:
            faults.send(event)

    def _deliver(self, event: OrderEvent) -> None:
        self._sink.on_venue_event(event)

    def _outage(self) -> Outage | None:
        faults = self._faults
        return None if faults is None else faults.plan.outage_at(self.clock.timestamp_ns())

    def _down(self) -> bool:
        return self._faults is not None and self._outage() is not None

    def _market(self, instrument_id: InstrumentId) -> Market:
        market = self._markets.get(instrument_id)
        if market is None:
            raise InvalidInputError(
                "instrument_id",
                str(instrument_id),
                f"is not listed at the simulated exchange {self.venue}",
                f"list it when creating the exchange; listed: {sorted(map(str, self._markets))}",
            )
        return market

    def _market_for_bar(self, bar_type: BarType) -> Market:
        market = self._market(bar_type.instrument_id)
        self._bar_type = bar_type
        self._bar_market = market
        return market

    def _book_of(self, market: Market) -> OrderBook:
        book = market.book
        if book is None:
            book = market.book = OrderBook(market.instrument.id)
        return book


class BarFeed(Handler):
    """``SimulatedExchange.on_bar`` bound to one bar stream's market."""

    __slots__ = ("_exchange", "_market")

    def __init__(self, exchange: SimulatedExchange, market: Market) -> None:
        self._exchange = exchange
        self._market = market

    def handle(self, bar: Bar) -> None:
        market = self._market
        if market.working:
            self._exchange._match_bar(market, bar)
        market.last_bar = bar
