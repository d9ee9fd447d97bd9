"""Money limits over all instruments: gross and net exposure, leverage and concentration,
of one strategy (``per_strategy=True``) or of all strategies together (``False``).

Orders in flight count from the moment they are sent (``view.working_notional``). With
``n`` the order's notional (``base.order_notional``; a market order with no reference is
denied NO_REFERENCE) and ``wb``/``ws`` the working buy/sell notional:

- gross:         gross_exposure + wb + ws + n                 <= max_gross_exposure
- net:           |net_exposure + side * (w_side + n)|          <= max_net_exposure
- leverage:      (gross_exposure + wb + ws + n) / equity       <= max_leverage
- concentration: |position + side * (working_side + qty)| x price / equity <= max share

(concentration: the worst-case position in this instrument, in lots, valued at the
reference price, or at the order's price if there is no reference.) Equity at or below
zero denies every order these controls would otherwise check. Ratios are exact: a
limit num/den passes when ``value * den <= num * equity``.

An order that reduces the position the limit is made of passes: for the strategy scope
the strategy's position, for all strategies the net position (see ``base``). The net
exposure control also passes an order that moves the net exposure toward zero without
crossing it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from ironkeel.core.exact import products_le
from ironkeel.model.identifiers import StrategyId
from ironkeel.risk.controls.base import (
    Control,
    Denial,
    ReasonCode,
    emergency_exit,
    format_money,
    order_notional,
    order_price,
    positive_int,
    ratio,
    reduces,
    reference_of,
    short_limit,
)
from ironkeel.risk.controls.size import no_reference
from ironkeel.risk.ticket import Ticket
from ironkeel.risk.view import PreTradeView

__all__ = ["MaxConcentration", "MaxGrossExposure", "MaxLeverage", "MaxNetExposure"]


def _scope(ticket: Ticket, per_strategy: bool) -> StrategyId | None:
    return ticket.strategy_id if per_strategy else None


def _whose(ticket: Ticket, per_strategy: bool) -> str:
    return f"strategy {ticket.strategy_id}" if per_strategy else "all strategies"


def _reducing(ticket: Ticket, view: PreTradeView, per_strategy: bool) -> bool:
    """The order reduces the position (of the scope) the limit is made of, or is an
    emergency exit of its strategy."""
    instrument_id = ticket.instrument_id
    if per_strategy:
        position = view.position(ticket.strategy_id, instrument_id)
        buys, sells = view.working(ticket.strategy_id, instrument_id)
    else:
        position = view.net_position(instrument_id)
        buys, sells = view.working(None, instrument_id)
    if reduces(ticket, position, buys if ticket.buy else sells):
        return True
    return emergency_exit(ticket, view)


class MaxGrossExposure(Control):
    """Gross exposure plus working orders plus this order stays within ``max_raw``."""

    __slots__ = ("_short_max", "max_raw", "per_strategy")
    code: ClassVar[str] = ReasonCode.MAX_GROSS_EXPOSURE

    def __init__(self, max_raw: object, *, per_strategy: bool) -> None:
        self.max_raw = positive_int("max_raw", max_raw)
        self._short_max = short_limit(self.max_raw)
        self.per_strategy = per_strategy

    def check(self, ticket: Ticket, view: PreTradeView) -> Denial | None:
        notional = order_notional(ticket, view)
        if notional is None:
            return None if _reducing(ticket, view, self.per_strategy) else no_reference(ticket)
        scope = _scope(ticket, self.per_strategy)
        gross = view.gross_exposure(scope)
        buys, sells = view.working_notional(scope)
        projected = gross + buys + sells + notional
        if (
            projected <= self._short_max
            or projected <= self.max_raw
            or _reducing(ticket, view, self.per_strategy)
        ):
            return None
        return Denial(
            code=self.code,
            reason=(
                f"gross exposure of {_whose(ticket, self.per_strategy)} could reach "
                f"{format_money(projected)} (positions {format_money(gross)} + working "
                f"{format_money(buys + sells)} + this order {format_money(notional)}), "
                f"beyond max_gross_exposure {format_money(self.max_raw)}"
            ),
        )


class MaxNetExposure(Control):
    """Net exposure, moved by working orders of the order's side and by the order itself,
    stays within ``max_raw`` either way."""

    __slots__ = ("_short_max", "max_raw", "per_strategy")
    code: ClassVar[str] = ReasonCode.MAX_NET_EXPOSURE

    def __init__(self, max_raw: object, *, per_strategy: bool) -> None:
        self.max_raw = positive_int("max_raw", max_raw)
        self._short_max = short_limit(self.max_raw)
        self.per_strategy = per_strategy

    def check(self, ticket: Ticket, view: PreTradeView) -> Denial | None:
        notional = order_notional(ticket, view)
        if notional is None:
            return None if _reducing(ticket, view, self.per_strategy) else no_reference(ticket)
        scope = _scope(ticket, self.per_strategy)
        net = view.net_exposure(scope)
        buys, sells = view.working_notional(scope)
        side = ticket.side
        same = buys if ticket.buy else sells
        if ticket.reduce_only or ticket.emergency:
            same = 0
        projected = net + ticket.signed(same + notional)
        if -self._short_max <= projected <= self._short_max or (
            -self.max_raw <= projected <= self.max_raw
        ):
            return None
        if ticket.signed(net) < 0 and ticket.signed(projected) <= 0:  # toward zero, not across
            return None
        if _reducing(ticket, view, self.per_strategy):
            return None
        return Denial(
            code=self.code,
            reason=(
                f"net exposure of {_whose(ticket, self.per_strategy)} could reach "
                f"{format_money(projected)} (net {format_money(net)}, working "
                f"{side.name.lower()}s {format_money(same)}, this order "
                f"{format_money(notional)}), beyond max_net_exposure {format_money(self.max_raw)}"
            ),
        )


class MaxLeverage(Control):
    """(gross exposure + working orders + this order) / equity stays within
    ``max_leverage`` (an exact ratio: ``3``, ``Decimal('2.5')``, ``Fraction(5, 2)``).

    A margin requirement is the same limit: an initial margin rate ``m`` is
    ``max_leverage = 1 / m``.
    """

    __slots__ = ("den", "num", "per_strategy")
    code: ClassVar[str] = ReasonCode.MAX_LEVERAGE

    def __init__(self, max_leverage: object, *, per_strategy: bool) -> None:
        self.num, self.den = ratio("max_leverage", max_leverage)
        self.per_strategy = per_strategy

    def check(self, ticket: Ticket, view: PreTradeView) -> Denial | None:
        notional = order_notional(ticket, view)
        if notional is None:
            return None if _reducing(ticket, view, self.per_strategy) else no_reference(ticket)
        scope = _scope(ticket, self.per_strategy)
        buys, sells = view.working_notional(scope)
        gross = view.gross_exposure(scope) + buys + sells + notional
        equity = view.equity(scope)
        if products_le(gross, self.den, self.num, equity) or _reducing(
            ticket, view, self.per_strategy
        ):
            return None
        return Denial(
            code=self.code,
            reason=(
                f"leverage of {_whose(ticket, self.per_strategy)} could reach "
                f"{format_money(gross)} / equity {format_money(equity)}"
                f"{_as_ratio(gross, equity)} (this order {format_money(notional)}, working "
                f"{format_money(buys + sells)}), beyond max_leverage "
                f"{_fraction(self.num, self.den)}"
            ),
        )


class MaxConcentration(Control):
    """The worst-case position in one instrument, valued at the reference price, is at
    most ``max_share`` of equity (an exact ratio, e.g. ``Decimal('0.25')``)."""

    __slots__ = ("den", "num", "per_strategy")
    code: ClassVar[str] = ReasonCode.MAX_CONCENTRATION

    def __init__(self, max_share: object, *, per_strategy: bool) -> None:
        self.num, self.den = ratio("max_concentration", max_share)
        self.per_strategy = per_strategy

    def check(self, ticket: Ticket, view: PreTradeView) -> Denial | None:
        instrument_id = ticket.instrument_id
        if self.per_strategy:
            scope: StrategyId | None = ticket.strategy_id
            position = view.position(ticket.strategy_id, instrument_id)
        else:
            scope = None
            position = view.net_position(instrument_id)
        buys, sells = view.working(scope, instrument_id)
        same = buys if ticket.buy else sells
        if reduces(ticket, position, same) or emergency_exit(ticket, view):
            return None
        price = ticket.reference_price if reference_of(ticket, view) else order_price(ticket, view)
        if price is None:
            return no_reference(ticket)
        projected = position + ticket.signed(same + ticket.quantity)
        value = abs(projected) * abs(price) * view.instrument(instrument_id).unit_raw
        equity = view.equity(scope)
        if products_le(value, self.den, self.num, equity):
            return None
        return Denial(
            code=self.code,
            reason=(
                f"position of {_whose(ticket, self.per_strategy)} in {instrument_id} could "
                f"reach {projected} lots worth {format_money(value)}"
                f"{_as_ratio(value, equity)} of equity {format_money(equity)}, beyond "
                f"max_concentration {_fraction(self.num, self.den)}"
            ),
        )


def _fraction(num: int, den: int) -> str:
    return f"{Decimal(num) / Decimal(den):f}" if den != 1 else str(num)


def _as_ratio(value: int, equity: int) -> str:
    if equity <= 0:
        return " (equity is not positive)"
    return f" = {Decimal(value) / Decimal(equity):.6g}"
