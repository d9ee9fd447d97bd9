"""Failure isolation: a strategy that raises in a hook is stopped, its orders canceled and
its positions closed with one emergency order each, a StrategyFailed event says where,
and every other strategy in the run goes on exactly as if it ran alone."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ironkeel.model import (
    InvalidInputError,
    OrderSide,
    OrderStatus,
    OrderType,
    StateError,
    StrategyFailed,
    StrategyId,
)
from ironkeel.strategy import SlotStatus, Strategy
from tests._bars import MINUTE
from tests.strategy._harness import (
    BTC,
    BTC_BARS,
    ETH,
    ETH_BARS,
    Scripted,
    build_engine,
    run_engine,
)

HERE = str(Path(__file__))
FAILING = StrategyId("failing")
DATA = [(BTC, BTC_BARS), (ETH, ETH_BARS)]


def _boom(s: Scripted) -> None:
    s.calls.append("boom")
    raise RuntimeError("boom")


BOOM_AT = f"{HERE}:{_boom.__code__.co_firstlineno + 2}"


def _open_positions(s: Scripted) -> None:
    s.buy("0.1")  # long BTC from bar 2
    s.sell("1", ETH.id)  # short ETH from bar 2
    s.buy("0.1", limit="90")  # a resting bid that never fills


def _pending_then_boom(s: Scripted) -> None:
    s.buy("0.05")  # would fill at the next open: must be canceled instead
    _boom(s)


def _failing_in(hook: str) -> Scripted:
    """A strategy that opens a long BTC and a short ETH position, then raises in ``hook``."""
    if hook == "on_start":
        return Scripted({1: _open_positions}, on_start_action=_boom)
    if hook == "on_bar":
        return Scripted({1: _open_positions, 4: _pending_then_boom})
    if hook == "on_fill":
        return Scripted({1: _open_positions}, on_fill_action=_boom)
    return Scripted(
        {1: lambda s: (_open_positions(s), s.set_timer("beat", 2 * MINUTE))},
        on_timer_action=_boom,
    )


def _steady() -> Scripted:
    """A strategy that trades on its own schedule, to compare with and without a failure."""
    return Scripted(
        {
            1: lambda s: s.buy("0.3"),
            3: lambda s: s.buy("0.2", limit="101"),
            5: lambda s: s.close_position(),
            6: lambda s: s.sell("0.1"),
        }
    )


def _run_failing(hook: str) -> tuple[Any, Scripted, list[StrategyFailed]]:
    strategy = _failing_in(hook)
    engine = build_engine({"failing": (strategy, [BTC, ETH])}, DATA)
    published: list[StrategyFailed] = []
    engine.bus.subscribe(StrategyFailed, published.append)
    engine.run()
    return engine, strategy, published


HOOKS = ["on_start", "on_bar", "on_fill", "on_timer"]


@pytest.mark.parametrize("hook", HOOKS)
def test_when_a_hook_raises_then_the_strategy_fails_once_with_hook_and_file_line(
    hook: str,
) -> None:
    engine, _, published = _run_failing(hook)

    slot = engine.host.slots[FAILING]
    assert slot.status is SlotStatus.FAILED
    [failure] = engine.host.failures
    assert published == [failure]
    assert slot.failure == failure
    assert failure.strategy_id == FAILING
    assert failure.hook == hook
    assert failure.error == "RuntimeError: boom"
    assert failure.location == BOOM_AT


@pytest.mark.parametrize("hook", HOOKS)
def test_when_a_hook_raises_then_no_hook_runs_after_it(hook: str) -> None:
    _, strategy, _ = _run_failing(hook)

    assert strategy.calls[-1] == "boom"
    assert strategy.calls.count("boom") == 1
    assert [c for c in strategy.calls if c not in ("on_order", "boom")][-1] == hook
    assert "on_stop" not in strategy.calls


@pytest.mark.parametrize("hook", HOOKS)
def test_when_a_strategy_fails_then_it_ends_flat_with_no_open_orders(hook: str) -> None:
    engine, _, _ = _run_failing(hook)

    portfolio = engine.portfolio
    assert portfolio.position(FAILING, BTC.id).qty == 0
    assert portfolio.position(FAILING, ETH.id).qty == 0
    assert engine.oms.open_orders(FAILING) == []


CLOSE_BTC = ("BTCUSD.SIM", OrderSide.SELL, BTC.lots("0.1"))
CLOSE_ETH = ("ETHUSD.SIM", OrderSide.BUY, ETH.lots("1"))


@pytest.mark.parametrize(
    ("hook", "expected"),
    [
        ("on_bar", [CLOSE_BTC, CLOSE_ETH]),
        # the first fill (BTC) fails it: the ETH order is still pending and gets canceled
        ("on_fill", [CLOSE_BTC]),
        ("on_timer", [CLOSE_BTC, CLOSE_ETH]),
    ],
)
def test_when_a_strategy_with_positions_fails_then_one_emergency_order_closes_each(
    hook: str, expected: list[tuple[str, OrderSide, int]]
) -> None:
    engine, _, _ = _run_failing(hook)

    emergency = [o for o in engine.oms.orders(FAILING) if o.emergency]
    closing = sorted((str(o.instrument_id), o.side, o.quantity) for o in emergency)
    assert closing == expected
    for order in emergency:
        assert order.order_type is OrderType.MARKET
        assert order.reduce_only
        assert order.status is OrderStatus.FILLED


def test_when_a_strategy_fails_in_on_start_then_it_never_trades() -> None:
    engine, strategy, _ = _run_failing("on_start")

    assert engine.oms.orders(FAILING) == []
    assert strategy.bars == []


def test_when_a_strategy_fails_in_on_bar_then_its_working_orders_are_canceled() -> None:
    engine, _, _ = _run_failing("on_bar")

    by_type = {
        (o.order_type, o.quantity): o.status for o in engine.oms.orders(FAILING) if not o.emergency
    }
    assert by_type[(OrderType.LIMIT, BTC.lots("0.1"))] is OrderStatus.CANCELED
    assert by_type[(OrderType.MARKET, BTC.lots("0.05"))] is OrderStatus.CANCELED


def test_when_a_timer_hook_fails_then_its_timer_is_canceled() -> None:
    engine, strategy, _ = _run_failing("on_timer")

    assert len(strategy.timer_events) == 1
    assert not [n for n in engine.clock.timer_names if "failing" in n]


def test_when_a_strategy_raises_on_every_bar_of_two_instruments_then_it_fails_once() -> None:
    strategy = Scripted({1: _open_positions})
    strategy.on_bar = _raise_on_every_bar(strategy)  # type: ignore[method-assign]

    engine = run_engine({"failing": (strategy, [BTC, ETH])}, DATA)

    assert len(engine.host.failures) == 1
    assert len([o for o in engine.oms.orders(FAILING) if o.emergency]) == 2
    assert engine.portfolio.position(FAILING, ETH.id).qty == 0


def _raise_on_every_bar(strategy: Scripted) -> Any:
    original = strategy.on_bar

    def on_bar(bar: Any) -> None:
        original(bar)
        if strategy.n >= 3:
            raise RuntimeError("again")

    return on_bar


def test_when_a_failed_strategy_tries_to_trade_then_it_gets_a_state_error() -> None:
    _, strategy, _ = _run_failing("on_bar")

    with pytest.raises(StateError, match="is failed: it cannot trade"):
        strategy.buy("0.1")


def _fills_of(engine: Any, name: str) -> list[tuple[Any, ...]]:
    return [
        (f.ts_event, f.instrument_id, f.side, f.last_qty, f.last_px, f.commission_raw)
        for f in engine.fills.fills
        if f.strategy_id == StrategyId(name)
    ]


def _equity_of(engine: Any, column: int) -> list[tuple[int, int]]:
    recorder = engine.equity
    return list(zip(recorder.ts, recorder.columns[column], strict=True))


@pytest.mark.parametrize("hook", HOOKS)
def test_when_one_strategy_fails_then_another_has_the_same_results_as_alone(hook: str) -> None:
    alone = _steady()
    reference = run_engine({"steady": (alone, [BTC])}, DATA)
    beside = _steady()

    shared = run_engine(
        {"failing": (_failing_in(hook), [BTC, ETH]), "steady": (beside, [BTC])}, DATA
    )

    assert shared.host.slots[FAILING].status is SlotStatus.FAILED
    assert shared.host.slots[StrategyId("steady")].status is SlotStatus.STOPPED
    assert len(_fills_of(reference, "steady")) == 4
    assert _fills_of(shared, "steady") == _fills_of(reference, "steady")
    assert _equity_of(shared, 2) == _equity_of(reference, 1)  # columns: total, *strategies
    assert [(u.event, u.status, u.ts) for u in beside.updates] == [
        (u.event, u.status, u.ts) for u in alone.updates
    ]
    assert beside.calls == alone.calls
    steady = StrategyId("steady")
    assert shared.portfolio.equity(BTC.quote_currency, steady) == reference.portfolio.equity(
        BTC.quote_currency, steady
    )


def test_when_a_strategy_fails_then_its_emergency_fills_are_booked_to_it_alone() -> None:
    shared = run_engine(
        {"failing": (_failing_in("on_bar"), [BTC, ETH]), "steady": (_steady(), [BTC])}, DATA
    )

    failing_ledger = shared.portfolio.ledger(FAILING)
    # long 0.1 BTC bought at 100, sold by the emergency order at bar 5's open 103;
    # short 1 ETH sold at 20, bought back at 20: +0.3 realized in all
    assert failing_ledger.realized(BTC.quote_currency).amount == Decimal("0.3")


def test_when_a_hosted_strategy_is_added_twice_under_one_name_then_it_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="is already used"):
        build_engine({"a": (Scripted(), [BTC])}, DATA).host.add(
            StrategyId("a"), Scripted(), [BTC.id], BTC.quote_currency
        )


class _BuysOnce(Strategy):
    """Buys 0.1 on its first bar; defines neither on_order nor on_fill."""

    bought = False

    def on_bar(self, bar: Any) -> None:
        if not self.bought:
            self.bought = True
            self.buy("0.1")


class _HearsFills(_BuysOnce):
    def on_start(self) -> None:
        self.fills: list[Any] = []

    def on_fill(self, fill: Any) -> None:
        self.fills.append(fill)


class _HearsOrders(_BuysOnce):
    def on_start(self) -> None:
        self.updates: list[str] = []

    def on_order(self, update: Any) -> None:
        self.updates.append(update.event)


def test_when_a_class_leaves_a_hook_to_the_base_then_the_host_builds_no_view_for_it():
    plain, fills, orders = _BuysOnce(), _HearsFills(), _HearsOrders()
    engine = run_engine(
        {"plain": (plain, [BTC]), "fills": (fills, [BTC]), "orders": (orders, [BTC])},
        [(BTC, BTC_BARS)],
    )
    heard = {
        str(sid): (slot.hears_orders, slot.hears_fills) for sid, slot in engine.host.slots.items()
    }
    assert heard == {"plain": (False, False), "fills": (False, True), "orders": (True, False)}
    assert [f.quantity for f in fills.fills] == [Decimal("0.1")]
    assert orders.updates == ["OrderAccepted"]  # the fill goes to on_fill, unheard here
    assert all(engine.portfolio.position_qty(StrategyId(n), BTC.id) > 0 for n in heard)
