"""The latest market data of one instrument as the risk layer sees it.

One native object per instrument that keeps the latest item of the instrument's streams
as it is (one field store per item: no price read, no tuple, no dict store) and reads
the reference price and the data time from it only when asked, which is per order, not
per item (decisions 0017, 0019): the price the pre-trade controls value orders at (a
bar's close, a trade's price, a quote's mid rounded down to the tick) and the
``ts_event`` the staleness kill switch reads.
"""

from __future__ import annotations

from typing import Any, Final

from ironkeel.model.errors import StateError

__all__ = ["BAR", "NO_PRICE", "QUOTE", "TRADE", "Reference"]

#: How a kept item's price reads (``Reference.kind``).
BAR: Final = 0
TRADE: Final = 1
QUOTE: Final = 2
NO_PRICE: Final = 3  # book updates: a data time, never a price


class Reference:
    """The latest item of an instrument's streams (``item``, None until the first) and
    how its price reads (``kind``). A stream with no price (book updates) keeps its own
    ``Reference`` of kind ``NO_PRICE``: its data time counts, its price never does.

    The first ``price`` or ``ts`` after a new item reads both from it (two generic
    attribute reads) and keeps them: an order's check asks several times."""

    __slots__ = ("_price", "_read", "_ts", "item", "kind")

    def __init__(self) -> None:
        self.item: Any = None
        self.kind = NO_PRICE
        self._read: Any = None  # the item ``_price`` and ``_ts`` were read from
        self._price = 0
        self._ts = 0

    def keep(self, item: Any, kind: int) -> None:
        """``item`` is now the latest, its price read as ``kind`` says."""
        self.item = item
        self.kind = kind

    @property
    def seen(self) -> bool:
        return self.item is not None

    @property
    def priced(self) -> bool:
        """An item with a price was seen."""
        return self.item is not None and self.kind != NO_PRICE

    @property
    def ts(self) -> int:
        """The latest item's ``ts_event`` (0 before the first)."""
        item = self.item
        if item is None:
            return 0
        if item is not self._read:
            self._take(item)
        return self._ts

    @property
    def price(self) -> int:
        """The reference price in ticks; a StateError before a priced item."""
        item = self.item
        if item is None or self.kind == NO_PRICE:
            raise StateError("no reference price yet: check `priced` first")
        if item is not self._read:
            self._take(item)
        return self._price

    def _take(self, item: Any) -> None:
        """Read the price and the data time of ``item`` (the latest) once."""
        kind = self.kind
        price: int = 0
        if kind == BAR:
            price = item.close
        elif kind == TRADE:
            price = item.price
        elif kind == QUOTE:
            price = (item.bid + item.ask) // 2
        ts: int = item.ts_event
        self._price, self._ts, self._read = price, ts, item
