"""Fat-finger limits: boundaries at limit - 1, limit and limit + 1, market orders valued
at the reference, and emergency exits."""

from __future__ import annotations

import pytest

from ironkeel.model import InvalidInputError, OrderType
from ironkeel.risk.controls import MaxOrderNotional, MaxOrderQty
from ironkeel.risk.ticket import Ticket
from tests.risk.controls._orders import UNIT, buy, sell, view

BOUNDARY = [(-1, True), (0, True), (1, False)]  # (quantity - limit, passes)


@pytest.mark.parametrize(("offset", "passes"), BOUNDARY)
def test_max_order_qty_when_quantity_is_around_the_limit_then_only_above_is_denied(offset, passes):
    control = MaxOrderQty(500)
    denial = control.check(Ticket(buy(500 + offset)), view())
    assert (denial is None) is passes
    if not passes:
        assert denial.code == "MAX_ORDER_QTY"
        assert "0.501 (501 lots)" in denial.reason
        assert "max_order_qty 0.500 (500 lots)" in denial.reason


@pytest.mark.parametrize(("offset", "passes"), BOUNDARY)
def test_max_order_notional_when_notional_is_around_the_limit_then_only_above_is_denied(
    offset, passes
):
    notional = 1_000 * 10 * UNIT  # 10 lots at 1,000 ticks = 1 USD
    control = MaxOrderNotional(notional - offset)  # the order is `offset` raw above the limit
    denial = control.check(Ticket(buy(10, 1_000)), view())
    assert (denial is None) is passes
    if not passes:
        assert denial.code == "MAX_ORDER_NOTIONAL"
        assert "order notional 1 (10 lots at 1000 ticks)" in denial.reason


@pytest.mark.parametrize(("offset", "passes"), BOUNDARY)
def test_max_order_notional_when_market_order_then_valued_at_the_reference(offset, passes):
    screen = view()
    screen.set_reference(buy().instrument_id, 2_000, screen.now)
    limit = 2_000 * 10 * UNIT - offset
    assert (MaxOrderNotional(limit).check(Ticket(buy(10, None)), screen) is None) is passes


def test_max_order_notional_when_stop_market_then_valued_at_the_stop_price():
    order = sell(10, None, order_type=OrderType.STOP_MARKET, trigger_price=900)
    assert MaxOrderNotional(900 * 10 * UNIT).check(Ticket(order), view()) is None
    assert MaxOrderNotional(900 * 10 * UNIT - 1).check(Ticket(order), view()) is not None


def test_max_order_notional_when_market_order_has_no_reference_then_denied_fail_closed():
    screen = view()
    screen.clear_reference(buy().instrument_id)
    denial = MaxOrderNotional(10**30).check(Ticket(buy(1, None)), screen)
    assert denial is not None
    assert denial.code == "NO_REFERENCE"


def test_fat_finger_when_emergency_order_reduces_the_position_then_it_passes():
    screen = view()
    flatten = sell(600, None, reduce_only=True, emergency=True)
    screen.set_position(flatten.strategy_id, flatten.instrument_id, 600)
    assert MaxOrderQty(500).check(Ticket(flatten), screen) is None
    assert MaxOrderNotional(1).check(Ticket(flatten), screen) is None
    screen.clear_reference(flatten.instrument_id)
    assert MaxOrderNotional(1).check(Ticket(flatten), screen) is None


def test_fat_finger_when_emergency_order_would_flip_the_position_then_it_is_checked():
    screen = view()
    flatten = sell(600, None, emergency=True)
    screen.set_position(flatten.strategy_id, flatten.instrument_id, 599)
    assert MaxOrderQty(500).check(Ticket(flatten), screen) is not None


def test_fat_finger_when_reduce_only_but_not_emergency_then_still_a_hard_block():
    screen = view()
    order = sell(600, reduce_only=True)
    screen.set_position(order.strategy_id, order.instrument_id, 600)
    assert MaxOrderQty(500).check(Ticket(order), screen) is not None


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "5"])
def test_limits_when_not_a_positive_int_then_refused_at_construction(bad):
    with pytest.raises(InvalidInputError, match="max_lots"):
        MaxOrderQty(bad)
    with pytest.raises(InvalidInputError, match="max_raw"):
        MaxOrderNotional(bad)
