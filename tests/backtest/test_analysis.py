"""The analytics API on a backtest's result: DataFrames that agree with the run's own
summary and files, per strategy and in total; per-fill slippage is exact."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ironkeel.analytics import METRIC_NAMES, AnalyticsError
from ironkeel.backtest import BacktestResult
from tests._runs import make_run


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> BacktestResult:
    return BacktestResult.read(make_run(tmp_path_factory.mktemp("run"), slippage="fixed_bps:5"))


def test_metrics_has_every_metric_for_total_and_each_strategy(result: BacktestResult):
    m = result.metrics()
    assert list(m.index) == list(METRIC_NAMES)
    assert list(m.columns) == ["total", *result.strategy_names]
    s = result.summary
    assert m.at["total_return", "total"] == pytest.approx(s["total_return"], abs=1e-12)
    assert m.at["max_drawdown", "total"] == pytest.approx(s["max_drawdown"], abs=1e-12)
    assert m.at["sharpe", "total"] == pytest.approx(s["sharpe"], rel=1e-9)
    assert m.at["n_trades", "total"] == s["n_trades"]
    assert m.at["fees", "total"] == pytest.approx(float(s["fees"]))
    for name, row in s["strategies"].items():
        assert m.at["n_trades", name] == row["n_trades"]
        assert m.at["fees", name] == pytest.approx(float(row["fees"]))
        assert m.at["total_return", name] == pytest.approx(row["total_return"], abs=1e-12)
    assert m.at["periods_per_year", "total"] == 525_600


def test_no_metric_is_nan(result: BacktestResult):
    values = result.metrics().to_numpy().ravel()
    assert not any(isinstance(v, float) and np.isnan(v) for v in values)


def test_slippage_per_fill_is_the_models_ticks_times_quantity(result: BacktestResult):
    fills = result.fills()
    taker = fills[fills["liquidity"] == "TAKER"]
    assert len(taker) > 0
    for _, fill in taker.iterrows():
        # 5 bps of the pre-slippage price, rounded up to the 0.5 tick, per unit
        pre = (
            fill["price"]
            - (1 if fill["side"] == "BUY" else -1) * fill["slippage"] / fill["quantity"]
        )
        per_unit = fill["slippage"] / fill["quantity"]
        assert Decimal(0) < per_unit <= pre * Decimal("0.0005") + Decimal("0.5")
        assert per_unit % Decimal("0.5") == 0
    total = sum(fills["slippage"], Decimal(0))
    assert result.metrics().at["slippage", "total"] == pytest.approx(float(total))


def test_without_a_slippage_model_every_fill_costs_zero_slippage(tmp_path: Path):
    plain = BacktestResult.read(make_run(tmp_path, slippage="none"))
    assert all(v == 0 for v in plain.fills()["slippage"])


def test_returns_underwater_and_drawdowns_agree(result: BacktestResult):
    r = result.returns()
    assert len(r) == len(result.equity()) - 1
    uw = result.underwater()
    table = result.drawdowns()
    assert table.iloc[0]["depth"] == pytest.approx(uw["total"].max())
    assert table["depth"].is_monotonic_decreasing
    assert len(result.drawdowns(top=2)) == 2
    daily = result.returns("D")["total"]
    assert (1 + daily).prod() - 1 == pytest.approx(result.summary["total_return"], abs=1e-12)


def test_monthly_table_compounds_to_the_total(result: BacktestResult):
    table = result.monthly_returns()
    assert (1 + table["year"]).prod() - 1 == pytest.approx(result.summary["total_return"])


def test_var_table_has_every_method_and_level(result: BacktestResult):
    table = result.var()
    assert len(table) == 6 and set(table["method"]) == {"historical", "parametric", "monte_carlo"}
    assert (table["cvar"] >= table["var"] - 1e-15).all()


def test_monte_carlo_is_seeded(result: BacktestResult):
    a = result.monte_carlo(500, seed=3)
    assert a.equals(result.monte_carlo(500, seed=3))
    perm = result.monte_carlo(200, method="permutation", strategy="fast")
    final = result.metrics().at["final_equity", "fast"]
    start = result.metrics().at["start_equity", "fast"]
    pnl = sum(float(p) for p in result.trades().query("strategy == 'fast'")["pnl"])
    assert perm["final_equity"].to_numpy() == pytest.approx(start + pnl)
    assert final is not None


def test_rolling_and_correlation(result: BacktestResult):
    rolling = result.rolling(60)
    assert list(rolling.columns) == ["sharpe", "volatility"]
    assert len(rolling) == len(result.returns()) - 59
    corr = result.correlation()
    assert list(corr.columns) == result.strategy_names
    np.testing.assert_allclose(corr.to_numpy(), corr.to_numpy().T)


def test_benchmark_gives_alpha_beta_and_a_disjoint_one_is_an_error(result: BacktestResult):
    equity = result.equity()["equity"]
    bench = pd.Series(equity.to_numpy() * 2, index=equity.index)  # the run itself, doubled
    m = result.metrics(benchmark=bench)
    assert m.at["beta", "total"] == pytest.approx(1.0)
    far = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("1990-01-01", periods=3, tz="UTC"))
    with pytest.raises(AnalyticsError, match="overlaps the run at 0 timestamps"):
        result.metrics(benchmark=far)


def test_unknown_strategy_is_an_error_naming_the_choices(result: BacktestResult):
    with pytest.raises(AnalyticsError, match=r"use one of \['fast', 'slow'\]"):
        result.drawdowns("fastest")
