"""Exact conversion of prices and sizes to grid steps: strings, floats, ints, decimals."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Context, Decimal, localcontext

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ironkeel.data import grid
from ironkeel.data.grid import to_grid

STEPS = ["0.5", "0.01", "0.00000001", "5", "0.25", "1E+1"]


def one(value: object, step: str, **kw: int) -> tuple[int, int, int]:
    result = to_grid(pa.array([value]), Decimal(step), **kw)
    return int(result.code[0]), int(result.units[0]), int(result.floor[0])


@pytest.mark.parametrize(
    ("text", "step", "expected"),
    [
        ("46319.0", "0.5", (grid.OK, 92_638, 0)),
        ("-0.5", "0.5", (grid.OK, -1, 0)),
        (" 12 ", "0.5", (grid.OK, 24, 0)),
        ("+3.10000", "0.05", (grid.OK, 62, 0)),
        (".5", "0.5", (grid.OK, 1, 0)),
        ("5.", "5", (grid.OK, 1, 0)),
        ("1e-05", "0.00000001", (grid.OK, 1_000, 0)),
        ("2.5E3", "1E+1", (grid.OK, 250, 0)),
        ("12.35", "0.1", (grid.OFF_GRID, 0, 123)),
        ("-7.4", "5", (grid.OFF_GRID, 0, -2)),
        ("0.000000001", "0.00000001", (grid.OFF_GRID, 0, 0)),
        ("", "0.5", (grid.EMPTY, 0, 0)),
        ("nan", "0.5", (grid.NAN, 0, 0)),
        ("N/A", "0.5", (grid.NAN, 0, 0)),
        ("1,5", "0.5", (grid.NOT_NUMBER, 0, 0)),
        ("inf", "0.5", (grid.NOT_NUMBER, 0, 0)),
        ("99999999999999999999", "0.01", (grid.TOO_LARGE, 0, 0)),
        ("1e999999999", "0.01", (grid.TOO_LARGE, 0, 0)),
    ],
)
def test_when_strings_then_they_convert_exactly(text, step, expected):
    assert one(text, step) == expected


@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [
        (0.1, "0.1", (grid.OK, 1, 0)),
        (0.3, "0.1", (grid.OK, 3, 0)),  # the float nearest to 0.3, not 0.1 + 0.2
        (39_432.48, "0.01", (grid.OK, 3_943_248, 0)),
        (0.000263, "0.000001", (grid.OK, 263, 0)),
        (2.5e-7, "0.000001", (grid.OFF_GRID, 0, 0)),
        (float("nan"), "0.01", (grid.NAN, 0, 0)),
        (float("inf"), "0.01", (grid.NOT_NUMBER, 0, 0)),
        (1e300, "0.01", (grid.TOO_LARGE, 0, 0)),
        (None, "0.01", (grid.EMPTY, 0, 0)),
    ],
)
def test_when_floats_then_only_the_float_of_a_grid_point_is_on_grid(value, step, expected):
    assert one(value, step) == expected


def test_when_a_float_is_a_few_ulps_off_then_it_is_snapped_only_if_allowed():
    noisy = 0.1 + 0.2  # 0.30000000000000004, one ULP above the float of 0.3
    assert one(noisy, "0.1", float_ulps=4) == (grid.OK, 3, 0)
    assert one(noisy, "0.1", float_ulps=0) == (grid.OFF_GRID, 0, 3)
    assert to_grid(pa.array([noisy, 0.3]), Decimal("0.1"), float_ulps=4).snapped == 1


def test_when_ints_or_decimals_then_they_convert_exactly():
    assert one(15, "0.5") == (grid.OK, 30, 0)
    assert one(7, "5") == (grid.OFF_GRID, 0, 1)
    decimals = pa.array([Decimal("1.25"), None], pa.decimal128(10, 2))
    result = to_grid(decimals, Decimal("0.25"))
    assert result.units.tolist() == [5, 0]
    assert result.code.tolist() == [grid.OK, grid.EMPTY]


decimal_text = st.decimals(
    min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=10, allow_nan=False
).map(lambda d: format(d, "f"))


@given(values=st.lists(decimal_text, min_size=1, max_size=20), step=st.sampled_from(STEPS))
def test_property_string_conversion_matches_decimal_arithmetic(values, step):
    result = to_grid(pa.array(values), Decimal(step))
    with localcontext(Context(prec=60)):
        for text, code, units, floor in zip(
            values, result.code, result.units, result.floor, strict=True
        ):
            quotient = Decimal(text) / Decimal(step)
            if quotient == quotient.to_integral_value():
                assert (code, units) == (grid.OK, int(quotient))
            else:
                assert (code, floor) == (
                    grid.OFF_GRID,
                    int(quotient.to_integral_value(ROUND_FLOOR)),
                )


@given(
    steps=st.integers(min_value=-(10**12), max_value=10**12),
    step=st.sampled_from(["0.01", "0.00001", "0.5"]),
)
def test_property_the_float_of_any_grid_point_reads_back_as_that_point(steps, step):
    value = float(Decimal(steps) * Decimal(step))
    assert one(value, step, float_ulps=0) == (grid.OK, steps, 0)
