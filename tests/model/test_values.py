"""Price, Quantity, Money, Currency and round_div: exact, immutable, unit-safe."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ironkeel.model.errors import InvalidInputError, UnitMismatchError
from ironkeel.model.values import (
    MONEY_DECIMALS,
    MONEY_SCALE,
    Currency,
    Money,
    Price,
    Quantity,
    round_div,
    to_decimal,
)

# --- construction -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Price, Quantity])
@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        (Decimal("101.25"), Decimal("101.25")),
        (101, Decimal(101)),
        ("101.25", Decimal("101.25")),
        (" 0.1 ", Decimal("0.1")),
        ("1e3", Decimal(1000)),
        (0, Decimal(0)),
    ],
)
def test_when_given_decimal_int_or_str_then_value_is_exact(kind, given_value, expected):
    assert kind(given_value).value == expected


@pytest.mark.parametrize("kind", [Price, Quantity])
def test_when_given_a_float_then_error_names_the_field_and_the_fix(kind):
    with pytest.raises(InvalidInputError) as caught:
        kind(0.1)
    error = caught.value
    assert error.field == kind.__name__.lower()
    assert "float" in error.problem
    assert "str or Decimal" in error.fix
    assert f"{kind.__name__.lower()}=0.1" in str(error)
    assert "Fix:" in str(error)


@pytest.mark.parametrize("kind", [Price, Quantity])
@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (True, "bool"),
        (False, "bool"),
        ("NaN", "not finite"),
        ("sNaN", "not finite"),
        ("inf", "not finite"),
        ("-Infinity", "not finite"),
        (Decimal("NaN"), "not finite"),
        ("", "not a number"),
        ("1,5", "not a number"),
        ("abc", "not a number"),
        (None, "has type NoneType"),
        ([1], "has type list"),
        (1 + 2j, "has type complex"),
    ],
)
def test_when_given_a_bool_non_finite_or_garbage_then_rejected(kind, bad, problem):
    with pytest.raises(InvalidInputError, match=problem):
        kind(bad)


def test_when_quantity_is_negative_then_rejected_with_the_side_hint():
    with pytest.raises(InvalidInputError, match="the side says the direction"):
        Quantity("-0.001")


def test_when_price_is_negative_then_accepted_for_spreads():
    assert Price("-1.5").value == Decimal("-1.5")


def test_to_decimal_names_the_given_field():
    with pytest.raises(InvalidInputError) as caught:
        to_decimal(1.5, "Bar.open")
    assert caught.value.field == "Bar.open"


# --- immutability, equality, hashing ------------------------------------------------------


@pytest.mark.parametrize("value", [Price("1"), Quantity("1"), Money("1", Currency("USD", 2))])
def test_when_setting_an_attribute_then_attribute_error(value):
    with pytest.raises(AttributeError, match="immutable"):
        value._value = Decimal(2)  # type: ignore[misc]


def test_when_equal_values_differ_in_trailing_zeros_then_equal_and_same_hash():
    assert Price("1.50") == Price("1.5")
    assert hash(Price("1.50")) == hash(Price("1.5"))
    assert len({Quantity("2"), Quantity("2.000")}) == 1


def test_when_price_and_quantity_have_same_number_then_not_equal():
    assert Price("1") != Quantity("1")
    assert Price("1") != Decimal(1)
    assert Price("1") != "1"


@pytest.mark.parametrize(
    "combine",
    [
        lambda: Price("1") + Quantity("1"),
        lambda: Quantity("1") - Price("1"),
        lambda: Price("1") < Quantity("2"),
        lambda: Quantity("1") >= Price("2"),
        lambda: Price("1") + Decimal(1),
        lambda: Price("1") + 1,
    ],
)
def test_when_mixing_price_and_quantity_then_unit_mismatch_type_error(combine):
    with pytest.raises(UnitMismatchError) as caught:
        combine()
    assert isinstance(caught.value, TypeError)


# --- arithmetic ---------------------------------------------------------------------------


def test_when_adding_tenths_then_result_is_exact():
    assert Price("0.1") + Price("0.2") == Price("0.3")
    assert Quantity("0.3") - Quantity("0.1") == Quantity("0.2")
    assert -Price("1.25") == Price("-1.25")


def test_when_comparing_same_kind_then_ordered_by_value():
    assert Price("1") < Price("1.01") <= Price("1.01") < Price("2")
    assert Quantity("3") > Quantity("2.999") >= Quantity("2.999")


def test_when_quantity_subtraction_goes_negative_then_rejected():
    with pytest.raises(InvalidInputError, match="negative"):
        Quantity("1") - Quantity("2")


def test_when_sum_needs_more_digits_than_exact_context_then_raises_instead_of_rounding():
    tiny = Price("1e-70")
    with pytest.raises(decimal.Inexact):
        Price("1") + tiny


@given(
    a=st.decimals(places=8, min_value=-(10**9), max_value=10**9),
    b=st.decimals(places=8, min_value=-(10**9), max_value=10**9),
)
def test_price_sum_equals_decimal_sum(a, b):
    assert (Price(a) + Price(b)).value == a + b
    assert (Price(a) - Price(b)).value == a - b


# --- money --------------------------------------------------------------------------------


def test_money_holds_an_int_of_ten_to_minus_twelve_units(usd):
    money = Money("1.5", usd)
    assert money.raw == 15 * 10**11
    assert MONEY_SCALE == 10**MONEY_DECIMALS == 10**12
    assert money.amount == Decimal("1.5")
    assert str(money) == "1.5 USD"
    assert repr(money) == "Money('1.5', USD)"


@pytest.mark.parametrize(
    ("amount", "raw"),
    [
        ("0.000000000001", 1),
        ("-0.000000000001", -1),
        ("1.000000000000000", MONEY_SCALE),
        (Decimal("1.5E+3"), 1500 * MONEY_SCALE),
        (7, 7 * MONEY_SCALE),
        ("12345678901234567890.123456789012", 12345678901234567890123456789012),
    ],
)
def test_when_amount_has_at_most_12_decimals_then_raw_is_exact(usd, amount, raw):
    assert Money(amount, usd).raw == raw


@pytest.mark.parametrize(
    "amount",
    [
        "0.0000000000001",
        "1.0000000000000000000000000001",  # 29 digits: the default 28-digit context would round
        "123456789012345678.0000000000001",
    ],
)
def test_when_amount_has_more_than_12_decimals_then_rejected(usd, amount):
    with pytest.raises(InvalidInputError, match="more than 12 decimals"):
        Money(amount, usd)


@pytest.mark.parametrize("amount", ["1e999999999", "1" * 61 + ".5"])
def test_when_amount_cannot_be_held_exactly_then_invalid_input_error(usd, amount):
    with pytest.raises(InvalidInputError, match="money"):
        Money(amount, usd)


def test_when_money_is_given_a_float_then_rejected(usd):
    with pytest.raises(InvalidInputError, match="float"):
        Money(1.5, usd)  # type: ignore[arg-type]


def test_money_arithmetic_is_exact(usd):
    assert Money("0.1", usd) + Money("0.2", usd) == Money("0.3", usd)
    assert Money("1", usd) - Money("1.000000000001", usd) == Money("-0.000000000001", usd)
    assert -Money("2", usd) == Money("-2", usd)
    assert Money("0.1", usd) * 3 == Money("0.3", usd)
    assert Money.zero(usd) == Money(0, usd)
    assert Money.from_raw(5, usd).amount == Decimal("5e-12")


def test_when_money_compares_then_ordered_within_a_currency(usd):
    assert Money("1", usd) < Money("1.01", usd) <= Money("1.01", usd)
    assert Money("2", usd) > Money("1", usd) >= Money("1", usd)


@pytest.mark.parametrize(
    "combine",
    [
        lambda usd, eur: Money("1", usd) + Money("1", eur),
        lambda usd, eur: Money("1", usd) - Money("1", eur),
        lambda usd, eur: Money("1", usd) < Money("1", eur),
        lambda usd, eur: Money("1", usd) + Price("1"),
        lambda usd, eur: Money("1", usd) * Decimal(2),
        lambda usd, eur: Money("1", usd) * 1.5,
        lambda usd, eur: Money("1", usd) * True,
    ],
)
def test_when_mixing_currencies_or_kinds_then_unit_mismatch(usd, eur, combine):
    with pytest.raises(UnitMismatchError):
        combine(usd, eur)


def test_when_currencies_differ_then_money_is_not_equal(usd, eur):
    assert Money("1", usd) != Money("1", eur)
    assert Money("1", usd) != Decimal(1)


def test_when_mixing_currencies_then_message_says_convert_first(usd, eur):
    with pytest.raises(UnitMismatchError, match="cannot combine USD with EUR; convert first"):
        Money("1", usd) + Money("1", eur)


@pytest.mark.parametrize(
    ("amount", "rounding", "expected"),
    [
        ("1.005", "half_even", "1.00"),
        ("1.015", "half_even", "1.02"),
        ("1.005", "half_up", "1.01"),
        ("-1.005", "half_up", "-1.01"),
        ("-1.005", "half_even", "-1.00"),
        ("1.001", "up", "1.01"),
        ("-1.001", "up", "-1.01"),
        ("1.009", "down", "1.00"),
        ("-1.009", "down", "-1.00"),
        ("1.00", "up", "1.00"),
        ("0.000000000001", "up", "0.01"),
    ],
)
def test_money_rounded_to_settlement_precision(usd, amount, rounding, expected):
    assert Money(amount, usd).rounded(rounding) == Money(expected, usd)


def test_money_rounded_defaults_to_half_even_and_uses_the_currency_precision():
    btc = Currency("BTC", 8)
    assert Money("0.000000005", btc).rounded() == Money("0", btc)
    assert Money("0.000000015", btc).rounded() == Money("0.00000002", btc)
    assert Money("2.5", Currency("JPY", 0)).rounded() == Money("2", Currency("JPY", 0))


# --- currency -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "precision", "field"),
    [
        ("usd", 2, "Currency.code"),
        ("U", 2, "Currency.code"),
        ("US-D", 2, "Currency.code"),
        ("ABCDEFGHIJK", 2, "Currency.code"),
        ("USD", -1, "Currency.precision"),
        ("USD", 13, "Currency.precision"),
    ],
)
def test_when_currency_is_malformed_then_error_names_the_field(code, precision, field):
    with pytest.raises(InvalidInputError) as caught:
        Currency(code, precision)
    assert caught.value.field == field


def test_currency_is_hashable_and_prints_its_code():
    assert str(Currency("USDT", 6)) == "USDT"
    assert {Currency("USD", 2), Currency("USD", 2)} == {Currency("USD", 2)}


# --- round_div ----------------------------------------------------------------------------

_DECIMAL_MODES = {
    "half_even": decimal.ROUND_HALF_EVEN,
    "half_up": decimal.ROUND_HALF_UP,
    "up": decimal.ROUND_UP,
    "down": decimal.ROUND_DOWN,
}


@given(
    numerator=st.integers(min_value=-(10**40), max_value=10**40),
    denominator=st.integers(min_value=1, max_value=10**30),
    rounding=st.sampled_from(sorted(_DECIMAL_MODES)),
)
def test_round_div_matches_the_decimal_module(numerator, denominator, rounding):
    # 200 digits: far more than the 40-digit integer part, so the one rounding that
    # matters is the final to_integral (no double-rounding can move a result).
    context = decimal.Context(prec=200, rounding=_DECIMAL_MODES[rounding])
    quotient = context.divide(Decimal(numerator), Decimal(denominator))
    expected = int(quotient.to_integral_value(rounding=_DECIMAL_MODES[rounding]))
    assert round_div(numerator, denominator, rounding) == expected


@pytest.mark.parametrize(
    ("numerator", "rounding", "expected"),
    [
        (5, "half_even", 0),
        (15, "half_even", 2),
        (25, "half_even", 2),
        (35, "half_even", 4),
        (-25, "half_even", -2),
        (25, "half_up", 3),
        (-25, "half_up", -3),
        (21, "up", 3),
        (-21, "up", -3),
        (29, "down", 2),
        (-29, "down", -2),
        (20, "up", 2),
    ],
)
def test_round_div_ties_and_directions(numerator, rounding, expected):
    assert round_div(numerator, 10, rounding) == expected


@pytest.mark.parametrize("denominator", [0, -1])
def test_when_round_div_denominator_is_not_positive_then_rejected(denominator):
    with pytest.raises(InvalidInputError, match="denominator"):
        round_div(1, denominator, "half_even")
