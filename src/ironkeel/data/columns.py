"""Which column of a file holds which field: ``ColumnMap`` and its auto-detection.

A field is found, unless mapped explicitly, by comparing each column's
*normalised* name (lower case, runs of anything but letters and digits turned
into one ``_``, trimmed: ``"Time (UTC)"`` -> ``time_utc``) with the field's
aliases, in order; the first alias that matches wins, and two columns matching
the same alias is an error (say which one with an explicit mapping). A mapping
is a column name (matched exactly, then case-insensitively, then normalised)
or a 0-based column position.

A file whose first line has a field starting with a digit (or a sign or a dot
followed by a digit) is taken to have no header; its columns are named by
``ColumnMap.names``, or, for a 12-column file whose columns 0 and 6 are the
open and close times of a kline (close = next open - 1 ms), by the Binance
kline preset (``ColumnMap.binance_kline()``).
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from typing import Final, Literal

import msgspec

from ironkeel.model.errors import InvalidInputError

__all__ = ["DATA_TYPES", "FIELDS", "ColumnMap", "DataType", "TimestampUnit", "normalise"]

DataType = Literal["bars", "quotes", "trades"]
TimestampUnit = Literal["s", "ms", "us", "ns"]
Column = str | int | None

DATA_TYPES: Final[tuple[DataType, ...]] = ("bars", "quotes", "trades")

#: Per data type: the required fields, then the optional ones.
FIELDS: Final[dict[DataType, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "bars": (("timestamp", "open", "high", "low", "close"), ("volume",)),
    "quotes": (("timestamp", "bid", "ask"), ("bid_size", "ask_size")),
    "trades": (("timestamp", "price", "size"), ("side", "buyer_maker", "trade_id")),
}

#: Normalised aliases per field, most specific first; the second tuple of
#: ``timestamp`` (an unnamed or pandas index column) is tried only if the first finds none.
ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "timestamp": (
        "timestamp",
        "timestamp_utc",
        "ts_event",
        "ts",
        "datetime",
        "datetime_utc",
        "date_time",
        "time",
        "time_utc",
        "date",
        "open_time",
        "gmt_time",
        "local_time",
    ),
    "open": ("open", "o", "open_price", "first"),
    "high": ("high", "h", "high_price", "max"),
    "low": ("low", "l", "low_price", "min"),
    "close": ("close", "c", "close_price", "last"),
    "volume": ("volume", "vol", "v", "base_volume"),
    "bid": ("bid", "bid_price", "best_bid", "best_bid_price", "bid_px", "bidprice"),
    "ask": ("ask", "ask_price", "best_ask", "best_ask_price", "ask_px", "askprice", "offer"),
    "bid_size": ("bid_size", "bid_qty", "bid_quantity", "bid_volume", "bid_sz", "bidsize"),
    "ask_size": ("ask_size", "ask_qty", "ask_quantity", "ask_volume", "ask_sz", "asksize"),
    "price": ("price", "px", "trade_price", "last_price"),
    "size": ("size", "quantity", "qty", "amount", "volume", "trade_size", "last_qty"),
    "side": ("side", "aggressor_side", "taker_side", "aggressor"),
    "buyer_maker": ("buyer_maker", "is_buyer_maker"),
    "trade_id": ("trade_id", "tid", "id", "agg_trade_id", "match_id"),
}
INDEX_ALIASES: Final = ("", "unnamed_0", "index", "index_level_0")

BINANCE_KLINE_NAMES: Final = (
    "open_time",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "close_time",
    "quote_volume",
    "trades",
    "taker_buy_base_volume",
    "taker_buy_quote_volume",
    "ignore",
)

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_DATA_START = re.compile(r"^\s*[+-]?\.?\d")


def normalise(name: str) -> str:
    """``"Time (UTC)"`` -> ``"time_utc"``: the form aliases are compared in."""
    return _NON_ALNUM.sub("_", name.strip().lower()).strip("_")


def looks_like_data(fields: list[str]) -> bool:
    """True if a first line is data rather than a header: a field starts with a number."""
    return any(_DATA_START.match(field) for field in fields)


class ColumnMap(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How to read a file: which column is which field, and the timestamp format.

    Every field is ``None`` (auto-detect), a column name or a 0-based position.
    ``names`` names the columns of a headerless file; ``header`` forces the file
    to have (``True``) or not have (``False``) a header line (``None``: detect).
    ``timestamp_unit`` fixes the unit of epoch-number timestamps (else detected
    from their magnitude) and ``tz`` the zone of timestamps written without one
    (else UTC). ``delimiter`` is the CSV field separator. ``float_ulps``: a float
    price or size (Parquet) that is up to this many units in the last place from
    the float of a grid point is read as that grid point (float-arithmetic noise,
    counted in the report's notes); 0 accepts only the nearest float.
    """

    timestamp: Column = None
    open: Column = None
    high: Column = None
    low: Column = None
    close: Column = None
    volume: Column = None
    bid: Column = None
    ask: Column = None
    bid_size: Column = None
    ask_size: Column = None
    price: Column = None
    size: Column = None
    side: Column = None
    buyer_maker: Column = None
    trade_id: Column = None
    names: tuple[str, ...] | None = None
    header: bool | None = None
    timestamp_unit: TimestampUnit | None = None
    tz: str | None = None
    delimiter: str = ","
    float_ulps: int = 4

    def __post_init__(self) -> None:
        if self.tz is not None:
            try:
                zoneinfo.ZoneInfo(self.tz)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise InvalidInputError(
                    "ColumnMap.tz", self.tz, "is not a known time zone", "use e.g. 'Europe/London'"
                ) from None
        if len(self.delimiter) != 1:
            raise InvalidInputError(
                "ColumnMap.delimiter", self.delimiter, "must be one character", "use ',' or ';'"
            )
        if not 0 <= self.float_ulps <= 1024:
            raise InvalidInputError(
                "ColumnMap.float_ulps", self.float_ulps, "is outside 0..1024", "use e.g. 4"
            )
        if self.names is not None and len(set(self.names)) != len(self.names):
            raise InvalidInputError(
                "ColumnMap.names", self.names, "has duplicate names", "name each column once"
            )

    @classmethod
    def binance_kline(cls) -> ColumnMap:
        """Binance's raw kline export: no header, open time in ms first, 12 columns."""
        return cls(names=BINANCE_KLINE_NAMES, header=False, timestamp="open_time")

    def mapped(self, field: str) -> Column:
        value: Column = getattr(self, field)
        return value


def _find_explicit(wanted: str | int, names: list[str]) -> tuple[str | None, str]:
    """The column an explicit mapping names, or None and why not."""
    if isinstance(wanted, int):
        if 0 <= wanted < len(names):
            return names[wanted], ""
        return None, f"position {wanted} is outside the file's {len(names)} columns"
    for match in (
        lambda n: n == wanted,
        lambda n: n.lower() == wanted.lower(),
        lambda n: normalise(n) == normalise(wanted),
    ):
        found = [n for n in names if match(n)]
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1:
            return None, f"matches several columns {found}"
    close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return None, f"is not a column of the file{hint}"


def _find_alias(field: str, names: list[str]) -> tuple[str | None, str]:
    groups = [ALIASES[field]] + ([INDEX_ALIASES] if field == "timestamp" else [])
    normalised = [normalise(n) for n in names]
    for aliases in groups:
        for alias in aliases:
            found = [n for n, norm in zip(names, normalised, strict=True) if norm == alias]
            if len(found) > 1:
                return None, f"several columns could be {field}: {found}"
            if found:
                return found[0], ""
    return None, ""


def resolve(
    columns: ColumnMap, names: list[str], data_type: DataType
) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Map each field of ``data_type`` to a column of ``names``.

    Returns the mapping and a list of (field, value, message) for the fields that
    could not be resolved (missing required fields, bad or ambiguous mappings).
    """
    required, optional = FIELDS[data_type]
    found: dict[str, str] = {}
    errors: list[tuple[str, str, str]] = []
    for field in required + optional:
        wanted = columns.mapped(field)
        if wanted is not None:
            column, why = _find_explicit(wanted, names)
            if column is None:
                errors.append((field, str(wanted), f"the mapping for {field} {why}"))
                continue
        else:
            column, why = _find_alias(field, names)
            if why:
                errors.append((field, "", why))
                continue
            if column is None:
                if field in required:
                    errors.append((field, "", f"no column for {field}"))
                continue
        found[field] = column
    used: dict[str, str] = {}
    for field, column in found.items():
        if column in used:
            errors.append((field, column, f"column {column!r} is already {used[column]}"))
        used[column] = field
    return found, errors
