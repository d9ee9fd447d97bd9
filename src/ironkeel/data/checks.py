"""The value checks of each data type, on exact int columns (ticks, lots).

Each check returns ``Finding`` s (see ``validate``); only rows whose fields
converted cleanly are checked, so one bad cell is reported once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from ironkeel.data.read import RawTable
from ironkeel.data.validate import Finding, same_rows

__all__ = ["bar_findings", "parse_sides", "quote_findings", "trade_findings", "trade_id_findings"]

Ints = NDArray[np.int64]
Mask = NDArray[np.bool_]

BUYER: Final = 1
SELLER: Final = -1
NO_SIDE: Final = 0
_SIDES: Final = {
    **dict.fromkeys(("buy", "b", "buyer", "bid"), BUYER),
    **dict.fromkeys(("sell", "s", "seller", "ask", "a", "offer"), SELLER),
    **dict.fromkeys(("none", "unknown", "no_aggressor"), NO_SIDE),
}
_BUYER_MAKER: Final = {
    **dict.fromkeys(("true", "t", "1", "yes", "y"), SELLER),  # the buyer rested: a seller hit it
    **dict.fromkeys(("false", "f", "0", "no", "n"), BUYER),
}
_POSITIVE_FIX: Final = "prices must be > 0: correct the value or remove the row"


def _positive(field: str, units: Ints, ok: Mask) -> list[Finding]:
    rows = np.flatnonzero(ok & (units <= 0))
    if not len(rows):
        return []
    return [Finding(rows, field, ["is not positive"] * len(rows), _POSITIVE_FIX)]


def _not_negative(field: str, units: Ints, ok: Mask, *, zero_ok: bool = True) -> list[Finding]:
    found = []
    negative = np.flatnonzero(ok & (units < 0))
    if len(negative):
        found.append(
            Finding(negative, field, ["is negative"] * len(negative), "sizes are >= 0: correct it")
        )
    if not zero_ok:
        zero = np.flatnonzero(ok & (units == 0))
        if len(zero):
            found.append(
                Finding(zero, field, ["is zero"] * len(zero), "a trade has a positive size")
            )
    return found


def _text(units: int, step: Decimal) -> str:
    return str(units * step)


def bar_findings(
    values: dict[str, Ints], ok: dict[str, Mask], tick: Decimal, *, has_volume: bool
) -> list[Finding]:
    """Non-positive prices, high < low, open/close outside [low, high], negative volume."""
    o, h, lo, c = (values[f] for f in ("open", "high", "low", "close"))
    found: list[Finding] = []
    for field in ("open", "high", "low", "close"):
        found += _positive(field, values[field], ok[field])
    clean = (
        ok["open"] & ok["high"] & ok["low"] & ok["close"] & (np.minimum.reduce([o, h, lo, c]) > 0)
    )
    crossed = np.flatnonzero(clean & (h < lo))
    if len(crossed):
        messages = [f"is below the low {_text(v, tick)}" for v in lo[crossed].tolist()]
        found.append(Finding(crossed, "high", messages, "correct the bar's high and low"))
    sound = clean & (h >= lo)
    top, bottom = np.maximum(o, c), np.minimum(o, c)
    fix = "correct the bar, or policy='repair' widens high/low to contain open and close"
    for field, rows, edge, word in (
        ("high", np.flatnonzero(sound & (top > h)), top, "below"),
        ("low", np.flatnonzero(sound & (bottom < lo)), bottom, "above"),
    ):
        if len(rows):
            which = np.where(edge[rows] == o[rows], "open", "close")
            messages = [
                f"is {word} the {name} {_text(v, tick)}"
                for name, v in zip(which.tolist(), edge[rows].tolist(), strict=True)
            ]
            found.append(Finding(rows, field, messages, fix, "set", edge[rows].astype(np.int64)))
    if has_volume:
        found += _not_negative("volume", values["volume"], ok["volume"])
    return found


def quote_findings(
    values: dict[str, Ints], ok: dict[str, Mask], tick: Decimal, sizes: tuple[str, ...]
) -> list[Finding]:
    """Non-positive bid/ask, a crossed quote (bid > ask), negative sizes."""
    found = _positive("bid", values["bid"], ok["bid"]) + _positive("ask", values["ask"], ok["ask"])
    bid, ask = values["bid"], values["ask"]
    crossed = np.flatnonzero(ok["bid"] & ok["ask"] & (bid > 0) & (ask > 0) & (bid > ask))
    if len(crossed):
        messages = [f"is above the ask {_text(v, tick)} (crossed)" for v in ask[crossed].tolist()]
        found.append(Finding(crossed, "bid", messages, "check the feed; remove crossed quotes"))
    for field in sizes:
        found += _not_negative(field, values[field], ok[field])
    return found


def trade_findings(
    values: dict[str, Ints], ok: dict[str, Mask], sides: NDArray[np.int8], side_field: str | None
) -> list[Finding]:
    """Non-positive price, a size <= 0, an unknown aggressor side."""
    found = _positive("price", values["price"], ok["price"])
    found += _not_negative("size", values["size"], ok["size"], zero_ok=False)
    if side_field is not None:
        rows = np.flatnonzero(sides == _UNKNOWN)
        if len(rows):
            names = "buy/sell/b/s" if side_field == "side" else "true/false"
            found.append(
                Finding(rows, side_field, [f"is not one of {names}"] * len(rows), "fix the side")
            )
    return found


_UNKNOWN: Final = 2


def parse_sides(column: pa.ChunkedArray | pa.Array, field: str) -> NDArray[np.int8]:
    """Aggressor side per row (+1 buyer, -1 seller, 0 none; 2 unknown/empty).

    ``field`` is ``side`` (buy/sell, b/s, buyer/seller...) or ``buyer_maker``
    (true means the buyer was the maker, so the seller was the aggressor)."""
    table = _SIDES if field == "side" else _BUYER_MAKER
    text = pc.utf8_lower(pc.utf8_trim_whitespace(column.cast(pa.string())))
    keys = pa.array(list(table))
    codes = pa.array(list(table.values()), pa.int8())
    index = pc.index_in(text, value_set=keys)
    picked = pc.take(codes, pc.fill_null(index, 0))
    result = np.asarray(picked.to_numpy(zero_copy_only=False), np.int8).copy()
    result[np.asarray(pc.is_null(index).to_numpy(zero_copy_only=False), bool)] = _UNKNOWN
    return result


def trade_id_findings(raw: RawTable, ids: NDArray[np.object_], candidate: Mask) -> list[Finding]:
    """Empty trade ids, and a trade id seen before among the candidate rows (removed by
    ``repair`` when the whole row repeats the earlier one)."""
    found = []
    empty = np.flatnonzero(ids == "")
    if len(empty):
        found.append(
            Finding(empty, "trade_id", ["is empty"] * len(empty), "give every trade an id")
        )
    index = np.flatnonzero(candidate & (ids != ""))
    _, first, inverse = np.unique(ids[index], return_index=True, return_inverse=True)
    repeat = np.flatnonzero(first[inverse] != np.arange(len(index)))
    if not len(repeat):
        return found
    rows, earlier = index[repeat], index[first[inverse[repeat]]]
    identical = same_rows(raw.table, rows, earlier)
    for same in (True, False):
        pick = identical == same
        if pick.any():
            kind = "repeats row" if same else "repeats the trade id of row"
            messages = [f"{kind} {r}" for r in raw.rows[earlier[pick]].tolist()]
            fix = "remove the repeated line (policy='repair' does)" if same else "remove one"
            found.append(Finding(rows[pick], "trade_id", messages, fix, "remove" if same else None))
    return found
