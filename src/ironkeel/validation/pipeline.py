"""``validate(script, params, data, gates)``: the pre-deployment pipeline, stage by stage.

1. ``static``: the AST checks (``ironkeel.sandbox.static``);
2. ``dependencies``: every import locked and allowed (``ironkeel.sandbox.deps``);
3. ``load``: the class loads and the parameters are its own, valid ones;
4. ``performance``: the data replayed through the strategy, every hook timed
   (p50 / p99 / max, callbacks over the limit) and, in a second replay, the memory
   the strategy's code holds sampled for a sustained growth (a leak);
5. ``scenario:<name>``: the fault scenarios of ``ironkeel.validation.scenarios``.

A stage that refuses the script (1-3) skips the rest; 4 and 5 always both run.
Wrong inputs to the validator itself (a missing script or data file) raise
``InvalidInputError`` before anything runs.
"""

from __future__ import annotations

import glob
import hashlib
import logging
import statistics
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from ironkeel.model.errors import InvalidInputError
from ironkeel.model.values import Currency
from ironkeel.sandbox.deps import PlatformLock, check_dependencies, dependency_lock
from ironkeel.sandbox.static import Finding, check_file, check_params
from ironkeel.strategy.base import Strategy
from ironkeel.strategy.loader import load_strategy_class
from ironkeel.validation.gates import SCENARIOS, Gates
from ironkeel.validation.replay import Market, Outcome, RunSettings, load_market, replay
from ironkeel.validation.report import GateResult, StageResult, ValidationReport
from ironkeel.validation.scenarios import build_scenario, judge
from ironkeel.validation.timing import HookRecorder, TracemallocProbe

__all__ = ["memory_growth_mb", "validate"]

_PRECISION = {"USD": 2, "USDT": 2, "EUR": 2, "GBP": 2, "JPY": 0, "BTC": 8}


def validate(
    script: Path | str,
    params: Mapping[str, Any] | None = None,
    data: Path | str | Market | None = None,
    gates: Gates | None = None,
    *,
    synthetic: int | None = None,
    class_name: str | None = None,
    gates_base: Path | None = None,
    lock: PlatformLock | None = None,
    isolated: bool = False,
) -> ValidationReport:
    """Run every stage on the strategy script and return the report (see the module doc).

    ``data``: a bars file, a loaded ``Market``, or None for the demo data (``synthetic``
    bars when given). ``isolated`` runs the replays in the sandboxed host once the lead
    wires it (passed through to ``replay``; in-process today).
    """
    gates = gates or Gates()
    path = Path(script)
    if not path.is_file():
        raise InvalidInputError("script", str(path), "does not exist", "check the path")
    market = _market(data, synthetic, gates)
    report = ValidationReport(
        script=str(path),
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        params=dict(params or {}),
        gates=gates.to_dict(),
        data=market.source,
    )
    refusal = _refusals(path, params, class_name, lock)
    report.stages.extend(refusal)
    if any(s.status == "failed" for s in refusal):
        names = [s.name for s in refusal]
        rest = ["dependencies", "load", "performance", *[f"scenario:{n}" for n in gates.scenarios]]
        report.stages.extend(StageResult(n, "skipped") for n in rest if n not in names)
        return report
    cls = load_strategy_class(path, class_name)
    report.params = {k: _plain(v) for k, v in cls(dict(params or {})).params.items()}
    report.stages[-1].details["dependency_lock"] = dependency_lock(path)
    given = dict(params or {})

    def make() -> Strategy:
        return cls(given)

    with _quiet_engine():
        report.stages.append(_performance(make, path, market, gates, isolated=isolated))
        report.stages.extend(
            _scenarios(make, market, gates, gates_base=gates_base, isolated=isolated)
        )
    return report


@contextmanager
def _quiet_engine() -> Iterator[None]:
    """The engine's log lines (a failed hook, each ignored duplicate fill) are in the
    report; keep them off the terminal while the replays run."""
    logger = logging.getLogger("ironkeel")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _market(data: Path | str | Market | None, synthetic: int | None, gates: Gates) -> Market:
    if isinstance(data, Market):
        return data
    code = gates.currency.upper()
    if code not in _PRECISION:
        raise InvalidInputError("currency", gates.currency, "is unknown", f"use {list(_PRECISION)}")
    currency = Currency(code, _PRECISION[code])
    file = None if data is None else Path(data)
    if file is not None and not file.is_file():
        raise InvalidInputError("--data", str(file), "does not exist", "check the path")
    return load_market(file, synthetic=synthetic, currency=currency, seed=gates.seed)


def _refusals(
    path: Path, params: Mapping[str, Any] | None, class_name: str | None, lock: PlatformLock | None
) -> list[StageResult]:
    static = check_file(path, class_name)
    stages = [_findings_stage("static", "static_checks", static)]
    if static:
        return stages
    deps = check_dependencies(path, lock=lock)
    stages.append(_findings_stage("dependencies", "locked_imports", deps))
    if deps:
        return stages
    stages.append(
        _findings_stage("load", "loads_with_params", check_params(path, params, class_name))
    )
    return stages


def _findings_stage(stage: str, gate: str, findings: list[Finding]) -> StageResult:
    if not findings:
        return StageResult.judged(stage, [GateResult.ok(gate, "nothing found")])
    detail = f"{len(findings)} finding(s); first: {findings[0]}"
    return StageResult.judged(
        stage, [GateResult.fail(gate, detail, [f.to_dict() for f in findings])]
    )


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _settings(gates: Gates, market: Market, **extra: Any) -> RunSettings:
    return RunSettings(
        cash=Decimal(gates.cash),
        currency=market.instrument.quote_currency,
        seed=gates.seed,
        **extra,
    )


def _performance(
    make: Callable[[], Strategy], path: Path, market: Market, gates: Gates, *, isolated: bool
) -> StageResult:
    bars = market.bars[: gates.performance_bars] if gates.performance_bars else market.bars
    recorder = HookRecorder(limit_ms=gates.max_callback_ms)
    settings = _settings(gates, market)
    outcome = replay(make(), market, bars, settings, recorder, isolated=isolated)
    stats = recorder.stats()
    slow = [{"hook": c.hook, "ts_ns": c.ts_ns, "ms": round(c.ms, 3)} for c in recorder.slow]
    results = [
        judge(outcome, make(), gates)[0],  # no_crash
        GateResult.check(
            "callback_limit", recorder.slow_count == 0,
            f"{recorder.slow_count} callbacks over {gates.max_callback_ms} ms", slow,
        ),
        _p99(stats, gates),
    ]  # fmt: skip
    details: dict[str, Any] = {"bars": len(bars), "hooks": [s.to_dict() for s in stats]}
    if gates.memory_check:
        samples = _memory_run(make, path, market, bars=bars, settings=settings, gates=gates)
        growth = memory_growth_mb(samples)
        details["memory_samples_bytes"] = samples
        details["memory_growth_mb"] = round(growth, 4)
        results.append(
            GateResult.check(
                "memory_growth", growth <= gates.max_memory_growth_mb,
                f"{growth:.3f} MB held by the strategy's code grew over the run "
                f"(limit {gates.max_memory_growth_mb} MB)",
            )
        )  # fmt: skip
    return StageResult.judged("performance", results, **details)


def _p99(stats: list[Any], gates: Gates) -> GateResult:
    over = [s.to_dict() for s in stats if s.p99_ms > gates.max_p99_ms]
    worst = max((s.p99_ms for s in stats), default=0.0)
    detail = f"worst hook p99 {worst:.3f} ms (limit {gates.max_p99_ms} ms)"
    return GateResult.check("p99_latency", not over, detail, over)


def _memory_run(
    make: Callable[[], Strategy],
    path: Path,
    market: Market,
    *,
    bars: list[Any],
    settings: RunSettings,
    gates: Gates,
) -> list[int]:
    """A second replay under tracemalloc, sampling what the script's code holds."""
    probe = TracemallocProbe(glob.escape(str(path)))
    recorder = HookRecorder(limit_ms=gates.max_callback_ms)
    outcome = replay(
        make(), market, bars, settings, recorder,
        probe=probe, samples=gates.memory_samples,
    )  # fmt: skip
    return outcome.memory


def memory_growth_mb(samples: list[int]) -> float:
    """Sustained growth: the lowest of the last quarter of the samples minus the median of
    the first quarter, after a warm-up of the first fifth (indicators filling their
    windows). A single high sample at the end is not growth; a rise that stays is."""
    body = samples[len(samples) // 5 :]
    if len(body) < 4:
        return 0.0
    quarter = max(1, len(body) // 4)
    return max(0.0, (min(body[-quarter:]) - statistics.median(body[:quarter])) / 2**20)


def _scenarios(
    make: Callable[[], Strategy],
    market: Market,
    gates: Gates,
    *,
    gates_base: Path | None,
    isolated: bool,
) -> list[StageResult]:
    bars = market.bars[: gates.scenario_bars]
    settings = _settings(gates, market, risk=gates.risk_config(gates_base))
    baseline: Outcome | None = None
    stages = []
    for name in [n for n in SCENARIOS if n in gates.scenarios or n == "baseline"]:
        scenario = build_scenario(name, bars, settings, gates, baseline)
        strategy = make()
        recorder = HookRecorder(limit_ms=gates.max_callback_ms)
        outcome = replay(
            strategy, market, scenario.bars, scenario.settings, recorder, isolated=isolated
        )
        if name == "baseline":
            baseline = outcome
            if name not in gates.scenarios:
                continue
        stages.append(
            StageResult.judged(
                f"scenario:{name}",
                judge(outcome, strategy, gates),
                description=scenario.description,
                bars=len(scenario.bars),
                orders=outcome.orders,
                denials=dict(outcome.denials),
                position={k: str(v) for k, v in outcome.position.items()},
            )
        )
    if baseline is not None and baseline.orders == 0:
        for stage in stages:
            stage.details["note"] = "the strategy sent no orders: the faults exercised nothing"
    return stages
