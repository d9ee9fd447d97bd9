"""Position limits in lots of one instrument: of one strategy, and of all strategies together.

The position an order is checked at is the worst case: the current position plus every
working order on the order's side plus the order itself, as if all of them filled and
nothing on the other side did::

    projected = position + side * (same_side_working + quantity)
    pass  if  |projected| <= max_lots  or  the order reduces the position

so orders in flight count from the moment they are sent, and an order that can only
shrink the position always passes (see ``base``).
"""

from __future__ import annotations

from typing import ClassVar

from ironkeel.risk.controls.base import (
    Control,
    Denial,
    ReasonCode,
    emergency_exit,
    positive_int,
    reduces,
)
from ironkeel.risk.ticket import Ticket
from ironkeel.risk.view import PreTradeView

__all__ = ["MaxPosition", "MaxStrategyPosition"]


class MaxStrategyPosition(Control):
    """One strategy's position in one instrument stays within ``max_lots`` lots (either way)."""

    __slots__ = ("max_lots",)
    code: ClassVar[str] = ReasonCode.MAX_STRATEGY_POSITION

    def __init__(self, max_lots: object) -> None:
        self.max_lots = positive_int("max_lots", max_lots)

    def check(self, ticket: Ticket, view: PreTradeView) -> Denial | None:
        strategy_id, instrument_id = ticket.strategy_id, ticket.instrument_id
        position = view.position(strategy_id, instrument_id)
        buys, sells = view.working(strategy_id, instrument_id)
        same = buys if ticket.buy else sells
        projected = position + ticket.signed(same + ticket.quantity)
        limit = self.max_lots
        if -limit <= projected <= limit or reduces(ticket, position, same):
            return None
        return _denial(
            self.code,
            "max_strategy_position",
            limit,
            ticket,
            position,
            same,
            f"strategy {strategy_id}",
        )


class MaxPosition(Control):
    """The net position of all strategies together in one instrument stays within
    ``max_lots`` lots (either way)."""

    __slots__ = ("max_lots",)
    code: ClassVar[str] = ReasonCode.MAX_POSITION

    def __init__(self, max_lots: object) -> None:
        self.max_lots = positive_int("max_lots", max_lots)

    def check(self, ticket: Ticket, view: PreTradeView) -> Denial | None:
        instrument_id = ticket.instrument_id
        position = view.net_position(instrument_id)
        buys, sells = view.working(None, instrument_id)
        same = buys if ticket.buy else sells
        projected = position + ticket.signed(same + ticket.quantity)
        limit = self.max_lots
        if -limit <= projected <= limit or reduces(ticket, position, same):
            return None
        if emergency_exit(ticket, view):
            return None
        return _denial(self.code, "max_position", limit, ticket, position, same, "all strategies")


def _denial(  # noqa: PLR0917  # the figures of the reason, each named once
    code: str, key: str, limit: int, ticket: Ticket, position: int, same: int, whose: str
) -> Denial:
    projected = position + ticket.signed(same + ticket.quantity)
    return Denial(
        code=code,
        reason=(
            f"position of {whose} in {ticket.instrument_id} could reach {projected} lots "
            f"(position {position} + working {ticket.side.name.lower()}s {same} + this "
            f"order {ticket.quantity}), beyond {key} {limit} lots"
        ),
    )
