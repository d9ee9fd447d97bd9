"""Duplicate orders: the K-th identical order in the window is denied; boundaries in
count and in ns; what makes two orders differ."""

from __future__ import annotations

import pytest

from ironkeel.model import InvalidInputError, OrderSide, OrderType
from ironkeel.risk.controls import DuplicateOrders
from ironkeel.risk.ticket import Ticket
from tests.risk.controls._orders import AAPL_ID, SECOND, buy, order, view

WINDOW = SECOND


def _sent(screen, count, **kw):
    for _ in range(count):
        screen.add_working(buy(10, 1_000, ts=screen.now, **kw))


@pytest.mark.parametrize(("this_one_is", "passes"), [(2, True), (3, False), (4, False)])
def test_duplicate_when_this_would_be_identical_order_k_minus_1_k_or_k_plus_1(this_one_is, passes):
    screen = view()
    _sent(screen, this_one_is - 1)
    denial = DuplicateOrders(3, WINDOW).check(Ticket(buy(10, 1_000)), screen)
    assert (denial is None) is passes
    if not passes:
        assert denial.code == "DUPLICATE_ORDER"
        assert "identical order number 3" in denial.reason
        assert "at most 2 are allowed" in denial.reason


@pytest.mark.parametrize(
    ("age", "passes"), [(WINDOW - 1, False), (WINDOW, False), (WINDOW + 1, True)]
)
def test_duplicate_when_the_earlier_order_is_around_the_window_edge_in_ns(age, passes):
    screen = view()
    screen.add_working(buy(10, 1_000, ts=screen.now - age))
    assert (DuplicateOrders(2, WINDOW).check(Ticket(buy(10, 1_000)), screen) is None) is passes


@pytest.mark.parametrize(
    "different",
    [
        {"quantity": 11},
        {"price": 1_001},
        {"side": OrderSide.SELL},
        {"instrument": AAPL_ID},
        {"order_type": OrderType.STOP_LIMIT, "trigger_price": 990},
    ],
)
def test_duplicate_when_one_field_differs_then_it_is_not_a_duplicate(different):
    screen = view()
    _sent(screen, 5)
    fields = {"side": OrderSide.BUY, "quantity": 10, "price": 1_000} | different
    assert DuplicateOrders(2, WINDOW).check(Ticket(order(**fields)), screen) is None


def test_duplicate_when_emergency_flatten_is_retried_then_it_passes():
    screen = view()
    screen.set_position(buy().strategy_id, buy().instrument_id, -10)
    _sent(screen, 3, emergency=True, reduce_only=True)
    retry = buy(10, 1_000, emergency=True, reduce_only=True)
    assert DuplicateOrders(2, WINDOW).check(Ticket(retry), screen) is None


@pytest.mark.parametrize(("count", "window"), [(1, WINDOW), (0, WINDOW), (2, 0)])
def test_duplicate_when_figures_are_invalid_then_refused(count, window):
    with pytest.raises(InvalidInputError):
        DuplicateOrders(count, window)
