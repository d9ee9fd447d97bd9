"""Resampling: trades or quotes to bars, and bars to coarser bars, exactly.

Buckets are aligned to multiples of the interval since the Unix epoch (UTC):
a 1h bucket runs from hh:00 to the next hh:00, a 1d bucket from 00:00 UTC. A
bucket is closed on the left: an item at exactly a boundary opens the next
bucket. Each bar is labelled by its close time (``ts_event`` = bucket end, as
every ironkeel bar) and ``ts_init = ts_event``. A bucket without data gives no
bar (no forward-filled flat bars).

- ``trades_to_bars``: OHLC of trade prices, volume the sum of sizes (lots).
- ``quotes_to_bars``: OHLC of the bid or the ask (``PriceType.BID``/``ASK``);
  volume 0, since quote sizes are not traded volume. A mid price can be half a
  tick, so MID bars are refused.
- ``bars_to_bars``: a source bar goes to the bucket that contains its open
  time (close - interval); the target interval must be a multiple of the
  source's, and every source bar must lie inside one bucket. Buckets with
  missing source bars in the middle (a market break, a quiet minute) are
  normal and kept. The first and last buckets may be partial because the data
  starts or ends inside them: ``partial="keep"`` (default, like pandas) emits
  them, ``partial="drop"`` drops the first bucket if its first source bar does
  not open at the bucket start and the last if its last source bar does not
  close at the bucket end.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ironkeel.data.convert import bars_from_columns
from ironkeel.model.data import Bar, BarType, PriceType, QuoteTick, TradeTick
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import InstrumentId

__all__ = ["bars_to_bars", "quotes_to_bars", "trades_to_bars"]

Ints = NDArray[np.int64]


def _check_interval(interval_ns: int) -> None:
    if type(interval_ns) is not int or interval_ns <= 0:
        raise InvalidInputError(
            "interval_ns", interval_ns, "must be a positive int", "pass e.g. 60_000_000_000"
        )


def _check_order(ts: Ints, what: str, *, strict: bool = False) -> None:
    steps = np.diff(ts)
    bad = np.flatnonzero(steps <= 0 if strict else steps < 0)
    if len(bad):
        i = int(bad[0]) + 1
        raise InvalidInputError(
            f"{what}[{i}].ts_event",
            int(ts[i]),
            f"is not after {what}[{i - 1}].ts_event={int(ts[i - 1])}",
            f"sort the {what} by ts_event" + (" and remove duplicates" if strict else ""),
        )


def _one_instrument(ids: set[InstrumentId], what: str) -> InstrumentId:
    if len(ids) != 1:
        raise InvalidInputError(
            what, sorted(map(str, ids)), "belong to several instruments", "resample one at a time"
        )
    return next(iter(ids))


def _aggregate(bar_type: BarType, bucket: Ints, ohlcv: dict[str, Ints]) -> list[Bar]:
    """One bar per run of equal ``bucket`` (non-decreasing) from per-item open, high,
    low, close and volume columns."""
    starts = np.concatenate(([0], np.flatnonzero(np.diff(bucket)) + 1))
    ends = np.concatenate((starts[1:], [len(bucket)])) - 1
    close_ns = (bucket[starts] + 1) * bar_type.interval_ns
    columns = {
        "open": ohlcv["open"][starts],
        "high": np.maximum.reduceat(ohlcv["high"], starts),
        "low": np.minimum.reduceat(ohlcv["low"], starts),
        "close": ohlcv["close"][ends],
        "volume": np.add.reduceat(ohlcv["volume"], starts),
        "ts_event": close_ns,
        "ts_init": close_ns,
    }
    return bars_from_columns(bar_type, columns)


def _prices(price: Ints, volume: Ints) -> dict[str, Ints]:
    return {"open": price, "high": price, "low": price, "close": price, "volume": volume}


def _ints(values: list[int]) -> Ints:
    return np.asarray(values, dtype=np.int64)


def trades_to_bars(trades: Sequence[TradeTick], interval_ns: int) -> list[Bar]:
    """LAST-price bars of ``interval_ns`` from trades in time order."""
    _check_interval(interval_ns)
    if not trades:
        return []
    iid = _one_instrument({t.instrument_id for t in trades}, "trades")
    ts = _ints([t.ts_event for t in trades])
    _check_order(ts, "trades")
    price = _ints([t.price for t in trades])
    size = _ints([t.size for t in trades])
    bar_type = BarType(iid, interval_ns, PriceType.LAST)
    return _aggregate(bar_type, ts // interval_ns, _prices(price, size))


def quotes_to_bars(
    quotes: Sequence[QuoteTick], interval_ns: int, price_type: PriceType = PriceType.BID
) -> list[Bar]:
    """BID or ASK bars of ``interval_ns`` from quotes in time order (volume 0)."""
    _check_interval(interval_ns)
    if price_type not in (PriceType.BID, PriceType.ASK):
        raise InvalidInputError(
            "price_type",
            price_type,
            "is not BID or ASK (a mid price can fall between two ticks)",
            "build BID and ASK bars and use both",
        )
    if not quotes:
        return []
    iid = _one_instrument({q.instrument_id for q in quotes}, "quotes")
    ts = _ints([q.ts_event for q in quotes])
    _check_order(ts, "quotes")
    side = "bid" if price_type is PriceType.BID else "ask"
    price = _ints([getattr(q, side) for q in quotes])
    bar_type = BarType(iid, interval_ns, price_type)
    return _aggregate(bar_type, ts // interval_ns, _prices(price, np.zeros(len(price), np.int64)))


def bars_to_bars(
    bars: Sequence[Bar], interval_ns: int, *, partial: Literal["keep", "drop"] = "keep"
) -> list[Bar]:
    """Coarser bars (e.g. 1m -> 5m, 1h, 1d) from bars of one type in time order."""
    _check_interval(interval_ns)
    if partial not in ("keep", "drop"):
        raise InvalidInputError("partial", partial, "is not 'keep' or 'drop'", "pass one of them")
    if not bars:
        return []
    types = {b.bar_type for b in bars}
    if len(types) != 1:
        raise InvalidInputError(
            "bars", len(types), "mix bar types", "resample one bar type at a time"
        )
    source = bars[0].bar_type
    step = source.interval_ns
    if interval_ns % step or interval_ns == step:
        raise InvalidInputError(
            "interval_ns",
            interval_ns,
            f"is not a larger multiple of the bars' interval {step}",
            f"pass a multiple of {step} greater than it",
        )
    close = _ints([b.ts_event for b in bars])
    _check_order(close, "bars", strict=True)
    opens = close - step
    bucket = opens // interval_ns
    straddle = np.flatnonzero((close - 1) // interval_ns != bucket)
    if len(straddle):
        i = int(straddle[0])
        raise InvalidInputError(
            f"bars[{i}].ts_event",
            int(close[i]),
            f"is a bar that crosses a boundary of the {interval_ns} ns buckets",
            "resample bars aligned to the epoch (or resample from trades)",
        )
    keep = np.ones(len(bars), bool)
    if partial == "drop":
        if opens[0] != bucket[0] * interval_ns:
            keep &= bucket != bucket[0]
        if close[-1] != (bucket[-1] + 1) * interval_ns:
            keep &= bucket != bucket[-1]
        if not keep.any():
            return []
    columns = {
        name: _ints([getattr(b, name) for b in bars])[keep]
        for name in ("open", "high", "low", "close", "volume")
    }
    bar_type = BarType(source.instrument_id, interval_ns, source.price_type)
    return _aggregate(bar_type, bucket[keep], columns)
