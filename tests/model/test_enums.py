"""Enumerations: order sides are signs, and every status is open, terminal or initial."""

from __future__ import annotations

import pytest

from ironkeel.model.enums import BookSide, OrderSide, OrderStatus


def test_order_side_is_the_sign_of_a_signed_quantity():
    assert OrderSide.BUY * 5 == 5
    assert OrderSide.SELL * 5 == -5
    assert BookSide.BID == 1
    assert BookSide.ASK == -1


@pytest.mark.parametrize(
    ("side", "opposite"), [(OrderSide.BUY, OrderSide.SELL), (OrderSide.SELL, OrderSide.BUY)]
)
def test_opposite_side(side, opposite):
    assert side.opposite is opposite


TERMINAL = {"DENIED", "REJECTED", "FILLED", "CANCELED", "EXPIRED"}


@pytest.mark.parametrize("status", list(OrderStatus), ids=lambda s: s.name)
def test_every_status_is_exactly_one_of_initial_open_or_terminal(status):
    kinds = [status is OrderStatus.INITIALIZED, status.is_open, status.is_terminal]
    assert kinds.count(True) == 1
    assert status.is_terminal == (status.name in TERMINAL)
