"""The ratios agree with empyrical-reloaded on the same returns (tolerance 1e-9 where the
conventions agree); where they differ, the test pins the documented relation."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from ironkeel.analytics import (
    alpha_beta,
    annual_return,
    calmar,
    max_drawdown,
    rolling_sharpe,
    rolling_volatility,
    sharpe,
    simple_returns,
    sortino,
    total_return,
    value_at_risk,
    volatility,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import empyrical as ep

PPY = 525_600.0
TOL = 1e-9


@pytest.fixture
def r(walk):
    return simple_returns(walk[1])


def close(a, b):
    assert a == pytest.approx(b, rel=TOL, abs=TOL)


def test_when_same_returns_then_return_volatility_sharpe_sortino_match(r):
    close(total_return(r), ep.cum_returns_final(r))
    close(annual_return(r, PPY), ep.annual_return(r, annualization=PPY))
    close(volatility(r, PPY), ep.annual_volatility(r, annualization=PPY))
    close(sharpe(r, PPY), ep.sharpe_ratio(r, annualization=PPY))
    close(sortino(r, PPY), ep.sortino_ratio(r, annualization=PPY))


def test_when_daily_returns_then_calmar_matches(r):
    daily = r[:250]  # a short daily series keeps CAGR in a sane range
    dd = max_drawdown(np.concatenate(([1.0], np.cumprod(1.0 + daily)))).depth
    close(calmar(annual_return(daily, 252), dd), ep.calmar_ratio(daily, annualization=252))


def test_max_drawdown_is_empyricals_with_the_sign_flipped(walk, r):
    close(max_drawdown(walk[1]).depth, -ep.max_drawdown(r))


def test_alpha_beta_match_on_aligned_series(r):
    rng = np.random.default_rng(3)
    bench = 0.6 * r + rng.normal(0, 0.0005, r.size)
    index = pd.RangeIndex(r.size)
    alpha, beta = alpha_beta(pd.Series(r, index), pd.Series(bench, index), 252)
    ep_alpha, ep_beta = ep.alpha_beta(r, bench, annualization=252)
    close(beta, ep_beta)
    close(alpha, ep_alpha)


@pytest.mark.parametrize("level", [0.95, 0.99])
def test_historical_var_and_cvar_are_empyricals_as_positive_losses(r, level):
    risk = value_at_risk(r, level, "historical")
    close(risk.var, -ep.value_at_risk(r, cutoff=1 - level))
    close(risk.cvar, -ep.conditional_value_at_risk(r, cutoff=1 - level))


def test_rolling_sharpe_and_volatility_match_empyricals_rolling(r):
    s = pd.Series(r[:600])
    ours = rolling_sharpe(s, 100, PPY).to_numpy()
    theirs = ep.roll_sharpe_ratio(s.to_numpy(), window=100, annualization=PPY)
    np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-9)
    vol = rolling_volatility(s, 100, PPY).to_numpy()
    np.testing.assert_allclose(
        vol, ep.roll_annual_volatility(s.to_numpy(), window=100, annualization=PPY), rtol=1e-7
    )
