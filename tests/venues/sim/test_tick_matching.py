"""Matching against quotes and trade ticks: one tiny table per rule.

Steps are fed one second apart (data to its handler, orders to ``submit``);
``fills`` are (price, lots, liquidity).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ironkeel.model import OrderCanceled, OrderRejected, TimeInForce
from ironkeel.venues.sim import FillModel, SimConfig

from ._factories import (
    BUY,
    MAKER,
    SELL,
    TAKER,
    exchange,
    limit,
    order,
    quote,
    run_steps,
    stop,
    stop_limit,
    trade,
)

IOC = TimeInForce.IOC
FOK = TimeInForce.FOK

QUOTE_SCENARIOS = [
    pytest.param([quote(99, 101), order(BUY, 5)], [(101, 5, TAKER)], {}, id="market-buy-at-ask"),
    pytest.param([quote(99, 101), order(SELL, 5)], [(99, 5, TAKER)], {}, id="market-sell-at-bid"),
    pytest.param(
        [quote(99, 101, ask_size=10), order(BUY, 15), quote(100, 102, ask_size=10)],
        [(101, 10, TAKER), (102, 5, TAKER)],
        {},
        id="market-partial-at-displayed-size-rest-on-next-quote",
    ),
    pytest.param(
        [order(BUY, 5), quote(99, 101)],
        [(101, 5, TAKER)],
        {},
        id="market-before-any-quote-fills-on-first-quote",
    ),
    pytest.param(
        [quote(99, 101), limit(BUY, 5, 102)],
        [(101, 5, TAKER)],
        {},
        id="marketable-limit-takes-at-touch",
    ),
    pytest.param(
        [quote(99, 101), limit(BUY, 5, 100), quote(99, 100)],
        [(100, 5, MAKER)],
        {},
        id="resting-limit-fills-when-ask-reaches-limit",
    ),
    pytest.param(
        [quote(99, 101), limit(BUY, 5, 100), quote(97, 98)],
        [(100, 5, MAKER)],
        {},
        id="resting-limit-crossed-fills-at-limit",
    ),
    pytest.param(
        [quote(99, 101), limit(SELL, 5, 100), quote(100, 102)],
        [(100, 5, MAKER)],
        {},
        id="resting-sell-limit-fills-when-bid-reaches-limit",
    ),
    pytest.param(
        [quote(99, 101, ask_size=4), limit(BUY, 10, 101, tif=IOC)],
        [(101, 4, TAKER)],
        {},
        id="ioc-fills-displayed-size-cancels-rest",
    ),
    pytest.param(
        [quote(99, 101, ask_size=4), limit(BUY, 10, 101, tif=FOK)],
        [],
        {},
        id="fok-larger-than-displayed-is-killed",
    ),
    pytest.param(
        [quote(99, 101, ask_size=10), limit(BUY, 10, 101, tif=FOK)],
        [(101, 10, TAKER)],
        {},
        id="fok-fully-fillable-fills",
    ),
    pytest.param(
        [quote(99, 101), stop(BUY, 5, 103), quote(101, 102), quote(102, 103)],
        [(103, 5, TAKER)],
        {},
        id="stop-buy-triggers-when-ask-reaches-trigger",
    ),
    pytest.param(
        [quote(99, 101), stop_limit(SELL, 5, 97, 96), quote(96, 97)],
        [(96, 5, TAKER)],
        {},
        id="stop-limit-sell-marketable-on-trigger-takes-bid",
    ),
    pytest.param(
        [quote(99, 101), stop_limit(SELL, 5, 97, 98), quote(96, 97), quote(98, 99)],
        [(98, 5, MAKER)],
        {},
        id="stop-limit-sell-rests-after-trigger",
    ),
    pytest.param(
        [quote(99, 101, ask_size=100), order(BUY, 30)],
        [(101, 10, TAKER)],
        {"config": SimConfig(max_participation=Decimal("0.1"))},
        id="participation-cap-of-displayed-size",
    ),
    pytest.param(
        [quote(99, 101, ask_size=6), order(BUY, 5), order(BUY, 5), quote(99, 101, ask_size=6)],
        [(101, 5, TAKER), (101, 1, TAKER), (101, 4, TAKER)],
        {},
        id="displayed-size-consumed-until-next-quote",
    ),
]


@pytest.mark.parametrize(("steps", "expected", "options"), QUOTE_SCENARIOS)
def test_quote_scenario(steps: list[Any], expected: list[Any], options: dict[str, Any]) -> None:
    ex, rec, clock = exchange(**options)

    assert run_steps(ex, rec, clock, steps) == expected
    assert rec.refused == []


TRADE_SCENARIOS = [
    pytest.param(
        [trade(100), order(BUY, 5), trade(101)], [(101, 5, TAKER)], {}, id="market-at-next-print"
    ),
    pytest.param(
        [trade(100), limit(BUY, 5, 99), trade(98)],
        [(99, 5, MAKER)],
        {},
        id="limit-print-through-fills-at-limit",
    ),
    pytest.param(
        [trade(100), limit(BUY, 5, 99), trade(99)],
        [(99, 5, MAKER)],
        {},
        id="limit-print-at-limit-touch-fills",
    ),
    pytest.param(
        [trade(100), limit(BUY, 5, 99), trade(99), trade(98)],
        [(99, 5, MAKER)],
        {"fill_model": FillModel(fill_on_touch=False)},
        id="limit-print-at-limit-waits-without-touch-fills",
    ),
    pytest.param(
        [trade(100), limit(SELL, 5, 101), trade(102)],
        [(101, 5, MAKER)],
        {},
        id="sell-limit-print-through-fills-at-limit",
    ),
    pytest.param(
        [trade(100), limit(BUY, 5, 102), trade(101)],
        [(101, 5, TAKER)],
        {},
        id="fresh-marketable-limit-takes-next-print",
    ),
    pytest.param(
        [trade(100), stop(BUY, 5, 102), trade(101), trade(103)],
        [(103, 5, TAKER)],
        {},
        id="stop-triggers-on-print-through-fills-at-print",
    ),
    pytest.param(
        [trade(100), order(BUY, 10), trade(101, size=20), trade(102, size=20)],
        [(101, 5, TAKER), (102, 5, TAKER)],
        {"config": SimConfig(max_participation=Decimal("0.25"))},
        id="participation-cap-of-trade-size",
    ),
]


@pytest.mark.parametrize(("steps", "expected", "options"), TRADE_SCENARIOS)
def test_trade_scenario(steps: list[Any], expected: list[Any], options: dict[str, Any]) -> None:
    ex, rec, clock = exchange(**options)

    assert run_steps(ex, rec, clock, steps) == expected
    assert rec.refused == []


def test_when_fok_cannot_fill_then_it_is_canceled_without_fills() -> None:
    ex, rec, clock = exchange()
    o = limit(BUY, 10, 101, tif=FOK)

    run_steps(ex, rec, clock, [quote(99, 101, ask_size=4), o])

    assert rec.kinds() == ["OrderAccepted", "OrderCanceled"]
    assert rec.orders[o.client_order_id].status.name == "CANCELED"


def test_when_ioc_partially_fills_then_rest_is_canceled() -> None:
    ex, rec, clock = exchange()
    o = limit(BUY, 10, 101, tif=IOC)

    run_steps(ex, rec, clock, [quote(99, 101, ask_size=4), o])

    assert rec.kinds() == ["OrderAccepted", "OrderFilled", "OrderCanceled"]
    assert len(rec.of(OrderCanceled)) == 1
    assert rec.orders[o.client_order_id].filled_qty == 4


def test_when_post_only_would_take_then_rejected() -> None:
    ex, rec, clock = exchange()
    taking = limit(BUY, 5, 101, post_only=True)
    resting = limit(BUY, 5, 100, post_only=True)

    run_steps(ex, rec, clock, [quote(99, 101), taking, resting, quote(99, 100)])

    rejected = rec.of(OrderRejected)
    assert [e.client_order_id for e in rejected] == [taking.client_order_id]
    assert "post-only" in rejected[0].reason
    assert [(f.last_px, f.liquidity_side) for f in rec.fills] == [(100, MAKER)]
