"""Seeded synthetic bars: deterministic, valid, with visible regimes and jumps."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from ironkeel.data import Regime, gbm_bars, synthetic_bars, synthetic_path
from ironkeel.model import InvalidInputError


def test_gbm_bars_are_unchanged_for_the_benchmarks(inst):
    bars = gbm_bars(inst, 1_000, seed=42)
    assert sum(b.close for b in bars) == 190_787
    assert sum(b.volume for b in bars) == 1_261_893
    assert (bars[-1].open, bars[-1].close, bars[-1].ts_event) == (
        187,
        187,
        1_600_060_000_000_000_000,
    )


def test_when_the_seed_is_the_same_then_the_bars_are_identical(inst):
    assert synthetic_bars(inst, 2_000, seed=5) == synthetic_bars(inst, 2_000, seed=5)
    assert synthetic_bars(inst, 2_000, seed=5) != synthetic_bars(inst, 2_000, seed=6)


def test_synthetic_bars_are_exact_valid_and_contiguous(inst):
    bars = synthetic_bars(inst, 500, seed=1, start_price="250", interval_ns=5 * 60 * 10**9)
    assert all(b.low <= min(b.open, b.close) <= max(b.open, b.close) <= b.high for b in bars)
    assert all(a.close == b.open for a, b in pairwise(bars))
    assert {b.ts_event - a.ts_event for a, b in pairwise(bars)} == {300 * 10**9}
    assert bars[0].open == 500  # 250 in ticks of 0.5


def _log_returns(bars) -> np.ndarray:
    closes = np.array([b.close for b in bars], dtype=float)
    return np.diff(np.log(closes))


def test_when_regimes_switch_then_the_stormy_one_is_more_volatile(inst):
    regimes = (Regime(annual_vol=0.2, mean_bars=300), Regime(annual_vol=2.0, mean_bars=300))
    path = synthetic_path(
        inst, 20_000, seed=3, start_price="10000", regimes=regimes, jumps_per_day=0
    )
    returns = _log_returns(path.bars)
    state = path.regimes[1:]
    calm, stormy = returns[state == 0].std(), returns[state == 1].std()
    assert 5 < stormy / calm < 20  # 10x the volatility, give or take the tick rounding
    switches = int((np.diff(path.regimes) != 0).sum())
    assert 30 < switches < 110  # about 20_000 / 300


def test_when_jumps_are_on_then_the_jump_bars_move_more(inst):
    path = synthetic_path(
        inst,
        20_000,
        seed=4,
        start_price="10000",
        jumps_per_day=20,
        jump_std=0.05,
        regimes=(Regime(annual_vol=0.3, mean_bars=1_000),),
    )
    assert 200 < path.jumps.sum() < 400  # 20 a day over ~14 days
    moves = np.abs(_log_returns(path.bars))
    jumped = path.jumps[1:] > 0
    assert moves[jumped].mean() > 10 * moves[~jumped].mean()
    calm = synthetic_path(inst, 20_000, seed=4, jumps_per_day=0)
    assert calm.jumps.sum() == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, "must be positive"),
        ({"n": 10, "regimes": ()}, "is empty"),
        ({"n": 10, "jumps_per_day": -1.0}, "must be >= 0"),
    ],
)
def test_when_arguments_are_wrong_then_the_error_says_so(inst, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        synthetic_path(inst, **kwargs)
    with pytest.raises(InvalidInputError, match="must be >= 1"):
        Regime(annual_vol=0.5, mean_bars=0.5)
