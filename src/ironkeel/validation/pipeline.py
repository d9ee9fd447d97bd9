"""``validate(script, params, data, gates)``: the pre-deployment pipeline, stage by stage.

1. ``static``: the AST checks (``ironkeel.sandbox.static``);
2. ``dependencies``: every import locked and allowed (``ironkeel.sandbox.deps``);
3. ``load``: the class loads and the parameters are its own, valid ones;
4. ``performance``: the data replayed through the strategy, every hook timed
   (p50 / p99 / max, callbacks over the limit) and its memory sampled for a sustained
   growth (a leak);
5. ``scenario:<name>``: the fault scenarios of ``ironkeel.validation.scenarios``.

By default (``isolated``) the script never runs in the validator's process: loading,
parameters and every replay happen in a sandboxed strategy process (docs/sandbox.md),
hooks are timed over the round trip, and memory is the child's resident size. With
``isolated=False`` (trusted code, faster) the class is loaded here and memory is what
the script's own lines hold (tracemalloc, in a second replay).

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
from contextlib import ExitStack, contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from ironkeel.model.errors import InvalidInputError
from ironkeel.model.values import Currency
from ironkeel.sandbox.deps import PlatformLock, check_dependencies, dependency_lock
from ironkeel.sandbox.errors import SandboxError
from ironkeel.sandbox.handle import SandboxedStrategy
from ironkeel.sandbox.pool import SandboxPool
from ironkeel.sandbox.static import Finding, check_file, check_params, class_line
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
    policy: str = "reject",
    class_name: str | None = None,
    gates_base: Path | None = None,
    lock: PlatformLock | None = None,
    isolated: bool = True,
) -> ValidationReport:
    """Run every stage on the strategy script and return the report (see the module doc).

    ``data``: a bars file, a loaded ``Market``, or None for the demo data (``synthetic``
    bars when given; bad rows of a file follow ``policy``: reject, drop or repair, always
    reported). ``isolated``: run the script only in sandboxed processes.
    """
    gates = gates or Gates()
    path = Path(script)
    if not path.is_file():
        raise InvalidInputError("script", str(path), "does not exist", "check the path")
    market = _market(data, synthetic, gates, policy)
    report = ValidationReport(
        script=str(path),
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        params=dict(params or {}),
        gates=gates.to_dict(),
        data=market.source,
    )
    with ExitStack() as stack:
        pool = None
        if isolated:
            pool = stack.enter_context(SandboxPool(deadline_s=_deadline_s(gates)))
        loader = _Loader(path, dict(params or {}), class_name, gates.seed, pool)
        refusal = _refusals(path, params, class_name, lock, loader)
        report.stages.extend(refusal)
        if any(s.status == "failed" for s in refusal):
            names = [s.name for s in refusal]
            rest = ["dependencies", "load", "performance",
                    *[f"scenario:{n}" for n in gates.scenarios]]  # fmt: skip
            report.stages.extend(StageResult(n, "skipped") for n in rest if n not in names)
            return report
        report.params = loader.parsed
        report.stages[-1].details["dependency_lock"] = dependency_lock(path)
        report.stages[-1].details["isolated"] = isolated
        with _quiet_engine():
            report.stages.append(_performance(loader, path, market, gates))
            report.stages.extend(_scenarios(loader.make, market, gates, gates_base=gates_base))
    return report


def _deadline_s(gates: Gates) -> float:
    """The sandbox's per-callback deadline while validating: well above the gate's limit,
    so a slow callback is measured and reported rather than cut short; a hang is still
    killed (and fails ``no_crash``)."""
    return max(1.0, 20 * gates.max_callback_ms / 1000)


class _Loader:
    """Makes the strategy under test: in this process, or in a sandboxed one."""

    def __init__(
        self,
        path: Path,
        params: dict[str, Any],
        class_name: str | None,
        seed: int,
        pool: SandboxPool | None,
    ) -> None:
        self.path, self.params, self.class_name, self.seed = path, params, class_name, seed
        self.pool = pool
        self.parsed: dict[str, Any] = {}
        self._source = path.read_text(encoding="utf-8") if pool is not None else ""

    def check(self) -> list[Finding]:
        """The ``load`` stage: the class loads and takes the parameters."""
        if self.pool is None:
            findings = check_params(self.path, self.params, self.class_name)
            if not findings:
                cls = load_strategy_class(self.path, self.class_name)
                self.parsed = {k: _plain(v) for k, v in cls(self.params).params.items()}
            return findings
        try:
            strategy = self._sandboxed(self.pool)
        except SandboxError as error:
            reason, _, fix = str(error).partition(". Fix: ")
            line = _line(error.location, str(self.path)) or class_line(self.path)
            return [Finding(str(self.path), line, 0, "IK502", reason, fix or "see the reason")]
        self.parsed = dict(strategy.params)
        strategy.channel.close()
        return []

    def make(self) -> Strategy:
        if self.pool is None:
            return load_strategy_class(self.path, self.class_name)(self.params)
        return self._sandboxed(self.pool)

    def _sandboxed(self, pool: SandboxPool) -> SandboxedStrategy:
        return pool.load(
            "candidate", self._source, str(self.path),
            params=self.params, class_name=self.class_name, seed=self.seed,
        )  # fmt: skip


def _line(location: str | None, path: str) -> int:
    """The line of ``location`` (file:line) when it is in the script, else 0."""
    file, _, line = (location or "").rpartition(":")
    return int(line) if file == path and line.isdigit() else 0


class _ChildMemory:
    """``MemoryProbe`` over a sandboxed strategy: the bytes its process has allocated
    (malloc's in-use bytes; the resident size would hide a leak in free heap pages)."""

    def __init__(self, strategy: SandboxedStrategy) -> None:
        self.strategy = strategy

    def start(self) -> None:
        """Nothing to start: the kernel keeps the figure."""

    def sample(self) -> int:
        return self.strategy.heap_bytes()

    def stop(self) -> None:
        """Nothing to stop."""


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


def _market(
    data: Path | str | Market | None, synthetic: int | None, gates: Gates, policy: str
) -> Market:
    if isinstance(data, Market):
        return data
    code = gates.currency.upper()
    if code not in _PRECISION:
        raise InvalidInputError("currency", gates.currency, "is unknown", f"use {list(_PRECISION)}")
    currency = Currency(code, _PRECISION[code])
    file = None if data is None else Path(data)
    if file is not None and not file.is_file():
        raise InvalidInputError("--data", str(file), "does not exist", "check the path")
    return load_market(file, synthetic=synthetic, currency=currency, seed=gates.seed, policy=policy)


def _refusals(
    path: Path,
    params: Mapping[str, Any] | None,
    class_name: str | None,
    lock: PlatformLock | None,
    loader: _Loader,
) -> list[StageResult]:
    static = check_file(path, class_name)
    stages = [_findings_stage("static", "static_checks", static)]
    if static:
        return stages
    deps = check_dependencies(path, lock=lock)
    stages.append(_findings_stage("dependencies", "locked_imports", deps))
    if deps:
        return stages
    stages.append(_findings_stage("load", "loads_with_params", loader.check()))
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


def _performance(loader: _Loader, path: Path, market: Market, gates: Gates) -> StageResult:
    bars = market.bars[: gates.performance_bars] if gates.performance_bars else market.bars
    recorder = HookRecorder(limit_ms=gates.max_callback_ms)
    settings = _settings(gates, market)
    strategy = loader.make()
    child = _ChildMemory(strategy) if isinstance(strategy, SandboxedStrategy) else None
    samples = gates.memory_samples if child is not None and gates.memory_check else 0
    outcome = replay(strategy, market, bars, settings, recorder, probe=child, samples=samples)
    stats = recorder.stats()
    slow = [{"hook": c.hook, "ts_ns": c.ts_ns, "ms": round(c.ms, 3)} for c in recorder.slow]
    results = [
        judge(outcome, gates)[0],  # no_crash
        GateResult.check(
            "callback_limit", recorder.slow_count == 0,
            f"{recorder.slow_count} callbacks over {gates.max_callback_ms} ms", slow,
        ),
        _p99(stats, gates),
    ]  # fmt: skip
    details: dict[str, Any] = {"bars": len(bars), "hooks": [s.to_dict() for s in stats]}
    if gates.memory_check:
        memory = (
            outcome.memory if child is not None else
            _memory_run(loader.make, path, market, bars=bars, settings=settings, gates=gates)
        )  # fmt: skip
        growth = memory_growth_mb(memory)
        what = "the strategy process's allocated memory" if child else "memory held by its code"
        details["memory_samples_bytes"] = memory
        details["memory_growth_mb"] = round(growth, 4)
        results.append(
            GateResult.check(
                "memory_growth", growth <= gates.max_memory_growth_mb,
                f"{growth:.3f} MB: {what} grew over the run "
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
) -> list[StageResult]:
    bars = market.bars[: gates.scenario_bars]
    settings = _settings(gates, market, risk=gates.risk_config(gates_base))
    baseline: Outcome | None = None
    stages = []
    for name in [n for n in SCENARIOS if n in gates.scenarios or n == "baseline"]:
        scenario = build_scenario(name, bars, settings, gates, baseline)
        strategy = make()
        recorder = HookRecorder(limit_ms=gates.max_callback_ms)
        outcome = replay(strategy, market, scenario.bars, scenario.settings, recorder)
        if name == "baseline":
            baseline = outcome
            if name not in gates.scenarios:
                continue
        stages.append(
            StageResult.judged(
                f"scenario:{name}",
                judge(outcome, gates),
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
