"""The risk layer's per-instrument Reference: it keeps the latest item as it is and reads
the price by the item's kind, and the data time, only when asked."""

from __future__ import annotations

import pytest

from ironkeel.model import AggressorSide, QuoteTick, TradeTick
from ironkeel.model.errors import StateError
from ironkeel.risk.reference import BAR, NO_PRICE, QUOTE, TRADE, Reference
from tests._bars import START_NS, bars_from_ohlc, instrument

BTC = instrument("BTCUSD")


def test_nothing_kept_yet_has_no_price_and_no_time() -> None:
    reference = Reference()
    assert (reference.seen, reference.priced, reference.ts) == (False, False, 0)
    with pytest.raises(StateError, match="no reference price yet"):
        _ = reference.price


def test_the_price_reads_by_the_kind_of_the_item() -> None:
    (bar,) = bars_from_ohlc(BTC, [("100", "101", "99", "100.5")])
    reference = Reference()
    reference.keep(bar, BAR)
    assert (reference.price, reference.ts, reference.priced) == (
        BTC.ticks("100.5"),
        bar.ts_event,
        True,
    )
    trade = TradeTick(BTC.id, 10_007, 1, AggressorSide.SELLER, "t1", START_NS + 5, START_NS + 6)
    reference.keep(trade, TRADE)
    assert (reference.price, reference.ts) == (10_007, START_NS + 5)
    quote = QuoteTick(BTC.id, 10_000, 10_003, 1, 1, START_NS + 7, START_NS + 8)
    reference.keep(quote, QUOTE)
    assert (reference.price, reference.ts) == (10_001, START_NS + 7)  # the mid, rounded down


def test_an_item_with_no_price_gives_a_data_time_only() -> None:
    quote = QuoteTick(BTC.id, 10_000, 10_003, 1, 1, START_NS + 7, START_NS + 8)
    reference = Reference()
    reference.keep(quote, NO_PRICE)
    assert (reference.seen, reference.priced, reference.ts) == (True, False, START_NS + 7)
    with pytest.raises(StateError):
        _ = reference.price


def test_a_new_item_is_read_afresh_whichever_figure_is_asked_first() -> None:
    first, second = bars_from_ohlc(
        BTC, [("100", "101", "99", "100.5"), ("100", "102", "99", "101")]
    )
    reference = Reference()
    reference.keep(first, BAR)
    assert (reference.price, reference.ts) == (BTC.ticks("100.5"), first.ts_event)
    reference.keep(second, BAR)
    assert reference.ts == second.ts_event  # the time first: the price is read with it
    assert reference.price == BTC.ticks("101")
    reference.item = first  # set directly (a stream with no price keeps its Reference so)
    assert (reference.ts, reference.price) == (first.ts_event, BTC.ticks("100.5"))
