"""Measuring a strategy's hooks: wall time per callback, and the fills it was told of.

``HookRecorder.instrument(strategy)`` wraps each lifecycle hook of the object the
engine is handed (an in-process ``Strategy`` today; the sandboxed handle has the
same hooks, so its wrapper then also measures the round trip). The wrapper times
the call with ``time.perf_counter_ns`` (a measurement, never fed back into the
simulation), notes callbacks over the limit with the simulated time, and keeps a
ledger of the fills delivered to ``on_fill``.

``TracemallocProbe`` measures the memory allocated by the strategy's own lines (the
allocation's innermost Python frame is in the script: a list the strategy appends
to, the objects its lines create) that is still alive. One frame per trace keeps
tracing cheap; memory an indicator allocates on the strategy's behalf is not counted.
"""

from __future__ import annotations

import math
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, Protocol

from ironkeel.model.enums import OrderSide
from ironkeel.strategy.base import Strategy
from ironkeel.strategy.views import Fill

__all__ = ["HOOKS", "HookRecorder", "HookStats", "MemoryProbe", "SlowCall", "TracemallocProbe"]

HOOKS: Final = (
    "on_start", "on_bar", "on_quote", "on_trade", "on_book",
    "on_order", "on_fill", "on_timer", "on_stop",
)  # fmt: skip
_KEEP_SLOW: Final = 20


@dataclass(frozen=True)
class SlowCall:
    """One callback over the limit: which hook, when (simulated ns), how long (ms)."""

    hook: str
    ts_ns: int
    ms: float


@dataclass(frozen=True)
class HookStats:
    """Latency of one hook over a run, in milliseconds."""

    hook: str
    calls: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "hook": self.hook,
            "calls": self.calls,
            "p50_ms": round(self.p50_ms, 4),
            "p99_ms": round(self.p99_ms, 4),
            "max_ms": round(self.max_ms, 4),
        }


def _rank(ordered: list[int], q: float) -> int:
    """The nearest-rank ``q`` quantile of a sorted, non-empty list."""
    return ordered[min(len(ordered), max(1, math.ceil(q * len(ordered)))) - 1]


@dataclass
class HookRecorder:
    """Times every hook call and keeps the ledger of fills; ``now`` gives simulated time."""

    limit_ms: float
    now: Callable[[], int] = lambda: 0
    durations: dict[str, list[int]] = field(default_factory=dict)
    slow: list[SlowCall] = field(default_factory=list)
    slow_count: int = 0
    ledger: dict[str, Decimal] = field(default_factory=dict)
    trade_ids: set[str] = field(default_factory=set)
    repeated_fills: int = 0

    def instrument(self, strategy: Strategy) -> None:
        """Replace each hook of ``strategy`` (on the instance) with a timed wrapper."""
        for hook in HOOKS:
            setattr(strategy, hook, self._wrap(hook, getattr(strategy, hook)))

    def _wrap(self, hook: str, fn: Callable[..., None]) -> Callable[..., None]:
        times = self.durations.setdefault(hook, [])
        limit_ns = int(self.limit_ms * 1_000_000)
        clock = time.perf_counter_ns
        is_fill = hook == "on_fill"

        def timed(*args: Any) -> None:
            if is_fill:
                self._book(args[0])
            start = clock()
            try:
                fn(*args)
            finally:
                spent = clock() - start
                times.append(spent)
                if spent > limit_ns:
                    self._slow(hook, spent)

        return timed

    def _slow(self, hook: str, spent_ns: int) -> None:
        self.slow_count += 1
        if len(self.slow) < _KEEP_SLOW:
            self.slow.append(SlowCall(hook, self.now(), spent_ns / 1e6))

    def _book(self, fill: Fill) -> None:
        if fill.trade_id in self.trade_ids:
            self.repeated_fills += 1
            return
        self.trade_ids.add(fill.trade_id)
        signed = fill.quantity if fill.side is OrderSide.BUY else -fill.quantity
        key = str(fill.instrument_id)
        self.ledger[key] = self.ledger.get(key, Decimal(0)) + signed

    def stats(self) -> list[HookStats]:
        """p50 / p99 / max per hook that was called, in ``HOOKS`` order."""
        result = []
        for hook in HOOKS:
            times = sorted(self.durations.get(hook, []))
            if times:
                result.append(
                    HookStats(
                        hook, len(times), _rank(times, 0.5) / 1e6, _rank(times, 0.99) / 1e6,
                        times[-1] / 1e6,
                    )
                )  # fmt: skip
        return result


class MemoryProbe(Protocol):
    """Memory held by the strategy, sampled during a run (bytes)."""

    def start(self) -> None: ...

    def sample(self) -> int: ...

    def stop(self) -> None: ...


class TracemallocProbe:
    """Live bytes allocated from the strategy's file (in-process runs)."""

    def __init__(self, filename: str, frames: int = 1) -> None:
        self._filter = tracemalloc.Filter(inclusive=True, filename_pattern=filename)
        self._frames = frames
        self._was_tracing = False

    def start(self) -> None:
        self._was_tracing = tracemalloc.is_tracing()
        if not self._was_tracing:
            tracemalloc.start(self._frames)

    def sample(self) -> int:
        snapshot = tracemalloc.take_snapshot().filter_traces([self._filter])
        return sum(stat.size for stat in snapshot.statistics("filename"))

    def stop(self) -> None:
        if not self._was_tracing:
            tracemalloc.stop()
