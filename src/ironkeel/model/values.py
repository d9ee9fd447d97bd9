"""Exact value types: Price, Quantity, Money and Currency.

Price and Quantity hold a ``Decimal``; Money holds an integer count of
``10**-MONEY_DECIMALS`` units of its currency. None of them accepts a float:
a float is inexact, so the constructors ask for ``str``, ``int`` or ``Decimal``
(``Instrument.price`` and ``Instrument.quantity`` accept a float only when it
is exactly the float of a point on the instrument's grid). Mixing kinds (a
price plus a quantity) or currencies raises ``UnitMismatchError``, a TypeError.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Final, Literal

import msgspec

from ironkeel.model.errors import InvalidInputError, UnitMismatchError

__all__ = [
    "MONEY_DECIMALS",
    "MONEY_SCALE",
    "Currency",
    "Money",
    "Price",
    "Quantity",
    "Rounding",
    "round_div",
    "to_decimal",
]

Number = Decimal | int | str

#: Money is kept as an integer number of 10**-12 currency units: fine enough for
#: every price increment x size increment x multiplier of a real instrument.
MONEY_DECIMALS: Final = 12
MONEY_SCALE: Final = 10**MONEY_DECIMALS

# Exact arithmetic context: any rounding raises instead of losing a digit.
_EXACT = decimal.Context(prec=60, traps=[decimal.Inexact, decimal.InvalidOperation])


Rounding = Literal["half_even", "half_up", "up", "down"]


def round_div(numerator: int, denominator: int, rounding: Rounding) -> int:
    """``numerator / denominator`` rounded to an int, exactly, in integer arithmetic.

    ``up`` rounds away from zero, ``down`` towards zero; ``half_up`` rounds a
    tie away from zero and ``half_even`` to the even neighbour.
    """
    if denominator <= 0:
        raise InvalidInputError("denominator", denominator, "must be positive", "pass d > 0")
    sign = -1 if numerator < 0 else 1
    q, r = divmod(abs(numerator), denominator)
    if r:
        if rounding == "up":
            q += 1
        elif rounding != "down":
            twice = 2 * r
            if twice > denominator or (
                twice == denominator and (rounding == "half_up" or q % 2 == 1)
            ):
                q += 1
    return sign * q


def to_decimal(value: object, field: str) -> Decimal:
    """Convert ``value`` (Decimal, int or str) to a finite Decimal, or explain what is wrong."""
    if isinstance(value, bool):
        raise InvalidInputError(field, value, "is a bool", "pass a number as str, int or Decimal")
    if isinstance(value, float):
        raise InvalidInputError(
            field,
            value,
            "is a float, which is inexact",
            "pass a str or Decimal (e.g. '0.1'), or use instrument.price()/quantity() "
            "which accept a float that lies exactly on the grid",
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except decimal.InvalidOperation:
            raise InvalidInputError(
                field, value, "is not a number", "write a decimal number such as '101.25'"
            ) from None
    else:
        raise InvalidInputError(
            field, value, f"has type {type(value).__name__}", "pass a str, int or Decimal"
        )
    if not result.is_finite():
        raise InvalidInputError(field, value, "is not finite", "pass a finite number")
    return result


class Currency(msgspec.Struct, frozen=True, gc=False):
    """A currency or asset: its code and the number of decimals it settles in."""

    code: str
    precision: int

    def __post_init__(self) -> None:
        if not (self.code.isalnum() and self.code.isupper() and 2 <= len(self.code) <= 10):
            raise InvalidInputError(
                "Currency.code", self.code, "is not an upper-case code", "write e.g. 'USD'"
            )
        if not 0 <= self.precision <= MONEY_DECIMALS:
            raise InvalidInputError(
                "Currency.precision",
                self.precision,
                f"must be between 0 and {MONEY_DECIMALS}",
                "use the number of decimals the currency settles in (USD 2, BTC 8)",
            )

    def __str__(self) -> str:
        return self.code


class _DecimalValue:
    """Shared behaviour of Price and Quantity: an immutable, hashable Decimal of one kind."""

    __slots__ = ("_value",)
    _kind = "value"
    _value: Decimal

    def __init__(self, value: Number) -> None:
        object.__setattr__(self, "_value", self._check(to_decimal(value, self._kind)))

    @classmethod
    def _check(cls, value: Decimal) -> Decimal:
        return value

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    @property
    def value(self) -> Decimal:
        """The exact value."""
        return self._value

    def _same(self, other: object) -> Decimal:
        if type(other) is not type(self):
            raise UnitMismatchError(
                f"cannot combine {type(self).__name__} with {type(other).__name__}"
            )
        return other._value

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._value == other._value

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._value))

    def __lt__(self, other: object) -> bool:
        return self._value < self._same(other)

    def __le__(self, other: object) -> bool:
        return self._value <= self._same(other)

    def __gt__(self, other: object) -> bool:
        return self._value > self._same(other)

    def __ge__(self, other: object) -> bool:
        return self._value >= self._same(other)

    def __str__(self) -> str:
        return str(self._value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}('{self._value}')"


class Price(_DecimalValue):
    """An exact price. Prices may be negative (spreads, some futures)."""

    __slots__ = ()
    _kind = "price"

    def __add__(self, other: Price) -> Price:
        return Price(_EXACT.add(self._value, self._same(other)))

    def __sub__(self, other: Price) -> Price:
        return Price(_EXACT.subtract(self._value, self._same(other)))

    def __neg__(self) -> Price:
        return Price(-self._value)


class Quantity(_DecimalValue):
    """An exact, non-negative quantity."""

    __slots__ = ()
    _kind = "quantity"

    @classmethod
    def _check(cls, value: Decimal) -> Decimal:
        if value < 0:
            raise InvalidInputError(
                "quantity",
                value,
                "is negative",
                "pass a quantity >= 0; the side says the direction",
            )
        return value

    def __add__(self, other: Quantity) -> Quantity:
        return Quantity(_EXACT.add(self._value, self._same(other)))

    def __sub__(self, other: Quantity) -> Quantity:
        return Quantity(_EXACT.subtract(self._value, self._same(other)))


class Money:
    """An exact amount of one currency, kept as an int of 10**-12 units."""

    __slots__ = ("currency", "raw")
    raw: int
    currency: Currency

    def __init__(self, amount: Number, currency: Currency) -> None:
        value = to_decimal(amount, "money")
        try:
            # In the exact context: the default 28-digit one would round a longer amount.
            scaled = value.scaleb(MONEY_DECIMALS, _EXACT)
        except decimal.Inexact:
            raise InvalidInputError(
                "money",
                amount,
                f"needs more than {_EXACT.prec} digits or is out of range",
                "pass a smaller amount",
            ) from None
        if scaled != scaled.to_integral_value():
            raise InvalidInputError(
                "money",
                amount,
                f"has more than {MONEY_DECIMALS} decimals",
                f"round the amount to at most {MONEY_DECIMALS} decimals",
            )
        object.__setattr__(self, "raw", int(scaled))
        object.__setattr__(self, "currency", currency)

    @classmethod
    def from_raw(cls, raw: int, currency: Currency) -> Money:
        """A Money from an int count of 10**-12 units (the engine's internal form)."""
        money = cls.__new__(cls)
        object.__setattr__(money, "raw", raw)
        object.__setattr__(money, "currency", currency)
        return money

    @classmethod
    def zero(cls, currency: Currency) -> Money:
        return cls.from_raw(0, currency)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Money is immutable")

    @property
    def amount(self) -> Decimal:
        """The exact amount as a Decimal."""
        return Decimal(self.raw).scaleb(-MONEY_DECIMALS, _EXACT).normalize(_EXACT)

    def _same(self, other: object) -> int:
        if not isinstance(other, Money):
            raise UnitMismatchError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise UnitMismatchError(
                f"cannot combine {self.currency.code} with {other.currency.code}; convert first"
            )
        return other.raw

    def __add__(self, other: Money) -> Money:
        return Money.from_raw(self.raw + self._same(other), self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money.from_raw(self.raw - self._same(other), self.currency)

    def __neg__(self) -> Money:
        return Money.from_raw(-self.raw, self.currency)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int) or isinstance(factor, bool):
            raise UnitMismatchError("Money can be multiplied by an int only; scale exactly first")
        return Money.from_raw(self.raw * factor, self.currency)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.currency == other.currency and self.raw == other.raw

    def __hash__(self) -> int:
        return hash((self.currency, self.raw))

    def __lt__(self, other: Money) -> bool:
        return self.raw < self._same(other)

    def __le__(self, other: Money) -> bool:
        return self.raw <= self._same(other)

    def __gt__(self, other: Money) -> bool:
        return self.raw > self._same(other)

    def __ge__(self, other: Money) -> bool:
        return self.raw >= self._same(other)

    def rounded(self, rounding: Rounding = "half_even") -> Money:
        """This amount rounded to the currency's settlement precision."""
        step = 10 ** (MONEY_DECIMALS - self.currency.precision)
        return Money.from_raw(round_div(self.raw, step, rounding) * step, self.currency)

    def __str__(self) -> str:
        return f"{self.amount:f} {self.currency.code}"

    def __repr__(self) -> str:
        return f"Money('{self.amount:f}', {self.currency.code})"
