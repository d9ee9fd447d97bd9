"""Return and risk ratios of a series of simple per-period returns.

Conventions (the same as empyrical's, risk-free rate 0; ``P`` = periods per year,
``n`` = number of returns):

- total return ``prod(1 + r) - 1``; annual return (CAGR) ``(1 + total)^(P / n) - 1``;
- volatility ``std(r, ddof=1) * sqrt(P)``;
- Sharpe ``mean(r) / std(r, ddof=1) * sqrt(P)``;
- Sortino ``mean(r) * P / (sqrt(mean(min(r, 0)^2)) * sqrt(P))``;
- Calmar ``CAGR / max drawdown``;
- beta ``cov(r, b) / var(b)`` (population moments); alpha ``(1 + mean(r - beta b))^P - 1``.

A ratio whose denominator is zero (a constant curve, no losing period, no drawdown,
fewer than two returns) is ``None``: undefined, never a division error or a NaN.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ironkeel.analytics.errors import AnalyticsError
from ironkeel.analytics.returns import check_finite

__all__ = [
    "alpha_beta",
    "annual_return",
    "calmar",
    "rolling_sharpe",
    "rolling_volatility",
    "sharpe",
    "sortino",
    "total_return",
    "volatility",
]

#: Below this a standard deviation is treated as zero (float noise of a flat curve).
TINY = 1e-15


def _clean(returns: np.ndarray) -> np.ndarray:
    return check_finite(returns, "returns")


def total_return(returns: np.ndarray) -> float:
    r = _clean(returns)
    return float(np.prod(1.0 + r) - 1.0) if r.size else 0.0


def annual_return(returns: np.ndarray, periods_per_year: float | None) -> float | None:
    """CAGR; None without returns or without a known number of periods per year."""
    r = _clean(returns)
    if r.size == 0 or periods_per_year is None:
        return None
    growth = float(np.prod(1.0 + r))
    if growth <= 0:
        return -1.0  # ruined: everything lost
    try:
        return float(growth ** (periods_per_year / r.size) - 1.0)
    except OverflowError:
        return None  # a short, steep curve compounds past float range: undefined


def volatility(returns: np.ndarray, periods_per_year: float | None) -> float | None:
    r = _clean(returns)
    if r.size < 2 or periods_per_year is None:
        return None
    return float(r.std(ddof=1) * math.sqrt(periods_per_year))


def sharpe(returns: np.ndarray, periods_per_year: float | None) -> float | None:
    r = _clean(returns)
    if r.size < 2 or periods_per_year is None:
        return None
    deviation = float(r.std(ddof=1))
    if deviation <= TINY:
        return None
    return float(r.mean() / deviation * math.sqrt(periods_per_year))


def sortino(returns: np.ndarray, periods_per_year: float | None) -> float | None:
    r = _clean(returns)
    if r.size < 2 or periods_per_year is None:
        return None
    downside = math.sqrt(float(np.mean(np.minimum(r, 0.0) ** 2)))
    if downside <= TINY:
        return None
    return float(r.mean() * periods_per_year / (downside * math.sqrt(periods_per_year)))


def calmar(cagr: float | None, max_drawdown: float) -> float | None:
    """CAGR over the maximum drawdown (a positive fraction); None when either is missing."""
    if cagr is None or max_drawdown <= 0:
        return None
    return cagr / max_drawdown


def alpha_beta(
    returns: pd.Series, benchmark: pd.Series, periods_per_year: float | None
) -> tuple[float | None, float | None]:
    """(alpha, beta) of ``returns`` against ``benchmark`` returns on their common
    timestamps. A benchmark that shares fewer than two timestamps with the run is an
    error saying so; a constant benchmark gives (None, None)."""
    joined = pd.concat([returns.rename("r"), benchmark.rename("b")], axis=1, join="inner")
    if len(joined) < 2:
        raise AnalyticsError(
            "benchmark", f"{len(benchmark)} points", f"overlaps the run at {len(joined)} "
            "timestamps (need at least 2)",
            "give a benchmark series covering the run's period, on the same timestamps",
        )  # fmt: skip
    r = check_finite(joined["r"].to_numpy(), "returns")
    b = check_finite(joined["b"].to_numpy(), "benchmark")
    residual = b - b.mean()
    variance = float(np.mean(residual**2))
    if variance <= TINY**2:
        return None, None
    beta = float(np.mean(residual * r) / variance)
    if periods_per_year is None:
        return None, beta
    alpha = (1.0 + float(np.mean(r - beta * b))) ** periods_per_year - 1.0
    return alpha, beta


def _rolling_moments(r: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Rolling mean and sample standard deviation over ``window`` points (cumulative
    sums of the demeaned series, so a million points take milliseconds; the standard
    deviation's error is absolute, about 1e-8 x the returns' size, and flat windows are
    exact)."""
    if window < 2:
        raise AnalyticsError("window", window, "is below 2", "use a window of 2 or more")
    x = r - r.mean()  # centring keeps the running sums well conditioned
    c1 = np.concatenate(([0.0], np.cumsum(x)))
    c2 = np.concatenate(([0.0], np.cumsum(x * x)))
    s1 = c1[window:] - c1[:-window]
    s2 = c2[window:] - c2[:-window]
    mean = s1 / window + r.mean()
    var = np.maximum(s2 - s1 * s1 / window, 0.0) / (window - 1)
    # a window of identical returns is exactly flat (the running sums leave ~1e-11 noise)
    changes = np.concatenate(([0], np.cumsum(r[1:] != r[:-1])))
    flat = changes[window - 1 :] - changes[: changes.size - window + 1] == 0
    mean[flat] = r[window - 1 :][flat]
    var[flat] = 0.0
    return mean, np.sqrt(var)


def rolling_volatility(returns: pd.Series, window: int, periods_per_year: float) -> pd.Series:
    """Annualized volatility over the trailing ``window`` returns (from the window-th on)."""
    r = _clean(returns.to_numpy())
    if r.size < window:
        return pd.Series(dtype=np.float64, name="volatility")
    _, std = _rolling_moments(r, window)
    index = returns.index[window - 1 :]
    return pd.Series(std * math.sqrt(periods_per_year), index=index, name="volatility")


def rolling_sharpe(returns: pd.Series, window: int, periods_per_year: float) -> pd.Series:
    """Annualized Sharpe over the trailing ``window`` returns; a flat window is 0 (no
    risk taken, no excess return), so the series never holds NaN."""
    r = _clean(returns.to_numpy())
    if r.size < window:
        return pd.Series(dtype=np.float64, name="sharpe")
    mean, std = _rolling_moments(r, window)
    flat = std <= TINY
    ratio = np.where(flat, 0.0, mean / np.where(flat, 1.0, std)) * math.sqrt(periods_per_year)
    return pd.Series(ratio, index=returns.index[window - 1 :], name="sharpe")
