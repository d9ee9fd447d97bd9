"""The clock: one scheduler for timers, alarms and calls; a test clock that jumps."""

from __future__ import annotations

import pytest

from ironkeel.core import clock as clock_module
from ironkeel.core.clock import LiveClock, TestClock
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.events import TimeEvent


@pytest.fixture
def clock() -> TestClock:
    return TestClock(start_ns=1_000)


@pytest.fixture
def log() -> list[tuple[object, ...]]:
    return []


def recorder(log, clock, label):
    """A callback that logs its label, the clock's time and (for timers) the event."""

    def record(event: TimeEvent | None = None) -> None:
        log.append((label, clock.timestamp_ns(), event.ts_event if event else None))

    return record


# --- ordering -----------------------------------------------------------------------------


def test_when_advancing_then_entries_run_in_time_order_reading_their_due_time(clock, log):
    clock.call_at(1_300, recorder(log, clock, "call"))
    clock.set_alarm("alarm", 1_100, recorder(log, clock, "alarm"))
    clock.set_timer("timer", 150, recorder(log, clock, "timer"))
    clock.advance_to(1_310)
    assert log == [
        ("alarm", 1_100, 1_100),
        ("timer", 1_150, 1_150),
        ("call", 1_300, None),
        ("timer", 1_300, 1_300),
    ]
    assert clock.timestamp_ns() == 1_310


def test_when_entries_are_due_at_the_same_ns_then_they_run_in_scheduling_order(clock, log):
    clock.set_timer("timer", 100, recorder(log, clock, "timer"))
    clock.call_at(1_100, recorder(log, clock, "call-1"))
    clock.set_alarm("alarm", 1_100, recorder(log, clock, "alarm"))
    clock.call_at(1_100, recorder(log, clock, "call-2"))
    clock.advance_to(1_100)
    assert [entry[0] for entry in log] == ["timer", "call-1", "alarm", "call-2"]


def test_when_a_callback_schedules_at_the_current_ns_then_it_runs_in_the_same_advance(clock, log):
    def first() -> None:
        log.append(("first", clock.timestamp_ns()))
        clock.call_at(clock.timestamp_ns(), lambda: log.append(("nested", clock.timestamp_ns())))

    clock.call_at(1_200, first)
    clock.call_at(1_200, lambda: log.append(("second", clock.timestamp_ns())))
    clock.advance_to(1_200)
    assert log == [("first", 1_200), ("second", 1_200), ("nested", 1_200)]


def test_when_call_at_is_in_the_past_then_it_runs_now_on_the_next_advance(clock, log):
    clock.call_at(10, recorder(log, clock, "late"))
    assert clock.next_due_ns() == 1_000
    clock.advance_to(1_000)
    assert log == [("late", 1_000, None)]


def test_when_nothing_is_due_then_advance_only_moves_time(clock, log):
    clock.call_at(2_000, recorder(log, clock, "later"))
    clock.advance_to(1_999)
    assert log == []
    assert clock.timestamp_ns() == 1_999
    assert clock.next_due_ns() == 2_000


def test_next_due_is_none_when_nothing_is_scheduled(clock):
    assert clock.next_due_ns() is None


# --- timers and alarms --------------------------------------------------------------------


def test_when_alarm_fires_then_once_with_its_name_and_it_is_forgotten(clock):
    fired: list[TimeEvent] = []
    clock.set_alarm("close", 1_500, fired.append)
    assert clock.timer_names == ["close"]
    clock.advance_to(10_000)
    assert fired == [TimeEvent(name="close", ts_event=1_500, ts_init=1_500)]
    assert clock.timer_names == []


def test_when_timer_has_a_start_then_it_fires_every_interval_after_it(clock):
    fired: list[TimeEvent] = []
    clock.set_timer("bar", 100, fired.append, start_ns=1_050)
    clock.advance_to(1_400)
    assert [e.ts_event for e in fired] == [1_150, 1_250, 1_350]
    assert clock.timer_names == ["bar"]


def test_when_timer_reaches_its_stop_then_it_fires_at_the_stop_and_is_forgotten(clock):
    fired: list[TimeEvent] = []
    clock.set_timer("bar", 100, fired.append, stop_ns=1_300)
    clock.advance_to(5_000)
    assert [e.ts_event for e in fired] == [1_100, 1_200, 1_300]
    assert clock.timer_names == []


def test_when_stop_is_between_fires_then_the_last_fire_is_before_it(clock):
    fired: list[TimeEvent] = []
    clock.set_timer("bar", 100, fired.append, stop_ns=1_250)
    clock.advance_to(5_000)
    assert [e.ts_event for e in fired] == [1_100, 1_200]


def test_when_stop_is_before_the_first_fire_then_the_timer_is_refused(clock):
    with pytest.raises(InvalidInputError, match="stop_ns"):
        clock.set_timer("bar", 100, print, stop_ns=1_050)
    assert clock.timer_names == []


def test_when_timer_is_cancelled_then_it_stops_firing(clock):
    fired: list[TimeEvent] = []
    clock.set_timer("bar", 100, fired.append)
    clock.advance_to(1_250)
    clock.cancel_timer("bar")
    clock.advance_to(2_000)
    assert [e.ts_event for e in fired] == [1_100, 1_200]
    assert clock.timer_names == []


def test_when_timer_cancels_itself_from_its_callback_then_it_stops(clock):
    fired: list[int] = []

    def once_twice(event: TimeEvent) -> None:
        fired.append(event.ts_event)
        if len(fired) == 2:
            clock.cancel_timer("bar")

    clock.set_timer("bar", 100, once_twice)
    clock.advance_to(2_000)
    assert fired == [1_100, 1_200]


def test_when_alarm_is_cancelled_then_the_name_can_be_reused(clock):
    fired: list[TimeEvent] = []
    clock.set_alarm("a", 1_100, fired.append)
    clock.cancel_timer("a")
    clock.set_alarm("a", 1_200, fired.append)
    clock.advance_to(2_000)
    assert [e.ts_event for e in fired] == [1_200]


def test_when_cancelling_an_unknown_timer_then_error_lists_the_set_ones(clock):
    clock.set_alarm("open", 2_000, print)
    with pytest.raises(InvalidInputError, match=r"cancel one of \['open'\]"):
        clock.cancel_timer("close")


@pytest.mark.parametrize(
    ("setup", "match"),
    [
        (lambda c: c.set_alarm("", 2_000, print), "empty"),
        (lambda c: c.set_alarm("a", 999, print), "before now"),
        (lambda c: c.set_alarm("a", 1_500.0, print), "time"),
        (lambda c: c.set_timer("t", 0, print), "positive int"),
        (lambda c: c.set_timer("t", -5, print), "positive int"),
        (lambda c: c.set_timer("t", 1.5, print), "positive int"),
        (lambda c: c.set_timer("t", True, print), "positive int"),
        (lambda c: c.set_timer("t", 10, print, start_ns=0), "before now"),
    ],
)
def test_when_timer_arguments_are_bad_then_rejected(clock, setup, match):
    with pytest.raises(InvalidInputError, match=match):
        setup(clock)
    assert clock.timer_names == []


def test_when_a_name_is_taken_then_a_second_timer_is_refused(clock):
    clock.set_alarm("a", 2_000, print)
    with pytest.raises(InvalidInputError, match="already set"):
        clock.set_timer("a", 10, print)


# --- time only moves forward --------------------------------------------------------------


def test_when_advancing_backwards_then_rejected_and_time_unchanged(clock):
    with pytest.raises(InvalidInputError, match="time only moves forward"):
        clock.advance_to(999)
    assert clock.timestamp_ns() == 1_000


def test_when_set_time_goes_backwards_then_rejected(clock):
    with pytest.raises(InvalidInputError, match="before now"):
        clock.set_time(999)


def test_when_set_time_jumps_then_due_entries_wait_for_the_next_advance(clock, log):
    clock.call_at(1_100, recorder(log, clock, "due"))
    clock.set_time(1_500)
    assert log == []
    clock.advance_to(1_500)
    assert log == [("due", 1_100, None)]


def test_test_clock_starts_at_zero_by_default():
    assert TestClock().timestamp_ns() == 0


# --- live clock ---------------------------------------------------------------------------


def test_live_clock_reads_the_system_time_in_ns():
    assert LiveClock().timestamp_ns() > 1_600_000_000 * 10**9  # after September 2020


def test_when_the_system_clock_steps_back_then_live_time_does_not(monkeypatch):
    readings = iter([5_000, 7_000, 6_000, 6_500, 8_000])
    monkeypatch.setattr(clock_module.time, "time_ns", lambda: next(readings))
    live = LiveClock()
    assert [live.timestamp_ns() for _ in range(5)] == [5_000, 7_000, 7_000, 7_000, 8_000]


def test_live_clock_runs_what_is_due_when_its_owner_advances(monkeypatch):
    monkeypatch.setattr(clock_module.time, "time_ns", lambda: 10_000)
    live = LiveClock()
    fired: list[TimeEvent] = []
    live.set_alarm("a", 9_000, fired.append)
    live.advance_to(live.timestamp_ns())
    assert [e.ts_event for e in fired] == [9_000]
