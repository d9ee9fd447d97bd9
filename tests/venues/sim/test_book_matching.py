"""Matching against an L2 book: walking the levels, partial fills, consumed liquidity."""

from __future__ import annotations

from typing import Any

import pytest

from ironkeel.model import BookAction, BookSide, OrderBookDelta, OrderBookDeltas, TimeInForce
from ironkeel.model.book import BookSequenceError

from ._factories import (
    ABC,
    BUY,
    MAKER,
    SELL,
    T0,
    TAKER,
    exchange,
    limit,
    order,
    quote,
    run_steps,
    snapshot,
    stop,
)

BOOK = snapshot(bids=[(99, 3), (98, 4), (97, 5)], asks=[(101, 3), (102, 4), (103, 5)])


def deltas(
    *changes: tuple[BookSide, int, int], first: int = 2, last: int | None = None
) -> OrderBookDeltas:
    return OrderBookDeltas(
        ABC,
        tuple(
            OrderBookDelta(BookAction.UPDATE, side, price, size) for side, price, size in changes
        ),
        first,
        first if last is None else last,
        T0,
        T0,
    )


SCENARIOS = [
    pytest.param(
        [BOOK, order(BUY, 10)],
        [(101, 3, TAKER), (102, 4, TAKER), (103, 3, TAKER)],
        id="market-buy-walks-three-levels",
    ),
    pytest.param(
        [BOOK, order(SELL, 8)],
        [(99, 3, TAKER), (98, 4, TAKER), (97, 1, TAKER)],
        id="market-sell-walks-bids",
    ),
    pytest.param(
        [BOOK, order(BUY, 20)],
        [(101, 3, TAKER), (102, 4, TAKER), (103, 5, TAKER)],
        id="market-larger-than-book-partially-fills",
    ),
    pytest.param(
        [BOOK, limit(BUY, 10, 102)],
        [(101, 3, TAKER), (102, 4, TAKER)],
        id="marketable-limit-walks-only-to-its-price",
    ),
    pytest.param(
        [BOOK, order(BUY, 5), order(BUY, 5)],
        [(101, 3, TAKER), (102, 2, TAKER), (102, 2, TAKER), (103, 3, TAKER)],
        id="second-order-does-not-take-consumed-size",
    ),
    pytest.param(
        [BOOK, order(BUY, 5), deltas((BookSide.ASK, 104, 9)), order(BUY, 5)],
        [(101, 3, TAKER), (102, 2, TAKER), (101, 3, TAKER), (102, 2, TAKER)],
        id="consumed-size-forgotten-on-book-update",
    ),
    pytest.param(
        [BOOK, limit(BUY, 6, 100), deltas((BookSide.ASK, 100, 2))],
        [(100, 2, MAKER)],
        id="resting-limit-fills-at-limit-when-ask-reaches-it",
    ),
    pytest.param(
        [BOOK, limit(BUY, 6, 100), deltas((BookSide.ASK, 100, 2), (BookSide.ASK, 99, 1))],
        [(100, 3, MAKER)],
        id="resting-limit-crossed-by-two-levels-one-maker-fill",
    ),
    pytest.param(
        [BOOK, limit(BUY, 10, 102, tif=TimeInForce.FOK)],
        [],
        id="fok-not-fillable-within-limit-killed",
    ),
    pytest.param(
        [BOOK, limit(BUY, 7, 102, tif=TimeInForce.FOK)],
        [(101, 3, TAKER), (102, 4, TAKER)],
        id="fok-fillable-within-limit-walks",
    ),
    pytest.param(
        [BOOK, stop(BUY, 4, 102), deltas((BookSide.ASK, 101, 0))],
        [(102, 4, TAKER)],
        id="stop-triggers-when-best-ask-reaches-trigger",
    ),
    pytest.param(
        [quote(99, 101, ask_size=1), BOOK, order(BUY, 4)],
        [(101, 3, TAKER), (102, 1, TAKER)],
        id="book-wins-over-quote",
    ),
]


@pytest.mark.parametrize(("steps", "expected"), SCENARIOS)
def test_book_scenario(steps: list[Any], expected: list[Any]) -> None:
    ex, rec, clock = exchange()

    assert run_steps(ex, rec, clock, steps) == expected
    assert rec.refused == []


def test_when_book_deltas_have_a_gap_then_the_exchange_raises() -> None:
    ex, rec, clock = exchange()
    run_steps(ex, rec, clock, [BOOK])

    with pytest.raises(BookSequenceError, match="re-request a snapshot"):
        ex.on_book_deltas(deltas((BookSide.ASK, 104, 9), first=5))


def test_when_walking_then_each_level_is_its_own_trade() -> None:
    ex, rec, clock = exchange()

    run_steps(ex, rec, clock, [BOOK, order(BUY, 10)])

    assert [str(f.trade_id) for f in rec.fills] == ["T-1", "T-2", "T-3"]
    assert ex.position(ABC) == 10
    book = ex.book(ABC)
    assert book is not None
    assert book.best_ask_price == 101  # the venue's book is market data: fills do not edit it
