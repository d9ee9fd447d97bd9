"""Validation and registry: the static checks of a script, the cost of the hook-timing
wrapper per callback, a registry deploy, and a full ``validate`` of the SMA cross example
on the demo month (45,031 bars) with the default gates.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from benchmarks._report import emit, peak_rss_mb
from ironkeel.core.clock import TestClock
from ironkeel.sandbox.registry import Registry
from ironkeel.sandbox.static import check_file
from ironkeel.strategy import Strategy
from ironkeel.validation import validate
from ironkeel.validation.timing import HookRecorder

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "strategies" / "mean_reversion.py"
SMA = EXAMPLE.with_name("sma_cross.py")


class _Idle(Strategy):
    def on_bar(self, bar: object) -> None:
        return None


def _quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.99 * (len(ordered) - 1))]


def static_checks() -> None:
    times = []
    for _ in range(200):
        start = time.perf_counter_ns()
        check_file(EXAMPLE)
        times.append((time.perf_counter_ns() - start) / 1e3)
    p50, p99 = _quantiles(times)
    emit("static_checks", script=EXAMPLE.name, p50_us=round(p50, 1), p99_us=round(p99, 1))


def timing_overhead() -> None:
    n = 1_000_000
    plain = _Idle()
    timed = _Idle()
    HookRecorder(limit_ms=50).instrument(timed)
    best_plain = best_timed = float("inf")
    for _ in range(3):
        start = time.perf_counter_ns()
        hook = plain.on_bar
        for _ in range(n):
            hook(None)
        best_plain = min(best_plain, (time.perf_counter_ns() - start) / n)
        start = time.perf_counter_ns()
        hook = timed.on_bar
        for _ in range(n):
            hook(None)
        best_timed = min(best_timed, (time.perf_counter_ns() - start) / n)
    emit(
        "hook_timing_overhead",
        calls=n,
        plain_ns=round(best_plain, 1),
        timed_ns=round(best_timed, 1),
        overhead_ns=round(best_timed - best_plain, 1),
    )


def registry_deploy() -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        times = []
        with Registry(base / "reg", clock=TestClock(0)) as registry:
            for k in range(100):
                script = base / f"s{k}.py"
                script.write_text(f"x = {k}\n", encoding="utf-8")
                start = time.perf_counter_ns()
                registry.deploy("bench", script, {"k": k}, {"python": "3"}, replace=True)
                times.append((time.perf_counter_ns() - start) / 1e6)
    p50, p99 = _quantiles(times)
    emit("registry_deploy", deploys=100, p50_ms=round(p50, 3), p99_ms=round(p99, 3))


def full_validation() -> None:
    start = time.perf_counter()
    report = validate(SMA)
    seconds = time.perf_counter() - start
    perf = next(s for s in report.stages if s.name == "performance")
    bar = next(h for h in perf.details["hooks"] if h["hook"] == "on_bar")
    emit(
        "validate_sma_cross_demo",
        bars=perf.details["bars"],
        passed=report.passed,
        seconds=round(seconds, 2),
        on_bar_p50_ms=bar["p50_ms"],
        on_bar_p99_ms=bar["p99_ms"],
        peak_rss_mb=peak_rss_mb(),
    )


if __name__ == "__main__":
    static_checks()
    timing_overhead()
    registry_deploy()
    full_validation()
