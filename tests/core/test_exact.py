"""``mul`` is Python's exact product for every pair of ints: small, negative, around the
machine-word limits and huge (compiled, it takes a machine multiply when it can)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ironkeel.core.exact import mul, products_le

EDGES = [
    0,
    1,
    -1,
    2**30,
    -(2**30),
    2**31 - 1,
    2**61 - 1,
    -(2**61) + 1,
    2**61,
    2**62,
    2**63,
    -(2**63),
]
UNIT = 10**10  # one tick x one lot of BTCUSD in money raw units


@given(st.integers(), st.integers())
def test_mul_is_the_exact_product(a: int, b: int) -> None:
    assert mul(a, b) == a * b


@given(st.sampled_from(EDGES), st.sampled_from(EDGES))
def test_mul_at_the_word_limits(a: int, b: int) -> None:
    assert mul(a, b) == a * b


@given(st.integers(-(10**7), 10**7), st.integers(1, 10**9))
def test_mul_of_money_sized_factors(lots: int, price: int) -> None:
    assert mul(mul(lots, price), UNIT) == lots * price * UNIT


def test_products_just_below_and_above_two_to_the_63() -> None:
    for a, b in [(3037000499, 3037000499), (3037000500, 3037000500), (2**32, 2**31 - 1)]:
        assert mul(a, b) == a * b
        assert mul(-a, b) == -a * b


@given(st.integers(), st.integers(), st.integers(), st.integers())
def test_products_le_is_the_exact_comparison(a: int, b: int, c: int, d: int) -> None:
    assert products_le(a, b, c, d) == (a * b <= c * d)


@given(
    st.integers(1, 10**20),
    st.integers(1, 10**3),
    st.integers(1, 10**3),
    st.integers(-1, 1),
)
def test_products_le_at_and_next_to_equality(x: int, den: int, num: int, step: int) -> None:
    """Products equal or one unit apart, far above 2**63: the float estimates cannot tell
    them apart, the exact comparison decides."""
    left = x * num  # left * den == (x * den) * num
    right = x * den + step
    assert products_le(left, den, num, right) == (left * den <= num * right)


def test_products_le_with_factors_beyond_a_float() -> None:
    huge = 10**400
    assert products_le(huge, 1, huge, 1)
    assert not products_le(huge + 1, 1, huge, 1)
    assert products_le(-huge, 2, 1, 1)
