"""The rolling high-water mark: exact max over the trailing sessions, O(1) amortized."""

from __future__ import annotations

import random

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ironkeel.model.errors import InvalidInputError
from ironkeel.risk.hwm import NANOS_PER_DAY, HwmState, RollingHighWaterMark

DAY = NANOS_PER_DAY


def brute_force(updates: list[tuple[int, int]], window: int, session_ns: int) -> list[int]:
    """The max over the trailing ``window`` sessions that saw an update, recomputed each time."""
    seen: list[tuple[int, int]] = []  # (ordinal, equity)
    ordinal, last, out = 0, None, []
    for equity, ts in updates:
        session = ts // session_ns
        if last is None or session > last:
            last, ordinal = session, ordinal + 1
        seen.append((ordinal, equity))
        out.append(max(e for o, e in seen if o > ordinal - window))
    return out


def test_when_equity_rises_then_falls_then_the_peak_is_kept_inside_the_window():
    hwm = RollingHighWaterMark(3)
    assert hwm.value is None
    assert hwm.update(100, 0) == 100
    assert hwm.update(120, DAY) == 120
    assert hwm.update(90, 2 * DAY) == 120
    assert hwm.update(80, 3 * DAY) == 120  # sessions 1, 2, 3 are in the window
    assert hwm.update(70, 4 * DAY) == 90  # session 1 (120) left; sessions 2, 3, 4
    assert hwm.value == 90


def test_when_several_updates_fall_in_one_session_then_the_session_max_counts():
    hwm = RollingHighWaterMark(2)
    hwm.update(100, 10)
    hwm.update(150, 20)
    hwm.update(90, 30)
    assert hwm.update(50, DAY) == 150
    assert hwm.update(60, 2 * DAY) == 60  # the first session (max 150) left the window


def test_when_sessions_have_no_updates_then_they_do_not_count_towards_the_window():
    hwm = RollingHighWaterMark(2)
    hwm.update(200, 0)
    # Ten idle days later: only the second session with data, so 200 is still in the window.
    assert hwm.update(100, 10 * DAY) == 200
    assert hwm.update(100, 11 * DAY) == 100


def test_when_a_timestamp_goes_back_a_session_then_it_counts_in_the_latest_session():
    hwm = RollingHighWaterMark(1)
    hwm.update(100, 5 * DAY)
    assert hwm.update(130, 4 * DAY) == 130  # counted in session 5
    assert hwm.update(90, 6 * DAY) == 90


def test_when_origin_is_shifted_then_sessions_start_at_the_origin():
    hwm = RollingHighWaterMark(1, origin_ns=22 * 3600 * 10**9)  # sessions start at 22:00 UTC
    hwm.update(100, 23 * 3600 * 10**9)
    assert hwm.update(50, DAY + 21 * 3600 * 10**9) == 100  # same session (before 22:00)
    assert hwm.update(40, DAY + 22 * 3600 * 10**9) == 40


def test_the_deque_never_holds_more_entries_than_the_window():
    hwm = RollingHighWaterMark(252)
    for day in range(1_000):
        hwm.update(10**20 - day, day * DAY)  # falling: every session is a candidate
        assert len(hwm) <= 252
    assert hwm.value == 10**20 - (1_000 - 252)


@pytest.mark.parametrize("window", [1, 2, 5, 30])
def test_matches_brute_force_on_random_walks(window):
    rnd = random.Random(window)
    updates, ts, equity = [], 0, 10**18
    for _ in range(2_000):
        ts += rnd.choice([0, 1, DAY // 7, DAY // 2, DAY, 3 * DAY])
        equity += rnd.randint(-(10**15), 10**15)
        updates.append((equity, ts))
    hwm = RollingHighWaterMark(window)
    assert [hwm.update(e, t) for e, t in updates] == brute_force(updates, window, DAY)


@given(
    window=st.integers(1, 6),
    steps=st.lists(
        st.tuples(st.integers(-(10**30), 10**30), st.integers(0, 3)), min_size=1, max_size=60
    ),
)
def test_property_matches_brute_force(window, steps):
    updates, ts = [], 0
    for equity, gap in steps:
        ts += gap * (DAY // 2)
        updates.append((equity, ts))
    hwm = RollingHighWaterMark(window)
    assert [hwm.update(e, t) for e, t in updates] == brute_force(updates, window, DAY)


def test_when_restored_from_its_state_then_it_continues_identically():
    rnd = random.Random(1)
    a = RollingHighWaterMark(10)
    updates = [(rnd.randint(0, 10**6), i * DAY // 3) for i in range(100)]
    for e, t in updates[:60]:
        a.update(e, t)
    state = msgspec.json.decode(msgspec.json.encode(a.state()), type=HwmState)
    b = RollingHighWaterMark.from_state(state)
    assert [a.update(e, t) for e, t in updates[60:]] == [b.update(e, t) for e, t in updates[60:]]


def test_when_reset_then_the_next_update_starts_a_new_window():
    hwm = RollingHighWaterMark(5)
    hwm.update(500, 0)
    hwm.reset()
    assert hwm.value is None
    assert hwm.update(100, DAY) == 100


@pytest.mark.parametrize(
    "entries",
    [
        ((4, 100), (5, 100)),  # maxima not strictly decreasing
        ((5, 100), (4, 50)),  # ordinals not increasing
        ((2, 100),),  # left the window (sessions 3, 4, 5 are in it)
        ((6, 100),),  # newer than the latest session
    ],
)
def test_when_a_state_is_inconsistent_then_it_is_refused(entries):
    state = HwmState(window_sessions=3, session_ns=DAY, session=9, ordinal=5, entries=entries)
    with pytest.raises(InvalidInputError, match="monotonic window"):
        RollingHighWaterMark.from_state(state)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"window_sessions": 0}, "window_sessions"),
        ({"window_sessions": 2.0}, "window_sessions"),
        ({"window_sessions": 2, "session_ns": 0}, "session_ns"),
    ],
)
def test_when_the_window_is_not_a_positive_int_then_it_is_refused(kwargs, field):
    with pytest.raises(InvalidInputError) as info:
        RollingHighWaterMark(**kwargs)
    assert info.value.field == field
