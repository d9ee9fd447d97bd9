"""Reduce-only mode: positions shrink, never grow, counting working orders."""

from __future__ import annotations

import pytest

from ironkeel.risk.controls import ReduceOnlyMode
from ironkeel.risk.ticket import Ticket
from tests.risk.controls._orders import ALPHA, BETA, BTC_ID, buy, sell, view


@pytest.mark.parametrize(("quantity", "passes"), [(6, True), (7, True), (8, False)])
def test_reduce_only_when_sell_plus_working_sells_is_around_the_long_position(quantity, passes):
    screen = view()
    screen.set_position(ALPHA, BTC_ID, 10)
    screen.add_working(sell(3))
    denial = ReduceOnlyMode("global.reduce_only").check(Ticket(sell(quantity)), screen)
    assert (denial is None) is passes
    if not passes:
        assert denial.code == "REDUCE_ONLY"
        assert denial.reason.startswith("global.reduce_only is on")


@pytest.mark.parametrize(("quantity", "passes"), [(9, True), (10, True), (11, False)])
def test_reduce_only_when_buy_is_around_the_short_position(quantity, passes):
    screen = view()
    screen.set_position(ALPHA, BTC_ID, -10)
    assert (ReduceOnlyMode().check(Ticket(buy(quantity)), screen) is None) is passes


@pytest.mark.parametrize("position", [0, 10])
def test_reduce_only_when_order_adds_to_the_position_or_opens_one_then_denied(position):
    screen = view()
    screen.set_position(ALPHA, BTC_ID, position)
    assert ReduceOnlyMode().check(Ticket(buy(1)), screen) is not None


def test_reduce_only_when_flagged_orders_then_judged_on_their_own_quantity():
    screen = view()
    screen.set_position(ALPHA, BTC_ID, 10)
    screen.add_working(sell(10))
    assert ReduceOnlyMode().check(Ticket(sell(10)), screen) is not None
    assert ReduceOnlyMode().check(Ticket(sell(10, reduce_only=True)), screen) is None
    assert ReduceOnlyMode().check(Ticket(sell(10, emergency=True)), screen) is None
    assert ReduceOnlyMode().check(Ticket(sell(11, emergency=True)), screen) is not None


def test_reduce_only_when_another_strategy_holds_the_position_then_it_is_not_ours():
    screen = view()
    screen.set_position(BETA, BTC_ID, 10)
    assert ReduceOnlyMode().check(Ticket(sell(1)), screen) is not None
