"""Analytics speed: every headline metric of a 1,000,000-point equity curve with 100,000
trades and fills (target: under a second), and 10,000 Monte Carlo paths over trades
(target: seconds). Also ``BacktestResult.metrics()`` on a 1,000,000-row run, parsing the
exact decimal strings included. Series are seeded random walks; best of three."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from benchmarks._report import emit, peak_rss_mb
from ironkeel.analytics import Fills, metrics, monte_carlo_trades, periods_per_year
from ironkeel.backtest.result import BacktestResult

POINTS = 1_000_000
TRADES = 100_000
PATHS = 10_000
MC_TRADES = 1_000
MINUTE = 60 * 1_000_000_000


def _best(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    rng = np.random.default_rng(1)
    ts = 1_600_000_000 * 1_000_000_000 + MINUTE * np.arange(POINTS, dtype=np.int64)
    equity = 1e6 * np.cumprod(1.0 + rng.normal(0.0, 0.0005, POINTS))
    pnl = rng.normal(1.0, 50.0, TRADES)
    fill_ts = np.sort(rng.choice(ts, TRADES, replace=False))
    fills = Fills(
        ts_ns=fill_ts,
        instrument=rng.integers(0, 3, TRADES),
        signed_qty=np.where(np.arange(TRADES) % 2 == 0, 1.0, -1.0),
        price=rng.uniform(100.0, 200.0, TRADES),
        commission=np.full(TRADES, 0.1),
        slippage=np.full(TRADES, 0.05),
    )
    ppy = periods_per_year(ts)

    def run_metrics() -> None:
        metrics(equity, ts, periods_per_year=ppy, pnl=pnl, fills=fills)

    seconds = _best(run_metrics)
    emit("analytics_metrics_1m", points=POINTS, trades=TRADES, seconds=round(seconds, 4),
         points_per_s=round(POINTS / seconds), target_s=1.0, peak_rss_mb=peak_rss_mb())  # fmt: skip
    rows = [[int(t), "", f"{e:.2f}"] for t, e in zip(ts, equity, strict=True)]

    def result_metrics() -> None:  # from a run's exact decimal strings, parsing included
        BacktestResult(
            summary={"strategies": {}}, order_rows=[], fill_rows=[], trade_rows=[],
            equity_columns=["ts_ns", "time", "equity"], equity_rows=rows,
        ).metrics()  # fmt: skip

    seconds = _best(result_metrics)
    emit("analytics_result_metrics_1m", points=POINTS, seconds=round(seconds, 4),
         points_per_s=round(POINTS / seconds), peak_rss_mb=peak_rss_mb())  # fmt: skip
    trades = rng.normal(5.0, 100.0, MC_TRADES)
    for method in ("bootstrap", "permutation"):
        seconds = _best(
            lambda m=method: monte_carlo_trades(trades, 1e5, n_paths=PATHS, method=m, seed=0)
        )
        emit(f"analytics_monte_carlo_{method}", paths=PATHS, trades_per_path=MC_TRADES,
             seconds=round(seconds, 4), paths_per_s=round(PATHS / seconds),
             peak_rss_mb=peak_rss_mb())  # fmt: skip


if __name__ == "__main__":
    main()
