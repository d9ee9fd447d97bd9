"""Instruments: what is traded, on which grid, at which fees.

Inside the engine a price is an int number of ``price_increment`` ticks and a
quantity an int number of ``size_increment`` lots. One tick times one lot is
worth ``unit_raw`` money units (10**-12 of the quote currency), so every
notional, P&L and fee figure is integer arithmetic.
"""

from __future__ import annotations

import decimal
import math
from decimal import Decimal

from ironkeel.model.enums import AssetClass
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import InstrumentId
from ironkeel.model.values import MONEY_DECIMALS, Currency, Money, Price, Quantity, to_decimal

__all__ = ["Instrument"]

#: Integer division, products and sums of decimals are exact in this context.
_WIDE = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


def _exact_float(value: float, step: Decimal, field: str) -> Decimal:
    """The grid point whose nearest float is ``value``, or an error if there is none."""
    if not math.isfinite(value):
        raise InvalidInputError(field, value, "is not finite", "pass a finite number")
    steps = (Decimal(repr(value)) / step).to_integral_value()
    candidate = steps * step
    if float(candidate) != value:
        raise InvalidInputError(
            field,
            value,
            f"is a float that is not exactly on the grid of {step}",
            f"round it to a multiple of {step}, or pass it as a str or Decimal",
        )
    return candidate


class Instrument:
    """An immutable description of a tradable instrument and its grid."""

    __slots__ = (
        "asset_class",
        "base_currency",
        "id",
        "maker_fee",
        "max_quantity",
        "min_notional",
        "min_quantity",
        "multiplier",
        "price_increment",
        "quote_currency",
        "size_increment",
        "taker_fee",
        "unit_raw",
    )

    id: InstrumentId
    asset_class: AssetClass
    base_currency: Currency | None
    quote_currency: Currency
    price_increment: Decimal
    size_increment: Decimal
    multiplier: Decimal
    min_quantity: int
    max_quantity: int | None
    min_notional: Money | None
    maker_fee: Decimal
    taker_fee: Decimal
    unit_raw: int

    def __init__(
        self,
        *,
        id: InstrumentId,
        asset_class: AssetClass,
        quote_currency: Currency,
        price_increment: Decimal | int | str,
        size_increment: Decimal | int | str,
        base_currency: Currency | None = None,
        multiplier: Decimal | int | str = 1,
        min_quantity: Decimal | int | str | None = None,
        max_quantity: Decimal | int | str | None = None,
        min_notional: Decimal | int | str | None = None,
        maker_fee: Decimal | int | str = 0,
        taker_fee: Decimal | int | str = 0,
    ) -> None:
        set_ = object.__setattr__
        tick = to_decimal(price_increment, "price_increment")
        lot = to_decimal(size_increment, "size_increment")
        mult = to_decimal(multiplier, "multiplier")
        for field, value in (
            ("price_increment", tick),
            ("size_increment", lot),
            ("multiplier", mult),
        ):
            if value <= 0:
                raise InvalidInputError(field, value, "must be positive", "pass e.g. '0.01'")
        unit = (tick * lot * mult).scaleb(MONEY_DECIMALS)
        if unit != unit.to_integral_value():
            raise InvalidInputError(
                "price_increment*size_increment*multiplier",
                tick * lot * mult,
                f"has more than {MONEY_DECIMALS} decimals",
                "use a coarser price or size increment",
            )
        set_(self, "id", id)
        set_(self, "asset_class", asset_class)
        set_(self, "base_currency", base_currency)
        set_(self, "quote_currency", quote_currency)
        set_(self, "price_increment", tick)
        set_(self, "size_increment", lot)
        set_(self, "multiplier", mult)
        set_(self, "unit_raw", int(unit))
        for field, fee in (("maker_fee", maker_fee), ("taker_fee", taker_fee)):
            rate = to_decimal(fee, field)
            if not Decimal(-1) < rate < Decimal(1):
                raise InvalidInputError(
                    field,
                    fee,
                    "is not a plausible fee rate",
                    "pass a rate such as '0.0004' (4 bps)",
                )
            set_(self, field, rate)
        minimum = 1 if min_quantity is None else self.lots(min_quantity, "min_quantity")
        if minimum <= 0:
            raise InvalidInputError("min_quantity", min_quantity, "must be positive", "pass > 0")
        set_(self, "min_quantity", minimum)
        maximum = None if max_quantity is None else self.lots(max_quantity, "max_quantity")
        if maximum is not None and maximum < minimum:
            raise InvalidInputError(
                "max_quantity", max_quantity, "is below min_quantity", "raise max_quantity"
            )
        set_(self, "max_quantity", maximum)
        notional = None if min_notional is None else Money(min_notional, quote_currency)
        set_(self, "min_notional", notional)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Instrument is immutable")

    def __repr__(self) -> str:
        return f"Instrument({self.id}, tick={self.price_increment}, lot={self.size_increment})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Instrument):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    def __hash__(self) -> int:
        return hash(self.id)

    # --- grid conversions -------------------------------------------------------------

    def ticks(self, price: Price | Decimal | int | str | float, field: str = "price") -> int:
        """The price as an int number of ticks; off-grid prices are an error."""
        value = self._decimal(price, self.price_increment, field)
        return self._on_grid(value, self.price_increment, field)

    def lots(
        self, quantity: Quantity | Decimal | int | str | float, field: str = "quantity"
    ) -> int:
        """The quantity as an int number of lots; off-grid or negative is an error."""
        value = self._decimal(quantity, self.size_increment, field)
        if value < 0:
            raise InvalidInputError(field, value, "is negative", "pass a quantity >= 0")
        return self._on_grid(value, self.size_increment, field)

    def price(self, value: Price | Decimal | int | str | float) -> Price:
        """A validated on-grid Price (a float is accepted only if it is exactly on the grid)."""
        return self.price_from_ticks(self.ticks(value))

    def quantity(self, value: Quantity | Decimal | int | str | float) -> Quantity:
        """A validated on-grid Quantity (a float is accepted only if exactly on the grid)."""
        return self.quantity_from_lots(self.lots(value))

    def price_from_ticks(self, ticks: int) -> Price:
        return Price(ticks * self.price_increment)

    def quantity_from_lots(self, lots: int) -> Quantity:
        return Quantity(lots * self.size_increment)

    def notional(self, ticks: int, lots: int) -> Money:
        """The exact value of ``lots`` at ``ticks``, in the quote currency."""
        return Money.from_raw(ticks * lots * self.unit_raw, self.quote_currency)

    def _decimal(self, value: object, step: Decimal, field: str) -> Decimal:
        if isinstance(value, (Price, Quantity)):
            return value.value
        if isinstance(value, float):
            return _exact_float(value, step, field)
        return to_decimal(value, field)

    def _on_grid(self, value: Decimal, step: Decimal, field: str) -> int:
        # Exact: a 28-digit ``value / step`` would round a long off-grid value onto the grid.
        whole, rest = _WIDE.divmod(value, step)
        if rest:
            lower = _WIDE.multiply(_WIDE.subtract(whole, 1) if rest < 0 else whole, step)
            raise InvalidInputError(
                f"{self.id}.{field}",
                value,
                f"is not a multiple of {step}",
                f"use {lower} or {_WIDE.add(lower, step)}",
            )
        return int(whole)
