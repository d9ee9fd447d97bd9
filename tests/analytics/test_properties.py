"""Property tests: exposure against a brute-force clock, rolling statistics against a
direct computation, and Monte Carlo permutations keeping every trade."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ironkeel.analytics import exposure, monte_carlo_trades, rolling_sharpe, rolling_volatility

FILLS = st.lists(
    st.tuples(st.integers(0, 100), st.integers(0, 2), st.sampled_from([-2.0, -1.0, 1.0, 2.0])),
    max_size=30,
)


@given(FILLS)
def test_exposure_equals_a_brute_force_clock(raw):
    fills = sorted(raw, key=lambda f: f[0])  # time order (stable within a time)
    ts = np.array([f[0] for f in fills], dtype=np.int64)
    group = np.array([f[1] for f in fills], dtype=np.int64)
    qty = np.array([f[2] for f in fills])
    held = 0
    for second in range(100):  # is anything open during [second, second + 1)?
        positions: dict[int, float] = {}
        for t, g, q in fills:
            if t <= second:
                positions[g] = positions.get(g, 0.0) + q
        held += any(abs(p) > 1e-9 for p in positions.values())
    assert exposure(ts, qty, group, 0, 100) == held / 100


@settings(max_examples=50)
@given(st.lists(st.floats(-0.05, 0.05), min_size=12, max_size=80), st.integers(2, 10))
def test_rolling_statistics_equal_a_direct_computation(values, window):
    r = pd.Series(values)
    direct = r.rolling(window)
    std = direct.std(ddof=1).to_numpy()[window - 1 :]
    mean = direct.mean().to_numpy()[window - 1 :]
    expected = np.where(std > 1e-15, mean / np.where(std > 1e-15, std, 1.0), 0.0) * np.sqrt(252)
    vol = rolling_volatility(r, window, 252).to_numpy()
    # running sums: the error is absolute, about sqrt(machine eps) x the returns' size
    np.testing.assert_allclose(vol, std * np.sqrt(252), rtol=1e-6, atol=1e-7)
    sharpe = rolling_sharpe(r, window, 252).to_numpy()
    clear = std > 1e-6  # where the spread is not at float noise level
    np.testing.assert_allclose(sharpe[clear], expected[clear], rtol=1e-5, atol=1e-6)


@settings(max_examples=30)
@given(st.lists(st.floats(-100, 100), min_size=1, max_size=40), st.integers(0, 2**32 - 1))
def test_permutation_paths_keep_every_trade(pnl, seed):
    trades = np.array(pnl)
    mc = monte_carlo_trades(trades, 1e4, n_paths=20, method="permutation", seed=seed)
    np.testing.assert_allclose(mc.final_equity, 1e4 + trades.sum(), atol=1e-6)
    assert np.all((mc.max_drawdown >= 0) & (mc.max_drawdown <= 1))
