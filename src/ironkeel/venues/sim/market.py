"""Per-instrument state at the simulated venue: working orders, the last data, the position."""

from __future__ import annotations

from ironkeel.model.book import OrderBook
from ironkeel.model.data import Bar, QuoteTick, TradeTick
from ironkeel.model.enums import OrderSide
from ironkeel.model.instruments import Instrument
from ironkeel.venues.sim.records import SimOrder

__all__ = ["Market"]


class Market:
    """One instrument's matching state; the exchange keeps one per instrument."""

    __slots__ = (
        "bar_used",
        "book",
        "consumed",
        "instrument",
        "last_bar",
        "last_quote",
        "last_trade",
        "min_fee_raw",
        "position",
        "used_bar",
        "working",
    )

    def __init__(self, instrument: Instrument, min_fee_raw: int) -> None:
        self.instrument = instrument
        #: Open orders in arrival order (the match priority among our own orders).
        self.working: list[SimOrder] = []
        self.last_bar: Bar | None = None
        self.last_quote: QuoteTick | None = None
        self.last_trade: TradeTick | None = None
        self.book: OrderBook | None = None
        #: Lots our fills took per (side taken, price) since the last quote or book update.
        self.consumed: dict[tuple[int, int], int] = {}
        #: The venue's own net position in lots (+ long, - short), from its fills.
        self.position = 0
        #: The bar whose volume ``bar_used`` lots of our fills drew on.
        self.used_bar: Bar | None = None
        self.bar_used = 0
        self.min_fee_raw = min_fee_raw

    def has_touch(self) -> bool:
        """Whether a book or quote shows what can be taken right now."""
        book = self.book
        if book is not None and not book.is_empty:
            return True
        return self.last_quote is not None

    def spread(self) -> int | None:
        """The latest spread in ticks from the book or the quote, if known."""
        book = self.book
        if book is not None and book.spread is not None:
            return book.spread
        quote = self.last_quote
        return None if quote is None else quote.ask - quote.bid

    def reference_price(self, side: OrderSide) -> int | None:
        """The price an order of ``side`` would trade at now, as far as the data shows.

        The best opposite price of the book, else of the quote, else the last
        trade price, else the last bar's close; None if no data has been seen.
        """
        book = self.book
        if book is not None:
            best = book.best_ask_price if side is OrderSide.BUY else book.best_bid_price
            if best is not None:
                return best
        quote = self.last_quote
        if quote is not None:
            return quote.ask if side is OrderSide.BUY else quote.bid
        if self.last_trade is not None:
            return self.last_trade.price
        if self.last_bar is not None:
            return self.last_bar.close
        return None
