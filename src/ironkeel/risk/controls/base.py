"""What every control shares: the ``Control`` protocol, ``Denial``, and the two rules that
several controls apply the same way (the price an order is valued at, and when an order
only reduces a position).

**Reducing orders.** A limit on position or exposure never stops an order that can only
shrink what it bounds. An order *reduces* a position ``p`` when it is on the other side
(a sell against a long, a buy against a short) and, even if every working order of the
same side fills as well, ``p`` does not cross zero::

    side * p < 0  and  same_side_working + quantity <= |p|

For an order flagged ``reduce_only`` or ``emergency`` the working orders are left out
(``quantity <= |p|``): the venue clips a reduce-only order to the position, and an
emergency flatten cancels the other orders first.

**Emergency exits.** An ``emergency`` order that reduces its strategy's own position (an
engine-generated flatten) is denied only when its market is closed: fat-finger limits,
limits, the collar's reference, duplicates and throttles all pass it, since a forced
flatten must never be blocked by the controls meant to stop risk from growing (a stale
feed, a throttle, or a limit breached because prices moved are reasons to flatten).
An emergency order that would not reduce is checked like any other, except by the
throttles, which never deny an emergency order.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import ClassVar, Final

from mypy_extensions import mypyc_attr

from ironkeel.core.exact import mul
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.values import MONEY_DECIMALS
from ironkeel.risk.controls.denial import Denial
from ironkeel.risk.ticket import Ticket
from ironkeel.risk.view import PreTradeView

__all__ = [
    "Control",
    "Denial",
    "ReasonCode",
    "emergency_exit",
    "format_money",
    "order_notional",
    "order_price",
    "positive_int",
    "ratio",
    "reduces",
    "reference_of",
    "short_limit",
]


class ReasonCode:
    """The reason codes of pre-trade denials (``OrderDenied.reason_code``)."""

    MAX_ORDER_QTY: Final = "MAX_ORDER_QTY"
    MAX_ORDER_NOTIONAL: Final = "MAX_ORDER_NOTIONAL"
    MAX_POSITION: Final = "MAX_POSITION"
    MAX_STRATEGY_POSITION: Final = "MAX_STRATEGY_POSITION"
    MAX_GROSS_EXPOSURE: Final = "MAX_GROSS_EXPOSURE"
    MAX_NET_EXPOSURE: Final = "MAX_NET_EXPOSURE"
    MAX_CONCENTRATION: Final = "MAX_CONCENTRATION"
    MAX_LEVERAGE: Final = "MAX_LEVERAGE"
    PRICE_COLLAR: Final = "PRICE_COLLAR"
    STALE_REFERENCE: Final = "STALE_REFERENCE"
    NO_REFERENCE: Final = "NO_REFERENCE"
    SUBMIT_RATE: Final = "SUBMIT_RATE"
    MODIFY_RATE: Final = "MODIFY_RATE"
    DUPLICATE_ORDER: Final = "DUPLICATE_ORDER"
    MARKET_CLOSED: Final = "MARKET_CLOSED"
    REDUCE_ONLY: Final = "REDUCE_ONLY"
    UNKNOWN_INSTRUMENT: Final = "UNKNOWN_INSTRUMENT"


@mypyc_attr(allow_interpreted_subclasses=True)
class Control:
    """A pre-trade control: set up once (limits already in lots, ticks, money raw), then
    one O(1) integer check per order. ``check`` returns None to let the order pass.

    A base class rather than a protocol: a ``ControlSet`` calls ``check`` through the
    vtable (a protocol method is a generic Python call, ~200 instructions, decision
    0021). Interpreted subclasses (the market-hours control) are allowed."""

    #: The reason code this control denies with (some controls have a few more).
    code: ClassVar[str] = ""

    def check(self, ticket: Ticket, view: PreTradeView) -> Denial | None:
        raise NotImplementedError


#: The largest int a compiled module keeps unboxed (a "short" tagged int).
_SHORT_MAX: Final = 2**62 - 1


def short_limit(limit: int) -> int:
    """``limit`` clipped to an unboxed int. A money limit above ~4.6 M in the money's
    units is a boxed int once in raw units, and every comparison with it takes the slow
    path: a control checks ``value <= short_limit(limit) or value <= limit``, the same
    answer, with the second comparison only when the first fails."""
    return min(limit, _SHORT_MAX)


def reference_of(ticket: Ticket, view: PreTradeView) -> bool:
    """Whether the ticket's instrument has a reference price: it is then on the ticket
    (``reference_price`` in ticks, ``reference_ts``), read from ``view`` once per check
    however many controls ask."""
    if not ticket.reference_known:
        view.load_reference(ticket)
    return ticket.has_reference


def order_price(ticket: Ticket, view: PreTradeView) -> int | None:
    """The price in ticks an order is valued at: its limit price, else its stop price,
    else (a market order) the reference price; None when a market order has none."""
    price = ticket.price
    if price is None:
        price = ticket.trigger_price
        if price is None:
            return ticket.reference_price if reference_of(ticket, view) else None
    return price


def order_notional(ticket: Ticket, view: PreTradeView) -> int | None:
    """The order's notional, money raw: |price| x lots x ``unit_raw`` at ``order_price``
    (None: a market order with no reference). Computed once per check however many
    controls ask (kept on the ticket)."""
    if ticket.notional_known:
        return ticket.notional
    price = order_price(ticket, view)
    notional: int | None = None
    if price is not None:
        if price < 0:  # negated natively (``abs`` of an int is a generic call compiled)
            price = -price
        notional = mul(mul(price, ticket.quantity), view.instrument(ticket.instrument_id).unit_raw)
    ticket.notional = notional
    ticket.notional_known = True
    return notional


def reduces(ticket: Ticket, position: int, same_side_working: int) -> bool:
    """Whether the order can only shrink ``position`` (see the module's docstring)."""
    if ticket.buy:
        if position >= 0:
            return False
        room = -position
    else:
        if position <= 0:
            return False
        room = position
    if ticket.reduce_only or ticket.emergency:
        return ticket.quantity <= room
    return same_side_working + ticket.quantity <= room


def emergency_exit(ticket: Ticket, view: PreTradeView) -> bool:
    """An emergency order that reduces its strategy's own position (see the docstring)."""
    return ticket.emergency and reduces(
        ticket, view.position(ticket.strategy_id, ticket.instrument_id), 0
    )


_MONEY_EXP: Final = Decimal(1).scaleb(-MONEY_DECIMALS)


def format_money(raw: int) -> str:
    """Money raw as a plain decimal amount, e.g. ``1250.5``."""
    amount = (Decimal(raw) * _MONEY_EXP).normalize()
    return f"{amount:f}"


def positive_int(name: str, value: object) -> int:
    """``value`` if it is an int > 0 (not a bool), else an InvalidInputError.

    The controls' constructors take such values as ``object`` and check them here, so a
    wrong type is named also when the controls run compiled (decision 0015)."""
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise InvalidInputError(name, value, "must be an int > 0", f"pass e.g. {name}=1")
    return value


def ratio(name: str, value: object) -> tuple[int, int]:
    """A positive exact ratio as (numerator, denominator) ints, e.g. Decimal('2.5') ->
    (5, 2); a float or a value <= 0 is an InvalidInputError."""
    if isinstance(value, bool) or not isinstance(value, Fraction | Decimal | int):
        raise InvalidInputError(
            name, value, f"has type {type(value).__name__}", "pass an int, Decimal or Fraction"
        )
    if isinstance(value, Decimal) and not value.is_finite():
        raise InvalidInputError(name, value, "is not finite", "pass a finite number")
    exact = Fraction(value)
    if exact <= 0:
        raise InvalidInputError(name, value, "must be > 0", "pass a positive ratio")
    return exact.numerator, exact.denominator
