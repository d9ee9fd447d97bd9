"""The L2 order book: snapshots, delta batches, best prices, sequencing and gap detection."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from ironkeel.model import (
    BookAction,
    BookLevel,
    BookSide,
    Instrument,
    InstrumentId,
    InvalidInputError,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
    StateError,
    Venue,
)
from ironkeel.model.book import BookSequenceError, OrderBook

IID = InstrumentId("BTCUSDT", Venue("SIM"))
ADD, UPDATE, DELETE, CLEAR = BookAction.ADD, BookAction.UPDATE, BookAction.DELETE, BookAction.CLEAR
BID, ASK = BookSide.BID, BookSide.ASK
BINANCE = Path(__file__).parents[1] / "data" / "binance"


def snap(
    bids: list[tuple[int, int]], asks: list[tuple[int, int]], update_id: int = 10
) -> OrderBookSnapshot:
    return OrderBookSnapshot(
        IID,
        tuple(BookLevel(*level) for level in bids),
        tuple(BookLevel(*level) for level in asks),
        update_id,
        1,
        1,
    )


def batch(
    *deltas: tuple[BookAction, BookSide, int, int], first: int, last: int | None = None
) -> OrderBookDeltas:
    return OrderBookDeltas(
        IID, tuple(OrderBookDelta(*d) for d in deltas), first, first if last is None else last, 2, 2
    )


@pytest.fixture
def book() -> OrderBook:
    b = OrderBook(IID)
    b.apply_snapshot(snap([(99, 1), (98, 2), (97, 3)], [(101, 4), (102, 5)]))
    return b


def test_snapshot_sets_best_prices_and_levels_best_first(book: OrderBook) -> None:
    assert book.best_bid() == BookLevel(99, 1)
    assert book.best_ask() == BookLevel(101, 4)
    assert book.spread == 2
    assert list(book.bids()) == [BookLevel(99, 1), BookLevel(98, 2), BookLevel(97, 3)]
    assert list(book.levels(ASK)) == [BookLevel(101, 4), BookLevel(102, 5)]
    assert book.last_update_id == 10


@pytest.mark.parametrize(
    ("delta", "bids", "asks"),
    [
        pytest.param((ADD, BID, 100, 7), [100, 99, 98, 97], [101, 102], id="add-new-best-bid"),
        pytest.param((ADD, ASK, 103, 1), [99, 98, 97], [101, 102, 103], id="add-worse-ask"),
        pytest.param((UPDATE, BID, 98, 9), [99, 98, 97], [101, 102], id="update-size"),
        pytest.param((UPDATE, BID, 98, 0), [99, 97], [101, 102], id="update-to-zero-deletes"),
        pytest.param((DELETE, ASK, 101, 0), [99, 98, 97], [102], id="delete-best-ask"),
        pytest.param(
            (DELETE, ASK, 150, 0), [99, 98, 97], [101, 102], id="delete-missing-is-ignored"
        ),
        pytest.param((CLEAR, BID, 0, 0), [], [], id="clear-empties-both-sides"),
    ],
)
def test_delta_actions(
    book: OrderBook, delta: tuple[BookAction, BookSide, int, int], bids: list[int], asks: list[int]
) -> None:
    assert book.apply_deltas(batch(delta, first=11))

    assert [level.price for level in book.bids()] == bids
    assert [level.price for level in book.asks()] == asks


def test_update_changes_only_the_size(book: OrderBook) -> None:
    book.apply_deltas(batch((UPDATE, BID, 98, 9), first=11))

    assert book.size_at(BID, 98) == 9
    assert book.depth(BID) == 3


def test_batches_in_sequence_apply(book: OrderBook) -> None:
    book.apply_deltas(batch((ADD, BID, 100, 1), first=11, last=12))
    book.apply_deltas(batch((DELETE, BID, 100, 0), first=13))

    assert book.best_bid_price == 99
    assert book.last_update_id == 13


def test_batch_older_than_the_book_is_skipped(book: OrderBook) -> None:
    assert not book.apply_deltas(batch((ADD, BID, 100, 1), first=5, last=10))

    assert book.best_bid_price == 99


def test_first_batch_after_snapshot_may_straddle_it(book: OrderBook) -> None:
    assert book.apply_deltas(batch((ADD, BID, 100, 1), first=8, last=12))

    assert book.last_update_id == 12


def test_later_batch_may_not_straddle(book: OrderBook) -> None:
    book.apply_deltas(batch((ADD, BID, 100, 1), first=11, last=12))

    with pytest.raises(BookSequenceError):
        book.apply_deltas(batch((ADD, BID, 100, 2), first=12, last=14))


def test_gap_raises_leaves_book_untouched_and_stale_until_snapshot(book: OrderBook) -> None:
    with pytest.raises(BookSequenceError) as info:
        book.apply_deltas(batch((ADD, BID, 100, 1), first=13))

    assert isinstance(info.value, StateError)
    assert (info.value.expected, info.value.first_update_id) == (11, 13)
    assert book.best_bid_price == 99
    assert book.stale
    with pytest.raises(BookSequenceError):
        book.apply_deltas(batch((ADD, BID, 100, 1), first=11))
    book.apply_snapshot(snap([(90, 1)], [(95, 1)], update_id=20))
    assert book.apply_deltas(batch((ADD, BID, 91, 1), first=21))
    assert not book.stale


def test_book_without_snapshot_takes_sequence_from_first_batch() -> None:
    book = OrderBook(IID)

    book.apply_deltas(batch((ADD, ASK, 101, 1), first=500, last=510))

    assert book.last_update_id == 510
    assert book.best_ask_price == 101
    assert book.best_bid() is None
    assert book.spread is None


def test_data_of_another_instrument_is_refused(book: OrderBook) -> None:
    other = OrderBookDeltas(InstrumentId("ETHUSDT", Venue("SIM")), (), 11, 11, 1, 1)

    with pytest.raises(InvalidInputError, match="route each instrument"):
        book.apply_deltas(other)


# --- real data: Binance BTCUSDT depth (tick 0.1, lot 0.001) -----------------------------


def _rows(name: str) -> list[dict[str, str]]:
    with (BINANCE / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def _grid(btcusdt: Instrument, row: dict[str, str]) -> tuple[int, int]:
    return btcusdt.ticks(Decimal(row["price"])), btcusdt.lots(Decimal(row["qty"]))


def binance_snapshot(btcusdt: Instrument) -> OrderBookSnapshot:
    rows = _rows("binance-btcusdt-depth-snap.csv")
    bids = sorted((_grid(btcusdt, r) for r in rows if r["side"] == "b"), reverse=True)
    asks = sorted(_grid(btcusdt, r) for r in rows if r["side"] == "a")
    ts = int(rows[0]["timestamp"]) * 1_000_000
    return OrderBookSnapshot(
        btcusdt.id,
        tuple(BookLevel(*level) for level in bids),
        tuple(BookLevel(*level) for level in asks),
        int(rows[0]["last_update_id"]),
        ts,
        ts,
    )


def binance_updates(btcusdt: Instrument) -> OrderBookDeltas:
    rows = _rows("binance-btcusdt-depth-update.csv")
    deltas = []
    for row in rows:
        price, size = _grid(btcusdt, row)
        side = BID if row["side"] == "b" else ASK
        deltas.append(OrderBookDelta(DELETE if size == 0 else UPDATE, side, price, size))
    ts = int(rows[0]["timestamp"]) * 1_000_000
    first, last = int(rows[0]["first_update_id"]), int(rows[0]["last_update_id"])
    return OrderBookDeltas(btcusdt.id, tuple(deltas), first, last, ts, ts)


def test_binance_snapshot_builds_a_book(btcusdt: Instrument) -> None:
    book = OrderBook(btcusdt.id)

    book.apply_snapshot(binance_snapshot(btcusdt))

    assert book.depth(BID) == 100
    assert book.best_bid() == BookLevel(btcusdt.ticks("20377.00"), btcusdt.lots("1.770"))
    assert book.best_ask() is None  # the recorded snapshot holds bids only
    assert book.last_update_id == 2098021528332


def test_binance_updates_after_the_snapshot_are_a_gap(btcusdt: Instrument) -> None:
    book = OrderBook(btcusdt.id)
    book.apply_snapshot(binance_snapshot(btcusdt))
    updates = binance_updates(btcusdt)

    with pytest.raises(BookSequenceError, match=r"2098041693435\.\.2098041696700"):
        book.apply_deltas(updates)

    assert book.stale
    assert book.depth(BID) == 100  # untouched


def test_binance_updates_build_a_book_of_their_own(btcusdt: Instrument) -> None:
    book = OrderBook(btcusdt.id)

    assert book.apply_deltas(binance_updates(btcusdt))

    assert book.last_update_id == 2098041696700
    assert book.best_ask() == BookLevel(btcusdt.ticks("20472.20"), btcusdt.lots("4.211"))
    assert book.best_bid() == BookLevel(btcusdt.ticks("20472.10"), btcusdt.lots("22.276"))
    assert book.spread == 1  # one tick: 0.1 USDT
    assert all(level.size > 0 for level in (*book.bids(), *book.asks()))
