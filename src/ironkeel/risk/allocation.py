"""Volatility-scaled allocation: a strategy's allocation shrinks as its volatility grows.

The rule (continuous, documented, exact once computed)::

    scale = clamp(reference_vol / realized_vol, min_scale, max_scale)
            rounded DOWN to a multiple of 0.0001
    allocation = base * scale, rounded DOWN to the currency's precision

- ``realized_vol`` is the sample standard deviation (n - 1) of the last
  ``window`` daily returns (default 20): exact integer arithmetic on the floats'
  binary values and a correctly rounded square root, so the same float as
  ``statistics.stdev`` (tested) at a hundredth of its cost. When it doubles
  relative to the reference, the scale halves; it is continuous in the
  volatility (up to the 0.0001 step and the clamps).
- ``reference_vol`` is given, or (None) the realized volatility of the first full
  window that has one above zero.
- Until the first full window, and while the reference is not known yet, the
  scale is ``clamp(1)``: no evidence, the base allocation. A realized volatility
  of zero (every return equal) gives ``max_scale``.
- The ratio of the two floats is taken exactly (integers) and floored to the
  0.0001 grid, so the scale is an exact ``Decimal`` and never rounds up: a
  float a hair below 0.5 gives 0.4999, never 0.5001.
- ``min_scale`` (default 0.1) keeps a strategy from being starved by a single
  volatile window; ``max_scale`` (default 1) keeps calm periods from levering up.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from ironkeel.model.errors import InvalidInputError
from ironkeel.model.values import Money, to_decimal

__all__ = ["SCALE_STEP", "VolatilityTarget", "sample_stdev"]

#: The scale's grid: four decimals.
SCALE_STEP: Final = Decimal("0.0001")
_STEPS: Final = 10_000


def _scale_bound(field: str, value: object, example: str) -> Decimal:
    result = to_decimal(value, field)
    if result <= 0:
        raise InvalidInputError(field, value, "must be above 0", f"pass e.g. Decimal('{example}')")
    if result != result.quantize(SCALE_STEP):
        raise InvalidInputError(
            field,
            value,
            f"is not a multiple of {SCALE_STEP}",
            f"round it to 4 decimals, e.g. Decimal('{example}')",
        )
    return result.quantize(SCALE_STEP)


#: Bits of the integer square root taken before rounding to a float: twice the float's
#: 53-bit significand plus guard bits, enough for round-to-odd to round correctly.
_ROOT_BITS: Final = 2 * 53 + 3


def sample_stdev(values: Sequence[float]) -> float:
    """The sample standard deviation (n - 1) of finite floats, exact: the value
    ``statistics.stdev`` returns, computed in integers.

    Every finite float is an integer over a power of two, so scaled to the largest
    denominator the values are integers ``k``, and the variance is exactly
    ``(n * sum(k**2) - sum(k)**2) / (n * (n - 1) * scale**2)``, whose square root is then
    rounded once, correctly.
    """
    count = len(values)
    if count < 2:
        raise InvalidInputError(
            "values", count, "are too few for a sample deviation", "pass at least two values"
        )
    ratios = [value.as_integer_ratio() for value in values]
    shift = max(denominator.bit_length() for _, denominator in ratios) - 1
    scaled = [
        numerator << (shift - denominator.bit_length() + 1) for numerator, denominator in ratios
    ]
    total = sum(scaled)
    numerator = count * sum(k * k for k in scaled) - total * total
    return _sqrt_of_ratio(numerator, count * (count - 1) << (2 * shift))


def _sqrt_of_ratio(numerator: int, denominator: int) -> float:
    """sqrt(numerator / denominator) (both >= 0, denominator > 0), correctly rounded: an
    integer root with ``_ROOT_BITS`` bits, its last bit made odd when inexact (round to
    odd), then one rounding to a float by the exact int division."""
    half = (numerator.bit_length() - denominator.bit_length() - _ROOT_BITS) // 2
    if half >= 0:
        root = _root_round_to_odd(numerator, denominator << (2 * half)) << half
        return root / 1
    return _root_round_to_odd(numerator << (-2 * half), denominator) / (1 << -half)


def _root_round_to_odd(numerator: int, denominator: int) -> int:
    root = math.isqrt(numerator // denominator)
    return root | (root * root * denominator != numerator)


def _vol(field: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, float | int):
        raise InvalidInputError(field, value, "must be a float", "pass e.g. 0.012 (1.2% a day)")
    result = float(value)
    if not math.isfinite(result) or result <= 0:
        raise InvalidInputError(field, value, "must be finite and above 0", "pass e.g. 0.012")
    return result


class VolatilityTarget:
    """Scales a strategy's allocation by ``reference_vol / realized_vol``, clamped."""

    def __init__(
        self,
        *,
        reference_vol: float | None = None,
        window: int = 20,
        min_scale: Decimal = Decimal("0.1"),
        max_scale: Decimal = Decimal(1),
    ) -> None:
        if type(window) is not int or window < 2:
            raise InvalidInputError(
                "window", window, "must be an int >= 2", "pass the number of daily returns, e.g. 20"
            )
        self.min_scale = _scale_bound("min_scale", min_scale, "0.1")
        self.max_scale = _scale_bound("max_scale", max_scale, "1")
        if self.min_scale > self.max_scale:
            raise InvalidInputError(
                "min_scale",
                min_scale,
                f"is above max_scale={self.max_scale}",
                "pass min_scale <= max_scale, e.g. 0.1 and 1",
            )
        self.window = window
        self._reference = None if reference_vol is None else _vol("reference_vol", reference_vol)
        self._returns: deque[float] = deque(maxlen=window)
        self._realized: float | None = None
        self._scale = self._clamp(Decimal(1))

    @property
    def reference_vol(self) -> float | None:
        return self._reference

    @property
    def realized_vol(self) -> float | None:
        """The volatility of the last full window (None before the first one)."""
        return self._realized

    @property
    def scale(self) -> Decimal:
        """The current scale: an exact Decimal on the 0.0001 grid, in [min_scale, max_scale]."""
        return self._scale

    def update(self, daily_return: float) -> Decimal:
        """Take one day's return into account; return the new scale."""
        if isinstance(daily_return, bool) or not isinstance(daily_return, float | int):
            raise InvalidInputError(
                "daily_return", daily_return, "must be a float", "pass e.g. 0.004 for +0.4%"
            )
        value = float(daily_return)
        if not math.isfinite(value):
            raise InvalidInputError(
                "daily_return", daily_return, "is not finite", "drop NaN and inf returns first"
            )
        self._returns.append(value)
        if len(self._returns) < self.window:
            return self._scale
        realized = sample_stdev(self._returns)
        self._realized = realized
        if self._reference is None:
            if realized > 0:
                self._reference = realized
            return self._scale
        self._scale = self.scale_for(realized)
        return self._scale

    def scale_for(self, realized_vol: float) -> Decimal:
        """The scale the rule gives for ``realized_vol`` (with the current reference)."""
        if self._reference is None:
            return self._clamp(Decimal(1))
        if realized_vol <= 0:
            return self.max_scale
        reference, reference_scale = self._reference.as_integer_ratio()
        realized, realized_scale = realized_vol.as_integer_ratio()
        steps = reference * realized_scale * _STEPS // (reference_scale * realized)
        return self._clamp(Decimal(steps).scaleb(-4))

    def allocation(self, base: Money) -> Money:
        """``base * scale``, rounded down to the currency's precision (exact)."""
        if not isinstance(base, Money):
            raise InvalidInputError("base", base, "is not Money", "pass the strategy's Money base")
        if base.raw < 0:
            raise InvalidInputError(
                "base", base, "is negative", "pass the strategy's base allocation (>= 0)"
            )
        steps = int(self._scale.scaleb(4))
        return Money.from_raw(base.raw * steps // _STEPS, base.currency).rounded("down")

    def _clamp(self, scale: Decimal) -> Decimal:
        return min(self.max_scale, max(self.min_scale, scale))
