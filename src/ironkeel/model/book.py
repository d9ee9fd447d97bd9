"""An L2 order book: price levels in int ticks with their total size in int lots.

Each side is a plain dict ``price -> size`` plus an ascending list of its prices
kept sorted with ``bisect`` (the best bid is the last bid price, the best ask
the first ask price), so a level change is O(log n) to find and best-price
reads are O(1).

Sequencing (``OrderBookDeltas.first_update_id`` .. ``last_update_id``):

- A snapshot replaces the whole book and sets the last applied update id.
- A batch whose ``last_update_id`` is at or below the last applied id is older
  than the book and is skipped (``apply_deltas`` returns False).
- The first batch after a snapshot may straddle it
  (``first_update_id <= last + 1 <= last_update_id``): venues such as Binance
  publish diffs in ranges, and the first one to apply is the one that contains
  ``last + 1``.
- Any later batch must start exactly at ``last + 1``. Otherwise updates were
  lost (or arrived out of order): ``BookSequenceError`` (a ``StateError``) is
  raised, the book is left as it was and marked ``stale``; every further batch
  raises too until a new snapshot arrives. A book that has never had a snapshot
  takes its sequence from the first batch it is given.

Actions: ADD and UPDATE set a level's size (size 0 deletes the level); DELETE
removes a level (a missing level is ignored); CLEAR empties the whole book, both
sides, whatever the delta's side.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator

from ironkeel.model.data import BookLevel, OrderBookDeltas, OrderBookSnapshot
from ironkeel.model.enums import BookAction, BookSide
from ironkeel.model.errors import InvalidInputError, StateError
from ironkeel.model.identifiers import InstrumentId

__all__ = ["BookSequenceError", "OrderBook"]


class BookSequenceError(StateError):
    """Book updates were lost or came out of order: the book needs a new snapshot."""

    def __init__(self, instrument_id: InstrumentId, expected: int, first: int, last: int) -> None:
        self.instrument_id = instrument_id
        self.expected = expected
        self.first_update_id = first
        self.last_update_id = last
        super().__init__(
            f"{instrument_id}: book update ids {first}..{last} do not continue the book "
            f"(next expected id {expected}); updates were lost or reordered. "
            "Fix: re-request a snapshot and apply it before further deltas"
        )


class _Side:
    """One side of the book: sizes by price and the prices in ascending order."""

    __slots__ = ("prices", "sizes")

    def __init__(self) -> None:
        self.sizes: dict[int, int] = {}
        self.prices: list[int] = []

    def set(self, price: int, size: int) -> None:
        sizes = self.sizes
        if size == 0:
            self.delete(price)
        elif price in sizes:
            sizes[price] = size
        else:
            sizes[price] = size
            insort(self.prices, price)

    def delete(self, price: int) -> None:
        if self.sizes.pop(price, None) is not None:
            prices = self.prices
            del prices[bisect_left(prices, price)]

    def clear(self) -> None:
        self.sizes.clear()
        self.prices.clear()

    def load(self, levels: tuple[BookLevel, ...]) -> None:
        self.sizes = {level.price: level.size for level in levels if level.size > 0}
        self.prices = sorted(self.sizes)


class OrderBook:
    """The L2 book of one instrument, built from snapshots and delta batches."""

    __slots__ = (
        "_asks",
        "_bids",
        "_just_snapped",
        "instrument_id",
        "last_update_id",
        "stale",
        "ts_last",
        "updates",
    )

    def __init__(self, instrument_id: InstrumentId) -> None:
        self.instrument_id = instrument_id
        self._bids = _Side()
        self._asks = _Side()
        #: The last update id applied, or None before any snapshot or batch.
        self.last_update_id: int | None = None
        #: True after a gap: deltas are refused until the next snapshot.
        self.stale = False
        self.ts_last = 0
        self.updates = 0
        self._just_snapped = False

    def __repr__(self) -> str:
        return (
            f"OrderBook({self.instrument_id}, bid={self.best_bid_price}, "
            f"ask={self.best_ask_price}, update_id={self.last_update_id})"
        )

    # --- applying data ----------------------------------------------------------------

    def apply_snapshot(self, snapshot: OrderBookSnapshot) -> None:
        """Replace the whole book with ``snapshot`` and clear any stale mark."""
        self._check_instrument(snapshot.instrument_id)
        self._bids.load(snapshot.bids)
        self._asks.load(snapshot.asks)
        self.last_update_id = snapshot.last_update_id
        self.stale = False
        self._just_snapped = True
        self.ts_last = snapshot.ts_event
        self.updates += 1

    def apply_deltas(self, batch: OrderBookDeltas) -> bool:
        """Apply one batch atomically; False if it is older than the book (skipped).

        Raises ``BookSequenceError`` on a gap or while the book is stale.
        """
        self._check_instrument(batch.instrument_id)
        last = self.last_update_id
        if last is not None:
            if self.stale:
                raise BookSequenceError(
                    self.instrument_id, last + 1, batch.first_update_id, batch.last_update_id
                )
            if batch.last_update_id <= last:
                return False
            expected = last + 1
            straddles = self._just_snapped and batch.first_update_id <= expected
            if batch.first_update_id != expected and not straddles:
                self.stale = True
                raise BookSequenceError(
                    self.instrument_id, expected, batch.first_update_id, batch.last_update_id
                )
        bids = self._bids
        asks = self._asks
        for delta in batch.deltas:
            side = bids if delta.side is BookSide.BID else asks
            action = delta.action
            if action is BookAction.ADD or action is BookAction.UPDATE:
                side.set(delta.price, delta.size)
            elif action is BookAction.DELETE:
                side.delete(delta.price)
            else:
                bids.clear()
                asks.clear()
        self.last_update_id = batch.last_update_id
        self._just_snapped = False
        self.ts_last = batch.ts_event
        self.updates += 1
        return True

    def _check_instrument(self, instrument_id: InstrumentId) -> None:
        if instrument_id != self.instrument_id:
            raise InvalidInputError(
                "book data instrument_id",
                str(instrument_id),
                f"is not this book's {self.instrument_id}",
                "route each instrument's data to its own OrderBook",
            )

    # --- reading ----------------------------------------------------------------------

    @property
    def best_bid_price(self) -> int | None:
        prices = self._bids.prices
        return prices[-1] if prices else None

    @property
    def best_ask_price(self) -> int | None:
        prices = self._asks.prices
        return prices[0] if prices else None

    def best_bid(self) -> BookLevel | None:
        price = self.best_bid_price
        return None if price is None else BookLevel(price, self._bids.sizes[price])

    def best_ask(self) -> BookLevel | None:
        price = self.best_ask_price
        return None if price is None else BookLevel(price, self._asks.sizes[price])

    @property
    def spread(self) -> int | None:
        """Best ask minus best bid in ticks, or None if a side is empty."""
        bid = self.best_bid_price
        ask = self.best_ask_price
        return None if bid is None or ask is None else ask - bid

    def size_at(self, side: BookSide, price: int) -> int:
        """The size resting at ``price`` on ``side`` (0 if there is no level)."""
        return (self._bids if side is BookSide.BID else self._asks).sizes.get(price, 0)

    def bids(self) -> Iterator[BookLevel]:
        """Bid levels, best (highest) first."""
        sizes = self._bids.sizes
        for price in reversed(self._bids.prices):
            yield BookLevel(price, sizes[price])

    def asks(self) -> Iterator[BookLevel]:
        """Ask levels, best (lowest) first."""
        sizes = self._asks.sizes
        for price in self._asks.prices:
            yield BookLevel(price, sizes[price])

    def levels(self, side: BookSide) -> Iterator[BookLevel]:
        """The levels of ``side``, best first."""
        return self.bids() if side is BookSide.BID else self.asks()

    def depth(self, side: BookSide) -> int:
        """How many levels ``side`` has."""
        return len((self._bids if side is BookSide.BID else self._asks).prices)

    @property
    def is_empty(self) -> bool:
        return not self._bids.prices and not self._asks.prices
