"""Instrument: the price/size grid, float acceptance only on the grid, exact notional."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ironkeel.model.enums import AssetClass
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import InstrumentId
from ironkeel.model.instruments import Instrument
from ironkeel.model.values import MONEY_SCALE, Currency, Money, Price, Quantity


def make_instrument(**overrides):
    fields = {
        "id": InstrumentId.parse("ESZ4.CME"),
        "asset_class": AssetClass.FUTURE,
        "quote_currency": Currency("USD", 2),
        "price_increment": "0.25",
        "size_increment": 1,
        "multiplier": 50,
    }
    fields.update(overrides)
    return Instrument(**fields)


# --- grid conversions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "ticks"),
    [
        ("100.0", 1000),
        (Decimal("100.1"), 1001),
        (Price("-0.3"), -3),
        (0, 0),
        (7, 70),
        (0.5, 5),
        (100.1, 1001),
        (-0.3, -3),
    ],
)
def test_when_price_is_on_the_grid_then_ticks_are_exact(btcusdt, price, ticks):
    assert btcusdt.ticks(price) == ticks


@pytest.mark.parametrize(
    ("quantity", "lots"),
    [("0.001", 1), ("1", 1000), (Quantity("0.25"), 250), (0, 0), (2, 2000), (0.5, 500)],
)
def test_when_quantity_is_on_the_grid_then_lots_are_exact(btcusdt, quantity, lots):
    assert btcusdt.lots(quantity) == lots


def test_ticks_and_lots_convert_back_to_price_and_quantity(btcusdt):
    assert btcusdt.price_from_ticks(1001) == Price("100.1")
    assert btcusdt.quantity_from_lots(250) == Quantity("0.25")
    assert btcusdt.price("100.1") == Price("100.1")
    assert btcusdt.quantity(0.5) == Quantity("0.5")


@pytest.mark.parametrize(
    ("price", "neighbours"),
    [
        ("100.25", "use 100.2 or 100.3"),
        ("-100.25", "use -100.3 or -100.2"),
        ("0.05", "use 0.0 or 0.1"),
        (
            "-1234567890123456789012345678.95",
            "use -1234567890123456789012345679.0 or -1234567890123456789012345678.9",
        ),
    ],
)
def test_when_price_is_off_the_grid_then_error_suggests_both_neighbours(btcusdt, price, neighbours):
    with pytest.raises(InvalidInputError) as caught:
        btcusdt.ticks(price)
    assert caught.value.fix == neighbours
    assert caught.value.field == "BTCUSDT.SIM.price"
    assert "not a multiple of 0.1" in caught.value.problem


def test_when_off_grid_digit_is_past_the_28th_then_still_rejected(btcusdt):
    # 29 significant digits of ticks: a 28-digit decimal division would round it onto the grid.
    with pytest.raises(InvalidInputError, match="not a multiple"):
        btcusdt.ticks("100.00000000000000000000000001")


def test_when_price_has_more_than_28_digits_then_ticks_are_still_exact(btcusdt):
    assert btcusdt.ticks("1234567890123456789012345678.9") == 12345678901234567890123456789


def test_when_quantity_is_off_the_grid_then_error_names_the_field(btcusdt):
    with pytest.raises(InvalidInputError, match=r"use 0\.001 or 0\.002") as caught:
        btcusdt.lots("0.0015")
    assert caught.value.field == "BTCUSDT.SIM.quantity"


def test_when_quantity_is_negative_then_rejected(btcusdt):
    with pytest.raises(InvalidInputError, match="negative"):
        btcusdt.lots("-0.001")


@pytest.mark.parametrize("value", [0.1 + 0.2, 100.05, 1e-9])
def test_when_float_is_not_exactly_a_grid_point_then_rejected(btcusdt, value):
    with pytest.raises(InvalidInputError, match="float that is not exactly on the grid"):
        btcusdt.ticks(value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_when_float_is_not_finite_then_rejected(btcusdt, value):
    with pytest.raises(InvalidInputError, match="not finite"):
        btcusdt.ticks(value)


@pytest.mark.parametrize("bad", [True, "abc", None])
def test_when_price_is_not_a_number_then_rejected(btcusdt, bad):
    with pytest.raises(InvalidInputError):
        btcusdt.ticks(bad)


def test_grid_errors_use_the_given_field_name(btcusdt):
    with pytest.raises(InvalidInputError) as caught:
        btcusdt.ticks("1.05", "trigger_price")
    assert caught.value.field == "BTCUSDT.SIM.trigger_price"


# --- limits, unit and notional ------------------------------------------------------------


def test_min_and_max_quantity_are_lots(btcusdt):
    assert btcusdt.min_quantity == 1
    assert btcusdt.max_quantity == 100_000


def test_when_min_quantity_is_not_given_then_one_lot_and_no_maximum():
    instrument = make_instrument()
    assert instrument.min_quantity == 1
    assert instrument.max_quantity is None
    assert instrument.min_notional is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"min_quantity": 0}, "min_quantity"),
        ({"min_quantity": 5, "max_quantity": 4}, "max_quantity"),
        ({"min_quantity": "0.5"}, "min_quantity"),
        ({"max_quantity": -1}, "max_quantity"),
    ],
)
def test_when_quantity_limits_are_inconsistent_then_rejected(overrides, field):
    with pytest.raises(InvalidInputError, match=field):
        make_instrument(**overrides)


def test_unit_raw_is_tick_times_lot_times_multiplier_in_money_units(btcusdt):
    assert btcusdt.unit_raw == 10**8  # 0.1 * 0.001 USD = 1e-4 USD = 1e8 units of 1e-12
    assert make_instrument().unit_raw == 25 * 50 * MONEY_SCALE // 100  # 12.5 USD


def test_notional_is_exact_integer_arithmetic(btcusdt):
    usd = btcusdt.quote_currency
    notional = btcusdt.notional(btcusdt.ticks("65000.1"), btcusdt.lots("0.003"))
    assert notional == Money("195.0003", usd)
    assert btcusdt.notional(-3, 7) == Money("-0.0021", usd)


def test_min_notional_is_money_in_the_quote_currency():
    instrument = make_instrument(min_notional="10")
    assert instrument.min_notional == Money("10", Currency("USD", 2))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price_increment": 0}, "price_increment"),
        ({"price_increment": "-0.01"}, "price_increment"),
        ({"size_increment": "0"}, "size_increment"),
        ({"multiplier": -1}, "multiplier"),
        ({"price_increment": 0.01}, "price_increment"),
        ({"price_increment": "abc"}, "price_increment"),
        (
            {"price_increment": "0.0000001", "size_increment": "0.0000001", "multiplier": 1},
            "price_increment*size_increment*multiplier",
        ),
        ({"maker_fee": "1"}, "maker_fee"),
        ({"taker_fee": "-1"}, "taker_fee"),
        ({"taker_fee": 0.0004}, "taker_fee"),
    ],
)
def test_when_increment_multiplier_or_fee_is_bad_then_rejected(overrides, field):
    with pytest.raises(InvalidInputError) as caught:
        make_instrument(**overrides)
    assert caught.value.field == field


def test_instrument_is_immutable_and_hashable_by_id(btcusdt):
    with pytest.raises(AttributeError, match="immutable"):
        btcusdt.price_increment = Decimal("1")  # type: ignore[misc]
    assert hash(btcusdt) == hash(btcusdt.id)
    assert make_instrument() == make_instrument()
    assert make_instrument() != make_instrument(taker_fee="0.0001")
    assert make_instrument() != "ESZ4.CME"
    assert repr(make_instrument()) == "Instrument(ESZ4.CME, tick=0.25, lot=1)"
