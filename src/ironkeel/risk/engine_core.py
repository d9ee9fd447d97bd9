"""The risk engine's core: on the one path every order takes (strategy -> risk -> OMS ->
venue). ``RiskEngine`` (``engine.py``) is this class with the operator's actions added.

- **Pre-trade**: ``SubmitOrder`` and ``ModifyOrder`` reach the risk engine first. A
  halted platform or a disabled strategy denies everything but emergency orders
  (``TRADING_HALTED``, ``STRATEGY_DISABLED``); then the configured controls run
  (``ControlSet``); a denial becomes ``OrderDenied`` with the control's reason code,
  delivered to the strategy's ``on_order`` and logged; an approved order goes to the OMS.
  Cancels go straight to the OMS: they only ever reduce risk.
- **Post-trade**: after every market-data item (the second of ``handlers``, after the
  strategies) and every fill, the strategy, portfolio and platform drawdown breakers
  are evaluated on the equity that changed, in exact integers. A WARNING is an alert; a
  trip is acted on exactly once: the strategy (strategy breaker), every strategy
  (portfolio breaker) or the whole platform (platform breaker) is disabled and
  liquidated through one plan (``Liquidator``). Tripped breakers stay tripped until an
  operator resets them, also across a restart (``BreakerJournal``): a breaker restored
  TRIGGERED (its liquidation not confirmed) or a strategy breaker restored HALTED
  (``ironkeel kill``) keeps its scope disabled and liquidates it through the same plan
  as soon as a fill shows what it holds (the first fill after the restart, e.g. from
  reconciliation); a fill that reaches a disabled strategy later (a report that was in
  flight) is closed too.
- **Automatic kill switches** (slippage, stale data, data gaps) and the latch that holds
  a kill across a restart; the operator's kill switches are in ``RiskEngine``.
- Every risk decision, breaker transition, operator action and the configuration digest
  go to the audit log when one is given.

Backtest, paper and live run this same core; only the clock and the venue differ.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any, Final

from ironkeel.audit import AuditLog
from ironkeel.core.bus import MessageBus
from ironkeel.core.clock import Clock
from ironkeel.model.commands import ModifyOrder, SubmitOrder
from ironkeel.model.data import Bar
from ironkeel.model.events import (
    OrderEvent,
    OrderFilled,
    OrderInitialized,
    StrategyFailed,
    TimeEvent,
)
from ironkeel.model.identifiers import InstrumentId, StrategyId
from ironkeel.model.instruments import Instrument
from ironkeel.model.orders import FILLED_EVENT
from ironkeel.model.values import Currency
from ironkeel.portfolio.portfolio import EquityReader, Portfolio
from ironkeel.risk.breaker import BreakerState, BreakerTransition, DrawdownBreaker
from ironkeel.risk.config import BreakerSettings, RiskConfig
from ironkeel.risk.controls import ControlSet
from ironkeel.risk.engine_types import OrderGateway, RiskEvent, decision_payload
from ironkeel.risk.journal import BreakerJournal
from ironkeel.risk.limits import LimitScaler
from ironkeel.risk.liquidation import LiquidationPlan, Liquidator
from ironkeel.risk.reference import Reference
from ironkeel.risk.ticket import Ticket
from ironkeel.risk.tracker import ExposureTracker
from ironkeel.risk.tripwires import Tripwires
from ironkeel.risk.watch import AfterBar, AfterData, AfterPriced, WatchedStrategy

__all__ = ["STRATEGY_DISABLED", "TRADING_HALTED", "EngineCore"]

log = logging.getLogger("ironkeel.risk")

TRADING_HALTED: Final = "TRADING_HALTED"
STRATEGY_DISABLED: Final = "STRATEGY_DISABLED"


class EngineCore:
    """Pre-trade controls, drawdown breakers, automatic kill switches and liquidation
    (module doc); ``RiskEngine`` adds the operator's actions."""

    def __init__(
        self,
        *,
        clock: Clock,
        bus: MessageBus,
        oms: OrderGateway,
        portfolio: Portfolio,
        instruments: Sequence[Instrument],
        controls: ControlSet,
        settings: BreakerSettings,
        currency: Currency,
        audit: AuditLog | None = None,
        journal: BreakerJournal | None = None,
        config: RiskConfig | None = None,
    ) -> None:
        self._clock = clock
        self._bus = bus
        self._oms = oms
        self._portfolio = portfolio
        self._controls = controls
        self.settings = settings
        self.currency = currency
        self._audit = audit
        self._journal = journal
        self._instruments = {i.id: i for i in instruments}
        self.tracker = ExposureTracker(
            clock=clock,
            portfolio=portfolio,
            instruments=instruments,
            currency=currency,
            order_of=oms.order,
        )
        self.limits: LimitScaler | None = None
        if config is not None:
            self.limits = LimitScaler(
                config,
                self._instruments,
                capital=self.tracker.capital,
                on_rebuild=self._rebuilt,
                on_event=lambda fields, ts: self._event(*fields, ts_ns=ts),
            )
        self._instruments_of: dict[StrategyId, tuple[InstrumentId, ...]] = {}
        self.breakers: dict[str, DrawdownBreaker] = {}
        self._strategy_breakers: list[tuple[StrategyId, DrawdownBreaker]] = []
        self._portfolio_breaker: DrawdownBreaker | None = None  # None: no allocation
        self._platform_breaker: DrawdownBreaker | None = None
        self._read: EquityReader | None = None
        self._watched: list[WatchedStrategy] = []  # in the equity reader's order
        self._total = 0  # the reader's total at the last evaluation
        self._primed = False  # False until the first evaluation (which always counts)
        self._all_ids: tuple[StrategyId, ...] = ()
        self.disabled: dict[StrategyId, str] = {}
        self.tripwires = Tripwires(settings)
        self._kill_on_gap = bool(settings.kill_on_data_gap)
        #: Plans of latched breakers restored from the journal, started on the first fill.
        self._resume: dict[StrategyId, tuple[str, tuple[StrategyId, ...], str]] = {}
        self.halted: str | None = None
        self.events: list[RiskEvent] = []
        self.denials = 0
        self.liquidator = Liquidator(
            clock=clock,
            bus=bus,
            position=portfolio.position_qty,
            instruments_of=lambda s: self._instruments_of.get(s, ()),
            on_done=self._liquidated,
        )
        bus.register(SubmitOrder, self.submit)
        bus.register(ModifyOrder, self.modify)
        bus.subscribe(OrderEvent, self._on_order_event)
        bus.subscribe(StrategyFailed, self._on_strategy_failed)

    # --- set-up ---------------------------------------------------------------------------

    def add_strategy(
        self, strategy_id: StrategyId, instruments: Sequence[InstrumentId], capital_raw: int
    ) -> None:
        """Guard a strategy: its breaker limits are fractions of ``capital_raw``."""
        self._instruments_of[strategy_id] = tuple(instruments)
        self.tracker.set_capital(strategy_id, capital_raw)
        breaker = self._breaker(
            f"strategy:{strategy_id}",
            level="strategy",
            scope=str(strategy_id),
            capital_raw=capital_raw,
            max_drawdown=self.settings.strategy_max_drawdown,
            daily_loss=self.settings.strategy_daily_loss,
        )
        self._strategy_breakers.append((strategy_id, breaker))
        if not breaker.allows_trading:
            self.disabled[strategy_id] = f"breaker {breaker.name} is {breaker.state.name}"
            self._restored(breaker, (strategy_id,))

    def start(self, platform_capital_raw: int, *, evaluate_every_ns: int | None = None) -> None:
        """Arm the portfolio and platform breakers; call after every ``add_strategy``.

        ``evaluate_every_ns``: paper and live trading also evaluate the breakers and the
        staleness of market data on this timer (at most 100 ms); a backtest's clock moves
        only with its data, so it passes None.
        """
        if evaluate_every_ns is not None:
            self.start_timer(evaluate_every_ns)
        portfolio_capital = sum(self.tracker.capital(s) for s, _ in self._strategy_breakers)
        if portfolio_capital > 0:
            self._portfolio_breaker = self._breaker(
                "portfolio",
                level="portfolio",
                capital_raw=portfolio_capital,
                max_drawdown=self.settings.portfolio_max_drawdown,
                daily_loss=None,
            )
        platform = self._breaker(
            "platform",
            level="platform",
            capital_raw=platform_capital_raw,
            max_drawdown=self.settings.platform_max_drawdown,
            daily_loss=None,
        )
        self._platform_breaker = platform
        if not platform.allows_trading:
            self.halted = f"breaker platform is {platform.state.name}"
        self._all_ids = tuple(s for s, _ in self._strategy_breakers)
        if self.limits is not None:
            self.limits.start(self._all_ids, self._clock.timestamp_ns())
        for breaker in (self._portfolio_breaker, platform):  # restored latched: as after a trip
            if breaker is None:
                continue
            if breaker.level == "portfolio":
                stops = not breaker.allows_trading
            else:
                stops = breaker.state is BreakerState.TRIGGERED
                stops = stops and self.settings.flatten_on_platform_trip
            if stops:
                why = f"breaker {breaker.name} is {breaker.state.name}"
                for strategy_id in self._all_ids:
                    self.disabled.setdefault(strategy_id, why)
                self._restored(breaker, self._all_ids)
        self._read = self._portfolio.equity_reader(self.currency, self._all_ids)
        self.tracker.read_equity_from(self._read, self._all_ids)
        self._watched = [
            WatchedStrategy(strategy_id, breaker, index + 1)
            for index, (strategy_id, breaker) in enumerate(self._strategy_breakers)
        ]
        self._audit_append(
            "config_change", "risk", "risk-config", {"controls_digest": self._controls.digest}
        )

    def _restored(self, breaker: DrawdownBreaker, scope: tuple[StrategyId, ...]) -> None:
        """A breaker restored latched: liquidate its scope on the next fill (the plan of a
        trip keeps its id, ``name#trips``, so it sends the same client order ids)."""
        if breaker.state is BreakerState.TRIGGERED:
            plan_id = f"{breaker.name}#{breaker.trips}"
        elif breaker.state is BreakerState.HALTED and breaker.level == "strategy":
            plan_id = f"{breaker.name}#halted"
        else:
            return
        why = f"breaker {breaker.name} restored {breaker.state.name}"
        for strategy_id in scope:
            self._resume.setdefault(strategy_id, (plan_id, scope, why))

    def _breaker(self, name: str, **options: Any) -> DrawdownBreaker:
        snapshots = self._journal.load() if self._journal is not None else {}
        if name in snapshots:
            breaker = DrawdownBreaker.restore(snapshots[name], journal=self._journal)
        else:
            breaker = DrawdownBreaker(
                name, warn_at=self.settings.warn_at, journal=self._journal, **options
            )
        self.breakers[name] = breaker
        return breaker

    # --- pre-trade --------------------------------------------------------------------------

    def submit(self, command: SubmitOrder) -> None:
        """Check the order; send it to the OMS or deny it with a reason code."""
        order = command.order
        ticket = Ticket(order)  # its fields read once for every control (decision 0021)
        reason: tuple[str, str] | None = None
        if not ticket.emergency:
            if self.halted is not None:
                reason = (TRADING_HALTED, f"the platform is halted: {self.halted}")
            elif self.disabled and ticket.strategy_id in self.disabled:
                reason = (STRATEGY_DISABLED, self.disabled[ticket.strategy_id])
        if reason is None:
            denial = self._controls.check(ticket, self.tracker)
            if denial is not None:
                reason = (denial.code, denial.reason)
        if reason is not None:
            self.denials += 1
            self._decision(order, "denied", *reason)
            self._oms.deny(order, *reason)
            return
        self._decision(order, "approved", "", "")
        self.tracker.accepted(ticket, self.tripwires.sent_at(ticket, self.tracker))
        self._oms.submit(command)

    def modify(self, command: ModifyOrder) -> None:
        order = self._oms.order(command.client_order_id)
        emergency = order is not None and order.emergency
        denial = self._controls.check_modify(command.strategy_id, self.tracker, emergency=emergency)
        if denial is not None and order is not None:
            self.denials += 1
            self._decision(order.init, "modify denied", denial.code, denial.reason)
            log.info("modify of %s denied: %s", command.client_order_id, denial.reason)
            self._oms.refuse_modify(command, f"{denial.code}: {denial.reason}")
            return
        self._oms.modify(command)

    def _decision(self, order: OrderInitialized, outcome: str, code: str, reason: str) -> None:
        if self._audit is None:
            return
        payload = decision_payload(order, outcome, code, reason)
        self._audit_append("risk_decision", "risk", str(order.client_order_id), payload)

    # --- post-trade -------------------------------------------------------------------------

    def handlers(self, sample: Any) -> tuple[Callable[[Any], None] | None, Callable[[Any], None]]:
        """A stream's loop handlers: before the strategies, the tracker's (the reference
        price and data time; None for data with no price); after them, the gap check
        (``kill_on_data_gap``) and the breakers."""
        instrument = self._instruments.get(sample.instrument_id)
        key = sample.instrument_id if instrument is None else instrument.id  # one key object
        before = self.tracker.handler(sample)
        # A stream with no price keeps its own data time, never a reference price.
        stamp = Reference() if before is None else self.tracker.reference_of(key)
        self.tripwires.watch(key, stamp)
        if before is None:
            return None, AfterData(self, self._clock, stamp)
        if type(sample) is Bar and self._kill_on_gap:
            return before, AfterBar(self, self._clock, key)
        return before, AfterPriced(self, self._clock)

    def on_gap(self, instrument_id: InstrumentId, bar: Bar) -> None:
        """A bar of ``instrument_id`` arrived: the automatic kill switch if bars are missing
        before it."""
        gap = self.tripwires.gap(bar)
        if gap:
            self._auto_kill(instrument_id, gap)

    def _rebuilt(self, controls: ControlSet, change: dict[str, Any], ts_ns: int) -> None:
        """The limits in force changed (allocation, correlation or volatility): audit it."""
        self._controls = controls
        self._audit_append("config_change", "risk", "risk-config", change, ts_ns=ts_ns)

    @property
    def deleveraged(self) -> frozenset[StrategyId]:
        return frozenset() if self.limits is None else self.limits.deleveraged

    @property
    def scales(self) -> dict[StrategyId, Fraction]:
        return {} if self.limits is None else self.limits.scales

    def start_timer(self, every_ns: int) -> None:
        """Evaluate the breakers and the staleness of market data every ``every_ns``."""
        self._clock.set_timer("risk:evaluate", every_ns, self._on_timer)

    def _on_timer(self, event: TimeEvent) -> None:
        now = event.ts_event
        for instrument_id, why in self.tripwires.stale(now):
            self._auto_kill(instrument_id, why)
        self.evaluate(now)

    def _auto_kill(self, instrument_id: InstrumentId, reason: str) -> None:
        """The automatic kill switch: every running strategy trading the instrument."""
        for strategy_id, instruments in self._instruments_of.items():
            if instrument_id in instruments and strategy_id not in self.disabled:
                self._kill(strategy_id, reason)

    def _latch(self, strategy_id: StrategyId, actor: str, why: str) -> None:
        """A kill holds across a restart: the strategy's breaker is halted, and journaled,
        so an engine restored from the journal keeps the strategy disabled (and closes what
        it still holds) until an operator resets it."""
        breaker = self.breakers.get(f"strategy:{strategy_id}")
        if breaker is not None and breaker.state is not BreakerState.HALTED:
            self._record(breaker.halt(actor, why, self._clock.timestamp_ns()))

    def _on_strategy_failed(self, event: StrategyFailed) -> None:
        """A strategy raised, overran its deadline or died: it stays disabled (its host
        flattens it through the emergency flow), and the failure is on the record."""
        sid = event.strategy_id
        why = f"failed in {event.hook} at {event.location}: {event.error}"
        self.disabled[sid] = why
        self._event("strategy", str(sid), str(sid), "RUNNING", "FAILED", why, ts_ns=event.ts_event)
        self._audit_append("strategy_failed", "host", str(sid), event, ts_ns=event.ts_event)

    def _kill(self, strategy_id: StrategyId, reason: str) -> None:
        why = f"automatic kill switch: {reason}"
        log.error("strategy %s: %s", strategy_id, why)
        self.disabled[strategy_id] = why
        self._event("strategy", str(strategy_id), str(strategy_id), "RUNNING", "KILLED", why)
        self._latch(strategy_id, "risk", why)
        self._audit_append(
            "risk_decision", "risk", str(strategy_id), {"outcome": "killed", "reason": why}
        )
        self.liquidator.liquidate(
            f"auto-kill:{strategy_id}:{self._clock.timestamp_ns()}", (strategy_id,), why
        )

    def evaluate(self, ts_ns: int) -> None:
        """Evaluate every breaker whose equity changed since the last evaluation."""
        read = self._read
        if read is None:
            return
        total = read.value(0)
        if self._primed and total == self._total and self._unmoved(read):
            return  # no equity moved: no breaker can change
        self._total = total
        self._primed = True
        limits = self.limits
        if limits is not None and ts_ns >= limits.next_day_ns:
            limits.on_time(read.values(), ts_ns)
        strategies_total = 0
        for watched in self._watched:
            equity = read.value(watched.index)
            strategies_total += equity
            if not watched.seen or equity != watched.last:
                watched.last = equity
                watched.seen = True
                transitions = watched.breaker.observe(equity, ts_ns)
                if transitions:
                    self._handle(transitions, watched.scope)
                if limits is not None:
                    limits.on_equity(watched.strategy_id, equity, ts_ns)
        self._observe_all(self._portfolio_breaker, strategies_total, ts_ns)
        self._observe_all(self._platform_breaker, total, ts_ns)

    def _observe_all(self, breaker: DrawdownBreaker | None, equity: int, ts_ns: int) -> None:
        """A breaker over all strategies (portfolio or platform) sees ``equity``."""
        if breaker is not None and (transitions := breaker.observe(equity, ts_ns)):
            self._handle(transitions, self._all_ids)

    def _unmoved(self, read: EquityReader) -> bool:
        """No strategy's equity moved since the last evaluation."""
        for watched in self._watched:
            if not watched.seen or read.value(watched.index) != watched.last:
                return False
        return True

    def _handle(
        self, transitions: tuple[BreakerTransition, ...], scope: tuple[StrategyId, ...]
    ) -> None:
        for transition in transitions:
            self._record(transition)
            if transition.to_state is BreakerState.WARNING:
                log.warning("risk alert: %s %s", transition.breaker, transition.reason)
            elif transition.to_state is BreakerState.TRIGGERED:
                self._tripped(transition, scope)

    def _tripped(self, transition: BreakerTransition, scope: tuple[StrategyId, ...]) -> None:
        breaker = self.breakers[transition.breaker]
        why = f"breaker {breaker.name} tripped: {transition.reason}"
        log.error("%s", why)
        if breaker.level == "platform":
            self.halted = why
            if not self.settings.flatten_on_platform_trip:
                return
        for strategy_id in scope:
            self.disabled.setdefault(strategy_id, why)
        self.liquidator.liquidate(f"{breaker.name}#{breaker.trips}", scope, why)

    def _liquidated(self, plan: LiquidationPlan) -> None:
        name = plan.plan_id.rpartition("#")[0]
        breaker = self.breakers.get(name)
        if breaker is not None and breaker.state is BreakerState.TRIGGERED:
            transition = breaker.cooled(
                f"liquidation {plan.plan_id} done: flat", self._clock.timestamp_ns()
            )
            self._record(transition)

    def _on_order_event(self, event: OrderEvent) -> None:
        sent_at = self.tracker.on_order_event(event)  # a fill's reference (0: none)
        self.liquidator.on_order_event(event)
        if self._audit is not None:
            self._audit_append(
                "order_event", "engine", str(event.client_order_id), event, ts_ns=event.ts_event
            )
        if type(event) is FILLED_EVENT:
            fill: OrderFilled = event
            slipped = self.tripwires.slipped(fill, sent_at, self.tracker)
            if slipped and fill.strategy_id not in self.disabled:
                self._kill(fill.strategy_id, slipped)
            self.evaluate(fill.ts_event)
            if self.disabled and (strategy_id := fill.strategy_id) in self.disabled:
                resume = self._resume.pop(strategy_id, None)
                if resume is not None:
                    self.liquidator.liquidate(*resume)
                self.liquidator.sweep(strategy_id)

    # --- records ----------------------------------------------------------------------------

    def _record(self, transition: BreakerTransition) -> None:
        self._event(
            transition.level,
            transition.scope or transition.breaker,
            transition.scope if transition.level == "strategy" else "",
            transition.from_state.name,
            transition.to_state.name,
            transition.reason,
            ts_ns=transition.ts_ns,
        )
        self._audit_append(
            "breaker_transition", transition.operator or "risk", transition.breaker, transition,
            ts_ns=transition.ts_ns,
        )  # fmt: skip

    def _event(self, *fields: str, ts_ns: int | None = None) -> None:
        """Append a RiskEvent of (level, scope, strategy, from_state, to_state, reason)."""
        when = self._clock.timestamp_ns() if ts_ns is None else ts_ns
        self.events.append(RiskEvent(when, *fields))

    def _audit_append(
        self, kind: str, actor: str, subject: str, payload: Any, *, ts_ns: int | None = None
    ) -> None:
        if self._audit is None:
            return
        when = self._clock.timestamp_ns() if ts_ns is None else ts_ns
        self._audit.append(kind, ts_ns=when, actor=actor, subject=subject, payload=payload)
