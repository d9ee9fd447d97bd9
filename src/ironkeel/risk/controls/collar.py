"""The price collar: an order's price must lie near a fresh reference price.

With reference ``r`` (ticks) and collar ``num/den`` (a fraction of ``r``; 50 bps is
1/200), every price the order carries (limit and stop) must satisfy, exactly::

    |price - r| * den <= num * r

Fail closed: no reference denies NO_REFERENCE, a reference older than ``max_age_ns``
denies STALE_REFERENCE, a reference at or below zero (a relative band around it means
nothing) denies NO_REFERENCE. A market order carries no price: it passes when a fresh
positive reference exists. Without ``max_deviation`` the control only requires that
fresh reference (for every order type).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import ClassVar, Final

from ironkeel.core.exact import mul
from ironkeel.risk.controls.base import (
    Control,
    Denial,
    ReasonCode,
    emergency_exit,
    positive_int,
    ratio,
    reference_of,
)
from ironkeel.risk.ticket import Ticket
from ironkeel.risk.view import PreTradeView

__all__ = ["PriceCollar"]

_BPS: Final = 10_000


class PriceCollar(Control):
    """Deny prices more than ``max_deviation`` (a fraction of the reference) away from a
    reference no older than ``max_age_ns``; ``PriceCollar.from_bps(50, max_age_ns=...)``."""

    __slots__ = ("den", "max_age_ns", "num")
    code: ClassVar[str] = ReasonCode.PRICE_COLLAR

    def __init__(self, max_deviation: object, *, max_age_ns: object) -> None:
        self.max_age_ns = positive_int("max_age_ns", max_age_ns)
        if max_deviation is None:
            self.num, self.den = 1, 0  # |p - r| * 0 <= r: every price passes
        else:
            self.num, self.den = ratio("max_deviation", max_deviation)

    @classmethod
    def from_bps(cls, bps: object, *, max_age_ns: object) -> PriceCollar:
        num, den = ratio("price_collar_bps", bps)
        return cls(Fraction(num, den * _BPS), max_age_ns=max_age_ns)

    def check(self, ticket: Ticket, view: PreTradeView) -> Denial | None:
        if not reference_of(ticket, view):
            return None if emergency_exit(ticket, view) else self._none(ticket)
        ref, ts = ticket.reference_price, ticket.reference_ts
        age = view.now_ns() - ts
        if age > self.max_age_ns:
            return None if emergency_exit(ticket, view) else self._stale(ticket, ref, age)
        if ref <= 0 and self.den:
            return None if emergency_exit(ticket, view) else self._not_positive(ticket, ref)
        band = mul(self.num, ref)
        price = ticket.price
        if price is not None and mul(abs(price - ref), self.den) > band:
            return None if emergency_exit(ticket, view) else self._outside(ticket, price, ref)
        price = ticket.trigger_price
        if price is not None and mul(abs(price - ref), self.den) > band:
            return None if emergency_exit(ticket, view) else self._outside(ticket, price, ref)
        return None

    def _none(self, ticket: Ticket) -> Denial:
        return Denial(
            code=ReasonCode.NO_REFERENCE,
            reason=f"no reference price for {ticket.instrument_id}: denied (fail closed)",
        )

    def _stale(self, ticket: Ticket, ref: int, age: int) -> Denial:
        return Denial(
            code=ReasonCode.STALE_REFERENCE,
            reason=(
                f"reference price {ref} ticks of {ticket.instrument_id} is {age} ns old, "
                f"older than the allowed {self.max_age_ns} ns: denied (fail closed)"
            ),
        )

    def _not_positive(self, ticket: Ticket, ref: int) -> Denial:
        return Denial(
            code=ReasonCode.NO_REFERENCE,
            reason=(
                f"reference price {ref} ticks of {ticket.instrument_id} is not positive, "
                "so no collar can be drawn around it: denied (fail closed)"
            ),
        )

    def _outside(self, ticket: Ticket, price: int, ref: int) -> Denial:
        deviation = Decimal(abs(price - ref) * _BPS) / Decimal(ref)
        limit = Decimal(self.num * _BPS) / Decimal(self.den)
        return Denial(
            code=self.code,
            reason=(
                f"price {price} ticks is {abs(price - ref)} ticks ({deviation:.6g} bps) from "
                f"the reference {ref} ticks of {ticket.instrument_id}, beyond the collar of "
                f"{limit:.6g} bps"
            ),
        )
