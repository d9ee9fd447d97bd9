"""Fee models: small policy objects, one call per fill.

Every model returns the fee of one fill as an int of 10**-12 units of the
instrument's quote currency, rounded half-up (a tie away from zero) to the
currency's settlement precision (``Currency.precision``), with ``round_div``
(integer arithmetic, never float).

Minimum per order: a model's ``minimum`` (quote currency, rounded half-up to the
currency's precision) is a floor on the total commission of one order. It is
charged up front on the order's first fill; each later fill pays only what takes
the order's total above the minimum. So an order's total is always
``max(sum of its fills' fees, minimum)`` however it is split (see
``order_commission_raw``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final, Protocol

from ironkeel.model.enums import LiquiditySide
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.instruments import Instrument
from ironkeel.model.values import MONEY_DECIMALS, MONEY_SCALE, round_div, to_decimal

__all__ = [
    "BpsFee",
    "FeeModel",
    "MakerTakerFee",
    "NoFee",
    "PerUnitFee",
    "order_commission_raw",
]

Number = Decimal | int | str
_MAKER: Final = LiquiditySide.MAKER
_BPS: Final = 10_000
_STEPS: Final[dict[int, int]] = {p: 10 ** (MONEY_DECIMALS - p) for p in range(MONEY_DECIMALS + 1)}


class FeeModel(Protocol):
    """The fee of one fill; ``minimum`` is the per-order floor (0: none)."""

    @property
    def minimum(self) -> Decimal: ...

    def fee_raw(
        self, instrument: Instrument, liquidity: LiquiditySide, last_qty: int, last_px: int
    ) -> int:
        """The fee of ``last_qty`` lots at ``last_px`` ticks, in money units, rounded."""
        ...


def _step(instrument: Instrument) -> int:
    return _STEPS[instrument.quote_currency.precision]


def _round(numerator: int, denominator: int, instrument: Instrument) -> int:
    step = _step(instrument)
    return round_div(numerator, denominator * step, "half_up") * step


def _non_negative(owner: str, field: str, value: Number) -> Decimal:
    amount = to_decimal(value, f"{owner}.{field}")
    if amount < 0:
        raise InvalidInputError(
            f"{owner}.{field}", value, "is negative", "pass an amount >= 0 (0 for none)"
        )
    return amount


def minimum_raw(model: FeeModel, instrument: Instrument) -> int:
    """``model.minimum`` in money units of the instrument's quote currency, rounded half-up."""
    num, den = model.minimum.as_integer_ratio()
    return _round(num * MONEY_SCALE, den, instrument)


def order_commission_raw(fee_raw: int, accrued_raw: int, paid_raw: int, minimum: int) -> int:
    """What one fill is charged, given the order's fees so far.

    ``fee_raw`` is this fill's fee, ``accrued_raw`` the sum of the order's
    earlier fills' fees, ``paid_raw`` what the order was charged so far and
    ``minimum`` the per-order floor: the charge brings the total paid to
    ``max(accrued + fee, minimum)``.
    """
    if minimum <= 0:
        return fee_raw
    return max(accrued_raw + fee_raw, minimum) - paid_raw


class NoFee:
    """No commission."""

    __slots__ = ()
    minimum: Final = Decimal(0)

    def fee_raw(
        self, instrument: Instrument, liquidity: LiquiditySide, last_qty: int, last_px: int
    ) -> int:
        return 0

    def __repr__(self) -> str:
        return "NoFee()"


class PerUnitFee:
    """A fixed amount per unit of quantity (e.g. 0.005 USD per share)."""

    __slots__ = ("_den", "_num", "minimum", "per_unit")

    def __init__(self, per_unit: Number, *, minimum: Number = 0) -> None:
        self.per_unit = _non_negative("PerUnitFee", "per_unit", per_unit)
        self.minimum = _non_negative("PerUnitFee", "minimum", minimum)
        self._num, self._den = self.per_unit.as_integer_ratio()

    def fee_raw(
        self, instrument: Instrument, liquidity: LiquiditySide, last_qty: int, last_px: int
    ) -> int:
        lot_num, lot_den = instrument.size_increment.as_integer_ratio()
        return _round(self._num * lot_num * last_qty * MONEY_SCALE, self._den * lot_den, instrument)

    def __repr__(self) -> str:
        return f"PerUnitFee({self.per_unit}, minimum={self.minimum})"


class BpsFee:
    """A share of the fill's notional in basis points (1 bp = 0.01%), maker or taker alike."""

    __slots__ = ("_den", "_num", "bps", "minimum")

    def __init__(self, bps: Number, *, minimum: Number = 0) -> None:
        self.bps = _non_negative("BpsFee", "bps", bps)
        self.minimum = _non_negative("BpsFee", "minimum", minimum)
        self._num, self._den = self.bps.as_integer_ratio()

    def fee_raw(
        self, instrument: Instrument, liquidity: LiquiditySide, last_qty: int, last_px: int
    ) -> int:
        notional = abs(last_px * last_qty * instrument.unit_raw)
        return _round(notional * self._num, self._den * _BPS, instrument)

    def __repr__(self) -> str:
        return f"BpsFee({self.bps}, minimum={self.minimum})"


class MakerTakerFee:
    """Different bps for maker and taker fills; None takes the instrument's own rate.

    ``maker_bps`` may be negative (a rebate, paid to the account) but not below
    ``-taker_bps``; ``taker_bps`` must be >= 0.
    """

    __slots__ = ("_rates", "maker_bps", "minimum", "taker_bps")

    def __init__(
        self,
        maker_bps: Number | None = None,
        taker_bps: Number | None = None,
        *,
        minimum: Number = 0,
    ) -> None:
        self.taker_bps = (
            None if taker_bps is None else _non_negative("MakerTakerFee", "taker_bps", taker_bps)
        )
        maker = None if maker_bps is None else to_decimal(maker_bps, "MakerTakerFee.maker_bps")
        if maker is not None and maker < -(self.taker_bps or 0):
            raise InvalidInputError(
                "MakerTakerFee.maker_bps",
                maker_bps,
                "is a rebate larger than the taker fee",
                "pass a maker_bps >= -taker_bps",
            )
        self.maker_bps = maker
        self.minimum = _non_negative("MakerTakerFee", "minimum", minimum)
        #: Per instrument (by identity; the entry keeps it alive so its id is not reused):
        #: the instrument, (num, den * step) for maker and for taker fills, and the step.
        self._rates: dict[int, tuple[Instrument, tuple[int, int], tuple[int, int], int]] = {}

    def _rates_of(
        self, instrument: Instrument
    ) -> tuple[Instrument, tuple[int, int], tuple[int, int], int]:
        step = _step(instrument)
        maker_num, maker_den = self._rate(instrument, _MAKER)
        taker_num, taker_den = self._rate(instrument, LiquiditySide.TAKER)
        rates = (instrument, (maker_num, maker_den * step), (taker_num, taker_den * step), step)
        self._rates[id(instrument)] = rates
        return rates

    def _rate(self, instrument: Instrument, liquidity: LiquiditySide) -> tuple[int, int]:
        if liquidity is _MAKER:
            bps, rate = self.maker_bps, instrument.maker_fee
        else:
            bps, rate = self.taker_bps, instrument.taker_fee
        if bps is None:
            return rate.as_integer_ratio()
        num, den = bps.as_integer_ratio()
        return num, den * _BPS

    def fee_raw(
        self, instrument: Instrument, liquidity: LiquiditySide, last_qty: int, last_px: int
    ) -> int:
        # Once per fill: the rate's integer ratio is worked out once per instrument.
        rates = self._rates.get(id(instrument))
        if rates is None or rates[0] is not instrument:
            rates = self._rates_of(instrument)
        num, den = rates[1] if liquidity is _MAKER else rates[2]
        # round_div(notional * num, den, "half_up"), inlined (den > 0, notional >= 0)
        q, r = divmod(
            abs(last_px * last_qty * instrument.unit_raw) * (-num if num < 0 else num), den
        )
        if r + r >= den:
            q += 1
        return (-q if num < 0 else q) * rates[3]

    def __repr__(self) -> str:
        return (
            f"MakerTakerFee(maker_bps={self.maker_bps}, taker_bps={self.taker_bps}, "
            f"minimum={self.minimum})"
        )
