"""The analytics of a backtest's outputs as DataFrames: what ``BacktestResult.metrics()``,
``drawdowns()``, ``var()`` and the rest compute, from the equity, trades and fills frames.

Periods per year come from the equity curve's bar interval and a calendar (``"24/7"``
by default: a backtest does not record its market's hours), or an explicit override.
Columns: ``total`` for the account, then one per strategy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ironkeel.analytics import (
    METRIC_NAMES,
    VAR_METHODS,
    AnalyticsError,
    Fills,
    drawdown_episodes,
    metrics,
    monte_carlo_trades,
    monthly_returns,
    periods_per_year,
    rolling_sharpe,
    rolling_volatility,
    simple_returns,
    underwater,
    value_at_risk,
)
from ironkeel.analytics.annualize import Calendar

__all__ = ["Frames", "Period"]

TOTAL = "total"


@dataclass(frozen=True)
class Period:
    """How to annualize: a calendar, or an explicit number of periods per year."""

    calendar: Calendar = "24/7"
    periods_per_year: float | None = None

    def of(self, ts_ns: np.ndarray) -> float | None:
        return periods_per_year(ts_ns, calendar=self.calendar, override=self.periods_per_year)


@dataclass(frozen=True)
class Frames:
    """A run's equity (time-indexed floats, ``ts_ns`` and ``equity[_name]`` columns),
    trades and fills frames, as ``BacktestResult`` builds them."""

    equity: pd.DataFrame
    trades: pd.DataFrame
    fills: pd.DataFrame
    strategies: Sequence[str]

    # --- selection ----------------------------------------------------------------------

    def names(self, strategy: str | None = None) -> list[str]:
        if strategy is None:
            return [TOTAL, *self.strategies]
        if strategy != TOTAL and strategy not in self.strategies:
            raise AnalyticsError(
                "strategy", strategy, "is not in this run", f"use one of {list(self.strategies)}"
            )
        return [strategy]

    def curve(self, name: str) -> pd.Series:
        column = "equity" if name == TOTAL else f"equity_{name}"
        return self.equity[column].rename(name)

    def ts_ns(self) -> np.ndarray:
        return self.equity["ts_ns"].to_numpy(dtype=np.int64)

    def pnl(self, name: str) -> np.ndarray:
        rows = self.trades if name == TOTAL else self.trades[self.trades["strategy"] == name]
        return np.array([float(v) for v in rows["pnl"]], dtype=np.float64)

    def fill_arrays(self, name: str) -> Fills:
        rows = self.fills if name == TOTAL else self.fills[self.fills["strategy"] == name]
        sign = np.where(rows["side"].to_numpy() == "BUY", 1.0, -1.0)
        slippage = rows["slippage"] if "slippage" in rows else pd.Series(0.0, index=rows.index)
        return Fills(
            ts_ns=rows["ts_ns"].to_numpy(dtype=np.int64),
            instrument=pd.factorize(rows["instrument"])[0].astype(np.int64),
            signed_qty=sign * _floats(rows["quantity"]),
            price=_floats(rows["price"]),
            commission=_floats(rows["commission"]),
            slippage=_floats(slippage),
        )

    # --- tables -------------------------------------------------------------------------

    def metrics(self, period: Period, benchmark: pd.Series | None = None) -> pd.DataFrame:
        ts = self.ts_ns()
        ppy = period.of(ts)
        bench = None if benchmark is None else benchmark_returns(benchmark, ts)
        columns = {
            name: metrics(
                self.curve(name).to_numpy(dtype=np.float64),
                ts,
                periods_per_year=ppy,
                pnl=self.pnl(name),
                fills=self.fill_arrays(name),
                benchmark=bench,
            )
            for name in self.names()
        }
        names = list(columns)
        rows = [[columns[n][metric] for n in names] for metric in METRIC_NAMES]
        # object dtype keeps ints as ints and an undefined figure as None (not NaN)
        return pd.DataFrame(
            rows, index=pd.Index(METRIC_NAMES, name="metric"), columns=names, dtype=object
        )

    def returns(self, rule: str | None = None) -> pd.DataFrame:
        """Per-bar simple returns (``rule`` None), or compounded per calendar period."""
        out = {}
        for name in self.names():
            curve = self.curve(name)
            if rule is None:
                values = simple_returns(curve.to_numpy(dtype=np.float64), name)
                out[name] = pd.Series(values, index=curve.index[1 : 1 + values.size])
            else:
                from_period = curve.resample(rule).last().dropna()
                base = pd.concat([curve.iloc[:1], from_period.iloc[:-1]]).to_numpy()
                out[name] = pd.Series(from_period.to_numpy() / base - 1.0, from_period.index)
        return pd.DataFrame(out)

    def underwater(self) -> pd.DataFrame:
        return pd.DataFrame(
            {n: underwater(self.curve(n).to_numpy(dtype=np.float64), n) for n in self.names()},
            index=self.equity.index,
        )

    def drawdowns(self, strategy: str | None, top: int | None) -> pd.DataFrame:
        (name,) = self.names(strategy or TOTAL)
        table = drawdown_episodes(self.curve(name).to_numpy(dtype=np.float64), self.ts_ns(), top)
        for column in ("peak", "trough", "recovery"):
            stamps = pd.to_datetime(table[f"{column}_ns"].astype("Int64"), unit="ns", utc=True)
            table.insert(list(table.columns).index(f"{column}_ns") + 1, column, stamps)
        table["duration"] = pd.to_timedelta(table["duration_ns"].astype(np.int64), unit="ns")
        return table

    def monthly(self, strategy: str | None) -> pd.DataFrame:
        (name,) = self.names(strategy or TOTAL)
        return monthly_returns(self.curve(name))

    def rolling(self, window: int, strategy: str | None, period: Period) -> pd.DataFrame:
        (name,) = self.names(strategy or TOTAL)
        ppy = period.of(self.ts_ns())
        if ppy is None:
            return pd.DataFrame({"sharpe": [], "volatility": []}, dtype=np.float64)
        r = self.returns().get(name, pd.Series(dtype=np.float64))
        return pd.DataFrame(
            {
                "sharpe": rolling_sharpe(r, window, ppy),
                "volatility": rolling_volatility(r, window, ppy),
            }
        )

    def var(self, levels: Sequence[float], strategy: str | None, seed: int) -> pd.DataFrame:
        (name,) = self.names(strategy or TOTAL)
        r = simple_returns(self.curve(name).to_numpy(dtype=np.float64), name)
        rows = [
            value_at_risk(r, level, method, seed=seed) for method in VAR_METHODS for level in levels
        ]
        return pd.DataFrame(
            [{"method": v.method, "level": v.level, "var": v.var, "cvar": v.cvar} for v in rows]
        )

    def monte_carlo(
        self, n_paths: int, method: str, seed: int, strategy: str | None
    ) -> pd.DataFrame:
        (name,) = self.names(strategy or TOTAL)
        start = float(self.curve(name).iloc[0]) if len(self.equity) else 0.0
        mc = monte_carlo_trades(self.pnl(name), start, n_paths=n_paths, method=method, seed=seed)
        return pd.DataFrame({"max_drawdown": mc.max_drawdown, "final_equity": mc.final_equity})

    def correlation(self) -> pd.DataFrame:
        """Pearson correlation of the strategies' per-bar returns (NaN where a strategy's
        returns are constant: undefined)."""
        r = self.returns()[list(self.strategies)]
        flat = r.std(ddof=1) == 0
        corr = r.corr()
        corr.loc[flat, :] = np.nan
        corr.loc[:, flat] = np.nan
        return corr


def benchmark_returns(benchmark: pd.Series, ts_ns: np.ndarray) -> pd.Series:
    """Returns of a benchmark price series (time-indexed) on the run's timestamps: the
    last price at or before each timestamp inside the benchmark's own span."""
    if not isinstance(benchmark.index, pd.DatetimeIndex):
        raise AnalyticsError(
            "benchmark.index", type(benchmark.index).__name__, "is not a DatetimeIndex",
            "index the benchmark prices by time (UTC)",
        )  # fmt: skip
    prices = benchmark.sort_index().astype(np.float64)
    stamps = pd.to_datetime(ts_ns, unit="ns", utc=True)
    index = pd.DatetimeIndex(prices.index)
    index = index if index.tz is not None else index.tz_localize("UTC")
    prices.index = index
    if len(index) == 0:
        return pd.Series(dtype=np.float64)
    inside = np.asarray((stamps >= index[0]) & (stamps <= index[-1]))
    aligned = prices.reindex(stamps[inside], method="ffill")
    values = aligned.to_numpy()
    returns = values[1:] / values[:-1] - 1.0 if values.size > 1 else np.zeros(0)
    return pd.Series(returns, index=ts_ns[inside][1:])


def _floats(column: pd.Series) -> np.ndarray:
    return np.array([float(v) if v is not None else 0.0 for v in column], dtype=np.float64)
