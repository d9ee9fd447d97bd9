"""Properties of bar matching on random tables, and the determinism of a rerun."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from ironkeel.model import LiquiditySide, Order, OrderFilled, OrderType, TimeInForce
from ironkeel.venues.sim import FillModel, SimConfig

from ._factories import ABC, BUY, SELL, exchange, limit, order, run_bars, stop, stop_limit


@st.composite
def ohlc(draw: st.DrawFn) -> tuple[int, int, int, int, int]:
    o, c = draw(st.integers(90, 110)), draw(st.integers(90, 110))
    low = min(o, c) - draw(st.integers(0, 4))
    high = max(o, c) + draw(st.integers(0, 4))
    return (o, high, low, c, draw(st.integers(0, 60)))


@st.composite
def an_order(draw: st.DrawFn) -> Order:
    side = draw(st.sampled_from([BUY, SELL]))
    qty = draw(st.integers(1, 20))
    kind = draw(st.sampled_from(list(OrderType)))
    tif = draw(st.sampled_from([TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK]))
    price = draw(st.integers(88, 112))
    trigger = draw(st.integers(88, 112))
    reduce_only = draw(st.booleans()) and kind is not OrderType.MARKET
    if kind is OrderType.MARKET:
        return order(side, qty, tif=tif)
    if kind is OrderType.LIMIT:
        return limit(side, qty, price, tif=tif, reduce_only=reduce_only)
    if kind is OrderType.STOP_MARKET:
        return stop(side, qty, trigger, tif=tif)
    return stop_limit(side, qty, trigger, price, tif=tif)


scenario = st.tuples(
    st.lists(ohlc(), min_size=2, max_size=8),
    st.dictionaries(st.integers(0, 6), st.lists(an_order(), max_size=3), max_size=4),
    st.sampled_from([None, Decimal("0.1"), Decimal("0.5")]),
    st.booleans(),
)


def _run(rows: Any, orders_at: Any, share: Any, touch: bool) -> tuple[Any, Any, Any]:
    ex, rec, clock = exchange(
        config=SimConfig(max_participation=share), fill_model=FillModel(fill_on_touch=touch)
    )
    fills = run_bars(ex, rec, clock, rows, orders_at)
    return ex, rec, fills


@settings(max_examples=60)
@given(scenario)
def test_bar_fills_obey_the_rules(case: Any) -> None:
    rows, orders_at, share, touch = case

    ex, rec, fills = _run(rows, orders_at, share, touch)

    assert rec.refused == []  # every event is legal for the order's state
    for index, px, qty, _ in fills:
        _, high, low, *_ = rows[index]
        assert low <= px <= high  # no slippage: every fill is a price the bar traded
        assert qty > 0
    if share is not None:
        for index, row in enumerate(rows):
            taken = sum(q for i, _, q, _ in fills if i == index)
            assert taken <= row[4] * share
    net = 0
    for fill in rec.fills:
        tracked = rec.orders[fill.client_order_id]
        assert tracked.filled_qty <= tracked.quantity
        if fill.liquidity_side is LiquiditySide.MAKER:
            assert fill.last_px == tracked.price
        if tracked.price is not None:
            assert (fill.last_px - tracked.price) * tracked.side <= 0  # never worse than the limit
        net += fill.side * fill.last_qty
    assert ex.position(ABC) == net


@settings(max_examples=15)
@given(scenario)
def test_a_rerun_gives_byte_identical_events(case: Any) -> None:
    rows, orders_at, share, touch = case

    _, first, _ = _run(rows, orders_at, share, touch)
    _, second, _ = _run(rows, orders_at, share, touch)

    encode = msgspec.msgpack.encode
    assert [encode(e) for e in first.events] == [encode(e) for e in second.events]
    assert all(isinstance(f, OrderFilled) for f in first.fills)
