"""Matching against bars: one tiny OHLC table per rule, with the fills it must give.

Each row of a table is a one-minute bar (open, high, low, close[, volume]);
``orders`` are submitted while the given bar is handled; ``fills`` are
(bar index, price, lots, liquidity). Intrabar path: O-L-H-C when close >= open,
else O-H-L-C.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ironkeel.model import (
    BarType,
    InstrumentId,
    InvalidInputError,
    OrderCanceled,
    OrderTriggered,
    TimeInForce,
    Venue,
)
from ironkeel.venues.sim import FillModel, LatencyModel, SimConfig

from ._factories import (
    BAR_TYPE,
    BUY,
    MAKER,
    MIN,
    SELL,
    TAKER,
    exchange,
    limit,
    order,
    run_bars,
    stop,
    stop_limit,
)

SCENARIOS = [
    pytest.param(
        [(100, 101, 99, 100), (102, 103, 101, 102)],
        {0: [order(BUY, 10)]},
        [(1, 102, 10, TAKER)],
        {},
        id="market-fills-at-next-open",
    ),
    pytest.param(
        [(100, 101, 99, 100), (102, 103, 101, 102)],
        {0: [order(SELL, 10)]},
        [(1, 102, 10, TAKER)],
        {},
        id="market-sell-fills-at-next-open",
    ),
    pytest.param(
        [(100, 101, 99, 100), (102, 103, 101, 102)],
        {0: [order(BUY, 10)]},
        [(0, 100, 10, TAKER)],
        {"config": SimConfig(fill_on_close=True)},
        id="fill-on-close-fills-market-at-this-close",
    ),
    pytest.param(
        [(100, 101, 99, 100), (102, 103, 101, 102)],
        {0: [limit(BUY, 10, 99)]},
        [],
        {"config": SimConfig(fill_on_close=True)},
        id="fill-on-close-leaves-unmarketable-limit",
    ),
    pytest.param(
        [(100, 101, 99, 100), (98, 99, 97, 98)],
        {0: [limit(BUY, 10, 99)]},
        [(1, 98, 10, TAKER)],
        {},
        id="limit-buy-gapped-through-fills-at-open",
    ),
    pytest.param(
        [(100, 101, 99, 100), (102, 103, 101, 103)],
        {0: [limit(SELL, 10, 101)]},
        [(1, 102, 10, TAKER)],
        {},
        id="limit-sell-gapped-through-fills-at-open",
    ),
    pytest.param(
        [(100, 101, 99, 100), (101, 102, 97, 100)],
        {0: [limit(BUY, 10, 98)]},
        [(1, 98, 10, MAKER)],
        {},
        id="limit-buy-reached-fills-at-limit",
    ),
    pytest.param(
        [(100, 101, 99, 100), (101, 102, 98, 100)],
        {0: [limit(BUY, 10, 98)]},
        [(1, 98, 10, MAKER)],
        {},
        id="limit-touched-fills-by-default",
    ),
    pytest.param(
        [(100, 101, 99, 100), (101, 102, 98, 100), (100, 101, 97, 99)],
        {0: [limit(BUY, 10, 98)]},
        [(2, 98, 10, MAKER)],
        {"fill_model": FillModel(fill_on_touch=False)},
        id="limit-touched-waits-for-trade-through-without-touch-fills",
    ),
    pytest.param(
        [(100, 101, 99, 100), (101, 102, 98, 100)],
        {0: [limit(BUY, 10, 98, post_only=True)]},
        [(1, 98, 10, MAKER)],
        {},
        id="post-only-fills-at-limit-as-maker",
    ),
    pytest.param(
        [(100, 101, 99, 100), (97, 99, 96, 98)],
        {0: [limit(BUY, 10, 98, post_only=True)]},
        [(1, 98, 10, MAKER)],
        {},
        id="post-only-never-takes-the-gap",
    ),
    pytest.param(
        [(100, 101, 99, 100), (101, 104, 100, 103)],
        {0: [stop(BUY, 10, 103)]},
        [(1, 103, 10, TAKER)],
        {},
        id="stop-buy-triggers-and-fills-at-trigger",
    ),
    pytest.param(
        [(100, 101, 99, 100), (105, 106, 104, 105)],
        {0: [stop(BUY, 10, 103)]},
        [(1, 105, 10, TAKER)],
        {},
        id="stop-buy-gapped-fills-at-open",
    ),
    pytest.param(
        [(100, 101, 99, 100), (95, 96, 94, 95)],
        {0: [stop(SELL, 10, 97)]},
        [(1, 95, 10, TAKER)],
        {},
        id="stop-sell-gapped-fills-at-open",
    ),
    pytest.param(
        [(100, 101, 99, 100), (101, 106, 100, 105)],
        {0: [stop_limit(BUY, 10, 103, 104)]},
        [(1, 103, 10, TAKER)],
        {},
        id="stop-limit-marketable-on-trigger-takes-at-trigger",
    ),
    pytest.param(
        [(100, 101, 99, 100), (101, 104, 100, 102)],
        {0: [stop_limit(BUY, 10, 103, 102)]},
        [(1, 102, 10, MAKER)],
        {},
        id="stop-limit-fills-later-on-the-same-path",
    ),
    pytest.param(
        [(100, 101, 99, 100), (101, 104, 100, 104), (104, 105, 101, 102)],
        {0: [stop_limit(BUY, 10, 103, 102)]},
        [(2, 102, 10, MAKER)],
        {},
        id="stop-limit-fills-on-a-later-bar",
    ),
    pytest.param(
        [(100, 101, 99, 100), (100, 104, 97, 102)],
        {0: [stop(SELL, 1, 98), limit(SELL, 1, 103)]},
        [(1, 98, 1, TAKER), (1, 103, 1, MAKER)],
        {},
        id="up-bar-olhc-stop-before-limit",
    ),
    pytest.param(
        [(100, 101, 99, 100), (100, 104, 97, 98)],
        {0: [stop(SELL, 1, 98), limit(SELL, 1, 103)]},
        [(1, 103, 1, MAKER), (1, 98, 1, TAKER)],
        {},
        id="down-bar-ohlc-limit-before-stop",
    ),
    pytest.param(
        [
            (100, 101, 99, 100, 50),
            (101, 102, 100, 101, 50),
            (102, 103, 101, 102, 50),
            (103, 104, 102, 103, 50),
        ],
        {0: [order(BUY, 12)]},
        [(1, 101, 5, TAKER), (2, 102, 5, TAKER), (3, 103, 2, TAKER)],
        {"config": SimConfig(max_participation=Decimal("0.1"))},
        id="participation-cap-splits-fill-over-bars",
    ),
    pytest.param(
        [(100, 101, 99, 100, 50), (101, 102, 100, 101, 50)],
        {0: [order(BUY, 3), order(BUY, 4)]},
        [(1, 101, 3, TAKER), (1, 101, 2, TAKER)],
        {"config": SimConfig(max_participation=Decimal("0.1"))},
        id="participation-cap-is-shared-by-orders",
    ),
    pytest.param(
        [(100, 101, 99, 100), (102, 103, 101, 102), (104, 105, 103, 104)],
        {0: [order(BUY, 10)]},
        [(2, 104, 10, TAKER)],
        {"latency": LatencyModel(submit_ns=MIN // 2)},
        id="latency-delays-fill-to-a-later-bar",
    ),
    pytest.param(
        [(100, 101, 99, 100), (102, 103, 101, 102), (104, 105, 103, 104)],
        {0: [order(BUY, 10)]},
        [(1, 102, 10, TAKER)],
        {"latency": LatencyModel(submit_ns=0)},
        id="zero-latency-fills-at-next-open",
    ),
    pytest.param(
        [(100, 101, 99, 100), (102, 103, 101, 102)],
        {0: [limit(BUY, 10, 103, tif=TimeInForce.IOC)]},
        [(1, 102, 10, TAKER)],
        {},
        id="ioc-limit-marketable-at-open-fills",
    ),
    pytest.param(
        [(100, 101, 99, 100), (102, 103, 98, 102)],
        {0: [limit(BUY, 10, 99, tif=TimeInForce.IOC)]},
        [],
        {},
        id="ioc-limit-not-marketable-at-open-is-canceled",
    ),
    pytest.param(
        [(100, 101, 99, 100, 50), (102, 103, 101, 102, 50)],
        {0: [order(BUY, 10, tif=TimeInForce.FOK)]},
        [],
        {"config": SimConfig(max_participation=Decimal("0.1"))},
        id="fok-above-participation-cap-is-canceled",
    ),
    pytest.param(
        [(100, 101, 99, 100, 50), (102, 103, 101, 102, 50)],
        {0: [order(BUY, 10, tif=TimeInForce.IOC)]},
        [(1, 102, 5, TAKER)],
        {"config": SimConfig(max_participation=Decimal("0.1"))},
        id="ioc-fills-up-to-participation-cap",
    ),
]


@pytest.mark.parametrize(("rows", "orders_at", "expected", "options"), SCENARIOS)
def test_bar_scenario(
    rows: list[tuple[int, ...]],
    orders_at: dict[int, list[Any]],
    expected: list[tuple[Any, ...]],
    options: dict[str, Any],
) -> None:
    ex, rec, clock = exchange(**options)

    fills = run_bars(ex, rec, clock, rows, orders_at)

    assert fills == expected
    assert rec.refused == []


@pytest.mark.parametrize(("rows", "orders_at", "expected", "options"), SCENARIOS)
def test_bar_scenario_through_the_streams_bound_handler(
    rows: list[tuple[int, ...]],
    orders_at: dict[int, list[Any]],
    expected: list[tuple[Any, ...]],
    options: dict[str, Any],
) -> None:
    ex, rec, clock = exchange(**options)

    fills = run_bars(ex, rec, clock, rows, orders_at, bound=True)

    assert fills == expected
    assert rec.refused == []


def test_a_bar_handler_for_an_unlisted_instrument_is_refused_when_bound() -> None:
    ex, _, _ = exchange()
    other = BarType(InstrumentId("OTHER", Venue("SIM")), BAR_TYPE.interval_ns)
    with pytest.raises(InvalidInputError, match="is not listed at the simulated exchange"):
        ex.bar_handler(other)


def test_when_stop_triggers_then_triggered_event_precedes_fill() -> None:
    ex, rec, clock = exchange()
    o = stop(BUY, 10, 103)

    run_bars(ex, rec, clock, [(100, 101, 99, 100), (101, 104, 100, 103)], {0: [o]})

    assert rec.kinds() == ["OrderAccepted", "OrderTriggered", "OrderFilled"]
    assert len(rec.of(OrderTriggered)) == 1
    assert rec.orders[o.client_order_id].is_closed


def test_when_ioc_unfilled_then_order_is_canceled() -> None:
    ex, rec, clock = exchange()
    o = limit(BUY, 10, 99, tif=TimeInForce.IOC)

    run_bars(ex, rec, clock, [(100, 101, 99, 100), (102, 103, 98, 102)], {0: [o]})

    assert [e.client_order_id for e in rec.of(OrderCanceled)] == [o.client_order_id]


def test_when_cap_leaves_rest_then_order_stays_working_partially_filled() -> None:
    ex, rec, clock = exchange(config=SimConfig(max_participation=Decimal("0.1")))
    o = order(BUY, 12)

    run_bars(ex, rec, clock, [(100, 101, 99, 100, 50), (101, 102, 100, 101, 50)], {0: [o]})

    tracked = rec.orders[o.client_order_id]
    assert tracked.filled_qty == 5
    assert tracked.status.name == "PARTIALLY_FILLED"
    assert ex.open_orders()[0].leaves == 7


def test_when_touch_probability_then_fills_are_seeded_and_repeatable() -> None:
    rows = [(100, 101, 99, 100), (101, 102, 98, 100)]

    def run(seed: int) -> list[tuple[Any, ...]]:
        ex, rec, clock = exchange(fill_model=FillModel(touch_probability="0.5", seed=seed))
        return run_bars(ex, rec, clock, rows, {0: [limit(BUY, 1, 98) for _ in range(8)]})

    assert run(7) == run(7)
    assert 0 < len(run(7)) < 8
