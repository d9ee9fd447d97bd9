"""Simulated-exchange hot path: ns per ``on_bar`` with no working order, with one resting
order that the bars never reach, and 1,000,000 bars through loop + exchange with a market
order every 50 bars (events go to a sink that drops them; no portfolio, no OMS).

``python -m benchmarks.sim_exchange`` prints one JSON line per measurement.
"""

from __future__ import annotations

import random
import time

from benchmarks._report import emit, peak_rss_mb
from ironkeel.core.clock import TestClock
from ironkeel.core.loop import EventLoop
from ironkeel.model import (
    AccountId,
    AssetClass,
    Bar,
    BarType,
    Currency,
    Instrument,
    InstrumentId,
    Order,
    OrderEvent,
    OrderInitialized,
    OrderSide,
    OrderSubmitted,
    OrderType,
    StrategyId,
    Venue,
    new_client_order_id,
)
from ironkeel.venues.sim import NoFee, SimulatedExchange

SIM = Venue("SIM")
ACCOUNT = AccountId("SIM-001")
STRATEGY = StrategyId("bench")
IID = InstrumentId("ABC", SIM)
BAR_TYPE = BarType(IID, 60_000_000_000)
RNG = random.Random(1)


class _Drop:
    def on_venue_event(self, event: OrderEvent) -> None:
        pass


def _order(side: OrderSide, order_type: OrderType, price: int | None = None) -> Order:
    init = OrderInitialized(
        strategy_id=STRATEGY,
        instrument_id=IID,
        client_order_id=new_client_order_id(RNG),
        side=side,
        order_type=order_type,
        quantity=1,
        price=price,
        ts_event=0,
        ts_init=0,
    )
    order = Order(init)
    order.apply(
        OrderSubmitted(
            strategy_id=STRATEGY,
            instrument_id=IID,
            client_order_id=init.client_order_id,
            account_id=ACCOUNT,
            ts_event=0,
            ts_init=0,
        )
    )
    return order


def _exchange(clock: TestClock) -> SimulatedExchange:
    instrument = Instrument(
        id=IID,
        asset_class=AssetClass.EQUITY,
        quote_currency=Currency("USD", 2),
        price_increment="0.01",
        size_increment="1",
    )
    ex = SimulatedExchange(SIM, ACCOUNT, clock, [instrument], fees=NoFee())
    ex.connect(_Drop())
    return ex


def _bars(n: int) -> list[Bar]:
    minute = 60_000_000_000
    return [
        Bar(BAR_TYPE, 10_000, 10_010, 9_990, 10_000, 100, (i + 1) * minute, (i + 1) * minute)
        for i in range(n)
    ]


def per_call(*, resting: bool, n: int = 500_000) -> float:
    clock = TestClock(0)
    ex = _exchange(clock)
    if resting:
        ex.submit(_order(OrderSide.BUY, OrderType.LIMIT, price=5_000))
    bar = _bars(1)[0]
    on_bar = ex.on_bar
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter_ns()
        for _ in range(n):
            on_bar(bar)
        best = min(best, (time.perf_counter_ns() - start) / n)
    return best


def loop_throughput(n: int = 1_000_000, every: int = 50) -> float:
    clock = TestClock(0)
    ex = _exchange(clock)
    data = _bars(n)
    orders = [
        _order(OrderSide.BUY if i % 2 else OrderSide.SELL, OrderType.MARKET)
        for i in range(n // every + 1)
    ]
    count = 0

    def strategy(bar: Bar) -> None:
        nonlocal count
        count += 1
        if count % every == 0:
            ex.submit(orders[count // every])

    loop = EventLoop(clock)
    loop.subscribe(BAR_TYPE, ex.on_bar)
    loop.subscribe(BAR_TYPE, strategy)
    loop.add_stream(data)
    start = time.perf_counter_ns()
    loop.run()
    return n / ((time.perf_counter_ns() - start) / 1e9)


def main() -> None:
    emit("sim_exchange.on_bar_no_orders", ns_per_call=round(per_call(resting=False), 1))
    emit("sim_exchange.on_bar_one_unreached_limit", ns_per_call=round(per_call(resting=True), 1))
    emit(
        "sim_exchange.loop_1m_bars_order_every_50",
        bars_per_s=round(loop_throughput()),
        peak_rss_mb=peak_rss_mb(),
    )


if __name__ == "__main__":
    main()
