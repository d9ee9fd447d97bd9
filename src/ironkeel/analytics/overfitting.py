"""Is the best of many backtests a fluke? Two answers for parameter sweeps, both taking
a matrix of per-period returns with one column per trial (same periods for all).

- Deflated Sharpe ratio (Bailey and Lopez de Prado, 2014): the probability that the
  selected trial's true Sharpe is above the best Sharpe that ``N`` trials of pure noise
  would be expected to show, given the sample length, skewness and kurtosis. Sharpe
  ratios here are per period (not annualized), as in the paper.
- Probability of backtest overfitting by combinatorially symmetric cross-validation
  (Bailey, Borwein, Lopez de Prado and Zhu, 2015): split the periods into ``S`` blocks;
  for every half of the blocks taken as in-sample, pick the trial with the best
  in-sample Sharpe and find its rank out of sample; PBO is the share of splits where
  that rank is at or below the median (logit <= 0).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from ironkeel.analytics.errors import AnalyticsError
from ironkeel.analytics.returns import check_finite

__all__ = ["Deflated", "Overfitting", "deflated_sharpe", "expected_max_sharpe", "pbo"]

EULER_GAMMA = 0.5772156649015329
_NORMAL = NormalDist()


def _matrix(returns: np.ndarray, min_rows: int) -> np.ndarray:
    m = np.asarray(returns, dtype=np.float64)
    if m.ndim == 1:
        m = m[:, None]
    if m.ndim != 2 or m.shape[0] < min_rows:
        raise AnalyticsError(
            "returns", m.shape, f"needs a 2-D matrix with at least {min_rows} rows",
            "pass periods as rows and one column per trial",
        )  # fmt: skip
    check_finite(m.ravel(), "returns (flattened)")
    return m


def expected_max_sharpe(n_trials: int, sharpe_variance: float) -> float:
    """Expected maximum per-period Sharpe of ``n_trials`` independent zero-skill trials
    whose Sharpe estimates have variance ``sharpe_variance`` (0 for a single trial)."""
    if n_trials <= 1:
        return 0.0
    a = _NORMAL.inv_cdf(1.0 - 1.0 / n_trials)
    b = _NORMAL.inv_cdf(1.0 - 1.0 / (n_trials * math.e))
    return math.sqrt(sharpe_variance) * ((1.0 - EULER_GAMMA) * a + EULER_GAMMA * b)


@dataclass(frozen=True)
class Deflated:
    selected: int
    sharpe: float
    benchmark_sharpe: float
    n_trials: int
    n_periods: int
    skew: float
    kurtosis: float
    probability: float


def deflated_sharpe(returns: np.ndarray) -> Deflated:
    """The deflated Sharpe ratio of the trial with the best Sharpe among the columns."""
    m = _matrix(returns, 3)
    std = m.std(axis=0, ddof=1)
    if np.any(std <= 0):
        col = int(np.argmax(std <= 0))
        raise AnalyticsError(
            f"returns[:, {col}]", "constant", "a trial with constant returns has no Sharpe",
            "drop trials that never traded",
        )  # fmt: skip
    sharpes = m.mean(axis=0) / std
    best = int(np.argmax(sharpes))
    sr = float(sharpes[best])
    x = m[:, best] - m[:, best].mean()
    sd = float(np.sqrt(np.mean(x**2)))
    skew = float(np.mean(x**3) / sd**3)
    kurt = float(np.mean(x**4) / sd**4)  # not excess: 3 for a normal
    n_trials, t = m.shape[1], m.shape[0]
    variance = float(sharpes.var(ddof=1)) if n_trials > 1 else 0.0
    sr0 = expected_max_sharpe(n_trials, variance)
    denominator = 1.0 - skew * sr + (kurt - 1.0) / 4.0 * sr**2
    if denominator <= 0:
        raise AnalyticsError(
            "returns", f"skew {skew:.3g}, kurtosis {kurt:.3g}",
            "the Sharpe ratio's standard error is undefined for these moments",
            "use a longer sample",
        )  # fmt: skip
    z = (sr - sr0) * math.sqrt(t - 1) / math.sqrt(denominator)
    return Deflated(best, sr, sr0, n_trials, t, skew, kurt, _NORMAL.cdf(z))


@dataclass(frozen=True)
class Overfitting:
    pbo: float
    n_splits: int
    #: Logit of the out-of-sample relative rank of the in-sample best, one per split.
    logits: np.ndarray
    #: Out-of-sample Sharpe of the in-sample best, one per split.
    oos_sharpe: np.ndarray


def pbo(returns: np.ndarray, n_blocks: int = 16) -> Overfitting:
    """Probability of backtest overfitting by CSCV with ``n_blocks`` (even) blocks."""
    if n_blocks < 2 or n_blocks % 2:
        raise AnalyticsError("n_blocks", n_blocks, "must be even and >= 2", "use e.g. 16")
    m = _matrix(returns, 2 * n_blocks)
    if m.shape[1] < 2:
        raise AnalyticsError(
            "returns", m.shape, "PBO compares trials: needs at least 2 columns",
            "pass one column per parameter set",
        )  # fmt: skip
    blocks = np.array_split(np.arange(m.shape[0]), n_blocks)
    s1 = np.stack([m[b].sum(axis=0) for b in blocks])  # blocks x trials
    s2 = np.stack([(m[b] ** 2).sum(axis=0) for b in blocks])
    counts = np.array([b.size for b in blocks], dtype=np.float64)
    combos = np.array(list(itertools.combinations(range(n_blocks), n_blocks // 2)))
    mask = np.zeros((combos.shape[0], n_blocks))
    np.put_along_axis(mask, combos, 1.0, axis=1)
    is_sr = _sharpe_from_sums(mask @ s1, mask @ s2, mask @ counts)
    oos = 1.0 - mask
    oos_sr = _sharpe_from_sums(oos @ s1, oos @ s2, oos @ counts)
    best = np.argmax(is_sr, axis=1)
    chosen = oos_sr[np.arange(best.size), best]
    n = m.shape[1]
    rank = (oos_sr < chosen[:, None]).sum(axis=1) + 1  # 1 = worst out of sample
    omega = rank / (n + 1.0)
    logits = np.log(omega / (1.0 - omega))
    return Overfitting(float((logits <= 0).mean()), int(combos.shape[0]), logits, chosen)


def _sharpe_from_sums(s1: np.ndarray, s2: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Per-period Sharpe from sums and sums of squares (0 where the spread is zero)."""
    count = n[:, None]
    mean = s1 / count
    var = np.maximum(s2 - s1 * mean, 0.0) / (count - 1.0)
    std = np.sqrt(var)
    return np.where(std > 0, mean / np.where(std > 0, std, 1.0), 0.0)
