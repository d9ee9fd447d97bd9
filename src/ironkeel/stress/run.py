"""``ironkeel stress``: every scenario replayed, in parallel, with recommendations.

Scenarios are independent: each runs in its own process (``workers`` at a time, forked
from a fork server that imported ironkeel once, so nothing of the caller's state is
inherited and no thread is forked); results come back in the order the scenarios were given, and
each scenario's noise is seeded from the run seed and its own name, so the output does
not depend on ``workers`` (parallel output == serial output, byte for byte).
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec

from ironkeel.backtest.outputs import write_json
from ironkeel.backtest.runner import Plan, currency_of, plan_from_spec
from ironkeel.backtest.spec import RunSpec, load_run_file, load_spec_json
from ironkeel.stress.recommend import recommend
from ironkeel.stress.replay import (
    StressError,
    StressOptions,
    check_plan,
    fresh_copy,
    run_scenario,
)
from ironkeel.stress.scenario import Scenario

__all__ = ["StressReport", "load_target", "run_stress", "write_report"]

StressReport = dict[str, Any]
Job = tuple[RunSpec, Scenario, StressOptions]


def load_target(target: Path) -> tuple[RunSpec, Path | None]:
    """A run file (.toml) or a finished run folder (its spec.json): the spec, and the run
    folder when one was given."""
    if target.is_dir():
        return load_spec_json(target), target
    if target.suffix != ".toml":
        raise StressError(
            "RUN_OR_CONFIG", str(target), "is neither a run folder nor a .toml run file",
            "pass a run file or the --out folder of a finished backtest",
        )  # fmt: skip
    return load_run_file(target), None


#: In a worker process: the run, loaded once for all the scenarios that worker runs (the
#: workers live for one ``run_stress`` call, so nothing goes stale).
_LOADED: dict[bytes, Plan] = {}


def _run_one(job: Job, pristine: Plan | None = None) -> dict[str, Any]:
    """One scenario on a fresh copy of the loaded run, with the risk engine's log lines
    silenced (its events are counted in the result), the same in a worker as here."""
    spec, scenario, options = job
    if pristine is None:
        key = msgspec.json.encode(spec)
        if key not in _LOADED:
            _LOADED.clear()
            _LOADED[key] = plan_from_spec(spec)
        pristine = _LOADED[key]
    logger = logging.getLogger("ironkeel")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        return run_scenario(spec, scenario, options, plan=fresh_copy(pristine))
    finally:
        logger.setLevel(level)


def run_stress(
    spec: RunSpec,
    scenarios: list[Scenario],
    *,
    threshold: float = 0.25,
    options: StressOptions | None = None,
    workers: int = 2,
) -> StressReport:
    """Replay ``spec``'s portfolio through ``scenarios``; the stress.json content."""
    if not 0 < threshold < 1:
        raise StressError("--threshold", threshold, "is outside (0, 1)", "use e.g. 0.25")
    if workers < 1:
        raise StressError("--workers", workers, "is below 1", "use 1 (serial) or more")
    if not scenarios:
        raise StressError("--scenario", [], "is empty", "name at least one scenario")
    names = [s.name for s in scenarios]
    duplicate = sorted({n for n in names if names.count(n) > 1})
    if duplicate:
        raise StressError("--scenario", duplicate, "is given twice", "give each once")
    options = options or StressOptions()
    known = {p for s in scenarios for p in s.paths}
    for symbol, path in options.mapping.items():
        if path not in known:
            raise StressError(
                f"--map {symbol}", path, "is a path in none of the scenarios",
                f"use one of {sorted(known)}",
            )  # fmt: skip
    pristine = plan_from_spec(spec)
    check_plan(pristine, options)  # every input error before any process starts
    jobs = [(spec, scenario, options) for scenario in scenarios]
    if workers == 1 or len(jobs) == 1:
        entries = [_run_one(job, pristine) for job in jobs]
    else:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["ironkeel.stress.run"])
        with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=context) as pool:
            entries = list(pool.map(_run_one, jobs))
    for entry in entries:
        entry["breached"] = entry["total_drawdown"] > threshold
    currency = currency_of(spec.currency, spec.currency_precision)
    step = Decimal(1).scaleb(-currency.precision)
    return {
        "threshold": threshold,
        "seed": spec.seed,
        "currency": currency.code,
        "warmup_bars": options.warmup_bars,
        "noise": options.noise,
        "scenarios": entries,
        "recommendations": recommend(entries, threshold=threshold, cash=spec.cash, step=step),
    }


def write_report(report: StressReport, folder: Path) -> Path:
    """``folder/stress.json`` (sorted keys, byte-stable)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "stress.json"
    write_json(path, report)
    return path
