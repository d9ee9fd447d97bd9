"""The risk engine: ``EngineCore`` (``engine_core.py``: pre-trade controls, drawdown
breakers, automatic kill switches, liquidation, on the one path every order takes) and
the operator's actions on it: the kill switches per strategy, per venue and global,
resets, halt and resume, and the status, each recorded in the audit log with who, when,
what and why (``ironkeel risk ...`` and ``ironkeel kill ...`` on the CLI).

Backtest, paper and live use this same class; only the clock and the venue differ.
"""

from __future__ import annotations

from typing import Any

from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import StrategyId, Venue
from ironkeel.risk.breaker import BreakerState
from ironkeel.risk.engine_core import STRATEGY_DISABLED, TRADING_HALTED, EngineCore
from ironkeel.risk.engine_types import OrderGateway, RiskEvent
from ironkeel.risk.operator import operator_action

__all__ = ["STRATEGY_DISABLED", "TRADING_HALTED", "OrderGateway", "RiskEngine", "RiskEvent"]


class RiskEngine(EngineCore):
    """The risk engine with the operator's actions (module doc)."""

    def kill_strategy(self, strategy_id: StrategyId, *, operator: str, reason: str) -> None:
        """Disable one strategy and liquidate it (cancel its orders, close its positions)."""
        self._operator(operator, "kill strategy", str(strategy_id), reason)
        self._known(strategy_id)
        why = f"killed by {operator}: {reason}"
        self.disabled[strategy_id] = why
        self._event("strategy", str(strategy_id), str(strategy_id), "RUNNING", "KILLED", why)
        self._latch(strategy_id, operator, why)
        self.liquidator.liquidate(f"kill:{strategy_id}:{self._clock.timestamp_ns()}",
                                  (strategy_id,), why)  # fmt: skip

    def kill_venue(self, venue: Venue, *, operator: str, reason: str) -> None:
        """Disable and liquidate every strategy trading at ``venue``."""
        self._operator(operator, "kill venue", str(venue), reason)
        scope = tuple(
            s for s, ids in self._instruments_of.items() if any(i.venue == venue for i in ids)
        )
        why = f"venue {venue} killed by {operator}: {reason}"
        for strategy_id in scope:
            self.disabled[strategy_id] = why
            self._latch(strategy_id, operator, why)
        self._event("venue", str(venue), "", "RUNNING", "KILLED", why)
        self.liquidator.liquidate(f"kill:{venue}:{self._clock.timestamp_ns()}", scope, why)

    def kill_all(self, *, operator: str, reason: str) -> None:
        """The global kill switch: halt every strategy and liquidate everything."""
        self._operator(operator, "kill all", "platform", reason)
        self.halted = f"killed by {operator}: {reason}"
        self._event("platform", "platform", "", "RUNNING", "KILLED", self.halted)
        platform = self.breakers["platform"]
        if platform.state is not BreakerState.HALTED:  # held across a restart, like a halt
            self._record(platform.halt(operator, self.halted, self._clock.timestamp_ns()))
        self.liquidator.liquidate(
            f"kill:all:{self._clock.timestamp_ns()}", self._all_ids, self.halted
        )

    def reset(self, strategy_id: StrategyId, *, operator: str, reason: str) -> None:
        """An operator re-enables a strategy whose breaker tripped (or that was killed)."""
        self._operator(operator, "reset", str(strategy_id), reason)
        self._known(strategy_id)
        breaker = self.breakers[f"strategy:{strategy_id}"]
        now = self._clock.timestamp_ns()
        if breaker.state in (BreakerState.TRIGGERED, BreakerState.COOLING_DOWN):
            self._record(breaker.reset(operator, reason, now))
        elif breaker.state is BreakerState.HALTED:  # killed: the kill is lifted
            self._record(breaker.resume(operator, reason, now))
        self.disabled.pop(strategy_id, None)
        self._resume.pop(strategy_id, None)

    def reset_portfolio(self, *, operator: str, reason: str) -> None:
        """An operator resets a tripped portfolio breaker: the strategies it disabled trade
        again (those whose own breaker tripped or that were killed stay disabled)."""
        self._operator(operator, "reset", "portfolio", reason)
        breaker = self.breakers.get("portfolio")
        if breaker is None:
            raise InvalidInputError(
                "breaker", "portfolio", "does not exist", "a portfolio needs two strategies"
            )
        if breaker.state in (BreakerState.TRIGGERED, BreakerState.COOLING_DOWN):
            self._record(breaker.reset(operator, reason, self._clock.timestamp_ns()))
        for strategy_id in [s for s, why in self.disabled.items() if "breaker portfolio" in why]:
            own = self.breakers[f"strategy:{strategy_id}"]
            if own.allows_trading:
                self.disabled.pop(strategy_id, None)
                self._resume.pop(strategy_id, None)

    def halt(self, *, operator: str, reason: str) -> None:
        """An operator halt: nothing but emergency orders trades until ``resume``."""
        self._operator(operator, "halt", "platform", reason)
        breaker = self.breakers["platform"]
        if breaker.state is not BreakerState.HALTED:
            self._record(breaker.halt(operator, reason, self._clock.timestamp_ns()))
        self.halted = f"halted by {operator}: {reason}"

    def resume(self, *, operator: str, reason: str) -> None:
        """An operator resumes trading after a halt or a platform trip."""
        self._operator(operator, "resume", "platform", reason)
        breaker = self.breakers["platform"]
        now = self._clock.timestamp_ns()
        if breaker.state is BreakerState.HALTED:
            self._record(breaker.resume(operator, reason, now))
        elif breaker.state in (BreakerState.TRIGGERED, BreakerState.COOLING_DOWN):
            self._record(breaker.reset(operator, reason, now))
        self.halted = None
        # What the platform breaker disabled (and only that) trades again.
        for strategy_id, why in list(self.disabled.items()):
            if why.startswith("breaker platform "):
                del self.disabled[strategy_id]
        self._resume = {s: r for s, r in self._resume.items() if not r[0].startswith("platform#")}

    def status(self) -> dict[str, Any]:
        """Every breaker's state, the disabled strategies and whether trading is halted."""
        return {
            "halted": self.halted,
            "disabled": {str(s): why for s, why in self.disabled.items()},
            "breakers": {
                name: {"state": b.state.name, "trips": b.trips, "level": b.level}
                for name, b in self.breakers.items()
            },
        }

    def _known(self, strategy_id: StrategyId) -> None:
        if strategy_id not in self._instruments_of:
            raise InvalidInputError(
                "strategy", str(strategy_id), "is not guarded by this risk engine",
                f"use one of {sorted(map(str, self._instruments_of))}",
            )  # fmt: skip

    def _operator(self, operator: str, action: str, target: str, reason: str) -> None:
        now = self._clock.timestamp_ns()
        operator_action(self._audit, now, operator=operator, action=action, target=target,
                        reason=reason)  # fmt: skip
