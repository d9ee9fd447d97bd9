"""Duplicate-order detection: the K-th identical order within a window is denied.

Two orders are identical when instrument, side, order type, quantity, price and stop
price are all equal. The control counts the strategy's recent orders (those that passed
the pre-trade checks, ``view.recent_orders``) sent at most ``window_ns`` before now;
when this order would be the ``count``-th identical one in that window, it is denied.
``count=2`` denies any repeat within the window. (A reused client order id is the
order manager's own denial, DUPLICATE_CLIENT_ORDER_ID.)
"""

from __future__ import annotations

from typing import ClassVar

from ironkeel.model.errors import InvalidInputError
from ironkeel.risk.controls.base import Control, Denial, ReasonCode, emergency_exit, positive_int
from ironkeel.risk.ticket import Ticket
from ironkeel.risk.view import PreTradeView

__all__ = ["DuplicateOrders"]


class DuplicateOrders(Control):
    """Deny an order that would be the ``count``-th identical one within ``window_ns``."""

    __slots__ = ("count", "window_ns")
    code: ClassVar[str] = ReasonCode.DUPLICATE_ORDER

    def __init__(self, count: object, window_ns: object) -> None:
        self.count = positive_int("count", count)
        if self.count < 2:
            raise InvalidInputError(
                "count", count, "must be at least 2 (one order is no duplicate)", "pass 2 or more"
            )
        self.window_ns = positive_int("window_ns", window_ns)

    def check(self, ticket: Ticket, view: PreTradeView) -> Denial | None:
        price, quantity = ticket.price, ticket.quantity
        cutoff = view.now_ns() - self.window_ns
        seen = 1
        recent = view.recent_orders(ticket.strategy_id)
        for index in range(len(recent) - 1, -1, -1):  # newest first
            other = recent[index]
            if other.ts_init < cutoff:
                break
            if (  # the field most likely to differ first
                other.price == price
                and other.quantity == quantity
                and other.side is ticket.side
                and other.order_type is ticket.order_type
                and other.trigger_price == ticket.trigger_price
                and other.instrument_id == ticket.instrument_id
            ):
                seen += 1
                if seen >= self.count:
                    return None if emergency_exit(ticket, view) else self._deny(ticket, seen)
        return None

    def _deny(self, ticket: Ticket, seen: int) -> Denial:
        return Denial(
            code=self.code,
            reason=(
                f"this would be identical order number {seen} ({ticket.side.name} "
                f"{ticket.quantity} lots {ticket.order_type.value} at {ticket.price} / stop "
                f"{ticket.trigger_price} ticks of {ticket.instrument_id}) within "
                f"{self.window_ns} ns; at most {self.count - 1} are allowed"
            ),
        )
