"""Instrument definitions from a TOML file (and to/from the catalog's JSON).

One ``[[instrument]]`` table per instrument::

    [[instrument]]
    symbol = "BTCUSDT"
    venue = "BINANCE"
    asset_class = "crypto"            # one of ironkeel.model.AssetClass's values
    quote_currency = { code = "USDT", precision = 8 }
    base_currency = { code = "BTC", precision = 8 }   # optional
    price_increment = "0.01"          # TOML numbers are read exactly too (0.01)
    size_increment = "0.00001"
    multiplier = "1"                  # optional, default 1
    maker_fee = "0.0002"              # optional rates, default 0
    taker_fee = "0.0004"
    min_quantity = "0.00001"          # optional
    max_quantity = "9000"             # optional
    min_notional = "5"                # optional, in the quote currency

An unknown key is an error naming the closest valid key; the Instrument's own
checks (positive increments, plausible fees, grid) apply as well.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import msgspec

from ironkeel.model.enums import AssetClass
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import InstrumentId, Venue
from ironkeel.model.instruments import Instrument
from ironkeel.model.values import Currency

__all__ = ["CurrencySpec", "InstrumentSpec", "load_instruments", "parse_instruments"]


class CurrencySpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    code: str
    precision: int

    def to_currency(self) -> Currency:
        return Currency(self.code, self.precision)


class InstrumentSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An instrument as written in a file: plain values, decimals exact."""

    symbol: str
    venue: str
    asset_class: str
    quote_currency: CurrencySpec
    price_increment: Decimal
    size_increment: Decimal
    base_currency: CurrencySpec | None = None
    multiplier: Decimal = Decimal(1)
    maker_fee: Decimal = Decimal(0)
    taker_fee: Decimal = Decimal(0)
    min_quantity: Decimal | None = None
    max_quantity: Decimal | None = None
    min_notional: Decimal | None = None

    def to_instrument(self) -> Instrument:
        try:
            asset_class = AssetClass(self.asset_class)
        except ValueError:
            valid = [a.value for a in AssetClass]
            raise InvalidInputError(
                "asset_class",
                self.asset_class,
                "is not an asset class",
                _closest(self.asset_class, valid),
            ) from None
        return Instrument(
            id=InstrumentId(self.symbol, Venue(self.venue)),
            asset_class=asset_class,
            quote_currency=self.quote_currency.to_currency(),
            base_currency=None if self.base_currency is None else self.base_currency.to_currency(),
            price_increment=self.price_increment,
            size_increment=self.size_increment,
            multiplier=self.multiplier,
            maker_fee=self.maker_fee,
            taker_fee=self.taker_fee,
            min_quantity=self.min_quantity,
            max_quantity=self.max_quantity,
            min_notional=self.min_notional,
        )

    @classmethod
    def of(cls, instrument: Instrument) -> InstrumentSpec:
        """The spec that rebuilds ``instrument`` exactly."""

        base = instrument.base_currency
        return cls(
            symbol=instrument.id.symbol,
            venue=instrument.id.venue.value,
            asset_class=instrument.asset_class.value,
            quote_currency=_currency_spec(instrument.quote_currency),
            base_currency=None if base is None else _currency_spec(base),
            price_increment=instrument.price_increment,
            size_increment=instrument.size_increment,
            multiplier=instrument.multiplier,
            maker_fee=instrument.maker_fee,
            taker_fee=instrument.taker_fee,
            min_quantity=instrument.min_quantity * instrument.size_increment,
            max_quantity=None
            if instrument.max_quantity is None
            else instrument.max_quantity * instrument.size_increment,
            min_notional=None
            if instrument.min_notional is None
            else instrument.min_notional.amount,
        )


def _currency_spec(currency: Currency) -> CurrencySpec:
    return CurrencySpec(code=currency.code, precision=currency.precision)


_KEYS: Final = tuple(InstrumentSpec.__struct_fields__)
_CURRENCY_KEYS: Final = tuple(CurrencySpec.__struct_fields__)
_CURRENCIES: Final = ("quote_currency", "base_currency")


def _closest(key: str, valid: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}valid: {', '.join(valid)}"


def _check_keys(where: str, table: Mapping[str, Any], valid: tuple[str, ...]) -> None:
    for key in table:
        if key not in valid:
            raise InvalidInputError(
                f"{where}.{key}", table[key], "is not a known key", _closest(key, valid)
            )


def parse_instruments(text: str, source: str = "<string>") -> dict[InstrumentId, Instrument]:
    """Instruments from TOML text; ``source`` names the file in error messages."""
    try:
        document = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(
            source, "", f"is not valid TOML ({exc})", "fix the syntax"
        ) from None
    _check_keys(source, document, ("instrument",))
    tables = document.get("instrument", [])
    if not isinstance(tables, list) or not tables:
        raise InvalidInputError(
            source,
            "",
            "has no [[instrument]] tables",
            "add one [[instrument]] table per instrument",
        )
    found: dict[InstrumentId, Instrument] = {}
    for number, table in enumerate(tables, start=1):
        where = f"{source}: instrument #{number} ({table.get('symbol', '?')})"
        _check_keys(where, table, _KEYS)
        for name in _CURRENCIES:
            if isinstance(table.get(name), Mapping):
                _check_keys(f"{where}.{name}", table[name], _CURRENCY_KEYS)
        try:
            spec = msgspec.convert(table, InstrumentSpec)
        except msgspec.ValidationError as exc:
            raise InvalidInputError(
                where, "", str(exc), "see the format in ironkeel.data.instruments"
            ) from None
        try:
            instrument = spec.to_instrument()
        except InvalidInputError as exc:
            raise InvalidInputError(
                f"{where}.{exc.field}", exc.value, exc.problem, exc.fix
            ) from None
        if instrument.id in found:
            raise InvalidInputError(
                where, str(instrument.id), "is defined twice", "keep one definition"
            )
        found[instrument.id] = instrument
    return found


def load_instruments(path: str | Path) -> dict[InstrumentId, Instrument]:
    """Instruments defined in a TOML file, by id."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(
            str(file), "", f"cannot be read ({exc.strerror})", "check the path"
        ) from None
    return parse_instruments(text, str(file))
