"""Market data: bars, quote and trade ticks, L2 order book deltas and snapshots.

Prices are int ticks and sizes int lots of the instrument (see ``Instrument``).
Every item carries ``ts_event`` (when it happened at the venue) and ``ts_init``
(when the engine learns of it, ``>= ts_event``), both int nanoseconds UTC; the
engine orders data by ``ts_init``. A bar's ``ts_event`` is the end (close time)
of its interval. Constructors check what a type check cannot: ordering of
high/low/open/close, non-negative sizes and a crossed quote.
"""

from __future__ import annotations

from enum import Enum
from typing import Final

import msgspec

from ironkeel.model.enums import AggressorSide, BookAction, BookSide
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import InstrumentId

__all__ = [
    "Bar",
    "BarType",
    "BookLevel",
    "Data",
    "OrderBookDelta",
    "OrderBookDeltas",
    "OrderBookSnapshot",
    "PriceType",
    "QuoteTick",
    "TradeTick",
]

NANOS_PER_SECOND: Final = 1_000_000_000


def _int(name: str, value: object) -> None:
    if type(value) is not int:
        raise InvalidInputError(
            name,
            value,
            f"must be an int, not {type(value).__name__}",
            "convert it to the grid first",
        )


def _ts(owner: str, ts_event: int, ts_init: int) -> None:
    _int(f"{owner}.ts_event", ts_event)
    _int(f"{owner}.ts_init", ts_init)
    if ts_event < 0:
        raise InvalidInputError(f"{owner}.ts_event", ts_event, "is negative", "use ns since epoch")
    if ts_init < ts_event:
        raise InvalidInputError(
            f"{owner}.ts_init", ts_init, f"is before ts_event={ts_event}", "set ts_init >= ts_event"
        )


def _size(name: str, value: int) -> None:
    _int(name, value)
    if value < 0:
        raise InvalidInputError(name, value, "is negative", "sizes are >= 0")


class PriceType(Enum):
    LAST = "last"
    BID = "bid"
    ASK = "ask"
    MID = "mid"


class BarType(msgspec.Struct, frozen=True, gc=False, cache_hash=True):
    """Which bars: an instrument, an interval in ns and the price they aggregate."""

    instrument_id: InstrumentId
    interval_ns: int
    price_type: PriceType = PriceType.LAST

    def __post_init__(self) -> None:
        _int("BarType.interval_ns", self.interval_ns)
        if self.interval_ns <= 0:
            raise InvalidInputError(
                "BarType.interval_ns",
                self.interval_ns,
                "must be positive",
                "use e.g. 60_000_000_000",
            )

    def __str__(self) -> str:
        seconds = self.interval_ns / NANOS_PER_SECOND
        return f"{self.instrument_id}-{seconds:g}s-{self.price_type.value}"


class Bar(msgspec.Struct, frozen=True, gc=False):
    """One OHLCV bar; ``ts_event`` is its close time."""

    bar_type: BarType
    open: int
    high: int
    low: int
    close: int
    volume: int
    ts_event: int
    ts_init: int

    def __post_init__(self) -> None:
        o, h, lo, c, v, e, i = (
            self.open, self.high, self.low, self.close, self.volume, self.ts_event, self.ts_init
        )  # fmt: skip
        if (
            type(o) is int and type(h) is int and type(lo) is int and type(c) is int
            and type(v) is int and type(e) is int and type(i) is int
            and v >= 0 and 0 <= e <= i and lo <= o <= h and lo <= c <= h
        ):  # fmt: skip
            return  # the common case, checked at once (bars are decoded by the million)
        self._refuse()

    def _refuse(self) -> None:
        """Raise the first problem, named (only called when one exists)."""
        for name in ("open", "high", "low", "close"):
            _int(f"Bar.{name}", getattr(self, name))
        _size("Bar.volume", self.volume)
        _ts("Bar", self.ts_event, self.ts_init)
        if self.high < self.low:
            raise InvalidInputError(
                "Bar.high", self.high, f"is below low={self.low}", "swap or correct high/low"
            )
        for name in ("open", "close"):
            value = getattr(self, name)
            if not self.low <= value <= self.high:
                raise InvalidInputError(
                    f"Bar.{name}",
                    value,
                    f"is outside [low={self.low}, high={self.high}]",
                    "correct the bar or widen high/low",
                )

    @property
    def instrument_id(self) -> InstrumentId:
        return self.bar_type.instrument_id


class QuoteTick(msgspec.Struct, frozen=True, gc=False):
    """Best bid and ask with their sizes."""

    instrument_id: InstrumentId
    bid: int
    ask: int
    bid_size: int
    ask_size: int
    ts_event: int
    ts_init: int

    def __post_init__(self) -> None:
        _int("QuoteTick.bid", self.bid)
        _int("QuoteTick.ask", self.ask)
        _size("QuoteTick.bid_size", self.bid_size)
        _size("QuoteTick.ask_size", self.ask_size)
        _ts("QuoteTick", self.ts_event, self.ts_init)
        if self.bid > self.ask:
            raise InvalidInputError(
                "QuoteTick.bid", self.bid, f"is above ask={self.ask} (crossed)", "check the feed"
            )


class TradeTick(msgspec.Struct, frozen=True, gc=False):
    """One trade print."""

    instrument_id: InstrumentId
    price: int
    size: int
    aggressor_side: AggressorSide
    trade_id: str
    ts_event: int
    ts_init: int

    def __post_init__(self) -> None:
        _int("TradeTick.price", self.price)
        _size("TradeTick.size", self.size)
        if self.size == 0:
            raise InvalidInputError("TradeTick.size", 0, "is zero", "a trade has a positive size")
        _ts("TradeTick", self.ts_event, self.ts_init)


class BookLevel(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """One L2 price level: a price in ticks and the total size there in lots."""

    price: int
    size: int


class OrderBookDelta(msgspec.Struct, frozen=True, gc=False):
    """One change to an L2 book: a level added, updated or deleted, or the book cleared."""

    action: BookAction
    side: BookSide
    price: int
    size: int

    def __post_init__(self) -> None:
        _int("OrderBookDelta.price", self.price)
        _size("OrderBookDelta.size", self.size)


class OrderBookDeltas(msgspec.Struct, frozen=True, gc=False):
    """A batch of deltas applied atomically, with the venue's update-id range.

    ``first_update_id``/``last_update_id`` let the book detect a gap: the next
    batch must start right after the last one applied.
    """

    instrument_id: InstrumentId
    deltas: tuple[OrderBookDelta, ...]
    first_update_id: int
    last_update_id: int
    ts_event: int
    ts_init: int

    def __post_init__(self) -> None:
        _ts("OrderBookDeltas", self.ts_event, self.ts_init)
        if self.last_update_id < self.first_update_id:
            raise InvalidInputError(
                "OrderBookDeltas.last_update_id",
                self.last_update_id,
                f"is below first_update_id={self.first_update_id}",
                "check the feed's update ids",
            )


class OrderBookSnapshot(msgspec.Struct, frozen=True, gc=False):
    """A full L2 book: bids best (highest) first, asks best (lowest) first."""

    instrument_id: InstrumentId
    bids: tuple[BookLevel, ...]
    asks: tuple[BookLevel, ...]
    last_update_id: int
    ts_event: int
    ts_init: int

    def __post_init__(self) -> None:
        _ts("OrderBookSnapshot", self.ts_event, self.ts_init)
        for name, levels, sign in (("bids", self.bids, -1), ("asks", self.asks, 1)):
            previous = None
            for level in levels:
                _int(f"OrderBookSnapshot.{name}.price", level.price)
                _size(f"OrderBookSnapshot.{name}.size", level.size)
                if previous is not None and (level.price - previous) * sign <= 0:
                    raise InvalidInputError(
                        f"OrderBookSnapshot.{name}",
                        level.price,
                        "levels are not sorted best first without duplicates",
                        "sort bids descending and asks ascending",
                    )
                previous = level.price
        if self.bids and self.asks and self.bids[0].price >= self.asks[0].price:
            raise InvalidInputError(
                "OrderBookSnapshot.bids",
                self.bids[0].price,
                f"best bid is at or above best ask {self.asks[0].price} (crossed)",
                "check the snapshot",
            )


Data = Bar | QuoteTick | TradeTick | OrderBookDeltas | OrderBookSnapshot
