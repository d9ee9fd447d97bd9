"""Drawdown breakers: one transition table, exact thresholds, exactly one trip, latched."""

from __future__ import annotations

import ast
from decimal import Decimal

import msgspec
import pytest

from ironkeel import _native
from ironkeel.model.errors import IllegalTransitionError, InvalidInputError, StateError
from ironkeel.risk import breaker as breaker_module
from ironkeel.risk import breaker_types
from ironkeel.risk.breaker import (
    BREAKER_TRANSITIONS,
    BreakerSnapshot,
    BreakerState,
    BreakerTransition,
    DrawdownBreaker,
    IllegalBreakerTransitionError,
)
from ironkeel.risk.hwm import NANOS_PER_DAY, RollingHighWaterMark
from ironkeel.risk.journal import BreakerJournal

S = BreakerState
U = 10**12  # one currency unit in money raws
CAPITAL = 1_000_000 * U
LIMIT = 50_000 * U  # 5% of the capital
WARN = 40_000 * U  # 80% of the limit
REARM = 35_000 * U  # 70% of the limit
DAY = NANOS_PER_DAY
T0 = 1_700_000_000 * 10**9 - (1_700_000_000 * 10**9) % DAY  # a UTC midnight


def make(**kwargs) -> DrawdownBreaker:
    options = {"level": "strategy", "scope": "sma-1", "capital_raw": CAPITAL}
    options.update(kwargs)
    return DrawdownBreaker("strategy:sma-1", **options)


def started(**kwargs) -> DrawdownBreaker:
    breaker = make(**kwargs)
    (start,) = breaker.evaluate(CAPITAL, T0)
    assert (start.trigger, start.to_state) == ("start", S.MONITORING)
    return breaker


def triggers(transitions) -> list[str]:
    return [t.trigger for t in transitions]


# --- the table --------------------------------------------------------------------------


def test_the_table_is_the_documented_state_machine():
    expected = {
        (S.ARMED, "start"): S.MONITORING,
        (S.MONITORING, "warn"): S.WARNING,
        (S.WARNING, "recover"): S.MONITORING,
        (S.MONITORING, "trip"): S.TRIGGERED,
        (S.WARNING, "trip"): S.TRIGGERED,
        (S.TRIGGERED, "cooled"): S.COOLING_DOWN,
        (S.TRIGGERED, "reset"): S.RESET,
        (S.COOLING_DOWN, "reset"): S.RESET,
        (S.RESET, "rearm"): S.MONITORING,
        (S.HALTED, "resume"): S.MONITORING,
    }
    expected |= {(s, "halt"): S.HALTED for s in S if s is not S.HALTED}
    assert expected == BREAKER_TRANSITIONS


# --- boundaries: limit - 1, limit, limit + 1 ---------------------------------------------


@pytest.mark.parametrize(
    ("loss", "state"),
    [(LIMIT - 1, S.WARNING), (LIMIT, S.TRIGGERED), (LIMIT + 1, S.TRIGGERED)],
    ids=["limit-1", "limit", "limit+1"],
)
def test_drawdown_trips_at_the_limit_exactly(loss, state):
    breaker = started(daily_loss=None)
    breaker.evaluate(CAPITAL - loss, T0 + 1)
    assert breaker.state is state
    assert breaker.trips == (state is S.TRIGGERED)


@pytest.mark.parametrize(
    ("loss", "state"),
    [(LIMIT - 1, S.WARNING), (LIMIT, S.TRIGGERED), (LIMIT + 1, S.TRIGGERED)],
    ids=["limit-1", "limit", "limit+1"],
)
def test_daily_loss_trips_at_the_limit_exactly(loss, state):
    breaker = started(max_drawdown=Decimal("0.5"))
    breaker.evaluate(CAPITAL + 100_000 * U, T0 + 1)  # yesterday's gains
    breaker.evaluate(CAPITAL + 100_000 * U, T0 + DAY)  # the new day starts here
    assert breaker.day_start_raw == CAPITAL + 100_000 * U
    breaker.evaluate(CAPITAL + 100_000 * U - loss, T0 + DAY + 5)
    assert breaker.state is state


@pytest.mark.parametrize(
    ("loss", "state"),
    [(WARN - 1, S.MONITORING), (WARN, S.WARNING), (WARN + 1, S.WARNING)],
    ids=["warn-1", "warn", "warn+1"],
)
def test_warning_comes_at_80_percent_of_the_limit_exactly(loss, state):
    breaker = started()
    out = breaker.evaluate(CAPITAL - loss, T0 + 1)
    assert breaker.state is state
    assert triggers(out) == (["warn"] if state is S.WARNING else [])


def test_when_warned_then_it_recovers_only_below_70_percent():
    breaker = started()
    assert triggers(breaker.evaluate(CAPITAL - WARN, T0 + 1)) == ["warn"]
    assert breaker.evaluate(CAPITAL - WARN + 1, T0 + 2) == ()  # 79.99%: still warned
    assert breaker.evaluate(CAPITAL - REARM, T0 + 3) == ()  # exactly 70%: still warned
    assert breaker.state is S.WARNING
    assert triggers(breaker.evaluate(CAPITAL - REARM + 1, T0 + 4)) == ["recover"]
    assert breaker.state is S.MONITORING


def test_when_the_loss_hovers_at_the_warning_then_it_warns_once():
    breaker = started()
    out = []
    for i in range(1_000):
        out += breaker.evaluate(CAPITAL - WARN + (i % 2) * 2 * U, T0 + i)
    assert triggers(out) == ["warn"]


# --- exactly one trip, latched -------------------------------------------------------------


def test_when_equity_oscillates_around_the_limit_1000_times_then_it_trips_exactly_once():
    breaker = started()
    out = []
    for i in range(2_000):  # 1,000 crossings down and 1,000 back up
        loss = LIMIT if i % 2 == 0 else LIMIT - 1
        out += breaker.evaluate(CAPITAL - loss, T0 + 1 + i)
        assert breaker.state is S.TRIGGERED
    assert triggers(out) == ["trip"]
    assert breaker.trips == 1
    assert not breaker.allows_trading
    # Full recovery and new highs change nothing: latched until an operator resets it.
    assert breaker.evaluate(CAPITAL * 2, T0 + 10**6) == ()
    assert breaker.state is S.TRIGGERED


def test_when_reset_by_an_operator_then_it_rearms_re_based_on_the_next_equity():
    breaker = started()
    breaker.evaluate(CAPITAL - LIMIT, T0 + 1)
    cooled = breaker.cooled("flatten done", T0 + 2)
    assert (cooled.from_state, cooled.to_state) == (S.TRIGGERED, S.COOLING_DOWN)
    reset = breaker.reset("alice", "loss reviewed", T0 + 3)
    assert (reset.to_state, reset.operator) == (S.RESET, "alice")
    assert breaker.allows_trading
    (rearm,) = breaker.evaluate(CAPITAL - LIMIT - 10 * U, T0 + 4)
    assert (rearm.trigger, rearm.to_state) == ("rearm", S.MONITORING)
    assert breaker.peak_raw == breaker.day_start_raw == CAPITAL - LIMIT - 10 * U
    # The limit now counts from the new base: a further 5% trips again, once.
    assert breaker.evaluate(CAPITAL - LIMIT - 10 * U - (LIMIT - 1), T0 + 5)[0].trigger == "warn"
    assert triggers(breaker.evaluate(CAPITAL - 2 * LIMIT - 10 * U, T0 + 6)) == ["trip"]
    assert breaker.trips == 2


def test_a_trip_from_monitoring_skips_the_warning():
    breaker = started()
    (trip,) = breaker.evaluate(CAPITAL - 2 * LIMIT, T0 + 1)
    assert (trip.from_state, trip.to_state, trip.trigger) == (S.MONITORING, S.TRIGGERED, "trip")


def test_the_trip_reason_carries_the_exact_figures():
    breaker = started()
    (trip,) = breaker.evaluate(CAPITAL - LIMIT - U // 4, T0 + 1)
    assert trip.reason == (
        "tripped: drawdown 50000.25 (peak 1000000, equity 949999.75; limit 50000 = 5% of "
        "capital 1000000); daily loss 50000.25 (day start 1000000; limit 50000 = 5% of "
        "capital 1000000)"
    )
    assert (trip.breaker, trip.level, trip.scope, trip.operator) == (
        "strategy:sma-1",
        "strategy",
        "sma-1",
        "",
    )


# --- exactness ------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_huge_amounts_are_decided_exactly(offset):
    capital = 10**45 + 7  # far beyond float precision: a float could not tell the three apart
    limit = -(-capital * 5 // 100)  # ceil(5% of capital)
    breaker = DrawdownBreaker("b", level="portfolio", capital_raw=capital, daily_loss=None)
    breaker.evaluate(capital, 0)
    breaker.evaluate(capital - limit - offset, 1)
    assert breaker.state is (S.TRIGGERED if offset >= 0 else S.WARNING)
    assert breaker.drawdown_limit_raw == limit


def test_a_limit_that_is_not_a_round_fraction_is_applied_exactly():
    breaker = started(max_drawdown=Decimal("0.0333"), daily_loss=None)
    limit = -(-CAPITAL * 333 // 10_000)
    assert breaker.drawdown_limit_raw == limit
    breaker.evaluate(CAPITAL - limit + 1, T0 + 1)
    assert breaker.state is S.WARNING
    breaker.evaluate(CAPITAL - limit, T0 + 2)
    assert breaker.state is S.TRIGGERED


def test_a_float_equity_is_refused():
    breaker = started()
    with pytest.raises(InvalidInputError) as info:
        breaker.evaluate(float(CAPITAL), T0 + 1)
    assert info.value.field == "equity_raw"
    with pytest.raises(InvalidInputError):
        breaker.evaluate(CAPITAL, float(T0))


@pytest.mark.parametrize("module", [breaker_module, breaker_types], ids=lambda m: m.__name__)
def test_no_float_and_no_true_division_in_the_breaker_module(module):
    source = _native.source_path(module.__name__)  # the .py, also when the build is loaded
    tree = ast.parse(source.read_text(encoding="utf-8"))
    floats = [
        n.lineno for n in ast.walk(tree) if isinstance(n, ast.Constant) and type(n.value) is float
    ]
    divisions = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Div)]
    float_calls = [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "float"
    ]
    assert (floats, divisions, float_calls) == ([], [], [])


# --- bases and levels -----------------------------------------------------------------------


def test_with_an_hwm_basis_the_limit_follows_the_peak():
    breaker = started(drawdown_basis="hwm", daily_loss=None)
    breaker.evaluate(2 * CAPITAL, T0 + 1)  # the peak doubled: the limit is 5% of 2,000,000
    assert breaker.drawdown_limit_raw == 2 * LIMIT
    breaker.evaluate(2 * CAPITAL - 2 * LIMIT + 1, T0 + 2)
    assert breaker.state is S.WARNING
    breaker.evaluate(2 * CAPITAL - 2 * LIMIT, T0 + 3)
    assert breaker.state is S.TRIGGERED


def test_with_a_rolling_hwm_an_old_peak_leaves_the_window():
    breaker = started(daily_loss=None, hwm=RollingHighWaterMark(2))
    breaker.evaluate(CAPITAL + LIMIT, T0 + 1)  # a peak on day 0
    breaker.evaluate(CAPITAL, T0 + DAY)  # day 1: 5% below the peak of the window
    assert breaker.state is S.TRIGGERED
    other = started(daily_loss=None, hwm=RollingHighWaterMark(2))
    other.evaluate(CAPITAL + LIMIT, T0 + 1)
    other.evaluate(CAPITAL + LIMIT - 1, T0 + DAY)
    other.evaluate(CAPITAL, T0 + 2 * DAY)  # day 0 left the window: peak is day 1's
    assert other.peak_raw == CAPITAL + LIMIT - 1
    assert other.state is S.WARNING


def test_the_platform_breaker_trips_at_15_percent_of_total_capital_without_a_daily_limit():
    total = 10 * CAPITAL
    platform = DrawdownBreaker.platform(total)
    assert (platform.level, platform.daily_loss, platform.max_drawdown) == (
        "platform",
        None,
        Decimal("0.15"),
    )
    platform.evaluate(total, T0)
    platform.evaluate(total - total * 15 // 100 + 1, T0 + 1)
    assert platform.state is S.WARNING
    platform.evaluate(total - total * 15 // 100, T0 + 2)
    assert platform.state is S.TRIGGERED


def test_two_strategies_under_their_limits_together_trip_the_portfolio_breaker():
    a, b = started(), started()
    portfolio = DrawdownBreaker(
        "portfolio:main",
        level="portfolio",
        capital_raw=2 * CAPITAL,
        max_drawdown=Decimal("0.03"),
        daily_loss=None,
    )
    portfolio.evaluate(2 * CAPITAL, T0)
    loss = 31_000 * U  # 3.1% each: under 5% per strategy, 3.1% of the portfolio
    a.evaluate(CAPITAL - loss, T0 + 1)
    b.evaluate(CAPITAL - loss, T0 + 1)
    (trip,) = portfolio.evaluate(2 * CAPITAL - 2 * loss, T0 + 1)
    assert trip.trigger == "trip"
    assert a.state is b.state is S.MONITORING


def test_the_day_start_is_the_last_equity_before_the_utc_boundary():
    breaker = started(max_drawdown=Decimal("1"))
    breaker.evaluate(CAPITAL - 30_000 * U, T0 + DAY - 1)  # yesterday's loss
    breaker.evaluate(CAPITAL - 30_000 * U - (LIMIT - 1), T0 + DAY + 1)
    assert breaker.day_start_raw == CAPITAL - 30_000 * U
    assert breaker.state is S.WARNING  # not tripped: today's loss is 1 raw under the limit


def test_a_day_boundary_offset_moves_the_day_start():
    breaker = started(max_drawdown=Decimal("1"), day_boundary_ns=22 * 3600 * 10**9)
    breaker.evaluate(CAPITAL - 10 * U, T0 + 21 * 3600 * 10**9)  # before 22:00: same day
    breaker.evaluate(CAPITAL - 20 * U, T0 + 22 * 3600 * 10**9)  # a new day starts here
    assert breaker.day_start_raw == CAPITAL - 10 * U


# --- operators, halt and illegal transitions -------------------------------------------------


@pytest.mark.parametrize(
    ("action", "state"),
    [("reset", S.MONITORING), ("resume", S.MONITORING), ("cooled", S.WARNING)],
)
def test_an_illegal_transition_is_a_typed_error_and_changes_nothing(action, state):
    breaker = started()
    if state is S.WARNING:
        breaker.evaluate(CAPITAL - WARN, T0 + 1)
    before = breaker.snapshot()
    call = breaker.cooled if action == "cooled" else getattr(breaker, action)
    args = ("flatten done", T0 + 2) if action == "cooled" else ("alice", "why", T0 + 2)
    with pytest.raises(IllegalBreakerTransitionError) as info:
        call(*args)
    assert isinstance(info.value, IllegalTransitionError | StateError)
    assert f"{action} is not allowed in state {state.name}" in str(info.value)
    assert "allowed here: halt" in str(info.value)
    assert breaker.snapshot() == before


def test_halting_a_halted_breaker_is_illegal():
    breaker = started()
    breaker.halt("alice", "venue outage", T0 + 1)
    with pytest.raises(IllegalBreakerTransitionError):
        breaker.halt("bob", "again", T0 + 2)


@pytest.mark.parametrize(("operator", "reason"), [("", "why"), ("alice", ""), ("  ", "why")])
def test_operator_actions_need_an_operator_and_a_reason(operator, reason):
    breaker = started()
    breaker.evaluate(CAPITAL - LIMIT, T0 + 1)
    with pytest.raises(InvalidInputError) as info:
        breaker.reset(operator, reason, T0 + 2)
    assert info.value.field == ("operator" if not operator.strip() else "reason")
    assert breaker.state is S.TRIGGERED


def test_when_halted_then_losses_keep_counting_and_trip_after_resume():
    breaker = started()
    halt = breaker.halt("alice", "venue outage", T0 + 1)
    assert (halt.from_state, halt.to_state, halt.operator) == (S.MONITORING, S.HALTED, "alice")
    assert not breaker.allows_trading
    assert breaker.evaluate(CAPITAL - LIMIT, T0 + 2) == ()  # no decisions while halted
    resume = breaker.resume("alice", "venue back", T0 + 3)
    assert resume.to_state is S.MONITORING
    assert triggers(breaker.evaluate(CAPITAL - LIMIT, T0 + 4)) == ["trip"]


def test_when_a_tripped_breaker_is_halted_and_resumed_then_the_resume_clears_the_trip():
    breaker = started()
    breaker.evaluate(CAPITAL - LIMIT, T0 + 1)
    breaker.halt("alice", "platform halt", T0 + 2)
    resume = breaker.resume("alice", "manual resume after review", T0 + 3)
    assert "clears the latched trip" in resume.reason
    assert breaker.evaluate(CAPITAL - LIMIT, T0 + 4) == ()  # re-based: no new trip
    assert breaker.peak_raw == CAPITAL - LIMIT
    assert breaker.trips == 1


# --- persistence: the latch survives a restart ---------------------------------------------


def test_a_tripped_breaker_is_still_tripped_after_a_restart(tmp_path):
    path = tmp_path / "breakers.sqlite"
    with BreakerJournal(path) as journal:
        breaker = make(journal=journal, hwm=RollingHighWaterMark(30))
        breaker.evaluate(CAPITAL, T0)
        breaker.evaluate(CAPITAL - WARN, T0 + 1)
        returned = breaker.evaluate(CAPITAL - LIMIT, T0 + 2)
        assert triggers(returned) == ["trip"]
    # A new process: a new journal object on the same file.
    with BreakerJournal(path) as journal:
        snapshots = journal.load()
        restored = DrawdownBreaker.restore(snapshots["strategy:sma-1"], journal=journal)
        assert restored.state is S.TRIGGERED
        assert restored.trips == 1
        assert restored.evaluate(2 * CAPITAL, T0 + 3) == ()
        assert restored.state is S.TRIGGERED
        assert triggers(journal.transitions("strategy:sma-1")) == ["start", "warn", "trip"]
        assert journal.transitions()[-1] == returned[0]
        restored.reset("alice", "reviewed", T0 + 4)
    with BreakerJournal(path) as journal:
        assert journal.load()["strategy:sma-1"].state is S.RESET
        assert triggers(journal.transitions()) == ["start", "warn", "trip", "reset"]


def test_a_restored_breaker_continues_exactly_like_the_original(tmp_path):
    original = started(drawdown_basis="hwm", hwm=RollingHighWaterMark(3))
    for i in range(10):
        original.evaluate(CAPITAL + (i % 4) * 10_000 * U, T0 + i * DAY // 2)
    body = msgspec.json.encode(original.snapshot())
    copy = DrawdownBreaker.restore(msgspec.json.decode(body, type=BreakerSnapshot))
    assert copy.snapshot() == original.snapshot()
    for i in range(10, 40):
        equity = CAPITAL - (i % 7) * 9_000 * U
        assert copy.evaluate(equity, T0 + i * DAY // 2) == original.evaluate(
            equity, T0 + i * DAY // 2
        )


def test_a_checkpoint_stores_the_peak_between_transitions(tmp_path):
    with BreakerJournal(tmp_path / "j.sqlite") as journal:
        breaker = make(journal=journal)
        breaker.evaluate(CAPITAL, T0)
        breaker.evaluate(CAPITAL + LIMIT, T0 + 1)  # a new high: no transition, not written
        assert journal.load()["strategy:sma-1"].peak_raw == CAPITAL
        breaker.checkpoint()
        assert journal.load()["strategy:sma-1"].peak_raw == CAPITAL + LIMIT


def test_transitions_round_trip_through_json():
    breaker = started()
    (trip,) = breaker.evaluate(CAPITAL - LIMIT, T0 + 1)
    assert msgspec.json.decode(msgspec.json.encode(trip), type=BreakerTransition) == trip


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"max_drawdown": Decimal("1.5")}, "max_drawdown", "above 100%"),
        ({"max_drawdown": Decimal(0)}, "max_drawdown", "above 0"),
        ({"max_drawdown": 0.05}, "max_drawdown", "float"),
        ({"daily_loss": Decimal("2")}, "daily_loss", "above 100%"),
        ({"warn_at": Decimal(1)}, "warn_at", "at or above 100% of the limit"),
        ({"warn_at": Decimal("1.2")}, "warn_at", "at or above 100% of the limit"),
        ({"rearm_below": Decimal("0.9")}, "rearm_below", "above warn_at"),
        ({"capital_raw": 0}, "capital_raw", "positive"),
        ({"capital_raw": 1.0}, "capital_raw", "int"),
        ({"level": "desk"}, "level", "not a level"),
        ({"drawdown_basis": "equity"}, "drawdown_basis", "not a basis"),
    ],
)
def test_bad_limits_are_refused_with_the_field_value_and_fix(kwargs, field, text):
    with pytest.raises(InvalidInputError) as info:
        make(**kwargs)
    assert info.value.field == field
    assert text in info.value.problem
    assert info.value.fix


def test_a_latched_or_quiet_evaluation_returns_an_empty_tuple():
    breaker = started()
    assert breaker.evaluate(CAPITAL, T0 + 1) == ()
    breaker.evaluate(CAPITAL - LIMIT, T0 + 2)
    assert breaker.evaluate(CAPITAL - LIMIT, T0 + 3) == ()
