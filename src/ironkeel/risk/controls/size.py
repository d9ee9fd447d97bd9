"""Fat-finger limits: the most one order may be, in lots and in money.

Hard blocks: no run-time override. Only an emergency exit (see ``base``) passes them,
since its size is bounded by a position that was itself inside the limits.
"""

from __future__ import annotations

from typing import ClassVar

from ironkeel.risk.controls.base import (
    Control,
    Denial,
    ReasonCode,
    emergency_exit,
    format_money,
    order_notional,
    order_price,
    positive_int,
    short_limit,
)
from ironkeel.risk.ticket import Ticket
from ironkeel.risk.view import PreTradeView

__all__ = ["MaxOrderNotional", "MaxOrderQty", "no_reference"]


class MaxOrderQty(Control):
    """An order's quantity must be at most ``max_lots`` lots (of one instrument)."""

    __slots__ = ("max_lots",)
    code: ClassVar[str] = ReasonCode.MAX_ORDER_QTY

    def __init__(self, max_lots: object) -> None:
        self.max_lots = positive_int("max_lots", max_lots)

    def check(self, ticket: Ticket, view: PreTradeView) -> Denial | None:
        if ticket.quantity <= self.max_lots or emergency_exit(ticket, view):
            return None
        instrument = view.instrument(ticket.instrument_id)
        return Denial(
            code=self.code,
            reason=(
                f"order quantity {instrument.quantity_from_lots(ticket.quantity)} "
                f"({ticket.quantity} lots) exceeds max_order_qty "
                f"{instrument.quantity_from_lots(self.max_lots)} ({self.max_lots} lots)"
            ),
        )


class MaxOrderNotional(Control):
    """An order's notional (|price| x lots x ``unit_raw``) must be at most ``max_raw``.

    A limit or stop order is valued at its own price, a market order at the reference
    price; a market order with no reference is denied (NO_REFERENCE, fail closed).
    """

    __slots__ = ("_short_max", "max_raw")
    code: ClassVar[str] = ReasonCode.MAX_ORDER_NOTIONAL

    def __init__(self, max_raw: object) -> None:
        self.max_raw = positive_int("max_raw", max_raw)
        self._short_max = short_limit(self.max_raw)

    def check(self, ticket: Ticket, view: PreTradeView) -> Denial | None:
        notional = order_notional(ticket, view)  # shared with the exposure controls
        if notional is None:
            return None if emergency_exit(ticket, view) else no_reference(ticket)
        if notional <= self._short_max or notional <= self.max_raw or emergency_exit(ticket, view):
            return None
        price = order_price(ticket, view)
        return Denial(
            code=self.code,
            reason=(
                f"order notional {format_money(notional)} ({ticket.quantity} lots at "
                f"{price} ticks) exceeds max_order_notional {format_money(self.max_raw)}"
            ),
        )


def no_reference(ticket: Ticket) -> Denial:
    """The denial of a market order that cannot be valued: there is no reference price."""
    return Denial(
        code=ReasonCode.NO_REFERENCE,
        reason=(
            f"no reference price for {ticket.instrument_id}: a market order cannot be "
            "valued, so it is denied (fail closed)"
        ),
    )
