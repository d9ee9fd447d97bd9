"""Data files into model objects for a run: loading (through ``ironkeel.data``) and, when
a run names no instrument definition, inferring the instrument's grid from the file.

Inference is explicit and reported: the price increment is the largest step that
puts every price in the file on the grid (the gcd of the prices at their longest
decimal length), the size increment ``10**-d`` for the sizes' longest decimal
length ``d``, capped so that one tick times one lot stays within the engine's
money precision (and at 8 decimals). A run's notes say what was inferred.
"""

from __future__ import annotations

from decimal import Decimal
from math import gcd
from pathlib import Path
from typing import Any, Literal

import msgspec
import pyarrow as pa
import pyarrow.compute as pc

from ironkeel.data.columns import ColumnMap, resolve
from ironkeel.data.load import LoadResult, load_bars, load_quotes, load_trades
from ironkeel.data.read import ReadError, read_table
from ironkeel.data.report import DataReport
from ironkeel.model.enums import AssetClass
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import InstrumentId, Venue
from ironkeel.model.instruments import Instrument
from ironkeel.model.values import MONEY_DECIMALS, Currency

__all__ = ["infer_instrument", "load_items"]

Kind = Literal["bars", "quotes", "trades"]
_PRICES = {"bars": ("open", "high", "low", "close"), "quotes": ("bid", "ask"), "trades": ("price",)}
_SIZES = {"bars": ("volume",), "quotes": ("bid_size", "ask_size"), "trades": ("size",)}
MAX_SIZE_DECIMALS = 8


def column_map(columns: dict[str, Any] | None) -> ColumnMap | None:
    if not columns:
        return None
    try:
        return msgspec.convert(columns, ColumnMap)
    except msgspec.ValidationError as error:
        raise InvalidInputError(
            "columns", columns, str(error), "see ironkeel.data.columns.ColumnMap for the keys"
        ) from None


def load_items(
    path: Path,
    instrument: Instrument,
    *,
    kind: Kind,
    timestamp_is: Literal["open", "close"] = "open",
    columns: dict[str, Any] | None = None,
    policy: str = "reject",
) -> tuple[list[Any], DataReport]:
    """The file's bars, quotes or trades and the load report; invalid data raises
    ``DataError`` (nothing runs)."""
    mapping = column_map(columns)
    result: LoadResult[Any]
    if kind == "bars":
        result = load_bars(
            path, instrument, columns=mapping, policy=policy, timestamp_is=timestamp_is
        )
    elif kind == "quotes":
        result = load_quotes(path, instrument, columns=mapping, policy=policy)
    else:
        result = load_trades(path, instrument, columns=mapping, policy=policy)
    return list(result.items), result.report


def _decimals_and_gcd(column: pa.ChunkedArray) -> tuple[int, int]:
    """Longest decimal length of the values, and the gcd of the values scaled by it
    (exact Decimal parsing; inference is a one-off, declared instruments skip it)."""
    values: list[Decimal] = []
    decimals = 0
    for text in pc.cast(column, pa.string()).to_pylist():
        if text is None or not text.strip():
            continue
        try:
            value = Decimal(text.strip())
        except ArithmeticError:
            continue  # the loader reports unparsable cells with their row
        if not value.is_finite():
            continue
        exponent = value.as_tuple().exponent
        decimals = max(decimals, -exponent if isinstance(exponent, int) else 0)
        values.append(value)
    step = 0
    for value in values:
        step = gcd(step, abs(int(value.scaleb(decimals))))
        if step == 1:
            break
    return decimals, step or 1


def infer_instrument(
    path: Path,
    symbol: str,
    venue: Venue,
    currency: Currency,
    *,
    kind: Kind = "bars",
    columns: dict[str, Any] | None = None,
) -> Instrument:
    """An instrument whose grid fits every price and size in ``path`` (see the module doc)."""
    mapping = column_map(columns) or ColumnMap()
    try:
        raw = read_table(path, mapping)
    except ReadError as error:
        raise InvalidInputError(str(path), "", error.message, error.fix) from None
    found, errors = resolve(raw.columns, raw.table.column_names, kind)
    if errors:
        field, value, message = errors[0]
        raise InvalidInputError(f"{path}: {field}", value, message, "map the column (columns=)")
    price_decimals, price_gcd = 0, 0
    for field in _PRICES[kind]:
        decimals, step = _decimals_and_gcd(raw.table.column(found[field]))
        if decimals > price_decimals:
            price_gcd *= 10 ** (decimals - price_decimals)
            price_decimals = decimals
        else:
            step *= 10 ** (price_decimals - decimals)
        price_gcd = gcd(price_gcd, step)
    tick = Decimal(price_gcd or 1).scaleb(-price_decimals)
    exponent = tick.normalize().as_tuple().exponent
    tick_decimals = max(-exponent, 0) if isinstance(exponent, int) else 0
    size_decimals = 0
    for field in _SIZES[kind]:
        if field in found:
            size_decimals = max(size_decimals, _decimals_and_gcd(raw.table.column(found[field]))[0])
    size_decimals = min(size_decimals, MAX_SIZE_DECIMALS, MONEY_DECIMALS - tick_decimals)
    return Instrument(
        id=InstrumentId(symbol, venue),
        asset_class=AssetClass.CRYPTO,
        quote_currency=currency,
        price_increment=tick.normalize(),
        size_increment=Decimal(1).scaleb(-size_decimals),
    )
