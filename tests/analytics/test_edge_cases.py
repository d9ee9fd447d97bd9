"""Bad or degenerate input gives a defined result or a clear error, never a division error
or a silent NaN: empty, flat, ruined, NaN, non-overlapping benchmark."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ironkeel.analytics import (
    AnalyticsError,
    alpha_beta,
    metrics,
    monte_carlo_trades,
    periods_per_year,
    simple_returns,
    trade_stats,
)
from tests.analytics.conftest import MINUTE, START


def _ts(n):
    return START + MINUTE * np.arange(n, dtype=np.int64)


def _no_nan(values):
    return all(v is None or isinstance(v, int) or math.isfinite(v) for v in values)


@pytest.mark.parametrize("n", [0, 1])
def test_when_empty_or_single_point_then_ratios_are_none_and_no_nan(n):
    m = metrics(np.full(n, 100.0), _ts(n), periods_per_year=periods_per_year(_ts(n)))
    assert m["sharpe"] is None and m["annual_return"] is None and m["volatility"] is None
    assert m["max_drawdown"] == 0.0 and m["n_trades"] == 0 and m["win_rate"] is None
    assert _no_nan(m.values())


def test_when_equity_is_constant_then_sharpe_sortino_calmar_are_none():
    m = metrics(np.full(500, 1e5), _ts(500), periods_per_year=525_600)
    assert (m["sharpe"], m["sortino"], m["calmar"]) == (None, None, None)
    assert m["total_return"] == 0.0 and m["volatility"] == 0.0 and m["var_95"] == 0.0
    assert _no_nan(m.values())


def test_when_no_trades_then_trade_figures_are_none():
    stats = trade_stats(np.zeros(0))
    assert stats.n_trades == 0 and stats.win_rate is None and stats.profit_factor is None


def test_when_no_losing_trade_then_profit_factor_is_none_not_infinite():
    stats = trade_stats(np.array([5.0, 1.0, 0.0]))
    assert stats.profit_factor is None
    assert stats.win_rate == pytest.approx(2 / 3) and stats.avg_loss is None


def test_when_equity_has_nan_then_error_names_the_row():
    equity = np.array([100.0, 101.0, np.nan, 99.0])
    with pytest.raises(AnalyticsError, match=r"equity\[2\]"):
        metrics(equity, _ts(4), periods_per_year=252)


def test_when_curve_is_ruined_then_last_return_is_minus_one_and_rest_dropped():
    r = simple_returns(np.array([100.0, 50.0, -10.0, 20.0]))
    np.testing.assert_array_equal(r, [-0.5, -1.0])


def test_when_benchmark_does_not_overlap_then_error_says_so():
    returns = pd.Series([0.01, -0.02, 0.01], index=[1, 2, 3])
    bench = pd.Series([0.01, 0.02, 0.0], index=[10, 11, 12])
    with pytest.raises(AnalyticsError, match="overlaps the run at 0 timestamps"):
        alpha_beta(returns, bench, 252)


def test_when_benchmark_is_constant_then_alpha_beta_are_none():
    returns = pd.Series([0.01, -0.02, 0.01])
    assert alpha_beta(returns, pd.Series([0.0, 0.0, 0.0]), 252) == (None, None)


def test_when_monte_carlo_has_no_trades_then_error_says_what_to_do():
    with pytest.raises(AnalyticsError, match="needs at least one trade"):
        monte_carlo_trades(np.zeros(0), 1000.0)


def test_when_timestamps_go_backwards_then_error_names_the_index():
    with pytest.raises(AnalyticsError, match=r"ts_ns\[2\]"):
        periods_per_year(np.array([1, 2, 2, 3]))


@pytest.mark.parametrize(
    ("step_minutes", "calendar", "expected"),
    [
        (1, "24/7", 525_600),
        (60, "24/7", 8_760),
        (1440, "24/7", 365),
        (1, "equities", 252 * 390),
        (5, "equities", 252 * 78),
        (1440, "equities", 252),
    ],
)
def test_periods_per_year_follow_interval_and_calendar(step_minutes, calendar, expected):
    ts = np.arange(10, dtype=np.int64) * step_minutes * MINUTE
    assert periods_per_year(ts, calendar=calendar) == pytest.approx(expected)


def test_override_wins_and_must_be_positive():
    assert periods_per_year(np.arange(3), override=12) == 12
    with pytest.raises(AnalyticsError, match="periods_per_year"):
        periods_per_year(np.arange(3), override=0)
