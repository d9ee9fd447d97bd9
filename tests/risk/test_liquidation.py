"""Exactly-once liquidation through the engine: one plan per trigger, cancels before closes,
deterministic client ids, retries after a rejection, UNKNOWN (never resent) after a
timeout, no overshoot under duplicated, reordered and delayed fills, and a crash at any
step of a liquidation still ends flat after a restart.

Bars are driven one at a time (``loop.dispatch``, the live path), so a test can act
between two bars exactly as an operator or a trigger would."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ironkeel import Strategy
from ironkeel.backtest import BacktestEngine
from ironkeel.cli.operator import apply_action
from ironkeel.model import Bar, Money, StrategyId
from ironkeel.model.commands import CancelAllOrders, SubmitOrder
from ironkeel.model.enums import OrderSide, OrderStatus, OrderType, TimeInForce
from ironkeel.model.events import (
    OrderAccepted,
    OrderCanceled,
    OrderEvent,
    OrderFilled,
    OrderInitialized,
    OrderPendingCancel,
)
from ironkeel.model.identifiers import ClientOrderId
from ironkeel.model.orders import Order
from ironkeel.risk.breaker import BreakerState
from ironkeel.risk.config import load_risk_config
from ironkeel.risk.journal import BreakerJournal
from ironkeel.risk.liquidation import LiquidationPlan
from ironkeel.strategy import MarketBar, OrderUpdate
from ironkeel.venues.sim import FaultPlan, SimConfig
from ironkeel.venues.sim.faults import Outage
from tests._bars import MINUTE, SIM, START_NS, USD, bars_from_ohlc, instrument

BTC = instrument("BTC", tick="1", lot="1")
S = StrategyId("s")
SECOND = 1_000_000_000
#: Bar k (from 1) closes at START_NS + k minutes; the entry sent on bar 1 fills on bar 2.
BAR_2 = START_NS + 2 * MINUTE


class Holder(Strategy):
    """Buys ``size`` at market on its first bar and rests ``resting`` one-lot buy limits far
    below the market; with ``again`` it tries to buy one more lot on every later bar."""

    size: int = 10
    resting: int = 0
    again: bool = False

    def on_start(self) -> None:
        self.bars = 0
        self.updates: list[OrderUpdate] = []

    def on_bar(self, bar: MarketBar) -> None:
        self.bars += 1
        if self.bars == 1:
            self.buy(self.size)
            for k in range(self.resting):
                self.buy(1, limit=50 - k)
        elif self.again:
            self.buy(1)

    def on_order(self, update: OrderUpdate) -> None:
        self.updates.append(update)


@dataclass
class Run:
    """An engine driven bar by bar, with everything the tests look at recorded."""

    engine: BacktestEngine
    bars: list[Bar]
    strategies: dict[str, Holder]
    #: Every command sent on the bus, in order (strategy orders, cancels, closes).
    commands: list[object] = field(default_factory=list)
    #: Every order event published, in order.
    events: list[OrderEvent] = field(default_factory=list)
    #: (portfolio position of each strategy..., venue position) after every fill booked
    #: and every bar.
    positions: list[tuple[int, ...]] = field(default_factory=list)
    done: int = 0

    def advance(self, n: int = 1) -> None:
        """Handle the next ``n`` bars."""
        for bar in self.bars[self.done : self.done + n]:
            self.engine.loop.dispatch(bar)
            self.snapshot()
        self.done += n

    def snapshot(self, *_: object) -> None:
        """Record every strategy's position and the venue's."""
        held = [self.position(name) for name in self.strategies]
        self.positions.append((*held, self.venue_position()))

    def position(self, name: str = "s") -> int:
        return self.engine.portfolio.position(StrategyId(name), BTC.id).qty

    def venue_position(self) -> int:
        return self.engine.exchanges[SIM].position(BTC.id)

    def closes(self) -> list[Order]:
        """The emergency (liquidation) orders, in the order they were created."""
        return [o for o in self.engine.oms.orders() if o.emergency]

    def sold(self) -> int:
        """Lots the liquidation sold, counted once per fill the portfolio booked."""
        emergency = {o.client_order_id for o in self.closes()}
        return sum(
            e.last_qty
            for e in self.events
            if type(e) is OrderFilled and e.client_order_id in emergency
        )

    def plan(self) -> LiquidationPlan:
        risk = self.engine.risk
        assert risk is not None
        (plan,) = risk.liquidator.plans.values()
        return plan

    def kill(self, name: str = "s") -> None:
        risk = self.engine.risk
        assert risk is not None
        risk.kill_strategy(StrategyId(name), operator="ops", reason="test")


def _run(
    *,
    strategies: dict[str, dict[str, Any]] | None = None,
    faults: FaultPlan | None = None,
    participation: str | None = None,
    n_bars: int = 40,
    volume: str = "10",
) -> Run:
    """Flat prices at 100 (no breaker moves), default risk limits, no fees."""
    engine = BacktestEngine(seed=5)
    engine.add_instrument(BTC)
    options: dict[str, Any] = {}
    if faults is not None:
        options["faults"] = faults
    if participation is not None:
        options["config"] = SimConfig(max_participation=Decimal(participation))
    engine.add_venue(SIM, [Money("100000", USD)], **options)
    bars = bars_from_ohlc(BTC, [("100",) * 4] * n_bars, volume=volume)
    engine.add_data(bars)
    made = {}
    for name, params in (strategies or {"s": {}}).items():
        made[name] = Holder(params)
        engine.add_strategy(name, made[name], allocation=Money("10000", USD))
    engine.add_risk(load_risk_config(""), USD)
    engine.build()
    run = Run(engine, bars, made)
    handlers = engine.bus._command_handlers  # wrapped in place: the bus may run compiled

    def recording(handler: Callable[[Any], None]) -> Callable[[Any], None]:
        def record(command: object) -> None:
            run.commands.append(command)
            handler(command)

        return record

    for command_type, handler in list(handlers.items()):
        handlers[command_type] = recording(handler)
    engine.bus.subscribe(OrderEvent, run.events.append)
    engine.bus.subscribe(OrderFilled, run.snapshot)
    engine.host.start()
    return run


def _closes_sent(commands: list[object]) -> list[SubmitOrder]:
    return [c for c in commands if isinstance(c, SubmitOrder) and c.order.emergency]


# --- one plan per trigger ---------------------------------------------------------------------


def test_when_ten_triggers_fire_at_the_same_instant_then_one_plan_sends_one_close() -> None:
    run = _run(strategies={"s": {"resting": 2}})
    run.advance(2)
    assert run.position() == 10
    risk = run.engine.risk
    assert risk is not None
    run.commands.clear()

    for _ in range(10):
        run.kill()
    started = [risk.liquidator.liquidate(run.plan().plan_id, [S], "again") for _ in range(10)]

    assert started == [False] * 10
    assert len(risk.liquidator.plans) == 1
    assert [type(c).__name__ for c in run.commands] == ["CancelAllOrders", "SubmitOrder"]
    run.advance(3)
    assert len(run.closes()) == 1
    assert run.sold() == 10
    assert run.position() == 0
    assert run.venue_position() == 0
    assert run.plan().done


def test_when_a_plan_starts_then_every_cancel_goes_out_before_any_close() -> None:
    run = _run(strategies={"a": {"resting": 2}, "b": {"resting": 1}})
    run.advance(2)
    risk = run.engine.risk
    assert risk is not None
    run.commands.clear()
    run.events.clear()

    risk.kill_all(operator="ops", reason="test")

    kinds = [
        (type(c).__name__, c.order.strategy_id if isinstance(c, SubmitOrder) else c.strategy_id)
        for c in run.commands
        if isinstance(c, CancelAllOrders | SubmitOrder)
    ]
    assert kinds == [
        ("CancelAllOrders", StrategyId("a")),
        ("CancelAllOrders", StrategyId("b")),
        ("SubmitOrder", StrategyId("a")),
        ("SubmitOrder", StrategyId("b")),
    ]
    # At the OMS too: all three resting orders are canceled before the first close exists.
    first_close = next(
        k for k, e in enumerate(run.events) if type(e) is OrderInitialized and e.emergency
    )
    canceled = [k for k, e in enumerate(run.events) if type(e) is OrderCanceled]
    assert len(canceled) == 3
    assert max(canceled) < first_close
    run.advance(2)
    assert (run.position("a"), run.position("b"), run.venue_position()) == (0, 0, 0)


# --- deterministic client ids -------------------------------------------------------------


def _rejected_twice() -> Run:
    run = _run(faults=FaultPlan(reject_next=2, reject_from_ns=BAR_2))
    run.advance(2)
    run.kill()
    run.advance(5)
    return run


def test_when_the_same_plan_runs_twice_then_it_sends_the_same_client_order_ids() -> None:
    first, second = _rejected_twice(), _rejected_twice()

    ids = [o.client_order_id for o in first.closes()]
    assert len(ids) == 3  # two rejected attempts and the one that filled
    assert ids == [o.client_order_id for o in second.closes()]
    assert len(set(ids)) == 3
    assert all(uuid.UUID(str(cid)).version == 5 for cid in ids)
    # Derived from the plan id: another plan never reuses them.
    other = _run(faults=FaultPlan(reject_next=2, reject_from_ns=BAR_2 + MINUTE))
    other.advance(3)
    other.kill()
    other.advance(5)
    assert other.plan().plan_id != first.plan().plan_id
    assert not set(ids) & {o.client_order_id for o in other.closes()}


# --- venue rejections and outages ---------------------------------------------------------


def test_when_the_venue_rejects_the_close_then_it_is_retried_with_backoff_and_ends_flat() -> None:
    run = _rejected_twice()

    closes = run.closes()
    assert [o.status for o in closes] == [
        OrderStatus.REJECTED,
        OrderStatus.REJECTED,
        OrderStatus.FILLED,
    ]
    sent_at = [c.ts_init for c in _closes_sent(run.commands)]
    assert sent_at == [BAR_2, BAR_2 + SECOND, BAR_2 + 3 * SECOND]  # backoff 1 s, then 2 s
    assert run.position() == 0
    assert run.venue_position() == 0
    assert run.sold() == 10
    assert run.plan().done


def test_when_the_venue_drops_the_close_then_it_is_unknown_after_the_timeout_and_never_resent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    kill_at = BAR_2 + SECOND  # the entry filled on bar 2, before the venue went down
    outage = Outage(start_ns=kill_at, end_ns=kill_at + 10 * MINUTE, mode="drop")
    run = _run(strategies={"s": {"resting": 1}}, faults=FaultPlan(outages=(outage,)))
    run.advance(2)
    clock = run.engine.clock
    clock.advance_to(kill_at)
    run.kill()
    (close,) = run.closes()
    risk = run.engine.risk
    assert risk is not None
    timeout = risk.liquidator.answer_timeout_ns

    clock.advance_to(kill_at + timeout - 1)
    assert run.plan().unknown == set()
    clock.advance_to(kill_at + timeout)
    assert run.plan().unknown == {close.client_order_id}
    assert "UNKNOWN" in caplog.text

    run.advance(20)  # well past the end of the outage: still no answer, so nothing is resent
    assert run.closes() == [close]
    assert len(_closes_sent(run.commands)) == 1
    assert sum(isinstance(c, CancelAllOrders) for c in run.commands) == 1
    assert close.status is OrderStatus.SUBMITTED
    assert run.plan().unknown == {close.client_order_id}
    assert not run.plan().done  # a missing answer does not mean flat
    assert run.position() == 10
    assert run.venue_position() == 10


# --- fills duplicated, reordered, delayed -----------------------------------------------------

FILL_FAULTS = {
    "duplicated": FaultPlan(duplicate_fill_every=1),
    "reordered": FaultPlan(reorder_fill_every=1),
    "delayed 30 s": FaultPlan(delay_fills_ns=30 * SECOND),
    "delayed past the kill": FaultPlan(delay_fills_ns=150 * SECOND),
    "all of them": FaultPlan(
        duplicate_fill_every=1, reorder_fill_every=2, delay_fills_ns=90 * SECOND
    ),
}


@pytest.mark.parametrize("faults", FILL_FAULTS.values(), ids=FILL_FAULTS.keys())
def test_when_fills_misbehave_then_the_liquidation_never_sells_more_than_was_held(
    faults: FaultPlan,
) -> None:
    # 3 lots a bar (30% of 10): the entry fills on bars 2-5 (3+3+3+1), the close in pieces.
    run = _run(faults=faults, participation="0.3")
    run.advance(5)  # the entry is done at the venue; with a delay, fills are still on the way
    run.kill()
    run.advance(30)

    bought = sum(
        e.last_qty for e in run.events if type(e) is OrderFilled and e.side is OrderSide.BUY
    )
    assert bought == 10
    assert run.sold() == bought  # exactly what was held: nothing more, nothing less
    assert all(p >= 0 for pos in run.positions for p in pos)  # never crossed zero
    assert run.position() == 0
    assert run.venue_position() == 0
    assert run.engine.oms.overfills == 0
    assert run.engine.oms.open_orders() == []
    assert run.plan().done
    if faults.duplicate_fill_every:
        assert run.engine.oms.duplicate_fills > 0


def test_when_the_entry_fill_arrives_after_the_plan_found_the_strategy_flat_then_it_is_closed() -> (
    None
):
    # The entry fills on bar 2 but its report arrives 90 s later: at the kill the portfolio
    # is flat, the cancel is refused (already filled), and the fill lands after the plan.
    run = _run(faults=FaultPlan(delay_fills_ns=90 * SECOND))
    run.advance(2)
    assert (run.position(), run.venue_position()) == (0, 10)
    run.kill()
    assert run.closes() == []

    run.advance(5)

    assert run.sold() == 10
    assert run.position() == 0
    assert run.venue_position() == 0
    assert all(p >= 0 for pos in run.positions for p in pos)
    assert run.plan().done


def test_when_a_fill_is_reported_after_the_cancel_confirmation_then_it_is_still_booked() -> None:
    # The plan cancels the partly filled entry on bar 3; the venue confirms the cancel at
    # once, while the fill it made on bar 3 is still 30 s on its way.
    run = _run(faults=FaultPlan(delay_fills_ns=30 * SECOND), participation="0.3")
    run.advance(3)
    run.kill()
    run.advance(10)

    assert run.engine.oms.refused_transitions == 0
    assert run.position() == run.venue_position()


# --- a crash at every step of a liquidation ---------------------------------------------------

CRASH_CONFIG = """
[breakers]
strategy_max_drawdown = "0.05"
strategy_daily_loss = "0.5"
portfolio_max_drawdown = "0.5"
platform_max_drawdown = "0.5"
"""
HELD = 100


class Crash(Exception):  # noqa: N818 - the event it simulates has this name
    """The process dies here."""


def _crash_bars() -> list[Bar]:
    """100 for three bars, then one point lower per bar down to 80; 120 lots a bar."""
    rows = [("100",) * 4] * 3
    for price in range(100, 80, -1):
        rows.append((str(price), str(price), str(price - 1), str(price - 1)))
    return bars_from_ohlc(BTC, rows, volume="120")


def _crash_engine(
    journal: Path, bars: list[Bar], holder: Holder, *, start_ns: int = 0, capped: bool
) -> BacktestEngine:
    engine = BacktestEngine(seed=3, start_ns=start_ns)
    engine.add_instrument(BTC)
    # Capped at half the bar's volume (60 lots): 100 lots go in and out in two pieces.
    config = SimConfig(max_participation=Decimal("0.5")) if capped else SimConfig()
    engine.add_venue(SIM, [Money("100000", USD)], config=config)
    engine.add_data(bars)
    # 20,000: room above the 10,000 position for the resting orders (the allocation bounds
    # the strategy's gross exposure, working orders included).
    engine.add_strategy("s", holder, allocation=Money("20000", USD))
    engine.add_risk(load_risk_config(CRASH_CONFIG), USD, journal=journal)
    engine.build()
    return engine


def _die_at(engine: BacktestEngine, step: str) -> None:
    """Raise ``Crash`` at ``step`` of the liquidation."""
    if step == "plan started":  # the trip is journaled and the plan exists; nothing sent
        handlers = engine.bus._command_handlers  # wrapped in place: the bus may run compiled

        def crashing_cancel(command: object) -> None:
            raise Crash(step)

        handlers[CancelAllOrders] = crashing_cancel
        return
    kind: type[OrderEvent] = {
        "during cancel": OrderPendingCancel,  # the cancel is asked for, not confirmed
        "close sent": OrderAccepted,  # the close is working at the venue, unfilled
        "partial fill": OrderFilled,  # the close has filled in part
    }[step]

    def crashing(event: OrderEvent) -> None:
        order = engine.oms.order(event.client_order_id)
        assert order is not None
        if step == "during cancel" or order.emergency:
            raise Crash(step)

    engine.bus.subscribe(kind, crashing)


def _emergency_fills(engine: BacktestEngine) -> int:
    return sum(
        f.last_qty
        for f in engine.fills.fills
        if (o := engine.oms.order(f.client_order_id)) and o.emergency
    )


CRASH_STEPS = ("plan started", "during cancel", "close sent", "partial fill")


@pytest.mark.parametrize("step", CRASH_STEPS)
def test_when_a_crash_hits_a_liquidation_then_after_restart_it_ends_flat_without_overshoot(
    tmp_path: Path, step: str
) -> None:
    """A crash at each step of a liquidation, then a restart and reconciliation.

    What "restart" means in a backtest: the crashed process is engine A, stopped by an
    exception raised at ``step``. Everything it held in memory dies with it: OMS,
    portfolio, liquidator and its simulated venue. What survives is what a real process
    keeps on disk, the breaker journal (``breakers.sqlite``). The venue is taken to cancel
    the dead session's working orders (cancel-on-disconnect) and to keep its position.

    The restarted process is engine B: a new ``BacktestEngine`` on the same journal file,
    starting at the crash time on the rest of the data. Replaying the data prefix with the
    strategy cannot re-create the position: the restored breaker keeps the strategy
    disabled from B's first bar (its orders are denied, checked below). So reconciliation
    books what A's venue held at the crash into B, as one order sent to B's OMS directly
    (a position the venue reports is not a new risk decision). B must then see the breaker
    still tripped and the strategy disabled, finish the same plan (same plan id, so the
    same client order ids: a venue that remembered A's close would refuse a resend as a
    duplicate) and end flat, with A's and B's closes together selling exactly what was
    held, never more.
    """
    journal = tmp_path / "breakers.sqlite"
    bars = _crash_bars()
    first = _crash_engine(journal, bars, Holder({"size": HELD, "resting": 1}), capped=True)
    _die_at(first, step)
    with pytest.raises(Crash, match=step):
        first.run()
    crashed_at = first.clock.timestamp_ns()
    held = first.exchanges[SIM].position(BTC.id)
    sold_before = _emergency_fills(first)
    assert held + sold_before == HELD
    if step == "partial fill":
        assert 0 < sold_before < HELD
    first_risk = first.risk
    assert first_risk is not None
    (plan_id,) = first_risk.liquidator.plans
    first_closes = [o.client_order_id for o in first.oms.orders() if o.emergency]
    assert bool(first_closes) == (step in ("close sent", "partial fill"))

    again = Holder({"size": 1, "again": True})
    rest = [bar for bar in bars if bar.ts_init > crashed_at]
    second = _crash_engine(journal, rest, again, start_ns=crashed_at, capped=False)
    risk = second.risk
    assert risk is not None
    breaker = risk.breakers["strategy:s"]
    assert breaker.state is BreakerState.TRIGGERED
    assert breaker.trips == 1
    assert S in risk.disabled
    _reconcile(second, held, crashed_at)
    positions: list[int] = []
    second.bus.subscribe(
        OrderFilled, lambda _: positions.append(second.portfolio.position(S, BTC.id).qty)
    )

    second.run()

    assert second.portfolio.position(S, BTC.id).qty == 0
    assert second.exchanges[SIM].position(BTC.id) == 0
    assert second.oms.open_orders() == []
    assert all(p >= 0 for p in positions)
    assert sold_before + _emergency_fills(second) == HELD  # never more than was held
    assert list(risk.liquidator.plans) == [plan_id]  # the same plan, finished
    second_closes = [o.client_order_id for o in second.oms.orders() if o.emergency]
    assert second_closes[: len(first_closes[:1])] == first_closes[:1]
    assert breaker.state is BreakerState.COOLING_DOWN  # flat, still latched
    assert breaker.trips == 1
    assert S in risk.disabled
    own = [u for u in again.updates if u.client_order_id not in set(second_closes) | {RECONCILE}]
    assert own
    assert {u.event for u in own} == {"OrderDenied"}
    assert {u.raw.reason_code for u in own} == {"STRATEGY_DISABLED"}  # type: ignore[attr-defined]
    with BreakerJournal(journal) as stored:
        trips = [t for t in stored.transitions("strategy:s") if t.trigger == "trip"]
    assert len(trips) == 1


RECONCILE = ClientOrderId(str(uuid.uuid5(uuid.NAMESPACE_URL, "reconcile/s/BTC.SIM")))


def _reconcile(engine: BacktestEngine, lots: int, ts_ns: int) -> None:
    """Book the position the venue reports for ``s`` (bypassing the risk engine)."""
    if lots == 0:
        return
    order = OrderInitialized(
        strategy_id=S,
        instrument_id=BTC.id,
        client_order_id=RECONCILE,
        side=OrderSide.BUY,
        order_type=OrderType.MARKET,
        quantity=lots,
        time_in_force=TimeInForce.GTC,
        ts_event=ts_ns,
        ts_init=ts_ns,
    )
    engine.oms.submit(SubmitOrder(order=order, ts_init=ts_ns))


def test_when_an_operator_killed_a_strategy_before_a_restart_then_the_engine_liquidates_it(
    tmp_path: Path,
) -> None:
    """``ironkeel kill --strategy s`` halts the journaled breaker while no engine runs; an
    engine restarted on that journal keeps s disabled and closes what reconciliation says
    it holds (restart as in the crash test above)."""
    journal = tmp_path / "breakers.sqlite"
    bars = bars_from_ohlc(BTC, [("100",) * 4] * 10, volume="1000")
    first = _crash_engine(journal, bars[:3], Holder({"size": 10}), capped=False)
    first.run()
    held = first.exchanges[SIM].position(BTC.id)
    assert held == 10
    apply_action(
        journal, action="halt", breaker_name="strategy:s", operator="ops", reason="runaway",
        audit_path=None,
    )  # fmt: skip

    restart_at = bars[2].ts_init
    second = _crash_engine(
        journal, bars[3:], Holder({"size": 1, "again": True}), start_ns=restart_at, capped=False
    )
    _reconcile(second, held, restart_at)
    second.run()

    risk = second.risk
    assert risk is not None
    assert list(risk.liquidator.plans) == ["strategy:s#halted"]
    assert second.portfolio.position(S, BTC.id).qty == 0
    assert second.exchanges[SIM].position(BTC.id) == 0
    assert _emergency_fills(second) == held
    assert risk.breakers["strategy:s"].state is BreakerState.HALTED  # until resumed
    assert S in risk.disabled
