"""Load bars, quotes and trades from a CSV (optionally gzip) or Parquet file as model objects.

Each loader runs the import pipeline (``ingest.load_columns``: read, map
columns, parse timestamps, convert prices and sizes exactly, check, apply the
policy) and builds the objects. It returns them with the ``DataReport``; under
``reject`` (the default) any problem raises ``DataError`` listing the
problems, and nothing is returned. See ``ingest`` for the timestamp
conventions (``timestamp_is``: a bar's ``ts_event`` is its close time).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from ironkeel.data.columns import ColumnMap, DataType
from ironkeel.data.convert import bars_from_columns, quotes_from_columns, trades_from_columns
from ironkeel.data.ingest import Columns, TimestampIs, load_columns
from ironkeel.data.report import DataReport
from ironkeel.data.validate import Policy
from ironkeel.model.data import Bar, PriceType, QuoteTick, TradeTick
from ironkeel.model.instruments import Instrument

__all__ = ["LoadResult", "items_of", "load", "load_bars", "load_quotes", "load_trades"]

T = TypeVar("T", Bar, QuoteTick, TradeTick)


@dataclass(frozen=True)
class LoadResult(Generic[T]):
    """The loaded items, in file order, and the report of what was found and done."""

    items: list[T]
    report: DataReport


def items_of(
    columns: Columns, instrument: Instrument
) -> list[Bar] | list[QuoteTick] | list[TradeTick]:
    """The model objects of validated columns."""
    if columns.data_type == "bars":
        if columns.bar_type is None:
            return []
        return bars_from_columns(columns.bar_type, columns.values)
    if columns.data_type == "quotes":
        return quotes_from_columns(instrument.id, columns.values)
    return trades_from_columns(instrument.id, columns.values, columns.trade_ids or [])


def load_bars(
    path: str | Path,
    instrument: Instrument,
    *,
    columns: ColumnMap | None = None,
    policy: Policy | str = Policy.REJECT,
    bar_interval_ns: int | None = None,
    timestamp_is: TimestampIs = "open",
    price_type: PriceType = PriceType.LAST,
) -> LoadResult[Bar]:
    """Load OHLCV bars. ``timestamp_is``: the file's timestamps are bar ``open`` (default)
    or ``close`` times; ``Bar.ts_event`` is the close time. The interval is
    ``bar_interval_ns`` or the most common step between timestamps."""
    data = load_columns(
        path,
        instrument,
        "bars",
        columns=columns,
        policy=policy,
        bar_interval_ns=bar_interval_ns,
        timestamp_is=timestamp_is,
        price_type=price_type,
    )
    bars = [] if data.bar_type is None else bars_from_columns(data.bar_type, data.values)
    return LoadResult(bars, data.report)


def load_quotes(
    path: str | Path,
    instrument: Instrument,
    *,
    columns: ColumnMap | None = None,
    policy: Policy | str = Policy.REJECT,
) -> LoadResult[QuoteTick]:
    """Load best bid/ask quotes (sizes are 0 if the file has none)."""
    data = load_columns(path, instrument, "quotes", columns=columns, policy=policy)
    return LoadResult(quotes_from_columns(instrument.id, data.values), data.report)


def load_trades(
    path: str | Path,
    instrument: Instrument,
    *,
    columns: ColumnMap | None = None,
    policy: Policy | str = Policy.REJECT,
) -> LoadResult[TradeTick]:
    """Load trade prints: price, size, aggressor side and trade id."""
    data = load_columns(path, instrument, "trades", columns=columns, policy=policy)
    trades = trades_from_columns(instrument.id, data.values, data.trade_ids or [])
    return LoadResult(trades, data.report)


def load(
    path: str | Path,
    instrument: Instrument,
    data_type: DataType,
    *,
    columns: ColumnMap | None = None,
    policy: Policy | str = Policy.REJECT,
    bar_interval_ns: int | None = None,
    timestamp_is: TimestampIs = "open",
    price_type: PriceType = PriceType.LAST,
) -> LoadResult[Bar] | LoadResult[QuoteTick] | LoadResult[TradeTick]:
    """Load ``data_type`` (``bars``, ``quotes`` or ``trades``); bar options apply to bars."""
    data = load_columns(
        path,
        instrument,
        data_type,
        columns=columns,
        policy=policy,
        bar_interval_ns=bar_interval_ns,
        timestamp_is=timestamp_is,
        price_type=price_type,
    )
    if data.data_type == "bars":
        bars = [] if data.bar_type is None else bars_from_columns(data.bar_type, data.values)
        return LoadResult(bars, data.report)
    if data.data_type == "quotes":
        return LoadResult(quotes_from_columns(instrument.id, data.values), data.report)
    trades = trades_from_columns(instrument.id, data.values, data.trade_ids or [])
    return LoadResult(trades, data.report)
