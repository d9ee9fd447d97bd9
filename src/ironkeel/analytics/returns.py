"""Simple returns from an equity curve, and calendar aggregations.

``r[t] = E[t] / E[t-1] - 1``, one per step after the first point. A curve that reaches
zero or below is ruined: the step that reaches it returns -100% (it cannot lose more
than everything) and the steps after it are dropped. NaN or infinite equity is an
error naming the row, never a silent NaN downstream.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ironkeel.analytics.errors import AnalyticsError

__all__ = [
    "check_finite",
    "monthly_returns",
    "period_returns",
    "returns_from_equity",
    "simple_returns",
]


def check_finite(values: np.ndarray, name: str) -> np.ndarray:
    """``values`` as float64, or an error naming the first NaN or infinite position."""
    array = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(array)
    if bad.any():
        at = int(np.argmax(bad))
        raise AnalyticsError(
            f"{name}[{at}]", float(array[at]), "is not a finite number",
            "drop or fill the gap before analysis (e.g. forward-fill the equity)",
        )  # fmt: skip
    return array


def simple_returns(equity: np.ndarray, name: str = "equity") -> np.ndarray:
    """Per-step simple returns of a positive equity curve (see the module doc for ruin)."""
    curve = check_finite(equity, name)
    if curve.size < 2:
        return np.zeros(0)
    if curve[0] <= 0:
        raise AnalyticsError(
            f"{name}[0]", float(curve[0]), "the starting equity is not positive",
            "returns need a positive start; analyse P&L in money instead",
        )  # fmt: skip
    ruined = curve <= 0
    end = int(np.argmax(ruined)) if ruined.any() else curve.size - 1
    head = curve[: end + 1]
    out = head[1:] / head[:-1] - 1.0
    if ruined.any():
        out[-1] = -1.0
    return np.asarray(out, dtype=np.float64)


def returns_from_equity(equity: pd.Series) -> pd.Series:
    """Simple returns of a time-indexed equity series, indexed by each step's end time."""
    values = simple_returns(equity.to_numpy(dtype=np.float64), str(equity.name or "equity"))
    return pd.Series(values, index=equity.index[1 : 1 + values.size], name=equity.name)


def period_returns(equity: pd.Series, rule: str) -> pd.Series:
    """Compounded returns per calendar period (``"D"``, ``"ME"``, ``"YE"``): the last
    equity of each period over the last equity of the one before (the first period is
    measured from the curve's first point). Periods without data are left out."""
    if equity.size < 2:
        return pd.Series(dtype=np.float64)
    check_finite(equity.to_numpy(dtype=np.float64), str(equity.name or "equity"))
    last = equity.resample(rule).last().dropna()
    base = pd.concat([pd.Series([equity.iloc[0]]), last.iloc[:-1]]).to_numpy()
    if np.any(base <= 0):
        raise AnalyticsError(
            "equity", float(base.min()), "a period starts at zero or negative equity",
            "period returns need positive equity; analyse P&L in money instead",
        )  # fmt: skip
    return pd.Series(last.to_numpy() / base - 1.0, index=last.index, name=equity.name)


def monthly_returns(equity: pd.Series) -> pd.DataFrame:
    """Compounded monthly returns as a year x month table (columns 1..12; a month
    without data is empty), plus a ``year`` column compounding the year's months."""
    months = period_returns(equity, "ME")
    table = pd.DataFrame(index=pd.Index([], name="year"), columns=list(range(1, 13)))
    if months.empty:
        table["year"] = []
        return table.astype(np.float64)
    stamps = pd.DatetimeIndex(months.index)
    frame = pd.DataFrame({"year": stamps.year, "month": stamps.month, "r": months.to_numpy()})
    table = frame.pivot(index="year", columns="month", values="r")
    table = table.reindex(columns=list(range(1, 13))).astype(np.float64)
    table["year"] = (1.0 + table.fillna(0.0)).prod(axis=1) - 1.0
    return table
