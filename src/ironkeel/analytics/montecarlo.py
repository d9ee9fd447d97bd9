"""Monte Carlo over trade sequences: how bad could the drawdown and the final equity
have been with the same trades in another order (``permutation``) or drawn again with
replacement (``bootstrap``)?

Each path starts at ``start_equity`` and adds one trade P&L per step. Permutation
keeps the final equity fixed and varies only the path; bootstrap varies both. Paths
are simulated in chunks of whole matrices (no Python loop per path or per trade), with
a seeded numpy Generator: the same seed gives the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ironkeel.analytics.errors import AnalyticsError
from ironkeel.analytics.returns import check_finite

__all__ = ["MC_METHODS", "PERCENTILES", "MonteCarlo", "monte_carlo_trades"]

MCMethod = Literal["bootstrap", "permutation"]
MC_METHODS: tuple[MCMethod, ...] = ("bootstrap", "permutation")
PERCENTILES = (1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0)
#: Cells simulated at once: bounds memory (8 bytes each) whatever the path count.
CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class MonteCarlo:
    """Per-path maximum drawdown (fraction of the running peak) and final equity."""

    method: str
    seed: int
    max_drawdown: np.ndarray
    final_equity: np.ndarray
    #: Share of paths whose equity touched zero or below.
    ruin_probability: float

    def percentiles(self) -> pd.DataFrame:
        """Percentiles (rows 1..99) of the maximum drawdown and the final equity."""
        return pd.DataFrame(
            {
                "max_drawdown": np.percentile(self.max_drawdown, PERCENTILES),
                "final_equity": np.percentile(self.final_equity, PERCENTILES),
            },
            index=pd.Index(PERCENTILES, name="percentile"),
        )


def monte_carlo_trades(
    pnl: np.ndarray,
    start_equity: float,
    *,
    n_paths: int = 10_000,
    method: str = "bootstrap",
    seed: int = 0,
) -> MonteCarlo:
    """Simulate ``n_paths`` equity paths from trade P&L (see the module doc)."""
    trades = check_finite(pnl, "pnl")
    if method not in MC_METHODS:
        raise AnalyticsError("method", method, "is unknown", f"use one of {MC_METHODS}")
    if n_paths < 1:
        raise AnalyticsError("n_paths", n_paths, "is below 1", "pass e.g. 10000")
    if not start_equity > 0:
        raise AnalyticsError(
            "start_equity", start_equity, "is not positive", "pass the run's starting equity"
        )
    if trades.size == 0:
        raise AnalyticsError(
            "pnl", "no trades", "a Monte Carlo over trades needs at least one trade",
            "run a backtest that trades, or skip the simulation",
        )  # fmt: skip
    rng = np.random.default_rng(seed)
    n = trades.size
    rows = max(1, CHUNK_CELLS // n)
    dds, finals, ruined = [], [], 0
    for first in range(0, n_paths, rows):
        count = min(rows, n_paths - first)
        if method == "bootstrap":
            steps = trades[rng.integers(0, n, size=(count, n))]
        else:
            steps = rng.permuted(np.broadcast_to(trades, (count, n)), axis=1)
        equity = start_equity + np.cumsum(steps, axis=1)
        peak = np.maximum(np.maximum.accumulate(equity, axis=1), start_equity)
        dds.append(((peak - equity) / peak).max(axis=1))
        finals.append(equity[:, -1])
        ruined += int((equity <= 0).any(axis=1).sum())
    return MonteCarlo(
        method=method,
        seed=seed,
        max_drawdown=np.minimum(np.concatenate(dds), 1.0),
        final_equity=np.concatenate(finals),
        ruin_probability=ruined / n_paths,
    )
