"""The latest market data of one instrument as the risk layer sees it.

One native object per instrument, updated in place on every item (no tuple, no dict
store): the reference price the pre-trade controls value orders at, and the data time
the staleness kill switch reads (decision 0017).
"""

from __future__ import annotations

__all__ = ["Reference"]


class Reference:
    """The reference price of one instrument, in ticks, and its ``ts_event``; ``seen`` is
    False until the first item. Data without a price (book updates) sets only ``ts``."""

    __slots__ = ("price", "seen", "ts")

    def __init__(self) -> None:
        self.price = 0
        self.ts = 0
        self.seen = False
