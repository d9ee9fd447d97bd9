"""Slippage models: how many ticks worse than the matched price a taker fill gets.

A model returns a number of ticks >= 0; the exchange moves the fill price that
many ticks against the order (up for a buy, down for a sell). Every model
rounds its exact move UP to a whole tick (adversely onto the tick grid), in
integer arithmetic. Slippage applies only to taker fills, and never takes a
limit order's fill beyond its limit price (the slipped price is clamped to it).
"""

from __future__ import annotations

from decimal import Decimal
from math import isqrt
from typing import Final, NamedTuple, Protocol

from ironkeel.model.enums import OrderSide
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.values import round_div, to_decimal

__all__ = [
    "FixedBpsSlippage",
    "HalfSpreadSlippage",
    "NoSlippage",
    "SlipContext",
    "SlippageModel",
    "SquareRootImpactSlippage",
    "VolumeShareSlippage",
]

Number = Decimal | int | str
_BPS: Final = 10_000
_SQRT_SCALE: Final = 10**9


class SlipContext(NamedTuple):
    """What the market looked like where a taker fill happened."""

    #: Lots the fill drew on: the bar's volume, the trade's size, the level's displayed size.
    volume: int
    #: The spread in ticks from the latest quote or book, None if unknown (bars, trades only).
    spread: int | None
    #: True if the price already is a bid or ask (quote or book), so the spread is paid.
    at_touch: bool


class SlippageModel(Protocol):
    """Adverse ticks for one taker fill of ``qty`` lots at ``px`` ticks."""

    def slip_ticks(self, side: OrderSide, px: int, qty: int, ctx: SlipContext) -> int: ...


def _rate(owner: str, field: str, value: Number) -> Decimal:
    rate = to_decimal(value, f"{owner}.{field}")
    if rate < 0:
        raise InvalidInputError(
            f"{owner}.{field}", value, "is negative", "slippage only ever costs: pass >= 0"
        )
    return rate


def _share(qty: int, volume: int) -> tuple[int, int]:
    """qty/volume as a fraction capped at 1 (no volume: the whole market, 1)."""
    if volume <= 0 or qty >= volume:
        return 1, 1
    return qty, volume


class NoSlippage:
    """Fills at the matched price."""

    __slots__ = ()

    def slip_ticks(self, side: OrderSide, px: int, qty: int, ctx: SlipContext) -> int:
        return 0

    def __repr__(self) -> str:
        return "NoSlippage()"


class FixedBpsSlippage:
    """A fixed share of the price, in basis points."""

    __slots__ = ("_den", "_num", "bps")

    def __init__(self, bps: Number) -> None:
        self.bps = _rate("FixedBpsSlippage", "bps", bps)
        self._num, self._den = self.bps.as_integer_ratio()

    def slip_ticks(self, side: OrderSide, px: int, qty: int, ctx: SlipContext) -> int:
        return round_div(abs(px) * self._num, self._den * _BPS, "up")

    def __repr__(self) -> str:
        return f"FixedBpsSlippage({self.bps})"


class HalfSpreadSlippage:
    """Half the spread, for bar or trade prices that are neither bid nor ask.

    Uses the latest quote's or book's spread, else ``default_spread_ticks``; a
    fill that already is at the bid or ask (quote or book data) gets none.
    """

    __slots__ = ("default_spread_ticks",)

    def __init__(self, default_spread_ticks: int = 0) -> None:
        if type(default_spread_ticks) is not int or default_spread_ticks < 0:
            raise InvalidInputError(
                "HalfSpreadSlippage.default_spread_ticks",
                default_spread_ticks,
                "must be an int >= 0",
                "pass the typical spread in ticks",
            )
        self.default_spread_ticks = default_spread_ticks

    def slip_ticks(self, side: OrderSide, px: int, qty: int, ctx: SlipContext) -> int:
        if ctx.at_touch:
            return 0
        spread = self.default_spread_ticks if ctx.spread is None else ctx.spread
        return round_div(max(spread, 0), 2, "up")

    def __repr__(self) -> str:
        return f"HalfSpreadSlippage(default_spread_ticks={self.default_spread_ticks})"


class VolumeShareSlippage:
    """``price_impact * share**2 * price``, share = qty / volume (capped at 1): zipline's model."""

    __slots__ = ("_den", "_num", "price_impact")

    def __init__(self, price_impact: Number = Decimal("0.1")) -> None:
        self.price_impact = _rate("VolumeShareSlippage", "price_impact", price_impact)
        self._num, self._den = self.price_impact.as_integer_ratio()

    def slip_ticks(self, side: OrderSide, px: int, qty: int, ctx: SlipContext) -> int:
        q, v = _share(qty, ctx.volume)
        return round_div(abs(px) * self._num * q * q, self._den * v * v, "up")

    def __repr__(self) -> str:
        return f"VolumeShareSlippage(price_impact={self.price_impact})"


class SquareRootImpactSlippage:
    """``coefficient_bps * sqrt(share)`` of the price, share = qty / volume (capped at 1).

    The square root is taken in integers (``math.isqrt`` at 1e-9 resolution, rounded up).
    """

    __slots__ = ("_den", "_num", "coefficient_bps")

    def __init__(self, coefficient_bps: Number) -> None:
        self.coefficient_bps = _rate("SquareRootImpactSlippage", "coefficient_bps", coefficient_bps)
        self._num, self._den = self.coefficient_bps.as_integer_ratio()

    def slip_ticks(self, side: OrderSide, px: int, qty: int, ctx: SlipContext) -> int:
        q, v = _share(qty, ctx.volume)
        scaled = round_div(q * _SQRT_SCALE * _SQRT_SCALE, v, "up")
        root = isqrt(scaled)
        if root * root < scaled:
            root += 1
        return round_div(abs(px) * self._num * root, self._den * _BPS * _SQRT_SCALE, "up")

    def __repr__(self) -> str:
        return f"SquareRootImpactSlippage(coefficient_bps={self.coefficient_bps})"
