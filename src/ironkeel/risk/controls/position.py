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

from typing import Final

from ironkeel.model.events import OrderInitialized
from ironkeel.risk.controls.base import (
    BUY,
    Denial,
    ReasonCode,
    emergency_exit,
    positive_int,
    reduces,
)
from ironkeel.risk.view import PreTradeView

__all__ = ["MaxPosition", "MaxStrategyPosition"]


class MaxStrategyPosition:
    """One strategy's position in one instrument stays within ``max_lots`` lots (either way)."""

    __slots__ = ("max_lots",)
    code: Final = ReasonCode.MAX_STRATEGY_POSITION

    def __init__(self, max_lots: object) -> None:
        self.max_lots = positive_int("max_lots", max_lots)

    def check(self, order: OrderInitialized, view: PreTradeView) -> Denial | None:
        strategy_id, instrument_id = order.strategy_id, order.instrument_id
        position = view.position(strategy_id, instrument_id)
        buys, sells = view.working(strategy_id, instrument_id)
        same = buys if order.side is BUY else sells
        projected = position + order.side * (same + order.quantity)
        limit = self.max_lots
        if -limit <= projected <= limit or reduces(order, position, same):
            return None
        return _denial(
            self.code,
            "max_strategy_position",
            limit,
            order,
            position,
            same,
            f"strategy {strategy_id}",
        )


class MaxPosition:
    """The net position of all strategies together in one instrument stays within
    ``max_lots`` lots (either way)."""

    __slots__ = ("max_lots",)
    code: Final = ReasonCode.MAX_POSITION

    def __init__(self, max_lots: object) -> None:
        self.max_lots = positive_int("max_lots", max_lots)

    def check(self, order: OrderInitialized, view: PreTradeView) -> Denial | None:
        instrument_id = order.instrument_id
        position = view.net_position(instrument_id)
        buys, sells = view.working(None, instrument_id)
        same = buys if order.side is BUY else sells
        projected = position + order.side * (same + order.quantity)
        limit = self.max_lots
        if -limit <= projected <= limit or reduces(order, position, same):
            return None
        if emergency_exit(order, view):
            return None
        return _denial(self.code, "max_position", limit, order, position, same, "all strategies")


def _denial(  # noqa: PLR0917  # the figures of the reason, each named once
    code: str, key: str, limit: int, order: OrderInitialized, position: int, same: int, whose: str
) -> Denial:
    projected = position + order.side * (same + order.quantity)
    return Denial(
        code=code,
        reason=(
            f"position of {whose} in {order.instrument_id} could reach {projected} lots "
            f"(position {position} + working {order.side.name.lower()}s {same} + this "
            f"order {order.quantity}), beyond {key} {limit} lots"
        ),
    )
