"""The limits in force: every strategy's limits scaled by its factor, replaced in place
when a factor changes.

Three things bound a strategy beyond its configured limits:

- **Allocation**: a strategy whose gross exposure no limit bounds (no
  ``max_gross_exposure`` or ``max_leverage`` of its own or by default) gets its
  allocation as its gross-exposure limit (below a global ``max_gross_exposure``).
- **Correlation**: while a pair of strategies' returns is correlated above the threshold
  (``CorrelationGuard``), both get factor 1/2.
- **Volatility**: each UTC day a strategy's daily return feeds its ``VolatilityTarget``;
  the factor is reference vol / realized vol (doubling the vol halves the limits).

The factors multiply; ``scaled_limits`` applies them to the strategy's size and leverage
limits in engine units, and the ``Assembly`` behind the ``ControlSet`` takes the new
limits in place: no configuration is built again, calendars are not reloaded, and the
throttles keep their buckets (decision 0025). Every change is a configuration change
with its own digest, reported to the caller (the risk engine audits it and writes the
correlation changes to its events): the SHA-256 of the configuration's digest, the
allocation bounds and the factors, which together give the limits exactly.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from ironkeel.model.identifiers import InstrumentId, StrategyId
from ironkeel.model.instruments import Instrument
from ironkeel.risk.allocation import VolatilityTarget
from ironkeel.risk.config import RiskConfig, build_assembly
from ironkeel.risk.controls import ControlSet, ScopeLimits
from ironkeel.risk.correlation import CorrelationBreached, CorrelationEvent, CorrelationGuard
from ironkeel.risk.deleverage import scaled_limits
from ironkeel.risk.hwm import NANOS_PER_DAY

__all__ = ["LimitScaler"]

log = logging.getLogger("ironkeel.risk")

#: (level, scope, strategy, from_state, to_state, reason) of a correlation change.
EventFields = tuple[str, str, str, str, str, str]


class LimitScaler:
    """Keeps the ``ControlSet`` in force in step with every strategy's factor."""

    def __init__(
        self,
        config: RiskConfig,
        instruments: Mapping[InstrumentId, Instrument],
        *,
        capital: Callable[[StrategyId], int],
        on_rebuild: Callable[[ControlSet, dict[str, Any], int], None],
        on_event: Callable[[EventFields, int], None],
    ) -> None:
        self._config = config
        self._capital = capital
        self._on_rebuild = on_rebuild
        self._on_event = on_event
        self._strategies: tuple[StrategyId, ...] = ()
        self._guard: CorrelationGuard | None = None
        self._vol: dict[StrategyId, VolatilityTarget] = {}
        self._day = -1  # no day yet (timestamps are >= 0)
        #: The first ns of the next UTC day: ``on_time`` has work only from then on.
        self.next_day_ns = 0
        self._day_start: dict[StrategyId, int] = {}
        self.scales: dict[StrategyId, Fraction] = {}
        self.deleveraged: frozenset[StrategyId] = frozenset()
        self._assembly = build_assembly(config, instruments)
        self._config_digest = config.digest()
        self.controls = self._assembly.control_set(self._config_digest)
        #: Each strategy's limits before scaling (its allocation bound applied), from start.
        self._base: dict[StrategyId, ScopeLimits] = {}
        self._caps: dict[StrategyId, int] = {}

    def start(self, strategies: Sequence[StrategyId], ts_ns: int) -> ControlSet:
        """Build the first control set (allocation bounds applied) for ``strategies``."""
        self._strategies = tuple(strategies)
        settings = self._config.breakers
        if len(self._strategies) >= 2:
            self._guard = CorrelationGuard(
                threshold=float(settings.correlation_threshold),
                window_ns=settings.correlation_window_s * 1_000_000_000,
            )
        self._vol = {s: VolatilityTarget() for s in self._strategies}
        for strategy_id in self._strategies:
            self._base[strategy_id] = self._bounded(strategy_id)
        self._rebuild(ts_ns, initial=True)
        return self.controls

    def on_equity(self, strategy_id: StrategyId, equity_raw: int, ts_ns: int) -> bool:
        """A strategy's equity changed; True if the controls were rebuilt."""
        guard = self._guard
        if guard is None:
            return False
        events = guard.observe(strategy_id, equity_raw, ts_ns)
        if not events:
            return False
        for event in events:
            self._report(event, ts_ns)
        self.deleveraged = frozenset(s for s in self._strategies if guard.limit_scale(s) < 1)
        return self._rebuild(ts_ns)

    def on_time(self, equities: Sequence[int], ts_ns: int) -> bool:
        """Called on each evaluation with the equity reader's figures (``[total, *per
        strategy]``, strategies in ``start``'s order); at a UTC day boundary the daily
        returns feed the volatility targets, and the limits are scaled again only if a
        target's scale moved. True if the controls were rebuilt. Before ``next_day_ns``
        there is nothing to do (the engine checks that first)."""
        day = ts_ns // NANOS_PER_DAY
        if day == self._day:
            return False
        self._day = day
        self.next_day_ns = (day + 1) * NANOS_PER_DAY
        moved = False
        for index, strategy_id in enumerate(self._strategies):
            equity = equities[index + 1]
            start = self._day_start.get(strategy_id)
            self._day_start[strategy_id] = equity
            if start and start > 0:
                target = self._vol[strategy_id]
                before = target.scale
                daily = float(Fraction(equity - start, start))  # exact, then rounded once
                moved = target.update(daily) != before or moved
        return self._rebuild(ts_ns) if moved else False

    def _report(self, event: CorrelationEvent, ts_ns: int) -> None:
        pair = " & ".join(str(s) for s in event.pair)
        if isinstance(event, CorrelationBreached):
            change = ("NORMAL", "DELEVERAGED")
            reason = f"correlation {event.rho:.3f} of {pair} above {event.threshold}"
            reason += ": limits halved"
        else:
            change = ("DELEVERAGED", "NORMAL")
            rho = "undefined" if event.rho is None else f"{event.rho:.3f}"
            reason = f"correlation {rho} of {pair} below {event.release_below}: limits restored"
        log.warning("risk: %s", reason)
        self._on_event(("portfolio", "correlation", pair, *change, reason), ts_ns)

    def _rebuild(self, ts_ns: int, *, initial: bool = False) -> bool:
        guard = self._guard
        scales = {
            s: (Fraction(1) if guard is None else guard.limit_scale(s))
            * Fraction(self._vol[s].scale)
            for s in self._strategies
        }
        if scales == self.scales and not initial:
            return False
        changed = {
            s: scaled_limits(self._base[s], f)
            for s, f in scales.items()
            if initial or f != self.scales.get(s)
        }
        self.scales = scales
        self._assembly.replace(changed)
        named = {str(s): str(f) for s, f in sorted(scales.items(), key=str)}
        digest = self._digest(named)
        self.controls.changed(digest)
        change = {"controls_digest": digest, "config_digest": self._config_digest, "scales": named}
        self._on_rebuild(self.controls, change, ts_ns)
        return True

    def _digest(self, scales: dict[str, str]) -> str:
        """What names the limits in force: the configuration, the allocation bounds and the
        factors (canonical JSON, SHA-256). The configuration alone when nothing changes it."""
        caps = {str(s): cap for s, cap in sorted(self._caps.items(), key=str)}
        if not caps and all(f == "1" for f in scales.values()):
            return self._config_digest
        text = json.dumps(
            {"config": self._config_digest, "exposure_caps": caps, "scales": scales},
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def _bounded(self, strategy_id: StrategyId) -> ScopeLimits:
        """The strategy's limits, its allocation as the gross-exposure bound unless the
        exposure is already bounded (the strategy's own or the default max_gross_exposure
        or max_leverage) or the global max_gross_exposure is no larger."""
        limits = self._assembly.limits(strategy_id)
        if limits.max_gross_exposure is not None or limits.max_leverage is not None:
            return limits
        allocation = self._capital(strategy_id)
        ceiling = self._assembly.platform.max_gross_exposure
        if ceiling is not None and allocation >= ceiling:
            return limits
        self._caps[strategy_id] = allocation
        return dataclasses.replace(limits, max_gross_exposure=allocation)
