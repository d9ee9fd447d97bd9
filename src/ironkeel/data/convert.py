"""Validated int columns (ns, ticks, lots) to model objects, and model objects back.

The columns are already checked, so construction cannot fail; each object still
runs its own invariant checks (the model's constructors), which is where most
of the load time goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

from ironkeel.model.data import Bar, BarType, QuoteTick, TradeTick
from ironkeel.model.enums import AggressorSide
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import InstrumentId

__all__ = [
    "SIDE_CODES",
    "ItemColumns",
    "Items",
    "bar_columns",
    "bars_from_columns",
    "item_columns",
    "quote_columns",
    "quotes_from_columns",
    "trade_columns",
    "trades_from_columns",
]

Ints = NDArray[np.int64]
Items = Sequence[Bar] | Sequence[QuoteTick] | Sequence[TradeTick]

#: Aggressor side <-> the int8 code the importer and the catalog use.
SIDE_CODES: Final = {AggressorSide.BUYER: 1, AggressorSide.SELLER: -1, AggressorSide.NONE: 0}
_SIDES: Final = {code: side for side, code in SIDE_CODES.items()}


def bars_from_columns(bar_type: BarType, columns: dict[str, Ints]) -> list[Bar]:
    """Bars from ``ts_event``, ``ts_init``, ``open``, ``high``, ``low``, ``close``, ``volume``."""
    names = ("open", "high", "low", "close", "volume", "ts_event", "ts_init")
    lists = [columns[n].tolist() for n in names]
    return [
        Bar(bar_type, o, h, lo, c, v, te, ti) for o, h, lo, c, v, te, ti in zip(*lists, strict=True)
    ]


def quotes_from_columns(instrument_id: InstrumentId, columns: dict[str, Ints]) -> list[QuoteTick]:
    names = ("bid", "ask", "bid_size", "ask_size", "ts_event", "ts_init")
    lists = [columns[n].tolist() for n in names]
    return [
        QuoteTick(instrument_id, b, a, bs, az, te, ti)
        for b, a, bs, az, te, ti in zip(*lists, strict=True)
    ]


def trades_from_columns(
    instrument_id: InstrumentId, columns: dict[str, Ints], trade_ids: Sequence[str]
) -> list[TradeTick]:
    names = ("price", "size", "side", "ts_event", "ts_init")
    price, size, side, ts_event, ts_init = (columns[n].tolist() for n in names)
    sides = _SIDES
    return [
        TradeTick(instrument_id, p, s, sides[a], t, te, ti)
        for p, s, a, t, te, ti in zip(price, size, side, trade_ids, ts_event, ts_init, strict=True)
    ]


def _ints(values: list[int]) -> Ints:
    return np.asarray(values, dtype=np.int64)


def bar_columns(bars: Sequence[Bar]) -> dict[str, Ints]:
    return {
        "ts_event": _ints([b.ts_event for b in bars]),
        "ts_init": _ints([b.ts_init for b in bars]),
        "open": _ints([b.open for b in bars]),
        "high": _ints([b.high for b in bars]),
        "low": _ints([b.low for b in bars]),
        "close": _ints([b.close for b in bars]),
        "volume": _ints([b.volume for b in bars]),
    }


def quote_columns(quotes: Sequence[QuoteTick]) -> dict[str, Ints]:
    return {
        "ts_event": _ints([q.ts_event for q in quotes]),
        "ts_init": _ints([q.ts_init for q in quotes]),
        "bid": _ints([q.bid for q in quotes]),
        "ask": _ints([q.ask for q in quotes]),
        "bid_size": _ints([q.bid_size for q in quotes]),
        "ask_size": _ints([q.ask_size for q in quotes]),
    }


def trade_columns(trades: Sequence[TradeTick]) -> tuple[dict[str, Ints], list[str]]:
    columns = {
        "ts_event": _ints([t.ts_event for t in trades]),
        "ts_init": _ints([t.ts_init for t in trades]),
        "price": _ints([t.price for t in trades]),
        "size": _ints([t.size for t in trades]),
        "side": _ints([SIDE_CODES[t.aggressor_side] for t in trades]),
    }
    return columns, [t.trade_id for t in trades]


class ItemColumns(NamedTuple):
    """Model objects of one kind as int columns (see ``ingest.Columns``)."""

    data_type: Literal["bars", "quotes", "trades"]
    values: dict[str, Ints]
    trade_ids: list[str] | None
    bar_type: BarType | None


def item_columns(items: Items) -> ItemColumns:
    """The columns of bars of one type, or quotes, or trades; mixing kinds is an error."""
    kinds = {type(item) for item in items}
    if len(kinds) != 1:
        raise InvalidInputError(
            "items", sorted(k.__name__ for k in kinds), "mix kinds of data", "pass one kind"
        )
    bars = [item for item in items if isinstance(item, Bar)]
    if bars:
        types = {b.bar_type for b in bars}
        if len(types) != 1:
            raise InvalidInputError(
                "items", sorted(map(str, types)), "mix bar types", "pass one bar type at a time"
            )
        return ItemColumns("bars", bar_columns(bars), None, bars[0].bar_type)
    quotes = [item for item in items if isinstance(item, QuoteTick)]
    if quotes:
        return ItemColumns("quotes", quote_columns(quotes), None, None)
    trades = [item for item in items if isinstance(item, TradeTick)]
    values, trade_ids = trade_columns(trades)
    return ItemColumns("trades", values, trade_ids, None)
