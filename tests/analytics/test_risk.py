"""VaR methods, Monte Carlo over trades, deflated Sharpe and PBO."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest

from ironkeel.analytics import (
    AnalyticsError,
    deflated_sharpe,
    exposure,
    monte_carlo_trades,
    pbo,
    simple_returns,
    value_at_risk,
)
from ironkeel.analytics.overfitting import expected_max_sharpe


def test_parametric_var_of_a_normal_sample_is_close_to_the_true_quantile():
    r = np.random.default_rng(1).normal(0.0, 0.01, 200_000)
    risk = value_at_risk(r, 0.99, "parametric")
    z = NormalDist().inv_cdf(0.01)
    assert risk.var == pytest.approx(-0.01 * z, rel=0.01)
    assert risk.cvar == pytest.approx(0.01 * NormalDist().pdf(z) / 0.01, rel=0.01)
    hist = value_at_risk(r, 0.99, "historical")
    assert hist.var == pytest.approx(risk.var, rel=0.02)


def test_monte_carlo_var_is_seeded_and_near_historical(walk):
    r = simple_returns(walk[1])
    a = value_at_risk(r, 0.95, "monte_carlo", n_paths=50_000, seed=5)
    b = value_at_risk(r, 0.95, "monte_carlo", n_paths=50_000, seed=5)
    assert a == b
    assert a.var == pytest.approx(value_at_risk(r, 0.95).var, rel=0.05)
    ten = value_at_risk(r, 0.95, "monte_carlo", horizon=10, seed=5)
    assert ten.var > a.var  # ten periods risk more than one
    assert a.cvar >= a.var


def test_permutation_keeps_final_equity_and_never_beats_no_drawdown():
    pnl = np.array([100.0, -50.0, 30.0, -80.0, 60.0])
    mc = monte_carlo_trades(pnl, 1000.0, n_paths=2000, method="permutation", seed=1)
    np.testing.assert_allclose(mc.final_equity, 1060.0)
    assert mc.max_drawdown.min() >= 0
    # the worst order puts both losses first: 130 / 1000
    assert mc.max_drawdown.max() == pytest.approx(0.13)


def test_bootstrap_is_deterministic_per_seed_and_its_mean_is_unbiased():
    pnl = np.random.default_rng(2).normal(5.0, 50.0, 300)
    a = monte_carlo_trades(pnl, 10_000.0, n_paths=3000, seed=9)
    b = monte_carlo_trades(pnl, 10_000.0, n_paths=3000, seed=9)
    np.testing.assert_array_equal(a.final_equity, b.final_equity)
    expected = 10_000.0 + pnl.sum()
    assert a.final_equity.mean() == pytest.approx(expected, rel=0.01)
    table = a.percentiles()
    assert list(table.index) == [1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0]
    assert table["max_drawdown"].is_monotonic_increasing


def test_chunks_do_not_change_the_result(monkeypatch):
    pnl = np.arange(-5.0, 6.0)
    whole = monte_carlo_trades(pnl, 100.0, n_paths=100, seed=4, method="permutation")
    monkeypatch.setattr("ironkeel.analytics.montecarlo.CHUNK_CELLS", 11 * 7)
    chunked = monte_carlo_trades(pnl, 100.0, n_paths=100, seed=4, method="permutation")
    assert sorted(whole.final_equity) == sorted(chunked.final_equity)


def test_expected_max_sharpe_grows_with_trials():
    assert expected_max_sharpe(1, 1.0) == 0.0
    assert 0 < expected_max_sharpe(10, 1.0) < expected_max_sharpe(1000, 1.0)


def test_deflated_sharpe_of_noise_trials_is_low_and_of_real_edge_high():
    rng = np.random.default_rng(11)
    noise = rng.normal(0, 0.01, (1000, 200))
    best = deflated_sharpe(noise)
    alone = deflated_sharpe(noise[:, best.selected])  # the same column, as if tried alone
    assert alone.probability > 0.99  # undeflated, the lucky trial looks like real skill
    assert best.probability < 0.9  # deflated by 200 trials, it does not
    edge = noise.copy()
    edge[:, 7] += 0.004
    result = deflated_sharpe(edge)
    assert result.selected == 7 and result.probability > 0.95
    single = deflated_sharpe(noise[:, :1])
    assert single.benchmark_sharpe == 0.0  # one trial: the probabilistic Sharpe ratio


def test_pbo_is_high_for_noise_and_low_for_a_dominant_trial():
    rng = np.random.default_rng(12)
    noise = rng.normal(0, 0.01, (800, 20))
    mean_noise = np.mean([pbo(rng.normal(0, 0.01, (400, 20)), 8).pbo for _ in range(8)])
    assert 0.3 < mean_noise < 0.7  # pure noise: the in-sample best is a coin flip
    edge = noise.copy()
    edge[:, 3] += 0.005
    result = pbo(edge, 8)
    assert result.pbo < 0.05 and result.n_splits == 70


def test_pbo_rejects_odd_blocks_and_single_trial():
    with pytest.raises(AnalyticsError, match="n_blocks"):
        pbo(np.zeros((100, 3)), 5)
    with pytest.raises(AnalyticsError, match="at least 2 columns"):
        pbo(np.zeros((100, 1)), 4)


def test_exposure_counts_time_with_any_position_open():
    # instrument 0 open 10..30, instrument 1 open 20..50; run 0..100: open 10..50 = 40%
    ts = np.array([10, 30, 20, 50])
    qty = np.array([1.0, -1.0, 2.0, -2.0])
    inst = np.array([0, 0, 1, 1])
    assert exposure(ts, qty, inst, 0, 100) == pytest.approx(0.4)
    assert exposure(ts[:1], qty[:1], inst[:1], 0, 100) == pytest.approx(0.9)  # still open
