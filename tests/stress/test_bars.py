"""Stressed bars: exact prices on the instrument's grid, the path's figures hit exactly at its
points and at its end, noise seeded and realistic."""

from __future__ import annotations

import itertools
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ironkeel.stress import ShockPath, shipped_scenario, stressed_bars
from ironkeel.stress.bars import derive_seed, exact_close
from ironkeel.stress.shock import build_path
from tests._bars import synthetic_bars
from tests.stress.conftest import BTC

MINUTE = 60 * 10**9
HISTORY = synthetic_bars(BTC, 300, seed=9)


def _path(*points: tuple[int, str]) -> ShockPath:
    return build_path(
        "crypto", [m * MINUTE for m, _ in points], [Decimal(v) for _, v in points], "test",
        reference="test",
    )  # fmt: skip


CRASH = _path((0, "0"), (30, "-0.339"), (45, "-0.2"), (90, "-0.25"))


def test_the_bars_follow_the_history_on_its_grid_and_clock():
    bars = stressed_bars(HISTORY, CRASH, duration_ns=CRASH.duration_ns, seed=1)
    last = HISTORY[-1]
    assert len(bars) == 90
    assert bars[0].open == last.close
    for k, bar in enumerate(bars, start=1):
        assert bar.bar_type == last.bar_type
        assert bar.ts_event == last.ts_event + k * MINUTE
        assert all(type(v) is int for v in (bar.open, bar.high, bar.low, bar.close, bar.volume))
        assert 1 <= bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high
    assert all(b.open == a.close for a, b in itertools.pairwise(bars))


def test_every_point_on_the_grid_and_the_end_close_exactly_at_the_scenario_figure():
    bars = stressed_bars(HISTORY, CRASH, duration_ns=CRASH.duration_ns, seed=1)
    anchor = HISTORY[-1].close
    for minute, move in ((30, "-0.339"), (45, "-0.2"), (90, "-0.25")):
        expected = (Decimal(anchor) * (1 + Decimal(move))).to_integral_value()
        assert bars[minute - 1].close == int(expected)
    end = BTC.price_from_ticks(bars[-1].close).value / BTC.price_from_ticks(anchor).value - 1
    assert abs(end - Decimal("-0.25")) < Decimal("0.5") / anchor  # within half a tick


def test_an_anchor_moves_the_start_and_a_flat_path_ends_where_it_started():
    anchor = BTC.ticks("25000")
    bars = stressed_bars(HISTORY, None, duration_ns=60 * MINUTE, seed=2, anchor_ticks=anchor)
    assert bars[0].open == anchor
    assert bars[-1].close == anchor
    assert len({b.close for b in bars}) > 10  # the noise moves it in between


def test_the_same_seed_gives_the_same_bars_and_another_seed_others():
    one = stressed_bars(HISTORY, CRASH, duration_ns=CRASH.duration_ns, seed=7)
    assert one == stressed_bars(HISTORY, CRASH, duration_ns=CRASH.duration_ns, seed=7)
    other = stressed_bars(HISTORY, CRASH, duration_ns=CRASH.duration_ns, seed=8)
    assert one != other
    assert derive_seed(1, "covid_2020", "a") == derive_seed(1, "covid_2020", "a")
    assert derive_seed(1, "covid_2020", "a") != derive_seed(1, "luna_2022", "a")


def test_the_noise_has_the_history_volatility_and_none_without_it():
    quiet = stressed_bars(HISTORY, None, duration_ns=200 * MINUTE, seed=3, noise=0)
    assert {b.close for b in quiet} == {HISTORY[-1].close}
    noisy = stressed_bars(HISTORY, None, duration_ns=2000 * MINUTE, seed=3)
    real = np.std(np.diff(np.log([b.close for b in HISTORY])))
    stressed = np.std(np.diff(np.log([b.close for b in noisy])))
    assert 0.7 * real < stressed < 1.3 * real


def test_a_collapse_to_almost_nothing_stays_at_least_one_tick():
    path = _path((0, "0"), (10, "-0.9999999"))
    bars = stressed_bars(HISTORY, path, duration_ns=path.duration_ns, seed=4)
    assert bars[-1].close == exact_close(HISTORY[-1].close, Decimal("-0.9999999")) == 1
    assert min(b.low for b in bars) >= 1


@settings(max_examples=60, deadline=None)
@given(
    moves=st.lists(st.decimals("-0.95", "2", places=4), min_size=1, max_size=5),
    step=st.integers(1, 40),
    seed=st.integers(0, 2**32),
)
def test_any_path_gives_valid_bars_ending_exactly_at_its_end_move(moves, step, seed):
    path = _path((0, "0"), *((step * (i + 1), str(m)) for i, m in enumerate(moves)))
    bars = stressed_bars(HISTORY[-50:], path, duration_ns=path.duration_ns, seed=seed)
    assert bars[-1].close == exact_close(HISTORY[-1].close, moves[-1])
    assert len(bars) == step * len(moves)


def test_an_empty_history_is_refused():
    with pytest.raises(ValueError, match="give the run's real bars"):
        stressed_bars([], CRASH, duration_ns=MINUTE, seed=0)


def test_the_shipped_covid_path_on_minute_bars_closes_at_each_published_close():
    path = shipped_scenario("covid_2020").paths["equity"]
    bars = stressed_bars(HISTORY, path, duration_ns=path.duration_ns, seed=11)
    anchor = Decimal(HISTORY[-1].close)
    assert len(bars) == 33 * 24 * 60
    for offset, move in zip(path.offsets_ns[1:], path.moves[1:], strict=True):
        close = bars[offset // MINUTE - 1].close
        assert close == int((anchor * (1 + move)).to_integral_value())
    # the end: the S&P 500's 2237.40 / 3386.15, to the tick
    end = Decimal(bars[-1].close) / anchor - 1
    assert abs(end - (Decimal("2237.40") / Decimal("3386.15") - 1)) < Decimal("1e-4")
