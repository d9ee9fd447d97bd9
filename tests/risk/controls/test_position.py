"""Position limits: boundaries counting working orders, reducing orders, emergency exits."""

from __future__ import annotations

import pytest

from ironkeel.risk.controls import MaxPosition, MaxStrategyPosition, reduces
from ironkeel.risk.ticket import Ticket
from tests.risk.controls._orders import ALPHA, BETA, BTC_ID, buy, sell, view

BOUNDARY = [(-1, True), (0, True), (1, False)]  # (projected - limit, passes)


@pytest.mark.parametrize(("offset", "passes"), BOUNDARY)
def test_strategy_position_when_position_plus_working_plus_order_is_around_the_limit(
    offset, passes
):
    screen = view()
    screen.set_position(ALPHA, BTC_ID, 60)
    screen.add_working(buy(30))  # in flight: counts
    screen.add_working(sell(500))  # the other side: does not offset
    denial = MaxStrategyPosition(100).check(Ticket(buy(10 + offset)), screen)
    assert (denial is None) is passes
    if not passes:
        assert denial.code == "MAX_STRATEGY_POSITION"
        assert "could reach 101 lots (position 60 + working buys 30 + this order 11)" in (
            denial.reason
        )


@pytest.mark.parametrize(("offset", "passes"), BOUNDARY)
def test_strategy_position_when_short_side_is_around_the_limit(offset, passes):
    screen = view()
    screen.set_position(ALPHA, BTC_ID, -60)
    screen.add_working(sell(30))
    assert (MaxStrategyPosition(100).check(Ticket(sell(10 + offset)), screen) is None) is passes


def test_strategy_position_when_other_strategy_is_long_then_it_does_not_count():
    screen = view()
    screen.set_position(BETA, BTC_ID, 1_000)
    assert MaxStrategyPosition(100).check(Ticket(buy(100)), screen) is None


@pytest.mark.parametrize(("offset", "passes"), BOUNDARY)
def test_max_position_when_all_strategies_together_are_around_the_limit(offset, passes):
    screen = view()
    screen.set_position(ALPHA, BTC_ID, 40)
    screen.set_position(BETA, BTC_ID, 20)
    screen.add_working(buy(30, strategy=BETA))
    denial = MaxPosition(100).check(Ticket(buy(10 + offset)), screen)
    assert (denial is None) is passes
    if not passes:
        assert denial.code == "MAX_POSITION"


def test_position_when_already_over_the_limit_then_a_reducing_order_still_passes():
    screen = view()
    screen.set_position(ALPHA, BTC_ID, 150)  # the limit was lowered, or a fill overshot
    assert MaxStrategyPosition(100).check(Ticket(sell(1)), screen) is None
    assert MaxPosition(100).check(Ticket(sell(1)), screen) is None
    assert MaxStrategyPosition(100).check(Ticket(buy(1)), screen) is not None


@pytest.mark.parametrize(
    ("position", "working_sells", "quantity", "flagged", "expected"),
    [
        (10, 0, 10, False, True),  # to flat
        (10, 0, 11, False, False),  # crosses zero
        (10, 4, 6, False, True),  # with the working sells: exactly flat
        (10, 4, 7, False, False),  # with the working sells: crosses
        (10, 4, 7, True, True),  # reduce-only / emergency: working sells left out
        (10, 0, 11, True, False),  # flagged, but larger than the position
        (0, 0, 1, True, False),  # flat: nothing to reduce
        (-10, 0, 1, False, False),  # same side as the position
    ],
)
def test_reduces_rule(position, working_sells, quantity, flagged, expected):
    order = sell(quantity, reduce_only=flagged)
    assert reduces(Ticket(order), position, working_sells) is expected


def test_max_position_when_emergency_flatten_would_grow_the_net_then_it_still_passes():
    screen = view()
    screen.set_position(ALPHA, BTC_ID, 10)
    screen.set_position(BETA, BTC_ID, -100)  # net -90; flattening alpha makes it -100
    flatten = sell(10, None, reduce_only=True, emergency=True)
    assert MaxPosition(95).check(Ticket(flatten), screen) is None
    assert MaxPosition(95).check(Ticket(sell(10, None, reduce_only=True)), screen) is not None
