"""Analytics (layer 2): pure numpy/pandas functions on equity curves, returns, trades and
fills -- metrics, drawdowns, VaR, Monte Carlo, overfitting tests. Nothing here knows
about backtests or strategies; ``BacktestResult`` feeds them. Conventions:
docs/analytics.md."""

from ironkeel.analytics.annualize import bar_interval_ns, periods_per_year
from ironkeel.analytics.drawdown import Drawdown, drawdown_episodes, max_drawdown, underwater
from ironkeel.analytics.errors import AnalyticsError
from ironkeel.analytics.montecarlo import MC_METHODS, MonteCarlo, monte_carlo_trades
from ironkeel.analytics.overfitting import Deflated, Overfitting, deflated_sharpe, pbo
from ironkeel.analytics.ratios import (
    alpha_beta,
    annual_return,
    calmar,
    rolling_sharpe,
    rolling_volatility,
    sharpe,
    sortino,
    total_return,
    volatility,
)
from ironkeel.analytics.returns import (
    monthly_returns,
    period_returns,
    returns_from_equity,
    simple_returns,
)
from ironkeel.analytics.summary import METRIC_NAMES, Fills, metrics
from ironkeel.analytics.trades import TradeStats, exposure, trade_stats
from ironkeel.analytics.var import VAR_METHODS, VaR, value_at_risk

__all__ = [
    "MC_METHODS",
    "METRIC_NAMES",
    "VAR_METHODS",
    "AnalyticsError",
    "Deflated",
    "Drawdown",
    "Fills",
    "MonteCarlo",
    "Overfitting",
    "TradeStats",
    "VaR",
    "alpha_beta",
    "annual_return",
    "bar_interval_ns",
    "calmar",
    "deflated_sharpe",
    "drawdown_episodes",
    "exposure",
    "max_drawdown",
    "metrics",
    "monte_carlo_trades",
    "monthly_returns",
    "pbo",
    "period_returns",
    "periods_per_year",
    "returns_from_equity",
    "rolling_sharpe",
    "rolling_volatility",
    "sharpe",
    "simple_returns",
    "sortino",
    "total_return",
    "trade_stats",
    "underwater",
    "value_at_risk",
    "volatility",
]
