"""All headline metrics of one equity curve with its trades and fills, as one ordered
mapping (a column of ``BacktestResult.metrics()``). Definitions: docs/analytics.md."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ironkeel.analytics.drawdown import max_drawdown
from ironkeel.analytics.ratios import (
    alpha_beta,
    annual_return,
    calmar,
    sharpe,
    sortino,
    volatility,
)
from ironkeel.analytics.returns import check_finite, simple_returns
from ironkeel.analytics.trades import activity, exposure, trade_stats
from ironkeel.analytics.var import value_at_risk

__all__ = ["METRIC_NAMES", "Fills", "metrics"]

METRIC_NAMES = (
    "start_equity", "final_equity", "total_return", "annual_return", "volatility",
    "sharpe", "sortino", "calmar", "max_drawdown", "max_drawdown_duration_days",
    "var_95", "cvar_95", "var_99", "cvar_99", "alpha", "beta",
    "n_trades", "win_rate", "profit_factor", "expectancy", "avg_win", "avg_loss",
    "best_trade", "worst_trade", "exposure", "turnover", "trades_per_day",
    "traded_notional", "fees", "slippage", "periods_per_year", "n_points",
)  # fmt: skip

NANOS_PER_DAY = 86_400 * 1_000_000_000


@dataclass(frozen=True)
class Fills:
    """Fills as arrays: time, instrument (any hashable codes), signed quantity (+buy),
    price, commission and slippage cost (money)."""

    ts_ns: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    instrument: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    signed_qty: np.ndarray = field(default_factory=lambda: np.zeros(0))
    price: np.ndarray = field(default_factory=lambda: np.zeros(0))
    commission: np.ndarray = field(default_factory=lambda: np.zeros(0))
    slippage: np.ndarray = field(default_factory=lambda: np.zeros(0))


def metrics(
    equity: np.ndarray,
    ts_ns: np.ndarray,
    *,
    periods_per_year: float | None,
    pnl: np.ndarray | None = None,
    fills: Fills | None = None,
    benchmark: pd.Series | None = None,
) -> dict[str, float | int | None]:
    """Every metric in ``METRIC_NAMES`` for one curve. ``benchmark``: per-period returns
    indexed by ts_ns (alpha and beta are None without one). An empty curve gives None
    for every figure that needs data."""
    curve = check_finite(equity, "equity")
    stamps = np.asarray(ts_ns, dtype=np.int64)
    r = simple_returns(curve)
    ppy = periods_per_year
    dd = max_drawdown(curve, stamps)
    cagr = annual_return(r, ppy)
    out: dict[str, float | int | None] = {
        "start_equity": float(curve[0]) if curve.size else None,
        "final_equity": float(curve[-1]) if curve.size else None,
        "total_return": float(curve[-1] / curve[0] - 1.0) if curve.size else None,
        "annual_return": cagr,
        "volatility": volatility(r, ppy),
        "sharpe": sharpe(r, ppy),
        "sortino": sortino(r, ppy),
        "calmar": calmar(cagr, dd.depth),
        "max_drawdown": dd.depth,
        "max_drawdown_duration_days": dd.longest_ns / NANOS_PER_DAY,
    }
    for level, tag in ((0.95, "95"), (0.99, "99")):
        risk = value_at_risk(r, level)
        out[f"var_{tag}"], out[f"cvar_{tag}"] = risk.var, risk.cvar
    alpha = beta = None
    if benchmark is not None:
        series = pd.Series(r, index=stamps[1 : 1 + r.size])
        alpha, beta = alpha_beta(series, benchmark, ppy)
    out["alpha"], out["beta"] = alpha, beta
    stats = trade_stats(np.zeros(0) if pnl is None else pnl)
    out.update(
        n_trades=stats.n_trades, win_rate=stats.win_rate, profit_factor=stats.profit_factor,
        expectancy=stats.expectancy, avg_win=stats.avg_win, avg_loss=stats.avg_loss,
        best_trade=stats.best, worst_trade=stats.worst,
    )  # fmt: skip
    f = fills or Fills()
    start, end = (int(stamps[0]), int(stamps[-1])) if stamps.size else (0, 0)
    act = activity(
        n_trades=stats.n_trades,
        fill_qty=f.signed_qty,
        fill_price=f.price,
        fees=f.commission,
        slippage=f.slippage,
        mean_equity=float(curve.mean()) if curve.size else None,
        exposure_share=exposure(f.ts_ns, f.signed_qty, f.instrument, start, end),
        start_ns=start,
        end_ns=end,
    )
    out.update(
        exposure=act.exposure, turnover=act.turnover, trades_per_day=act.trades_per_day,
        traded_notional=act.traded_notional, fees=act.fees, slippage=act.slippage,
        periods_per_year=ppy, n_points=int(curve.size),
    )  # fmt: skip
    return out
