"""The breaker's fast path changes nothing: side by side with the full path, step by step."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ironkeel.risk.breaker import (
    BreakerSnapshot,
    BreakerState,
    BreakerTransition,
    DrawdownBreaker,
    IllegalBreakerTransitionError,
)
from ironkeel.risk.hwm import NANOS_PER_DAY, RollingHighWaterMark

S = BreakerState
DAY = NANOS_PER_DAY
CAPITAL = 1_000  # small raws: random walks land exactly on the integer thresholds
T0 = 19_000 * DAY


class ListRecorder:
    def __init__(self) -> None:
        self.records: list[tuple[BreakerSnapshot, tuple[BreakerTransition, ...]]] = []

    def record(
        self, snapshot: BreakerSnapshot, transitions: tuple[BreakerTransition, ...] = ()
    ) -> None:
        self.records.append((snapshot, transitions))


def _level(breaker: DrawdownBreaker, which: str, offset: int) -> int:
    """The equity at which the breaker's loss is exactly one of its thresholds, plus offset."""
    if which.startswith("dd") or breaker.daily_loss_limit_raw is None:
        base = breaker.peak_raw
        thresholds = {
            "warn": breaker._dd_warn,
            "trip": breaker._dd_trip,
            "rearm": breaker._dd_rearm,
        }
    else:
        base = breaker.day_start_raw
        thresholds = {
            "warn": breaker._dl_warn,
            "trip": breaker._dl_trip,
            "rearm": breaker._dl_rearm,
        }
    return base - thresholds[which[3:]] + offset


def _pair(config: dict, hwm: tuple[int, int, int] | None):
    """Two identical breakers, the second with the fast path disabled."""
    pair = []
    for fast in (True, False):
        journal = ListRecorder()
        rolling = None if hwm is None else RollingHighWaterMark(*hwm[:2], origin_ns=hwm[2])
        breaker = DrawdownBreaker(
            "strategy:x", level="strategy", capital_raw=CAPITAL, hwm=rolling, journal=journal,
            **config,
        )  # fmt: skip
        breaker._fast = fast
        pair.append((breaker, journal))
    return pair


def _call(breaker: DrawdownBreaker, step: tuple, ts: int):
    kind = step[0]
    try:
        if kind == "equity":
            return breaker.evaluate(step[1], ts)
        if kind == "cooled":
            return breaker.cooled("flatten done", ts)
        if kind == "reset":
            return breaker.reset("ops", "reviewed", ts)
        if kind == "halt":
            return breaker.halt("ops", "pause", ts)
        return breaker.resume("ops", "go", ts)
    except IllegalBreakerTransitionError as error:
        return ("illegal", str(error))


fractions = st.sampled_from(["0.02", "0.05", "0.1", "0.2", "0.2", "0.5", "1"]).map(Decimal)
warns = st.sampled_from(["0.5", "0.8", "0.9", "0.99"]).map(Decimal)


@st.composite
def configs(draw):
    warn = draw(warns)
    rearm = draw(st.sampled_from([Decimal(r) for r in ["0.1", "0.5", "0.7", "0.8"]]))
    return {
        "max_drawdown": draw(fractions),
        "daily_loss": draw(st.none() | fractions),
        "warn_at": warn,
        "rearm_below": min(rearm, warn),
        "drawdown_basis": draw(st.sampled_from(["capital", "hwm"])),
        "day_boundary_ns": draw(st.integers(-DAY, DAY)),
    }


hwms = st.none() | st.tuples(
    st.integers(1, 4),
    st.sampled_from([DAY // 3, DAY, 2 * DAY + 7]),
    st.integers(-DAY, DAY),
)
# Mostly small moves within a day, so the breaker lingers near its levels; sometimes a new
# day (or a jump of days), time running backwards, a big jump in equity, an operator action.
small_times = st.integers(0, DAY // 200)
time_steps = st.one_of(
    small_times,
    small_times,
    small_times,
    st.integers(0, 2 * DAY),
    st.sampled_from([DAY, 3 * DAY]),
    st.integers(-DAY // 10, 0),
)
small_moves = st.tuples(st.just("move"), st.integers(-12, 12), time_steps)
# An equity right at one of the breaker's current levels (warn, trip, rearm; drawdown or
# daily loss), give or take a raw or two: the exact boundaries get hit all the time.
at_levels = st.tuples(
    st.just("level"),
    st.sampled_from([f"{loss}_{at}" for loss in ("dd", "dl") for at in ("warn", "rearm") * 3]
                    + ["dd_trip", "dl_trip"]),
    st.integers(-2, 2),
    time_steps,
)  # fmt: skip
steps = st.one_of(
    small_moves,
    small_moves,
    small_moves,
    at_levels,
    at_levels,
    at_levels,
    st.tuples(st.just("move"), st.integers(-80, 80), time_steps),
    st.tuples(st.just("set"), st.integers(-100, 1_200), time_steps),
    st.tuples(
        st.sampled_from(
            ["cooled", "reset", "reset", "halt", "resume", "resume", "resume", "restore"]
        ),
        time_steps,
    ),
)


# Half the scripts only hop between the levels within the day, so that the breaker spends
# long stretches in WARNING with its band set, and leaves it by each of the exits.
level_hops = st.tuples(
    st.just("level"),
    st.sampled_from([f"{loss}_{at}" for loss in ("dd", "dl") for at in ("warn", "rearm", "trip")]),
    st.integers(-3, 3),
    st.integers(0, DAY // 500),
)
scripts = st.lists(steps, min_size=20, max_size=150) | st.lists(
    level_hops | small_moves | st.tuples(st.just("reset"), small_times), min_size=20, max_size=150
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs(), hwms, scripts)
def test_fast_path_matches_the_full_path(config, hwm, script):
    (fast, fast_journal), (slow, slow_journal) = _pair(config, hwm)
    equity, ts = CAPITAL, T0
    for step in script:
        ts += step[-1]
        if step[0] in ("move", "set", "level"):
            if step[0] == "level":
                equity = _level(slow, step[1], step[2])
            else:
                equity = equity + step[1] if step[0] == "move" else step[1]
            call: tuple = ("equity", equity)
        elif step[0] == "restore":
            fast = DrawdownBreaker.restore(fast.snapshot(), journal=fast_journal)
            slow = DrawdownBreaker.restore(slow.snapshot(), journal=slow_journal)
            slow._fast = False
            call = ("equity", equity)
        else:
            call = (step[0],)
        assert _call(fast, call, ts) == _call(slow, call, ts)
        assert fast.snapshot() == slow.snapshot()
        assert fast_journal.records == slow_journal.records


def started(**kwargs) -> DrawdownBreaker:
    breaker = DrawdownBreaker("s", level="strategy", capital_raw=CAPITAL, **kwargs)
    breaker.evaluate(CAPITAL, T0)
    return breaker


def test_an_ordinary_equity_takes_the_fast_path():
    breaker = started(max_drawdown=Decimal("0.1"), daily_loss=Decimal("0.05"))
    # Monitoring, peak 1000: the warn thresholds are 80 (drawdown) and 40 (daily loss).
    assert (breaker._fast_lo, breaker._fast_hi) == (960, 1000)
    assert breaker._fast_until == T0 + DAY
    assert breaker.evaluate(961, T0 + 1) == ()
    assert breaker.snapshot().last_equity_raw == 961
    assert (breaker.evaluate(960, T0 + 2)[0].trigger, breaker.state) == ("warn", S.WARNING)


def test_the_warning_band_stops_short_of_trip_and_recovery():
    breaker = started(max_drawdown=Decimal("0.1"), daily_loss=None)
    breaker.evaluate(920, T0 + 1)
    assert breaker.state is S.WARNING
    # Trip at a drawdown of 100, recovery below 70: the band is (900, 930].
    assert (breaker._fast_lo, breaker._fast_hi) == (900, 930)
    assert breaker.evaluate(930, T0 + 2) == ()
    (recover,) = breaker.evaluate(931, T0 + 3)
    assert recover.trigger == "recover"


def test_a_new_day_or_a_new_peak_leaves_the_fast_path():
    breaker = started(max_drawdown=Decimal("0.1"))
    breaker.evaluate(990, T0 + DAY - 1)
    breaker.evaluate(995, T0 + DAY)  # the next day starts from 990
    assert breaker.day_start_raw == 990
    breaker.evaluate(1_001, T0 + DAY + 1)
    assert breaker.peak_raw == 1_001
    assert breaker._fast_hi == 1_001


@pytest.mark.parametrize("action", ["halt", "trip"])
def test_no_band_outside_monitoring_and_warning(action):
    breaker = started(max_drawdown=Decimal("0.1"))
    if action == "halt":
        breaker.halt("ops", "pause", T0 + 1)
    else:
        breaker.evaluate(900, T0 + 1)
        assert breaker.state is S.TRIGGERED
    assert (breaker._fast_lo, breaker._fast_hi) == (0, 0)


def test_the_rolling_window_session_bounds_the_fast_path():
    hwm = RollingHighWaterMark(2, DAY // 4)
    breaker = started(max_drawdown=Decimal("0.1"), hwm=hwm)
    assert breaker._fast_until == T0 + DAY // 4
