"""The long-lived node: strategies in the sandbox, trading on paper, swappable live.

``ironkeel run RUN.toml`` starts one. Until the live adapters exist it trades against
the simulated exchange, replaying the run's data (paced with ``speed``: simulated
seconds per wall second; None is as fast as it goes). Every strategy runs sandboxed;
a strategy whose name is in the registry runs the registry's current version (its
script and parameters), any other runs the run file's script.

Between two market events the node serves its control socket: ``status``, ``swap``
(hot-swap one strategy to a registry version while the others go on; the previous
version keeps running until the new one has answered its ``on_start``) and ``stop``.
Every swap, done or refused, is written to the node's audit log.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from ironkeel.audit import AuditLog
from ironkeel.backtest.engine import BacktestEngine
from ironkeel.backtest.outputs import write_json
from ironkeel.backtest.result import BacktestResult
from ironkeel.backtest.runner import assemble, collect, plan_from_spec
from ironkeel.backtest.spec import RunSpec
from ironkeel.core.clock import Clock, LiveClock
from ironkeel.model.errors import IronkeelError
from ironkeel.model.events import StrategyFailed
from ironkeel.node.control import Answer, Command, ControlServer, Pending
from ironkeel.sandbox import SandboxedStrategy, SandboxError, SandboxPool
from ironkeel.sandbox.registry import Registry
from ironkeel.strategy.host import SlotStatus

__all__ = ["PaperNode"]


class PaperNode:
    """One node: a run spec, a registry, a control socket, an output folder."""

    def __init__(
        self,
        spec: RunSpec,
        *,
        out: Path,
        control: Path,
        registry: Path | None = None,
        speed: float | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.out = out
        self.control = control
        self.registry_root = registry
        self.registry: Registry | None = None  # open while the node runs (its own thread)
        self.speed = speed
        self.clock = clock or LiveClock()
        self.versions: dict[str, int | None] = {}
        self.swaps: list[dict[str, Any]] = []
        self.spec = msgspec.structs.replace(spec, isolated=True, out=None)
        if registry is not None:
            with Registry(registry) as store:
                self.spec = self._resolved(self.spec, store)
        self._stopping = False

    def _resolved(self, spec: RunSpec, store: Registry) -> RunSpec:
        """The run spec with each registered strategy's current version put in."""
        entries = []
        names = set(store.names())
        for entry in spec.strategies:
            chosen, version = entry, None
            if entry.name in names:
                current = store.current(entry.name)
                version = current.number
                chosen = msgspec.structs.replace(
                    entry,
                    file=str(store.blob_path(current.sha256)),
                    params=current.params,
                )
            self.versions[entry.name] = version
            entries.append(chosen)
        return msgspec.structs.replace(spec, strategies=entries)

    def run(self) -> BacktestResult:
        """Run until the data ends or a ``stop`` command; write the outputs to ``out``."""
        self.out.mkdir(parents=True, exist_ok=True)
        server = ControlServer(self.control)
        with SandboxPool(deadline_s=self.spec.deadline_ms / 1000) as pool:
            plan = plan_from_spec(self.spec, pool=pool)
            assembly = assemble(plan, out=self.out)
            engine = assembly.engine
            own_audit = engine.audit is None
            audit = engine.audit or AuditLog(self.out / "audit.sqlite")
            strategies = {
                s.name: s.strategy for s in plan.strategies
                if isinstance(s.strategy, SandboxedStrategy)
            }  # fmt: skip
            if own_audit:  # with a risk engine, it records failures in the same log
                engine.bus.subscribe(StrategyFailed, lambda e: _record_failure(audit, e))
            server.start()
            live = _Live(engine, pool, strategies, audit, server)
            if self.registry_root is not None:
                self.registry = Registry(self.registry_root)
            try:
                engine.host.start()
                self._replay(plan.streams, live)
                engine.clock.advance_to(max(engine.clock.timestamp_ns(), assembly.end))
                engine.host.stop()
            finally:
                server.close()
                if self.registry is not None:
                    self.registry.close()
                    self.registry = None
                if own_audit:
                    audit.close()
                elif engine.audit is not None:
                    engine.audit.close()
            result = collect(assembly, plan)
            result.sandbox = pool.metrics()
        result.write(self.out)
        write_json(self.out / "node.json", {"versions": self.versions, "swaps": self.swaps})
        return result

    def _replay(self, streams: list[tuple[str, list[Any]]], live: _Live) -> None:
        started = self.clock.timestamp_ns()
        first: int | None = None
        for item in _merged(streams):
            if first is None:
                first = item.ts_init
            while True:  # serve commands until the item is due (at once without pacing)
                wait = self._wait_s(item.ts_init - first, started)
                for pending in live.server.poll(wait):
                    self._serve(pending, live)
                    live.pool.warm()  # the next swap finds its standby ready
                if self._stopping:
                    return
                if wait <= 0:
                    break
            live.engine.loop.dispatch(item)

    def _wait_s(self, into_data_ns: int, started_ns: int) -> float:
        """Seconds until an item ``into_data_ns`` after the first is due (0: now)."""
        if self.speed is None:
            return 0.0
        due = started_ns + into_data_ns / self.speed
        return max(0.0, (due - self.clock.timestamp_ns()) / 1e9)

    def _serve(self, pending: Pending, live: _Live) -> None:
        command = pending.command
        try:
            if command.op == "stop":
                self._stopping = True
                pending.reply(Answer(ok=True, message="stopping"))
            elif command.op == "status":
                pending.reply(Answer(ok=True, data=self._status(live)))
            else:
                pending.reply(self._swap(command, live))
        except IronkeelError as error:
            pending.reply(Answer(ok=False, message=str(error)))

    def _status(self, live: _Live) -> dict[str, Any]:
        engine, metrics = live.engine, live.pool.metrics()
        return {
            "time_ns": engine.clock.timestamp_ns(),
            "strategies": {
                str(sid): {
                    "status": slot.status.value,
                    "version": self.versions.get(str(sid)),
                    "sandbox": metrics.get(str(sid)),
                }
                for sid, slot in engine.host.slots.items()
            },
            "swaps": len(self.swaps),
        }

    def _swap(self, command: Command, live: _Live) -> Answer:
        name, number = command.name or "", command.version
        strategies, audit = live.strategies, live.audit
        strategy = strategies.get(name)
        if strategy is None:
            return Answer(ok=False, message=f"no strategy {name!r} runs here; running: "
                          f"{sorted(strategies)}", data={"hosted": False})  # fmt: skip
        if self.registry is None or number is None:
            return Answer(ok=False, message="a swap needs a registry and a version number")
        slot = live.engine.host.slots[strategy.ctx.strategy_id]
        if slot.status is not SlotStatus.RUNNING:
            return Answer(ok=False, message=f"strategy {name!r} is {slot.status.value}: only a "
                          "running strategy can be swapped (reset it first)")  # fmt: skip
        version = self.registry.get(name, number)
        source = self.registry.script(version).decode("utf-8")
        started = time.perf_counter_ns()
        outcome: dict[str, Any] = {
            "strategy": name, "from": self.versions.get(name), "to": number,
            "sha256": version.sha256, "operator": command.operator, "reason": command.reason,
        }  # fmt: skip
        try:
            live.pool.swap(
                strategy, source, f"{name}@v{number}:{version.source}",
                params=version.params, seed=self.spec.seed,
            )  # fmt: skip
        except SandboxError as error:
            outcome.update(outcome="refused", error=str(error))
            self._record(audit, command, outcome)
            kept = self.versions.get(name)
            return Answer(ok=False, message=f"version {number} did not start ({error}); "
                          f"version {kept} keeps running", data=outcome)  # fmt: skip
        swap_ms = (time.perf_counter_ns() - started) / 1e6
        self.versions[name] = number
        outcome.update(outcome="swapped", swap_ms=round(swap_ms, 3))
        self._record(audit, command, outcome)
        return Answer(ok=True, message=f"{name} runs version {number} ({swap_ms:.1f} ms)",
                      data=outcome)  # fmt: skip

    def _record(self, audit: AuditLog, command: Command, outcome: dict[str, Any]) -> None:
        self.swaps.append(outcome)
        audit.append(
            "deployment",
            ts_ns=self.clock.timestamp_ns(),
            actor=command.operator or "ironkeel",
            subject=str(outcome["strategy"]),
            payload=outcome,
        )
        audit.flush()


@dataclass
class _Live:
    """What a running node works with."""

    engine: BacktestEngine
    pool: SandboxPool
    strategies: dict[str, SandboxedStrategy]
    audit: AuditLog
    server: ControlServer


def _record_failure(audit: AuditLog, event: StrategyFailed) -> None:
    """A strategy that raised, overran its deadline or died, on the node's record."""
    audit.append(
        "strategy_failed", ts_ns=event.ts_event, actor="host", subject=str(event.strategy_id),
        payload=event,
    )  # fmt: skip


def _merged(streams: list[tuple[str, list[Any]]]) -> Iterator[Any]:
    """Every item of every stream by ``ts_init``; on a tie, the earlier stream first."""
    return heapq.merge(*(items for _, items in streams), key=lambda item: item.ts_init)
