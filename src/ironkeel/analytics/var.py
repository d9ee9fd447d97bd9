"""Value at risk and conditional value at risk (expected shortfall) of per-period returns.

Both are reported as positive loss fractions at a confidence ``level`` (0.95, 0.99):
VaR is the loss that returns exceed with probability ``1 - level``; CVaR is the mean
loss beyond it.

- historical: the ``1 - level`` quantile of the returns (linear interpolation, as
  ``numpy.percentile``), and the mean of the returns at or below it;
- parametric (normal): ``-(mu + sigma z)`` with ``z = Phi^-1(1 - level)``, and
  ``-(mu - sigma phi(z) / (1 - level))``;
- Monte Carlo: ``n_paths`` horizons of ``horizon`` returns bootstrapped from the series
  with a seeded numpy Generator, compounded; then the historical rule on those.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np

from ironkeel.analytics.errors import AnalyticsError
from ironkeel.analytics.returns import check_finite

__all__ = ["VAR_METHODS", "VaR", "value_at_risk"]

Method = Literal["historical", "parametric", "monte_carlo"]
VAR_METHODS: tuple[Method, ...] = ("historical", "parametric", "monte_carlo")
_NORMAL = NormalDist()


@dataclass(frozen=True)
class VaR:
    method: str
    level: float
    var: float | None
    cvar: float | None


def value_at_risk(
    returns: np.ndarray,
    level: float = 0.95,
    method: str = "historical",
    *,
    horizon: int = 1,
    n_paths: int = 100_000,
    seed: int = 0,
) -> VaR:
    """VaR and CVaR (see the module doc); both None with fewer than two returns."""
    if not 0.5 <= level < 1:
        raise AnalyticsError("level", level, "is outside [0.5, 1)", "use e.g. 0.95 or 0.99")
    if method not in VAR_METHODS:
        raise AnalyticsError("method", method, "is unknown", f"use one of {VAR_METHODS}")
    r = check_finite(returns, "returns")
    if r.size < 2:
        return VaR(method, level, None, None)
    tail = 1.0 - level
    if method == "parametric":
        mu, sigma = float(r.mean()), float(r.std(ddof=1))
        z = _NORMAL.inv_cdf(tail)
        return VaR(
            method, level, 0.0 - (mu + sigma * z), 0.0 - (mu - sigma * _NORMAL.pdf(z) / tail)
        )
    if method == "monte_carlo":
        if horizon < 1 or n_paths < 1:
            raise AnalyticsError(
                "horizon/n_paths", (horizon, n_paths), "must be at least 1", "pass e.g. 1, 10000"
            )
        rng = np.random.default_rng(seed)
        draws = r[rng.integers(0, r.size, size=(n_paths, horizon))]
        r = np.prod(1.0 + draws, axis=1) - 1.0
    cut = float(np.percentile(r, 100.0 * tail))
    return VaR(method, level, 0.0 - cut, 0.0 - float(r[r <= cut].mean()))  # no "-0.0"
