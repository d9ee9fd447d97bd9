"""Volatility targeting: the allocation scales by reference / realized volatility, exactly."""

from __future__ import annotations

import math
import random
import statistics
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ironkeel.model.errors import InvalidInputError
from ironkeel.model.values import Currency, Money
from ironkeel.risk.allocation import VolatilityTarget, sample_stdev

USD = Currency("USD", 2)
BASE = Money("1000000", USD)


def returns(seed: int, n: int = 20, scale: float = 0.01) -> list[float]:
    rnd = random.Random(seed)
    return [rnd.gauss(0, scale) for _ in range(n)]


def test_before_a_full_window_the_scale_is_one():
    target = VolatilityTarget()
    for r in returns(1, 19):
        assert target.update(r) == Decimal(1)
    assert target.realized_vol is None
    assert target.allocation(BASE) == BASE


def test_when_volatility_doubles_then_the_allocation_halves():
    target = VolatilityTarget()  # the first full window's volatility is the reference
    calm = returns(2)
    for r in calm:
        target.update(r)
    assert target.reference_vol == target.realized_vol
    assert target.scale == Decimal(1)
    for r in calm:
        target.update(2 * r)  # the same days, twice as large: exactly double the volatility
    assert target.realized_vol == 2 * target.reference_vol
    assert target.scale == Decimal("0.5")
    assert target.allocation(BASE) == Money("500000", USD)


def test_a_given_reference_applies_from_the_first_full_window():
    target = VolatilityTarget(reference_vol=0.01)
    for r in returns(3, scale=0.04):
        target.update(r)
    realized = target.realized_vol
    assert realized is not None
    expected = Decimal(int(0.01 / realized * 10_000)).scaleb(-4)
    assert target.scale == max(expected, Decimal("0.1"))


def test_the_scale_is_continuous_and_never_rounds_up():
    target = VolatilityTarget(reference_vol=0.01, min_scale=Decimal("0.0001"))
    previous = None
    for i in range(1, 2_000):
        vol = 0.005 + i * 0.00001
        scale = target.scale_for(vol)
        assert scale.as_tuple().exponent >= -4
        assert Fraction(scale) <= Fraction(0.01) / Fraction(vol) or scale == 1  # down, or clamped
        if previous is not None:
            # A small step in volatility moves the scale by at most the ratio's change + 1 step.
            ratio_step = 0.01 / (vol - 0.00001) - 0.01 / vol
            assert Decimal(0) <= previous - scale <= Decimal(ratio_step) + Decimal("0.0001")
        previous = scale


# Finite floats whose deviation fits a float (statistics.stdev overflows beyond that).
_RETURNS = st.lists(
    st.floats(min_value=-1e150, max_value=1e150, allow_nan=False, allow_subnormal=True),
    min_size=2,
    max_size=40,
)


@given(_RETURNS)
@example([0.1, 0.1, 0.1])  # equal values: zero, exactly
@example([5e-324, -5e-324])  # the smallest subnormals
@example([1e150, -1e150, 3.0])  # wide exponent range
@example([0.0, -0.0])
def test_the_deviation_is_the_standard_librarys_to_the_last_bit(values):
    ours = sample_stdev(values)
    assert ours == statistics.stdev(values)
    assert math.copysign(1.0, ours) == 1.0


def test_a_deviation_needs_two_values():
    with pytest.raises(InvalidInputError):
        sample_stdev([0.01])


@given(
    st.floats(min_value=1e-12, max_value=1e3),
    st.floats(min_value=1e-12, max_value=1e3),
)
def test_the_scale_is_the_exact_ratio_floored_to_the_grid(reference, realized):
    target = VolatilityTarget(
        reference_vol=reference, min_scale=Decimal("0.0001"), max_scale=Decimal(100_000)
    )
    steps = math.floor(Fraction(reference) / Fraction(realized) * 10_000)
    expected = min(Decimal(100_000), max(Decimal("0.0001"), Decimal(steps).scaleb(-4)))
    assert target.scale_for(realized) == expected


def test_the_scale_is_clamped_to_its_bounds():
    target = VolatilityTarget(reference_vol=0.01, min_scale=Decimal("0.25"))
    assert target.scale_for(1.0) == Decimal("0.25")  # 100x the volatility: floor
    assert target.scale_for(0.001) == Decimal(1)  # a tenth of it: no leverage above 1
    assert target.scale_for(0.0) == Decimal(1)  # no volatility at all: max_scale
    levered = VolatilityTarget(reference_vol=0.01, max_scale=Decimal(2))
    assert levered.scale_for(0.004) == Decimal(2)
    assert levered.scale_for(0.008) == Decimal("1.25")


def test_the_allocation_is_rounded_down_to_the_currency_precision():
    target = VolatilityTarget()
    calm = returns(4)
    for r in calm + [3 * r for r in calm]:  # three times the volatility: 1/3 -> 0.3333
        target.update(r)
    assert target.scale == Decimal("0.3333")
    assert target.allocation(Money("100.99", USD)) == Money("33.65", USD)  # 33.6599...
    assert target.allocation(Money("0", USD)) == Money("0", USD)


def test_a_flat_first_window_does_not_set_a_zero_reference():
    target = VolatilityTarget(window=3)
    for _ in range(5):
        target.update(0.0)
    assert target.reference_vol is None
    assert target.scale == Decimal(1)
    for r in (0.01, -0.01, 0.02):
        target.update(r)
    assert target.reference_vol is not None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"min_scale": 0.1}, "min_scale"),
        ({"min_scale": Decimal("0.00005")}, "min_scale"),
        ({"min_scale": Decimal(0)}, "min_scale"),
        ({"min_scale": Decimal("0.5"), "max_scale": Decimal("0.4")}, "min_scale"),
        ({"reference_vol": 0.0}, "reference_vol"),
        ({"reference_vol": float("nan")}, "reference_vol"),
        ({"window": 1}, "window"),
    ],
)
def test_bad_settings_are_refused(kwargs, field):
    with pytest.raises(InvalidInputError) as info:
        VolatilityTarget(**kwargs)
    assert info.value.field == field


def test_bad_returns_and_bases_are_refused():
    target = VolatilityTarget()
    with pytest.raises(InvalidInputError):
        target.update(float("inf"))
    with pytest.raises(InvalidInputError):
        target.update(True)
    with pytest.raises(InvalidInputError):
        target.allocation(Money("-1", USD))
