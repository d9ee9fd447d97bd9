"""Market data constructors: each refuses what a type check cannot catch."""

from __future__ import annotations

from typing import Any

import pytest

from ironkeel.model.data import (
    Bar,
    BarType,
    BookLevel,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
    PriceType,
    QuoteTick,
    TradeTick,
)
from ironkeel.model.enums import AggressorSide, BookAction, BookSide
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import InstrumentId

IID = InstrumentId.parse("BTCUSDT.SIM")
MINUTE = BarType(IID, 60_000_000_000)


def bar(**overrides: Any) -> Bar:
    fields: dict[str, Any] = {
        "bar_type": MINUTE,
        "open": 100,
        "high": 110,
        "low": 90,
        "close": 105,
        "volume": 7,
        "ts_event": 60,
        "ts_init": 61,
    }
    return Bar(**{**fields, **overrides})


def quote(**overrides: Any) -> QuoteTick:
    fields: dict[str, Any] = {
        "instrument_id": IID,
        "bid": 100,
        "ask": 101,
        "bid_size": 5,
        "ask_size": 6,
        "ts_event": 10,
        "ts_init": 10,
    }
    return QuoteTick(**{**fields, **overrides})


def trade(**overrides: Any) -> TradeTick:
    fields: dict[str, Any] = {
        "instrument_id": IID,
        "price": 100,
        "size": 3,
        "aggressor_side": AggressorSide.BUYER,
        "trade_id": "T-1",
        "ts_event": 10,
        "ts_init": 12,
    }
    return TradeTick(**{**fields, **overrides})


def deltas(**overrides: Any) -> OrderBookDeltas:
    fields: dict[str, Any] = {
        "instrument_id": IID,
        "deltas": (OrderBookDelta(BookAction.ADD, BookSide.BID, 100, 5),),
        "first_update_id": 7,
        "last_update_id": 7,
        "ts_event": 10,
        "ts_init": 10,
    }
    return OrderBookDeltas(**{**fields, **overrides})


def snapshot(**overrides: Any) -> OrderBookSnapshot:
    fields: dict[str, Any] = {
        "instrument_id": IID,
        "bids": (BookLevel(100, 5), BookLevel(99, 1)),
        "asks": (BookLevel(101, 2), BookLevel(103, 4)),
        "last_update_id": 7,
        "ts_event": 10,
        "ts_init": 10,
    }
    return OrderBookSnapshot(**{**fields, **overrides})


BUILDERS = {"Bar": bar, "QuoteTick": quote, "TradeTick": trade}
BUILDERS |= {"OrderBookDeltas": deltas, "OrderBookSnapshot": snapshot}


@pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS.keys())
def test_when_fields_are_consistent_then_constructed(build):
    item = build()
    assert item.ts_init >= item.ts_event


@pytest.mark.parametrize(
    ("overrides", "field", "problem"),
    [
        ({"high": 80}, "Bar.high", "is below low=90"),
        ({"open": 111}, "Bar.open", "outside [low=90, high=110]"),
        ({"open": 89}, "Bar.open", "outside"),
        ({"close": 120}, "Bar.close", "outside"),
        ({"close": 80}, "Bar.close", "outside"),
        ({"volume": -1}, "Bar.volume", "negative"),
        ({"open": 100.0}, "Bar.open", "must be an int, not float"),
        ({"high": True}, "Bar.high", "must be an int, not bool"),
        ({"volume": 1.5}, "Bar.volume", "must be an int"),
        ({"ts_init": 59}, "Bar.ts_init", "is before ts_event=60"),
        ({"ts_event": -1, "ts_init": 0}, "Bar.ts_event", "negative"),
        ({"ts_event": 60.0}, "Bar.ts_event", "must be an int"),
    ],
)
def test_when_bar_is_inconsistent_then_error_names_the_field(overrides, field, problem):
    with pytest.raises(InvalidInputError) as caught:
        bar(**overrides)
    assert caught.value.field == field
    assert problem in caught.value.problem


def test_when_bar_is_flat_then_valid():
    flat = bar(open=100, high=100, low=100, close=100, volume=0)
    assert flat.instrument_id == IID


@pytest.mark.parametrize(
    ("overrides", "field", "problem"),
    [
        ({"bid": 102}, "QuoteTick.bid", "crossed"),
        ({"bid": 100.5}, "QuoteTick.bid", "must be an int"),
        ({"ask": "101"}, "QuoteTick.ask", "must be an int, not str"),
        ({"bid_size": -1}, "QuoteTick.bid_size", "negative"),
        ({"ask_size": -1}, "QuoteTick.ask_size", "negative"),
        ({"ts_init": 9}, "QuoteTick.ts_init", "is before ts_event=10"),
    ],
)
def test_when_quote_is_inconsistent_then_error_names_the_field(overrides, field, problem):
    with pytest.raises(InvalidInputError) as caught:
        quote(**overrides)
    assert caught.value.field == field
    assert problem in caught.value.problem


def test_when_quote_is_locked_then_valid():
    assert quote(bid=101, ask=101).bid == 101


@pytest.mark.parametrize(
    ("overrides", "field", "problem"),
    [
        ({"size": 0}, "TradeTick.size", "zero"),
        ({"size": -2}, "TradeTick.size", "negative"),
        ({"price": 1.0}, "TradeTick.price", "must be an int"),
        ({"ts_init": 9}, "TradeTick.ts_init", "is before ts_event"),
    ],
)
def test_when_trade_is_inconsistent_then_error_names_the_field(overrides, field, problem):
    with pytest.raises(InvalidInputError) as caught:
        trade(**overrides)
    assert caught.value.field == field
    assert problem in caught.value.problem


def test_when_trade_price_is_negative_then_valid():
    assert trade(price=-5).price == -5


@pytest.mark.parametrize(
    ("build", "field", "problem"),
    [
        (lambda: OrderBookDelta(BookAction.ADD, BookSide.BID, 1.5, 1), "price", "must be an int"),
        (lambda: OrderBookDelta(BookAction.ADD, BookSide.ASK, 1, -1), "size", "negative"),
        (lambda: deltas(last_update_id=6), "last_update_id", "below first_update_id=7"),
        (lambda: deltas(ts_init=9), "ts_init", "before ts_event"),
    ],
)
def test_when_book_delta_is_inconsistent_then_rejected(build, field, problem):
    with pytest.raises(InvalidInputError) as caught:
        build()
    assert caught.value.field.endswith(field)
    assert problem in caught.value.problem


@pytest.mark.parametrize(
    ("overrides", "field", "problem"),
    [
        ({"bids": (BookLevel(99, 1), BookLevel(100, 5))}, "bids", "not sorted"),
        ({"bids": (BookLevel(100, 1), BookLevel(100, 5))}, "bids", "not sorted"),
        ({"asks": (BookLevel(103, 1), BookLevel(101, 5))}, "asks", "not sorted"),
        ({"asks": (BookLevel(101, 1), BookLevel(101, 5))}, "asks", "not sorted"),
        ({"asks": (BookLevel(100, 1),)}, "bids", "crossed"),
        ({"asks": (BookLevel(99, 1),)}, "bids", "crossed"),
        ({"bids": (BookLevel(100, -1),)}, "bids.size", "negative"),
        ({"asks": (BookLevel(101.0, 1),)}, "asks.price", "must be an int"),
        ({"ts_init": 9}, "ts_init", "before ts_event"),
    ],
)
def test_when_snapshot_is_unsorted_or_crossed_then_rejected(overrides, field, problem):
    with pytest.raises(InvalidInputError) as caught:
        snapshot(**overrides)
    assert caught.value.field == f"OrderBookSnapshot.{field}"
    assert problem in caught.value.problem


def test_when_snapshot_has_one_empty_side_then_valid():
    assert snapshot(bids=()).asks[0].price == 101
    assert snapshot(asks=()).bids[0].price == 100


@pytest.mark.parametrize("interval", [0, -1, 1.5])
def test_when_bar_interval_is_not_a_positive_int_then_rejected(interval):
    with pytest.raises(InvalidInputError, match=r"BarType\.interval_ns"):
        BarType(IID, interval)


def test_bar_type_prints_instrument_interval_and_price_type():
    assert str(MINUTE) == "BTCUSDT.SIM-60s-last"
    assert str(BarType(IID, 500_000_000, PriceType.MID)) == "BTCUSDT.SIM-0.5s-mid"


@pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS.keys())
def test_data_is_frozen(build):
    with pytest.raises(AttributeError):
        build().ts_init = 0
