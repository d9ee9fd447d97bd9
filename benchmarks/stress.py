"""Stress tests: building stressed bars (the COVID path onto one-minute bars, 47,520 bars),
and the demo portfolio through the three crypto scenarios serially and with two worker
processes (wall time; each scenario is a full backtest of its bars)."""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks._report import emit, peak_rss_mb
from ironkeel.backtest import load_run_file
from ironkeel.backtest.runner import plan_from_spec
from ironkeel.stress import StressOptions, run_stress, shipped_scenario, stressed_bars

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo" / "run.toml"
CRYPTO = ["covid_2020", "ftx_2022", "luna_2022"]


def bench_bars() -> None:
    spec = load_run_file(DEMO)
    history = plan_from_spec(spec).streams[0][1][-500:]
    covid = shipped_scenario("covid_2020")
    best = float("inf")
    for seed in range(3):
        start = time.perf_counter()
        bars = stressed_bars(history, covid.paths["crypto"], duration_ns=covid.duration_ns,
                             seed=seed)  # fmt: skip
        best = min(best, time.perf_counter() - start)
    emit("stress_bars", bars=len(bars), seconds=round(best, 3),
         bars_per_s=round(len(bars) / best))  # fmt: skip


def bench_scenarios(workers: int) -> None:
    spec = load_run_file(DEMO)
    scenarios = [shipped_scenario(n) for n in CRYPTO]
    start = time.perf_counter()
    report = run_stress(spec, scenarios, options=StressOptions(), workers=workers)
    elapsed = time.perf_counter() - start
    bars = sum(e["instruments"]["BTCPERP"]["bars"] for e in report["scenarios"])
    emit("stress_demo_crypto_scenarios", workers=workers, scenarios=len(scenarios),
         stressed_bars=bars, seconds=round(elapsed, 2), peak_rss_mb=peak_rss_mb())  # fmt: skip


if __name__ == "__main__":
    bench_bars()
    bench_scenarios(1)
    bench_scenarios(2)
