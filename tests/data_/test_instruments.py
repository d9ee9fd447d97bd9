"""Instrument definitions from TOML: exact decimals, unknown keys named with the closest."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ironkeel.data import InstrumentSpec, load_instruments, parse_instruments
from ironkeel.model import AssetClass, Currency, InstrumentId, InvalidInputError, Venue

BTCUSDT = """
[[instrument]]
symbol = "BTCUSDT"
venue = "BINANCE"
asset_class = "crypto"
quote_currency = { code = "USDT", precision = 8 }
base_currency = { code = "BTC", precision = 8 }
price_increment = 0.01
size_increment = "0.00001"
maker_fee = 0.0002
taker_fee = "0.0004"
min_quantity = "0.0001"
max_quantity = 9000
min_notional = "5"

[[instrument]]
symbol = "6EH4"
venue = "XCME"
asset_class = "future"
quote_currency = { code = "USD", precision = 2 }
price_increment = "0.00005"
size_increment = 1
multiplier = 125000
"""


def test_when_a_toml_file_defines_instruments_then_they_load_exactly(tmp_path):
    path = tmp_path / "instruments.toml"
    path.write_text(BTCUSDT, encoding="utf-8")
    found = load_instruments(path)
    btc = found[InstrumentId("BTCUSDT", Venue("BINANCE"))]
    assert btc.price_increment == Decimal("0.01")  # a TOML float read as the decimal written
    assert btc.maker_fee == Decimal("0.0002")
    assert btc.quote_currency == Currency("USDT", 8)
    assert btc.base_currency == Currency("BTC", 8)
    assert (btc.min_quantity, btc.max_quantity) == (10, 900_000_000)
    assert btc.asset_class is AssetClass.CRYPTO
    euro = found[InstrumentId("6EH4", Venue("XCME"))]
    assert euro.multiplier == 125_000
    assert InstrumentSpec.of(btc).to_instrument() == btc


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("price_increment", "pric_increment"), "pric_increment=.*did you mean 'price_increment'"),
        (
            ("precision = 8 }", "precison = 8 }"),
            "quote_currency.precison.*did you mean 'precision'",
        ),
        (('"crypto"', '"crpyto"'), "asset_class='crpyto'.*did you mean 'crypto'"),
        (('"0.00001"', '"-1"'), "size_increment=.*must be positive"),
        (("[[instrument]]", "[[instruments]]"), "instruments.*did you mean 'instrument'"),
    ],
)
def test_when_a_definition_is_wrong_then_the_error_names_it(change, message):
    with pytest.raises(InvalidInputError, match=message):
        parse_instruments(BTCUSDT.replace(*change, 1), "defs.toml")


def test_when_an_instrument_is_defined_twice_or_the_file_is_bad_then_it_is_an_error(tmp_path):
    twice = BTCUSDT.split("[[instrument]]")[1]
    with pytest.raises(InvalidInputError, match="is defined twice"):
        parse_instruments(f"[[instrument]]{twice}[[instrument]]{twice}")
    with pytest.raises(InvalidInputError, match="is not valid TOML"):
        parse_instruments("symbol = ")
    with pytest.raises(InvalidInputError, match="cannot be read"):
        load_instruments(tmp_path / "missing.toml")
