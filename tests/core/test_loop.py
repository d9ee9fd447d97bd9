"""The event loop: documented, stable ordering of merged streams and scheduled entries."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ironkeel.core.clock import TestClock
from ironkeel.core.loop import KIND_PRIORITY, EventLoop, stream_key
from ironkeel.model.data import (
    Bar,
    BarType,
    BookLevel,
    OrderBookDelta,
    OrderBookDeltas,
    OrderBookSnapshot,
    QuoteTick,
    TradeTick,
)
from ironkeel.model.enums import AggressorSide, BookAction, BookSide
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.events import TimeEvent
from ironkeel.model.identifiers import InstrumentId

BTC = InstrumentId.parse("BTCUSDT.SIM")
ETH = InstrumentId.parse("ETHUSDT.SIM")


def quote(ts: int, iid: InstrumentId = BTC, bid: int = 100) -> QuoteTick:
    return QuoteTick(iid, bid, bid + 1, 1, 1, ts, ts)


def trade(ts: int, iid: InstrumentId = BTC) -> TradeTick:
    return TradeTick(iid, 100, 1, AggressorSide.BUYER, f"T-{ts}", ts, ts)


def bar(ts: int, iid: InstrumentId = BTC) -> Bar:
    return Bar(BarType(iid, 60), 100, 100, 100, 100, 1, ts, ts)


def snapshot(ts: int, iid: InstrumentId = BTC) -> OrderBookSnapshot:
    return OrderBookSnapshot(iid, (BookLevel(100, 1),), (BookLevel(101, 1),), ts, ts, ts)


def deltas(ts: int, iid: InstrumentId = BTC) -> OrderBookDeltas:
    delta = OrderBookDelta(BookAction.UPDATE, BookSide.BID, 100, 2)
    return OrderBookDeltas(iid, (delta,), ts, ts, ts, ts)


BUILDERS = {"snapshot": snapshot, "deltas": deltas, "quote": quote, "trade": trade, "bar": bar}


@pytest.fixture
def clock() -> TestClock:
    return TestClock()


@pytest.fixture
def loop(clock) -> EventLoop:
    return EventLoop(clock)


def record_all(loop: EventLoop, streams: list[list[Any]], log: list[Any]) -> None:
    """Add ``streams`` and log (type name, ts_init, clock time) for every item handled."""
    for stream in streams:
        loop.add_stream(stream)
        loop.subscribe(
            stream_key(stream[0]),
            lambda item: log.append((type(item).__name__, item.ts_init, loop.clock.timestamp_ns())),
        )


# --- ordering -----------------------------------------------------------------------------


def test_when_timestamps_tie_then_book_before_quote_before_trade_before_bar(loop):
    log: list[Any] = []
    streams = [[bar(5)], [trade(5)], [quote(5)], [deltas(5)], [snapshot(5, ETH)]]
    record_all(loop, streams, log)
    assert loop.run() == 5
    assert [name for name, *_ in log] == [
        "OrderBookDeltas",
        "OrderBookSnapshot",
        "QuoteTick",
        "TradeTick",
        "Bar",
    ]


def test_kind_priority_is_book_quote_trade_bar():
    assert KIND_PRIORITY[OrderBookSnapshot] == KIND_PRIORITY[OrderBookDeltas]
    assert (
        KIND_PRIORITY[OrderBookDeltas]
        < KIND_PRIORITY[QuoteTick]
        < KIND_PRIORITY[TradeTick]
        < KIND_PRIORITY[Bar]
    )


def test_when_kind_also_ties_then_streams_run_in_the_order_added(loop):
    seen: list[InstrumentId] = []
    for iid in (ETH, BTC):
        loop.add_stream([quote(5, iid)])
        loop.subscribe((QuoteTick, iid), lambda q: seen.append(q.instrument_id))
    loop.run()
    assert seen == [ETH, BTC]


def test_when_a_stream_has_equal_timestamps_then_its_own_order_is_kept(loop):
    seen: list[int] = []
    loop.add_stream([quote(5, bid=3), quote(5, bid=1), quote(5, bid=2)])
    loop.add_stream([trade(5)])
    loop.subscribe((QuoteTick, BTC), lambda q: seen.append(q.bid))
    loop.run()
    assert seen == [3, 1, 2]


def test_when_times_differ_then_earlier_runs_first_whatever_the_kind(loop):
    log: list[Any] = []
    record_all(loop, [[bar(1), bar(9)], [snapshot(2), snapshot(10)], [quote(3)]], log)
    loop.run()
    assert [ts for _, ts, _ in log] == [1, 2, 3, 9, 10]


@given(
    streams=st.lists(
        st.tuples(
            st.sampled_from(sorted(BUILDERS)),
            st.lists(st.integers(0, 20), min_size=1, max_size=8).map(sorted),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_merged_order_is_time_then_kind_then_stream_then_position(streams):
    loop = EventLoop(TestClock())
    position: dict[int, tuple[int, int, int, int]] = {}
    seen: list[int] = []
    for index, (kind, times) in enumerate(streams):
        iid = InstrumentId(f"S{index}", BTC.venue)
        items = [BUILDERS[kind](ts, iid) for ts in times]
        for row, item in enumerate(items):
            position[id(item)] = (item.ts_init, KIND_PRIORITY[type(item)], index, row)
        loop.add_stream(items)
        loop.subscribe(stream_key(items[0]), lambda item: seen.append(id(item)))
    assert loop.run() == len(position)
    assert [position[i] for i in seen] == sorted(position.values())


# --- the clock and scheduled entries ------------------------------------------------------


def test_when_entries_are_due_at_or_before_an_item_then_they_run_before_it(loop, clock):
    log: list[Any] = []
    record_all(loop, [[quote(10), quote(20)]], log)
    clock.call_at(10, lambda: log.append(("call@10", 10, clock.timestamp_ns())))
    clock.call_at(9, lambda: log.append(("call@9", 9, clock.timestamp_ns())))
    clock.call_at(11, lambda: log.append(("call@11", 11, clock.timestamp_ns())))
    loop.run()
    assert log == [
        ("call@9", 9, 9),
        ("call@10", 10, 10),
        ("QuoteTick", 10, 10),
        ("call@11", 11, 11),
        ("QuoteTick", 20, 20),
    ]


@pytest.mark.parametrize("streams", [1, 2], ids=["single-stream", "merged"])
def test_when_a_handler_schedules_at_the_current_time_then_it_runs_before_the_next_item(
    loop, clock, streams
):
    log: list[str] = []
    items = [quote(5, bid=1), quote(5, bid=2)]
    loop.add_stream(items)
    if streams == 2:
        loop.add_stream([trade(7)])

    def on_quote(q: QuoteTick) -> None:
        log.append(f"quote {q.bid}")
        if q.bid == 1:
            clock.call_at(clock.timestamp_ns(), lambda: log.append("latency 0"))

    loop.subscribe((QuoteTick, BTC), on_quote)
    loop.run()
    assert log == ["quote 1", "latency 0", "quote 2"]


def test_after_the_data_the_clock_runs_what_is_due_up_to_until(loop, clock):
    fired: list[int] = []
    loop.add_stream([quote(10)])
    clock.set_timer("t", 10, lambda e: fired.append(e.ts_event))
    loop.run(until_ns=45)
    assert fired == [10, 20, 30, 40]
    assert clock.timestamp_ns() == 45


def test_by_default_the_clock_stops_at_the_last_item(loop, clock):
    fired: list[int] = []
    loop.add_stream([quote(10), quote(25)])
    clock.set_timer("t", 10, lambda e: fired.append(e.ts_event))
    loop.run()
    assert fired == [10, 20]
    assert clock.timestamp_ns() == 25


@pytest.mark.parametrize("extra_stream", [False, True], ids=["single-stream", "merged"])
def test_when_the_clock_is_already_past_the_data_then_run_refuses(extra_stream):
    clock = TestClock(start_ns=100)
    loop = EventLoop(clock)
    loop.add_stream([quote(50)])
    if extra_stream:
        loop.add_stream([trade(60)])
    with pytest.raises(InvalidInputError, match=r"before the clock.s current time"):
        loop.run()
    assert clock.timestamp_ns() == 100


def test_dispatch_runs_what_is_due_then_the_handlers(loop, clock):
    log: list[str] = []
    clock.set_alarm("a", 5, lambda e: log.append("alarm"))
    loop.subscribe((QuoteTick, BTC), lambda q: log.append("quote"))
    loop.dispatch(quote(5))
    assert log == ["alarm", "quote"]
    assert loop.processed == 1
    assert clock.timestamp_ns() == 5


# --- stream validation --------------------------------------------------------------------


def test_when_a_stream_goes_back_in_time_then_refused_naming_the_index(loop):
    with pytest.raises(InvalidInputError) as caught:
        loop.add_stream([quote(1), quote(3), quote(2), quote(4)], name="quotes")
    assert caught.value.field == "quotes[2].ts_init"
    assert "is before the previous item's 3" in caught.value.problem


def test_when_an_unnamed_stream_is_refused_then_it_is_named_by_position(loop):
    loop.add_stream([quote(1)])
    with pytest.raises(InvalidInputError) as caught:
        loop.add_stream([trade(2), trade(1)])
    assert caught.value.field == "stream 1[1].ts_init"


@pytest.mark.parametrize(
    "items",
    [
        [quote(1), trade(2)],
        [quote(1), quote(2), quote(3, ETH)],
        [bar(1), Bar(BarType(BTC, 120), 1, 1, 1, 1, 1, 2, 2)],
    ],
    ids=["two-kinds", "two-instruments", "two-bar-types"],
)
def test_when_a_stream_mixes_kinds_or_instruments_then_refused_naming_the_index(loop, items):
    with pytest.raises(InvalidInputError) as caught:
        loop.add_stream(items, name="mixed")
    assert caught.value.field == f"mixed[{len(items) - 1}]"
    assert "one data type of one instrument" in caught.value.fix


def test_when_a_stream_is_empty_then_refused(loop):
    with pytest.raises(InvalidInputError, match="is empty"):
        loop.add_stream([])


def test_when_an_item_is_not_market_data_then_refused_with_the_known_kinds(loop):
    with pytest.raises(InvalidInputError, match="not a market data type") as caught:
        loop.add_stream([TimeEvent(name="t", ts_event=1, ts_init=1)])
    assert "QuoteTick" in caught.value.fix


def test_bars_are_keyed_by_bar_type_and_ticks_by_type_and_instrument():
    assert stream_key(bar(1)) == BarType(BTC, 60)
    assert stream_key(quote(1)) == (QuoteTick, BTC)


# --- stop, counts, determinism ------------------------------------------------------------


@pytest.mark.parametrize("extra_stream", [False, True], ids=["single-stream", "merged"])
def test_when_a_handler_stops_the_loop_then_later_items_and_timers_do_not_run(
    loop, clock, extra_stream
):
    seen: list[int] = []
    fired: list[int] = []
    loop.add_stream([quote(t) for t in (1, 2, 3, 4)])
    if extra_stream:
        loop.add_stream([bar(4)])

    def on_quote(q: QuoteTick) -> None:
        seen.append(q.ts_init)
        if q.ts_init == 2:
            loop.stop()

    loop.subscribe((QuoteTick, BTC), on_quote)
    clock.set_alarm("late", 3, lambda e: fired.append(e.ts_event))
    assert loop.run() == 2
    assert seen == [1, 2]
    assert fired == []
    assert loop.processed == 2


def test_run_returns_the_items_handled_including_unsubscribed_ones(loop):
    loop.add_stream([quote(1), quote(2)])
    loop.add_stream([trade(1)])
    assert loop.run() == 3
    assert loop.processed == 3


def test_when_no_stream_was_added_then_run_handles_nothing(loop):
    assert loop.run() == 0


def _replay() -> list[tuple[Any, ...]]:
    clock = TestClock()
    loop = EventLoop(clock)
    log: list[tuple[Any, ...]] = []
    streams = [
        [quote(t, bid=t) for t in (0, 3, 3, 7, 12)],
        [trade(t) for t in (3, 4, 12)],
        [bar(t) for t in (6, 12)],
        [snapshot(t, ETH) for t in (0, 12)],
    ]
    record_all(loop, streams, log)
    clock.set_timer("t", 4, lambda e: log.append(("timer", e.ts_event, clock.timestamp_ns())))

    def on_trade(t: TradeTick) -> None:
        clock.call_at(
            t.ts_init + 1, lambda: log.append(("latency", t.ts_init, clock.timestamp_ns()))
        )

    loop.subscribe((TradeTick, BTC), on_trade)
    loop.run(until_ns=20)
    return log


def test_when_replayed_twice_then_the_sequences_are_identical():
    first, second = _replay(), _replay()
    assert first == second
    assert len(first) == 12 + 3 + 5  # items, trade latencies, timer fires up to 20
