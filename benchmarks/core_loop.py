"""Core throughput: 1,000,000 one-minute bars through loop + simulated exchange + portfolio,
with a market order every 50 bars (no strategy callbacks), next to a bare Python loop that
does only the same arithmetic (mark-to-market and the fills) on the same bars.
"""

from __future__ import annotations

import time

from benchmarks._report import bench_instrument, emit, peak_rss_mb
from ironkeel.backtest import BacktestEngine
from ironkeel.data import gbm_bars
from ironkeel.model import (
    Bar,
    Currency,
    Money,
    OrderSide,
    StrategyId,
    SubmitOrder,
    TimeEvent,
    Venue,
)

N_BARS = 1_000_000
ORDER_EVERY = 50
MINUTE_NS = 60_000_000_000
USD = Currency("USD", 2)
INSTRUMENT = bench_instrument()


def bare_loop(bars: list[Bar]) -> tuple[float, int]:
    """Only the arithmetic: mark-to-market every bar, a fill at the next open every 50."""
    unit = INSTRUMENT.unit_raw
    cash = 10**6 * 10**12
    position = 0
    last = 0
    value = 0
    pending = 0
    side = 1
    start = time.perf_counter()
    for i, bar in enumerate(bars):
        if pending:
            px = bar.open
            cash -= pending * px * unit
            position += pending
            value = position * px * unit
            last = px
            pending = 0
        close = bar.close
        value += position * (close - last) * unit
        last = close
        if i % ORDER_EVERY == 0:
            pending = side * 1000
            side = -side
    return time.perf_counter() - start, cash + value


def engine_loop(bars: list[Bar]) -> tuple[float, int, int]:
    engine = BacktestEngine(seed=1)
    engine.add_instrument(INSTRUMENT)
    engine.add_venue(Venue("SIM"), [Money("1000000", USD)])
    engine.add_data(bars, "bench")
    engine.build()
    factory = engine.order_factory(StrategyId("bench"))
    sides = [OrderSide.BUY, OrderSide.SELL]
    state = {"n": 0}

    def send_order(event: TimeEvent) -> None:
        side = sides[state["n"] % 2]
        state["n"] += 1
        order = factory.market(INSTRUMENT.id, side, 1000)
        engine.bus.send(SubmitOrder(order=order, ts_init=event.ts_event))

    engine.clock.set_timer(
        "orders", ORDER_EVERY * MINUTE_NS, send_order, start_ns=bars[0].ts_init - MINUTE_NS
    )
    start = time.perf_counter()
    handled = engine.run()
    seconds = time.perf_counter() - start
    return seconds, handled, len(engine.oms.orders())


def main() -> None:
    t0 = time.perf_counter()
    bars = gbm_bars(INSTRUMENT, N_BARS, seed=42, start_price="30000")
    load_s = time.perf_counter() - t0
    bare_s, _ = bare_loop(bars)
    emit(
        "bare_loop_1m_bars",
        bars=N_BARS,
        seconds=round(bare_s, 3),
        bars_per_s=round(N_BARS / bare_s),
    )
    seconds, handled, orders = engine_loop(bars)
    emit(
        "core_loop_1m_bars",
        bars=handled,
        orders=orders,
        seconds=round(seconds, 3),
        bars_per_s=round(handled / seconds),
        vs_bare_loop=round(seconds / bare_s, 2),
        data_build_s=round(load_s, 3),
        peak_rss_mb=peak_rss_mb(),
    )


if __name__ == "__main__":
    main()
