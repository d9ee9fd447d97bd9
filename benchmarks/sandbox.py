"""The strategy sandbox: callback round trip, process start, hot swap, isolated backtest.

- ``sandbox_callback_roundtrip``: one bar out to a hardened strategy process and its
  reply back (msgpack over SOCK_SEQPACKET), the strategy doing nothing; target p99
  <= 50 us. (SANDBOX-FINDINGS.md measured 6.5 / 11 us same core, 17 / 26 us apart for
  the bare transport.)
- ``sandbox_process_start``: fork from the warm zygote, harden, say hello.
- ``sandbox_swap``: a running strategy swapped to a new version: the standby loads the
  code, the new version answers ``on_start`` on the live state, the old process is
  killed; target p99 <= 20 ms (the seeds require < 200 ms).
- ``sandbox_isolated_backtest_1m_bars``: sma_cross over 1,000,000 bars in the sandbox,
  beside the same run in-process.
"""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

import numpy as np

from benchmarks._report import bench_instrument, emit, peak_rss_mb
from ironkeel.backtest import BacktestEngine
from ironkeel.data import gbm_bars
from ironkeel.model import Bar, Currency, Money, Venue
from ironkeel.sandbox import SandboxPool
from ironkeel.sandbox import protocol as p
from ironkeel.strategy import load_strategy_class

USD = Currency("USD", 2)
INSTRUMENT = bench_instrument()
SMA_CROSS = Path(__file__).resolve().parents[1] / "examples" / "strategies" / "sma_cross.py"
IDLE = "from ironkeel import Strategy\n\n\nclass Idle(Strategy):\n    pass\n"
ROUND_TRIPS = 100_000
STARTS = 60
SWAPS = 60
N_BARS = int(os.environ.get("IRONKEEL_BENCH_BARS", "1000000"))


def _percentiles(samples_ns: list[int]) -> tuple[float, float]:
    values = np.array(samples_ns, dtype=np.float64) / 1_000
    return round(float(np.percentile(values, 50)), 2), round(float(np.percentile(values, 99)), 2)


def roundtrip(pool: SandboxPool, bars: list[Bar]) -> None:
    strategy = pool.load("idle", IDLE, "idle.py")
    pool.warm()  # steady state: the next standby has finished hardening (on this CPU)
    channel = strategy.channel
    state = p.State(ts=0, positions=[0], equity=10**17, cash=10**17, orders=None)
    tick = 100
    views = [
        p.OnBar(
            state, b.bar_type if k == 0 else None, b.open / tick, b.high / tick, b.low / tick,
            b.close / tick, b.volume / 1000, b.open, b.high, b.low, b.close, b.volume,
            b.ts_event, b.ts_init, 0,
        )
        for k, b in enumerate(bars[:ROUND_TRIPS])
    ]  # fmt: skip
    for request in views[:500]:  # warm up
        channel.exchange(request)
    samples = [0] * len(views)  # preallocated: no list growth inside the timed loop
    clock = time.perf_counter_ns
    gc.disable()  # as in the engine's replay (decision 0007)
    try:
        for k, request in enumerate(views):
            started = clock()
            channel.exchange(request)
            samples[k] = clock() - started
    finally:
        gc.enable()
    p50, p99 = _percentiles(samples)
    emit("sandbox_callback_roundtrip", calls=len(samples), p50_us=p50, p99_us=p99,
         target_p99_us=50)  # fmt: skip


def starts(pool: SandboxPool) -> None:
    samples = []
    for _ in range(STARTS):
        started = time.perf_counter_ns()
        channel = pool._fork()
        channel.hello()
        samples.append(time.perf_counter_ns() - started)
        channel.kill(None)
    p50, p99 = _percentiles(samples)
    emit("sandbox_process_start", starts=len(samples), p50_us=p50, p99_us=p99)


def swaps(pool: SandboxPool, bars: list[Bar]) -> None:
    source = SMA_CROSS.read_text(encoding="utf-8")
    engine = BacktestEngine(seed=1, start_ns=bars[0].ts_init)
    engine.add_instrument(INSTRUMENT)
    engine.add_venue(Venue("SIM"), [Money("1000000", USD)])
    engine.add_data(bars, "bench")
    strategy = pool.load("sma", source, str(SMA_CROSS), params={"fast": 10, "slow": 30})
    engine.add_strategy("sma", strategy, allocation=Money("1000000", USD))
    engine.build()
    engine.host.start()
    samples = []
    for k in range(SWAPS):
        for bar in bars[k * 40 : (k + 1) * 40]:
            engine.loop.dispatch(bar)
        fast = 10 + k % 5
        pool.warm()  # steady state: the standby has hardened since the last swap
        started = time.perf_counter_ns()
        pool.swap(strategy, source, str(SMA_CROSS), params={"fast": fast, "slow": 30})
        samples.append(time.perf_counter_ns() - started)
    p50, p99 = _percentiles(samples)
    emit("sandbox_swap", swaps=len(samples), p50_us=p50, p99_us=p99, target_p99_us=20_000)


def backtest(bars: list[Bar], *, isolated: bool) -> float:
    engine = BacktestEngine(seed=1)
    engine.add_instrument(INSTRUMENT)
    engine.add_venue(Venue("SIM"), [Money("1000000", USD)])
    engine.add_data(bars, "bench")
    params = {"fast": 10, "slow": 30, "size": "1"}
    with SandboxPool(standby=False) as pool:
        if isolated:
            source = SMA_CROSS.read_text(encoding="utf-8")
            strategy = pool.load("sma", source, str(SMA_CROSS), params=params, seed=1)
        else:
            strategy = load_strategy_class(SMA_CROSS)(params)
        engine.add_strategy("sma", strategy, allocation=Money("1000000", USD))
        engine.record_equity(USD)
        engine.build()
        started = time.perf_counter()
        engine.run()
        return time.perf_counter() - started


def main() -> None:
    bars = gbm_bars(INSTRUMENT, N_BARS, seed=42, start_price="30000")
    with SandboxPool() as pool:
        roundtrip(pool, bars)
        starts(pool)
        swaps(pool, bars)
    in_process = backtest(bars, isolated=False)
    isolated = backtest(bars, isolated=True)
    emit(
        "sandbox_isolated_backtest_1m_bars",
        bars=N_BARS,
        seconds=round(isolated, 3),
        bars_per_s=round(N_BARS / isolated),
        in_process_bars_per_s=round(N_BARS / in_process),
        peak_rss_mb=peak_rss_mb(),
    )


if __name__ == "__main__":
    main()
