"""Builders for the simulated-exchange tests: an instrument, orders, data and a recording OMS.

Prices are in ticks of 1 USD and quantities in lots of 1 unit, so a table reads
as plain numbers. ``Recorder`` plays the OMS: it keeps each ``Order`` and
applies every event to it through the one transition table, so every test also
checks that the exchange only emits legal event sequences.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from ironkeel.core.clock import TestClock
from ironkeel.core.loop import EventLoop
from ironkeel.model import (
    AccountId,
    AssetClass,
    Bar,
    BarType,
    BookLevel,
    CancelOrder,
    Currency,
    IllegalTransitionError,
    Instrument,
    InstrumentId,
    LiquiditySide,
    ModifyOrder,
    Order,
    OrderBookDeltas,
    OrderBookSnapshot,
    OrderEvent,
    OrderFilled,
    OrderInitialized,
    OrderSide,
    OrderSubmitted,
    OrderType,
    QuoteTick,
    StrategyId,
    TimeInForce,
    TradeTick,
    Venue,
    new_client_order_id,
)
from ironkeel.model.enums import AggressorSide
from ironkeel.venues.sim import NoFee, SimulatedExchange

USD = Currency("USD", 2)
SIM = Venue("SIM")
ACCOUNT = AccountId("SIM-001")
STRATEGY = StrategyId("s-1")
ABC = InstrumentId("ABC", SIM)
MIN = 60_000_000_000
T0 = 1_700_006_400_000_000_000  # a UTC midnight (2023-11-15)
BAR_TYPE = BarType(ABC, MIN)
BUY = OrderSide.BUY
SELL = OrderSide.SELL
MAKER = LiquiditySide.MAKER
TAKER = LiquiditySide.TAKER


def instrument(**overrides: Any) -> Instrument:
    spec: dict[str, Any] = {
        "id": ABC,
        "asset_class": AssetClass.EQUITY,
        "quote_currency": USD,
        "price_increment": "1",
        "size_increment": "1",
    }
    spec.update(overrides)
    return Instrument(**spec)


_RNG = random.Random(1234)


def order(
    side: OrderSide,
    qty: int,
    order_type: OrderType = OrderType.MARKET,
    *,
    price: int | None = None,
    trigger: int | None = None,
    tif: TimeInForce = TimeInForce.GTC,
    expire: int | None = None,
    reduce_only: bool = False,
    post_only: bool = False,
    instrument_id: InstrumentId = ABC,
    ts: int = T0,
) -> Order:
    """An order already in SUBMITTED state, as the OMS hands it to a venue."""
    init = OrderInitialized(
        strategy_id=STRATEGY,
        instrument_id=instrument_id,
        client_order_id=new_client_order_id(_RNG),
        side=side,
        order_type=order_type,
        quantity=qty,
        price=price,
        trigger_price=trigger,
        time_in_force=tif,
        expire_time_ns=expire,
        reduce_only=reduce_only,
        post_only=post_only,
        ts_event=ts,
        ts_init=ts,
    )
    return submitted(init)


def submitted(init: OrderInitialized) -> Order:
    """A new order in SUBMITTED state, as the OMS hands it to a venue."""
    result = Order(init)
    result.apply(
        OrderSubmitted(
            strategy_id=init.strategy_id,
            instrument_id=init.instrument_id,
            client_order_id=init.client_order_id,
            account_id=ACCOUNT,
            ts_event=init.ts_init,
            ts_init=init.ts_init,
        )
    )
    return result


def limit(side: OrderSide, qty: int, price: int, **kw: Any) -> Order:
    return order(side, qty, OrderType.LIMIT, price=price, **kw)


def stop(side: OrderSide, qty: int, trigger: int, **kw: Any) -> Order:
    return order(side, qty, OrderType.STOP_MARKET, trigger=trigger, **kw)


def stop_limit(side: OrderSide, qty: int, trigger: int, price: int, **kw: Any) -> Order:
    return order(side, qty, OrderType.STOP_LIMIT, trigger=trigger, price=price, **kw)


def bar(o: int, h: int, low: int, c: int, *, v: int = 1_000, i: int = 0) -> Bar:
    """Bar number ``i`` of one-minute bars: it closes at T0 + (i + 1) minutes."""
    ts = T0 + (i + 1) * MIN
    return Bar(BAR_TYPE, o, h, low, c, v, ts, ts)


def bars(rows: Sequence[tuple[int, ...]]) -> list[Bar]:
    """Bars from (o, h, l, c) or (o, h, l, c, volume) rows, one minute apart."""
    out = []
    for i, row in enumerate(rows):
        o, h, low, c = row[:4]
        out.append(bar(o, h, low, c, v=row[4] if len(row) > 4 else 1_000, i=i))
    return out


def quote(bid: int, ask: int, bid_size: int = 10, ask_size: int = 10, *, ts: int = T0) -> QuoteTick:
    return QuoteTick(ABC, bid, ask, bid_size, ask_size, ts, ts)


def trade(price: int, size: int = 10, *, ts: int = T0) -> TradeTick:
    return TradeTick(ABC, price, size, AggressorSide.NONE, f"x-{price}-{ts}", ts, ts)


def snapshot(
    bids: Sequence[tuple[int, int]],
    asks: Sequence[tuple[int, int]],
    *,
    update_id: int = 1,
    ts: int = T0,
) -> OrderBookSnapshot:
    return OrderBookSnapshot(
        ABC,
        tuple(BookLevel(p, s) for p, s in bids),
        tuple(BookLevel(p, s) for p, s in asks),
        update_id,
        ts,
        ts,
    )


class Recorder:
    """A stand-in OMS: records every venue event and applies it to its order."""

    def __init__(self) -> None:
        self.events: list[OrderEvent] = []
        self.orders: dict[Any, Order] = {}
        self._trades: set[Any] = set()
        #: Events the order state machine refused (the OMS would raise an alert for each).
        self.refused: list[tuple[str, str]] = []

    def track(self, *orders: Order) -> None:
        for o in orders:
            self.orders[o.client_order_id] = o

    def on_venue_event(self, event: OrderEvent) -> None:
        self.events.append(event)
        target = self.orders.get(event.client_order_id)
        if target is None:
            return
        if isinstance(event, OrderFilled):
            if event.trade_id in self._trades:
                return  # a duplicate, as the OMS would ignore it
            self._trades.add(event.trade_id)
        try:
            target.apply(event)
        except IllegalTransitionError as exc:
            self.refused.append((exc.state, exc.trigger))

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    @property
    def fills(self) -> list[OrderFilled]:
        return self.of(OrderFilled)

    def kinds(self) -> list[str]:
        return [type(e).__name__ for e in self.events]


def exchange(
    *, clock: TestClock | None = None, instruments: Sequence[Instrument] | None = None, **kw: Any
) -> tuple[SimulatedExchange, Recorder, TestClock]:
    clock = TestClock(T0) if clock is None else clock
    kw.setdefault("fees", NoFee())
    ex = SimulatedExchange(SIM, ACCOUNT, clock, instruments or [instrument()], **kw)
    rec = Recorder()
    ex.connect(rec)
    return ex, rec, clock


def submit(ex: SimulatedExchange, rec: Recorder, *orders: Order) -> None:
    rec.track(*orders)
    for o in orders:
        ex.submit(o)


def cancel_cmd(o: Order, ts: int = T0) -> CancelOrder:
    return CancelOrder(
        strategy_id=STRATEGY,
        instrument_id=o.instrument_id,
        client_order_id=o.client_order_id,
        ts_init=ts,
    )


def modify_cmd(o: Order, *, ts: int = T0, **fields: Any) -> ModifyOrder:
    return ModifyOrder(
        strategy_id=STRATEGY,
        instrument_id=o.instrument_id,
        client_order_id=o.client_order_id,
        ts_init=ts,
        **fields,
    )


def run_bars(
    ex: SimulatedExchange,
    rec: Recorder,
    clock: TestClock,
    rows: Sequence[tuple[int, ...]],
    orders_at: dict[int, Sequence[Order]],
    *,
    bound: bool = False,
) -> list[tuple[int, int, int, LiquiditySide]]:
    """Replay bars through the event loop, submitting ``orders_at[i]`` while bar i is handled
    (``bound``: through the stream's handler from ``bar_handler``, as a backtest wires it).

    Returns the fills as (bar index, price, qty, liquidity), where the bar index
    is the bar being handled (or the last one handled) when the fill happened.
    """
    data = bars(rows)
    loop = EventLoop(clock)
    loop.subscribe(BAR_TYPE, ex.bar_handler(BAR_TYPE) if bound else ex.on_bar)
    handled: list[int] = []

    def strategy(b: Bar) -> None:
        index = data.index(b)
        handled.append(index)
        # Fresh copies: the same specs may be replayed twice (the determinism test).
        submit(ex, rec, *(submitted(o.init) for o in orders_at.get(index, ())))

    loop.subscribe(BAR_TYPE, strategy)
    loop.add_stream(data)
    loop.run()
    return [(_bar_index(f.ts_event), f.last_px, f.last_qty, f.liquidity_side) for f in rec.fills]


def _bar_index(ts: int) -> int:
    """The bar whose close time is at or before ``ts`` (the bar being handled)."""
    return (ts - T0) // MIN - 1


Step = Any  # an Order to submit, or a QuoteTick / TradeTick / OrderBookSnapshot / OrderBookDeltas


def run_steps(
    ex: SimulatedExchange, rec: Recorder, clock: TestClock, steps: Sequence[Step]
) -> list[tuple[int, int, LiquiditySide]]:
    """Feed ``steps`` one second apart: data to its handler, orders to ``submit``.

    Returns the fills as (price, qty, liquidity).
    """
    handlers: dict[type, Any] = {
        QuoteTick: ex.on_quote,
        TradeTick: ex.on_trade,
        OrderBookSnapshot: ex.on_book_snapshot,
        OrderBookDeltas: ex.on_book_deltas,
    }
    for n, step in enumerate(steps):
        clock.advance_to(T0 + n * 1_000_000_000)
        if isinstance(step, Order):
            submit(ex, rec, step)
        else:
            handlers[type(step)](step)
    return [(f.last_px, f.last_qty, f.liquidity_side) for f in rec.fills]
