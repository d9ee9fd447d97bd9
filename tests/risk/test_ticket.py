"""The order a ControlSet checks: its fields as the order has them, read once, with the
side's sign applied without an enum product."""

from __future__ import annotations

import pytest

from ironkeel.model.enums import OrderSide, OrderType
from ironkeel.model.events import OrderInitialized
from ironkeel.risk.ticket import Ticket
from tests.risk.controls._orders import buy, order, sell

FIELDS = (
    "client_order_id",
    "strategy_id",
    "instrument_id",
    "side",
    "order_type",
    "quantity",
    "price",
    "trigger_price",
    "reduce_only",
    "emergency",
    "ts_init",
)

ORDERS = {
    "limit buy": buy(7, 1_234),
    "market sell": sell(3, None),
    "stop-limit emergency": order(
        OrderSide.SELL,
        2,
        990,
        order_type=OrderType.STOP_LIMIT,
        trigger_price=995,
        reduce_only=True,
        emergency=True,
    ),
}


@pytest.mark.parametrize("made", ORDERS.values(), ids=ORDERS.keys())
def test_a_ticket_has_every_field_the_order_has(made: OrderInitialized) -> None:
    ticket = Ticket(made)
    assert ticket.order is made
    for field in FIELDS:
        assert getattr(ticket, field) == getattr(made, field), field
    assert ticket.buy is (ticket.side is OrderSide.BUY)
    assert (ticket.notional_known, ticket.reference_known) == (False, False)
    assert repr(made) in repr(ticket)


@pytest.mark.parametrize("amount", [0, 1, 5, 2**70, -(2**70)])
def test_signed_is_the_sides_sign_times_the_amount(amount: int) -> None:
    assert Ticket(buy()).signed(amount) == amount
    assert Ticket(sell()).signed(amount) == -amount
