"""Rolling correlation against numpy, the sampler's grid, and the guard's hysteresis."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import pytest

from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import StrategyId
from ironkeel.risk.correlation import (
    CorrelationBreached,
    CorrelationGuard,
    CorrelationReleased,
    ReturnSampler,
    RollingCorrelation,
)

MINUTE = 60 * 10**9
A, B, C = StrategyId("alpha"), StrategyId("beta"), StrategyId("gamma")


def numpy_rho(xs, ys):
    return float(np.corrcoef(xs, ys)[0, 1])


# --- RollingCorrelation --------------------------------------------------------------------


@pytest.mark.parametrize(("window", "level", "scale"), [(30, 0.0, 1e-3), (7, 1e6, 1.0)])
def test_rolling_correlation_matches_numpy_corrcoef_at_every_step(window, level, scale):
    rnd = random.Random(window)
    corr = RollingCorrelation(window)
    xs, ys = [], []
    for i in range(1_000):
        x = level + rnd.gauss(0, scale)
        y = level + 0.6 * (x - level) + rnd.gauss(0, scale) if i % 200 < 150 else rnd.gauss(0, 1)
        corr.add(x, y)
        xs.append(x)
        ys.append(y)
        wx, wy = xs[-window:], ys[-window:]
        if len(wx) >= 2:
            assert corr.value == pytest.approx(numpy_rho(wx, wy), abs=1e-9)
    assert corr.count == window


def exact_rho(xs, ys):
    """Pearson's r in exact rational arithmetic (up to the final square root)."""
    fx, fy = [Fraction(x) for x in xs], [Fraction(y) for y in ys]
    mx, my = sum(fx) / len(fx), sum(fy) / len(fy)
    cov = sum((a - mx) * (b - my) for a, b in zip(fx, fy, strict=True))
    vx, vy = sum((a - mx) ** 2 for a in fx), sum((b - my) ** 2 for b in fy)
    return float(cov) / math.sqrt(float(vx) * float(vy))


@pytest.mark.parametrize(("window", "level", "scale"), [(10, 1e8, 1e-6), (3, 1e3, 1.0)])
def test_level_shifts_and_outliers_stay_accurate_against_exact_arithmetic(window, level, scale):
    rnd = random.Random(int(level))
    corr = RollingCorrelation(window)
    xs, ys = [], []
    for i in range(600):
        shifted = level if (i // 97) % 2 else -level / 2  # jumps between two levels
        x = shifted + rnd.gauss(0, scale)
        y = 0.3 * x + rnd.gauss(0, scale) * (1 if i % 50 else 1e4)  # and outliers
        corr.add(x, y)
        xs.append(x)
        ys.append(y)
        if i >= window:
            assert corr.value == pytest.approx(exact_rho(xs[-window:], ys[-window:]), abs=1e-8)


def test_a_series_with_zero_variance_has_no_correlation():
    corr = RollingCorrelation(5)
    for x in [0.1, 0.2, 0.3]:
        corr.add(x, 0.0)
    assert corr.value is None  # y is constant
    for x in [0.1, 0.2, 0.3, 0.4, 0.5]:
        corr.add(0.25, x)
    assert corr.value is None  # x is constant over the whole window
    corr.add(0.3, 0.6)
    assert corr.value == pytest.approx(numpy_rho([0.25] * 4 + [0.3], [0.2, 0.3, 0.4, 0.5, 0.6]))


def test_a_single_sample_has_no_correlation_and_nan_is_refused():
    corr = RollingCorrelation(3)
    corr.add(1.0, 2.0)
    assert corr.value is None
    with pytest.raises(InvalidInputError):
        corr.add(math.nan, 1.0)
    with pytest.raises(InvalidInputError):
        RollingCorrelation(1)


# --- ReturnSampler ------------------------------------------------------------------------


def test_the_sampler_emits_aligned_simple_returns_per_period():
    sampler = ReturnSampler(MINUTE)
    assert sampler.observe(A, 100, 10) == ()
    assert sampler.observe(B, 200, 20) == ()
    (first,) = sampler.observe(A, 110, MINUTE + 5)  # period 0 closed: no previous sample yet
    assert (first.index, first.ts_ns, first.returns) == (0, MINUTE, {})
    sampler.observe(B, 150, MINUTE + 6)
    (second,) = sampler.observe(A, 121, 2 * MINUTE)  # at the boundary: the new period
    assert second.returns == {A: pytest.approx(0.1), B: pytest.approx(-0.25)}
    (third,) = sampler.advance(3 * MINUTE)
    assert third.returns == {A: pytest.approx(0.1), B: 0.0}  # B kept its last equity


def test_after_a_gap_the_sampler_fills_zero_returns_up_to_its_cap():
    sampler = ReturnSampler(MINUTE, max_fill=3)
    sampler.observe(A, 100, 0)
    sampler.advance(MINUTE)
    sampler.observe(A, 120, MINUTE + 1)
    samples = sampler.advance(100 * MINUTE)
    assert [s.returns[A] for s in samples] == [pytest.approx(0.2), 0.0, 0.0, 0.0]
    assert [s.index for s in samples] == [1, 97, 98, 99]


def test_a_zero_equity_gives_no_return():
    sampler = ReturnSampler(MINUTE)
    sampler.observe(A, 0, 0)
    sampler.advance(MINUTE)
    sampler.observe(A, 100, MINUTE)
    (sample,) = sampler.advance(2 * MINUTE)
    assert sample.returns == {}


# --- CorrelationGuard ------------------------------------------------------------------------


def reference_states(rhos, threshold=0.85, release_below=0.70):
    """The breach state after each sample, by the hysteresis rule applied to the rho series."""
    breached, out = False, []
    for rho in rhos:
        if not breached and rho is not None and rho > threshold:
            breached = True
        elif breached and (rho is None or rho < release_below):
            breached = False
        out.append(breached)
    return out


def test_breach_and_release_follow_the_hysteresis_rule_exactly():
    rnd = random.Random(11)
    guard = CorrelationGuard(window_ns=30 * MINUTE, min_samples=20)
    rhos, states, events = [], [], []
    for i in range(3_000):
        mix = 0.5 + 0.5 * math.sin(i / 150)  # slowly moves the true correlation in [0, 1]
        x = rnd.gauss(0, 1e-3)
        y = mix * x + math.sqrt(1 - mix * mix) * rnd.gauss(0, 1e-3)
        events += guard.add_returns({A: x, B: y}, i * MINUTE)
        rhos.append(guard.rho(A, B))
        states.append(guard.is_breached(A, B))
    assert states == reference_states(rhos)
    breaches = [e for e in events if isinstance(e, CorrelationBreached)]
    releases = [e for e in events if isinstance(e, CorrelationReleased)]
    assert len(breaches) >= 3
    assert len(releases) in (len(breaches), len(breaches) - 1)
    assert all(e.rho > 0.85 for e in breaches)
    assert all(e.rho is not None and e.rho < 0.70 for e in releases)
    # The band did its job: breached at rho in [0.70, 0.85] and clear at rho in that band.
    in_band = [(r, s) for r, s in zip(rhos, states, strict=True) if r and 0.70 <= r <= 0.85]
    assert {s for _, s in in_band} == {True, False}


def test_limits_are_halved_while_breached_and_restored_on_release():
    guard = CorrelationGuard(window_ns=10 * MINUTE, min_samples=5)
    rnd = random.Random(3)
    events = []
    for i in range(5):
        x = rnd.gauss(0, 1)
        events += guard.add_returns({A: x, B: x, C: rnd.gauss(0, 1)}, i)
    assert [type(e) for e in events] == [CorrelationBreached]
    assert events[0].pair == (A, B)
    assert guard.limit_scale(A) == guard.limit_scale(B) == Fraction(1, 2)
    assert guard.limit_scale(C) == Fraction(1)
    for i in range(5, 15):
        x = rnd.gauss(0, 1)
        events += guard.add_returns({A: x, B: -x, C: rnd.gauss(0, 1)}, i)
    assert [type(e) for e in events] == [CorrelationBreached, CorrelationReleased]
    assert guard.limit_scale(A) == guard.limit_scale(B) == Fraction(1)


def test_a_strategy_in_two_breached_pairs_is_halved_once_until_both_release():
    guard = CorrelationGuard(window_ns=10 * MINUTE, min_samples=5)
    rnd = random.Random(5)
    for i in range(5):
        x = rnd.gauss(0, 1)
        guard.add_returns({A: x, B: x, C: 2 * x}, i)
    assert guard.breached_pairs == {(A, B), (A, C), (B, C)}
    assert guard.limit_scale(A) == Fraction(1, 2)
    released = guard.remove(B, 99)
    assert [e.pair for e in released] == [(A, B), (B, C)]
    assert guard.limit_scale(A) == Fraction(1, 2)  # still with C
    guard.remove(C, 100)
    assert guard.limit_scale(A) == Fraction(1)


def test_too_few_samples_or_zero_variance_never_breach():
    guard = CorrelationGuard(window_ns=10 * MINUTE, min_samples=8)
    for i in range(7):
        assert guard.add_returns({A: float(i), B: float(i)}, i) == ()
    assert guard.rho(A, B) is None
    flat = CorrelationGuard(window_ns=10 * MINUTE, min_samples=5)
    for i in range(20):
        assert flat.add_returns({A: 0.0, B: 0.0}, i) == ()


def test_the_guard_samples_equities_and_breaches_on_co_moving_strategies():
    guard = CorrelationGuard(window_ns=30 * MINUTE)
    rnd = random.Random(8)
    ea, eb = 10**18, 3 * 10**18
    events = []
    for minute in range(40):
        move = 1 + rnd.gauss(0, 1e-3)
        ea, eb = int(ea * move), int(eb * move)
        events += guard.observe(A, ea, minute * MINUTE + 5)
        events += guard.observe(B, eb, minute * MINUTE + 7)
    (breach,) = events
    assert isinstance(breach, CorrelationBreached)
    assert breach.rho > 0.99
    # 30 joint returns are needed: the first return closes at minute 2, the 30th at minute 31.
    assert breach.ts_ns == 31 * MINUTE


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"threshold": 0.7, "release_below": 0.8}, "release_below"),
        ({"window_ns": 90 * 10**9}, "window_ns"),
        ({"window_ns": MINUTE}, "window_ns"),
        ({"min_samples": 31}, "min_samples"),
        ({"min_samples": 1}, "min_samples"),
    ],
)
def test_bad_guard_settings_are_refused(kwargs, field):
    with pytest.raises(InvalidInputError) as info:
        CorrelationGuard(**kwargs)
    assert info.value.field == field
