"""sma_cross (fast=10, slow=30, size=1) over 1,000,000 synthetic one-minute bars through
the full engine: loop, simulated exchange, OMS, portfolio, the in-process strategy host
with its callbacks, and the equity-curve recorder.

For comparison, measured on these machines with this exact strategy (from the issue):
NautilusTrader 1.221 ~13,000 bars/s, backtrader ~10,000, backtesting.py ~190,000,
vectorbt ~6.9 million once compiled, a bare Python loop ~7 million.
"""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks._report import bench_instrument, emit, peak_rss_mb
from ironkeel.backtest import BacktestEngine
from ironkeel.data import gbm_bars
from ironkeel.model import Currency, Money, Venue
from ironkeel.strategy import load_strategy_class

N_BARS = 1_000_000
USD = Currency("USD", 2)
INSTRUMENT = bench_instrument()
SMA_CROSS = Path(__file__).resolve().parents[1] / "examples" / "strategies" / "sma_cross.py"


def main() -> None:
    bars = gbm_bars(INSTRUMENT, N_BARS, seed=42, start_price="30000")
    engine = BacktestEngine(seed=1)
    engine.add_instrument(INSTRUMENT)
    engine.add_venue(Venue("SIM"), [Money("1000000", USD)])
    engine.add_data(bars, "bench")
    strategy = load_strategy_class(SMA_CROSS)({"fast": 10, "slow": 30, "size": "1"})
    engine.add_strategy("sma_cross", strategy, allocation=Money("1000000", USD))
    engine.record_equity(USD)
    engine.build()
    start = time.perf_counter()
    handled = engine.run()
    seconds = time.perf_counter() - start
    emit(
        "sma_cross_1m_bars",
        bars=handled,
        orders=len(engine.oms.orders()),
        seconds=round(seconds, 3),
        bars_per_s=round(handled / seconds),
        peak_rss_mb=peak_rss_mb(),
        target_bars_per_s=500_000,
    )


if __name__ == "__main__":
    main()
