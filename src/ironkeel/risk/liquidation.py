"""Emergency liquidation: one plan per trigger, carried out exactly once.

A plan has a deterministic id (the trigger's name and its trip number), so ten
triggers of the same breaker give one plan. Carrying it out: first cancel every
open order of the strategies in scope, then close each position with a reduce-only
market order flagged ``emergency`` (throttles never hold it back), whose client
order id is derived from the plan id, the strategy, the instrument and the attempt
(the same plan always sends the same ids). The quantity is the position held when
the order is sent, and reduce-only keeps the venue from selling more than is held.
A rejected, canceled or expired close is retried with exponential backoff, reading
the position again; a close with no answer is never resent blindly: after
``answer_timeout_ns`` it is reported UNKNOWN until the venue answers (the OMS's own
``OrderSubmitted`` is not an answer). A fill that reaches a strategy in liquidation after
its close was sized (a report in flight at the trigger, a position reconciled after a
restart) is closed too, by ``sweep``, under the same plan, once no close of that
instrument is working or waiting for its retry.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from ironkeel.core.bus import MessageBus
from ironkeel.core.clock import Clock
from ironkeel.model.commands import CancelAllOrders, SubmitOrder
from ironkeel.model.enums import OrderSide, OrderType, TimeInForce
from ironkeel.model.events import (
    OrderCanceled,
    OrderDenied,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderInitialized,
    OrderRejected,
    OrderSubmitted,
)
from ironkeel.model.identifiers import ClientOrderId, InstrumentId, StrategyId

__all__ = ["LiquidationPlan", "Liquidator"]

log = logging.getLogger("ironkeel.risk")

_NAMESPACE: Final = uuid.UUID("6f1c2b1e-9a57-4a43-8f6e-2f3f5d6b7a10")
_FAILED: Final = (OrderRejected, OrderDenied, OrderCanceled, OrderExpired)
#: Published by this process, not by the venue: not an answer to a close.
_LOCAL: Final = (OrderInitialized, OrderSubmitted)


@dataclass
class LiquidationPlan:
    """What one trigger asked for and how far it got."""

    plan_id: str
    strategies: tuple[StrategyId, ...]
    reason: str
    created_ns: int
    #: Client order id -> (strategy, instrument, attempt) of every close sent.
    orders: dict[ClientOrderId, tuple[StrategyId, InstrumentId, int]] = field(default_factory=dict)
    done: bool = False
    unknown: set[ClientOrderId] = field(default_factory=set)
    #: Closes that may still fill -> lots not filled yet.
    working: dict[ClientOrderId, int] = field(default_factory=dict)
    #: (strategy, instrument) of the closes waiting for their retry.
    retrying: set[tuple[StrategyId, InstrumentId]] = field(default_factory=set)
    #: (strategy, instrument) -> closes sent so far (the next attempt's number).
    attempts: dict[tuple[StrategyId, InstrumentId], int] = field(default_factory=dict)


class Liquidator:
    """Carries out liquidation plans (see the module doc)."""

    def __init__(
        self,
        *,
        clock: Clock,
        bus: MessageBus,
        position: Callable[[StrategyId, InstrumentId], int],
        instruments_of: Callable[[StrategyId], Sequence[InstrumentId]],
        on_done: Callable[[LiquidationPlan], None],
        max_attempts: int = 5,
        backoff_ns: int = 1_000_000_000,
        answer_timeout_ns: int = 5_000_000_000,
    ) -> None:
        self._clock = clock
        self._bus = bus
        self._position = position
        self._instruments_of = instruments_of
        self._on_done = on_done
        self.max_attempts = max_attempts
        self.backoff_ns = backoff_ns
        self.answer_timeout_ns = answer_timeout_ns
        self.plans: dict[str, LiquidationPlan] = {}
        self._by_order: dict[ClientOrderId, LiquidationPlan] = {}
        self._answered: set[ClientOrderId] = set()

    def liquidate(self, plan_id: str, strategies: Sequence[StrategyId], reason: str) -> bool:
        """Start plan ``plan_id`` unless it exists already; True if this call started it."""
        if plan_id in self.plans:
            return False
        now = self._clock.timestamp_ns()
        plan = LiquidationPlan(plan_id, tuple(strategies), reason, now)
        self.plans[plan_id] = plan
        log.warning("liquidation %s: %s", plan_id, reason)
        for strategy_id in plan.strategies:  # cancels before closes
            self._bus.send(CancelAllOrders(strategy_id=strategy_id, ts_init=now))
        for strategy_id in plan.strategies:
            for instrument_id in self._instruments_of(strategy_id):
                self._close(plan, strategy_id, instrument_id)
        self._check_done(plan)
        return True

    def sweep(self, strategy_id: StrategyId) -> None:
        """Close what ``strategy_id`` holds now, under the latest plan that covers it, in
        each instrument where no close of that plan is working or waiting for a retry
        (call it after a fill reaches a strategy being liquidated)."""
        plan = next((p for p in reversed(self.plans.values()) if strategy_id in p.strategies), None)
        if plan is None:
            return
        busy = {plan.orders[cid][:2] for cid in plan.working} | plan.retrying
        for instrument_id in self._instruments_of(strategy_id):
            key = (strategy_id, instrument_id)
            if key not in busy and self._position(strategy_id, instrument_id):
                plan.done = False
                self._close(plan, strategy_id, instrument_id)
        self._check_done(plan)

    def _close(
        self,
        plan: LiquidationPlan,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
    ) -> None:
        lots = self._position(strategy_id, instrument_id)
        if lots == 0:
            return
        now = self._clock.timestamp_ns()
        attempt = plan.attempts.get((strategy_id, instrument_id), 0)
        plan.attempts[(strategy_id, instrument_id)] = attempt + 1
        name = f"{plan.plan_id}/{strategy_id}/{instrument_id}/{attempt}"
        cid = ClientOrderId(str(uuid.uuid5(_NAMESPACE, name)))
        order = OrderInitialized(
            strategy_id=strategy_id,
            instrument_id=instrument_id,
            client_order_id=cid,
            side=OrderSide.SELL if lots > 0 else OrderSide.BUY,
            order_type=OrderType.MARKET,
            quantity=abs(lots),
            time_in_force=TimeInForce.GTC,
            reduce_only=True,
            emergency=True,
            ts_event=now,
            ts_init=now,
        )
        plan.orders[cid] = (strategy_id, instrument_id, attempt)
        plan.working[cid] = abs(lots)
        self._by_order[cid] = plan
        self._clock.call_at(now + self.answer_timeout_ns, lambda: self._timeout(plan, cid))
        self._bus.send(SubmitOrder(order=order, ts_init=now))

    def on_order_event(self, event: OrderEvent) -> None:
        """Follow the plan's closes: a fill may finish it, a failure is retried."""
        by_order = self._by_order
        if not by_order:  # no liquidation ever sent an order: no lookup per order event
            return
        plan = by_order.get(event.client_order_id)
        if plan is None or isinstance(event, _LOCAL):
            return
        cid = event.client_order_id
        self._answered.add(cid)
        plan.unknown.discard(cid)
        if isinstance(event, OrderFilled):
            left = plan.working.get(cid, 0) - event.last_qty
            if left > 0:
                plan.working[cid] = left
            else:
                plan.working.pop(cid, None)
            self._check_done(plan)
        elif isinstance(event, _FAILED):
            plan.working.pop(cid, None)
            strategy_id, instrument_id, attempt = plan.orders[cid]
            if plan.attempts[(strategy_id, instrument_id)] >= self.max_attempts:
                log.error("liquidation %s: gave up on %s after %d attempts",
                          plan.plan_id, instrument_id, attempt + 1)  # fmt: skip
                return
            plan.retrying.add((strategy_id, instrument_id))
            self._retry_later(plan, strategy_id, instrument_id, attempt)

    def _retry_later(
        self,
        plan: LiquidationPlan,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        attempt: int,
    ) -> None:
        """Close again after the backoff. (Its own method: compiled, a lambda in
        ``on_order_event`` would cost that method a closure object on every event.)"""
        retry_at = self._clock.timestamp_ns() + self.backoff_ns * 2**attempt
        self._clock.call_at(retry_at, lambda: self._retry(plan, strategy_id, instrument_id))

    def _retry(
        self,
        plan: LiquidationPlan,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
    ) -> None:
        plan.retrying.discard((strategy_id, instrument_id))
        self._close(plan, strategy_id, instrument_id)
        self._check_done(plan)

    def _timeout(self, plan: LiquidationPlan, cid: ClientOrderId) -> None:
        if cid not in self._answered:
            plan.unknown.add(cid)
            log.error("liquidation %s: order %s has no answer: UNKNOWN until the venue says",
                      plan.plan_id, cid)  # fmt: skip

    def _check_done(self, plan: LiquidationPlan) -> None:
        if plan.done:
            return
        for strategy_id in plan.strategies:
            for instrument_id in self._instruments_of(strategy_id):
                if self._position(strategy_id, instrument_id):
                    return
        plan.done = True
        self._on_done(plan)
