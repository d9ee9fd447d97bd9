"""Reduce-only mode: positions may shrink, never grow.

While the mode is on (set globally, for a strategy or for an instrument) an order passes
only if it reduces its strategy's position in the instrument, counting the strategy's
working orders of the same side (``base.reduces``): opposite to the position, and the
position cannot cross zero even if every same-side working order fills too. Orders
flagged ``reduce_only`` or ``emergency`` are judged on their own quantity.
"""

from __future__ import annotations

from typing import ClassVar

from ironkeel.risk.controls.base import Control, Denial, ReasonCode, reduces
from ironkeel.risk.ticket import Ticket
from ironkeel.risk.view import PreTradeView

__all__ = ["ReduceOnlyMode"]


class ReduceOnlyMode(Control):
    """Deny every order that could increase |position| (REDUCE_ONLY); ``source`` says
    where the mode was set, for the reason (e.g. ``"global.reduce_only"``)."""

    __slots__ = ("source",)
    code: ClassVar[str] = ReasonCode.REDUCE_ONLY

    def __init__(self, source: str = "reduce-only mode") -> None:
        self.source = source

    def check(self, ticket: Ticket, view: PreTradeView) -> Denial | None:
        strategy_id, instrument_id = ticket.strategy_id, ticket.instrument_id
        position = view.position(strategy_id, instrument_id)
        buys, sells = view.working(strategy_id, instrument_id)
        same = buys if ticket.buy else sells
        if reduces(ticket, position, same):
            return None
        return Denial(
            code=self.code,
            reason=(
                f"{self.source} is on: {ticket.side.name} {ticket.quantity} lots could increase "
                f"|position| of strategy {strategy_id} in {instrument_id} (position "
                f"{position}, working {ticket.side.name.lower()}s {same})"
            ),
        )
