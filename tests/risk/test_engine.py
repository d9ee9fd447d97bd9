"""The risk engine on the one order path: denials reach the strategy, breakers trip once and
liquidate exactly once, latch across a restart, and the audit log records it all."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ironkeel import Strategy
from ironkeel.audit import verify
from ironkeel.backtest import BacktestEngine
from ironkeel.model import InvalidInputError, Money, StrategyId
from ironkeel.risk.config import load_risk_config
from ironkeel.strategy import MarketBar, OrderUpdate
from ironkeel.venues.sim import FaultPlan
from tests._bars import SIM, USD, bars_from_ohlc, instrument

BTC = instrument("BTC", tick="1", lot="1")
ETH = instrument("ETH", tick="1", lot="1")


def _crash(
    start: int = 100, bottom: int = 80, flat: int = 3, down: int = 20
) -> list[tuple[str, ...]]:
    """Flat at ``start`` for ``flat`` bars, then one point lower each bar down to ``bottom``."""
    rows = [(str(start),) * 4] * flat
    price = start
    for _ in range(down):
        nxt = max(price - 1, bottom)
        rows.append((str(price), str(price), str(nxt), str(nxt)))
        price = nxt
    return rows


class BuyOnce(Strategy):
    """Buys ``size`` on the first bar, then tries to buy again on every later bar."""

    size: int = 10
    again: bool = False

    def on_start(self) -> None:
        self.updates: list[OrderUpdate] = []
        self.bars = 0

    def on_bar(self, bar: MarketBar) -> None:
        self.bars += 1
        if self.bars == 1 or self.again:
            self.buy(self.size)

    def on_order(self, update: OrderUpdate) -> None:
        self.updates.append(update)


def _engine(
    tmp_path: Path,
    risk_toml: str,
    strategies: dict[str, tuple[Strategy, str]],
    rows: list[tuple[str, ...]],
    *,
    journal: bool = True,
    **venue: Any,
) -> BacktestEngine:
    engine = BacktestEngine(seed=3)
    engine.add_instrument(BTC)
    engine.add_venue(SIM, [Money("100000", USD)], **venue)
    engine.add_data(bars_from_ohlc(BTC, rows))
    for name, (strategy, allocation) in strategies.items():
        engine.add_strategy(name, strategy, allocation=Money(allocation, USD))
    engine.add_risk(
        load_risk_config(risk_toml),
        USD,
        journal=tmp_path / "breakers.sqlite" if journal else None,
        audit=tmp_path / "audit.sqlite",
    )
    return engine


BREAKERS_ONLY = """
[breakers]
strategy_max_drawdown = "0.05"
strategy_daily_loss = "0.5"
portfolio_max_drawdown = "0.5"
platform_max_drawdown = "0.5"
"""


def test_when_a_control_denies_then_the_strategy_hears_the_reason_code(tmp_path: Path) -> None:
    strategy = BuyOnce({"size": 10})
    engine = _engine(
        tmp_path,
        '[instruments."BTC.SIM"]\nmax_order_qty = 5\n',
        {"s": (strategy, "10000")},
        _crash(down=2),
    )
    engine.run()
    denied = [u for u in strategy.updates if u.event == "OrderDenied"]
    assert len(denied) == 1
    assert denied[0].raw.reason_code == "MAX_ORDER_QTY"  # type: ignore[attr-defined]
    assert engine.portfolio.position(StrategyId("s"), BTC.id).qty == 0


def test_when_the_drawdown_limit_is_hit_then_one_liquidation_flattens_and_disables(
    tmp_path: Path,
) -> None:
    strategy = BuyOnce({"size": 10, "again": True})
    engine = _engine(tmp_path, BREAKERS_ONLY, {"s": (strategy, "10000")}, _crash())
    engine.run()
    risk = engine.risk
    assert risk is not None
    breaker = risk.breakers["strategy:s"]
    assert breaker.trips == 1
    assert breaker.state.name == "COOLING_DOWN"  # tripped, liquidated, latched until a reset
    assert len(risk.liquidator.plans) == 1
    assert engine.portfolio.position(StrategyId("s"), BTC.id).qty == 0
    # Every buy after the trip is denied, and the loss stopped near the 5% limit.
    assert any(u.raw.reason_code == "STRATEGY_DISABLED" for u in strategy.updates  # type: ignore[attr-defined]
               if u.event == "OrderDenied")  # fmt: skip
    loss = Money("10000", USD) - engine.portfolio.equity(USD, StrategyId("s"))
    assert Money("500", USD) <= loss < Money("1000", USD)
    states = [(e.from_state, e.to_state) for e in risk.events if e.strategy == "s"]
    assert ("WARNING", "TRIGGERED") in states or ("MONITORING", "TRIGGERED") in states
    assert verify(tmp_path / "audit.sqlite").ok


def test_when_equity_oscillates_around_the_limit_then_it_trips_exactly_once(
    tmp_path: Path,
) -> None:
    rows = [("100",) * 4] * 2
    for _ in range(1000):  # 1,000 crossings of the 5% line on a 10-lot position of 10,000
        rows += [("100", "100", "49", "49"), ("49", "100", "49", "100")]
    strategy = BuyOnce({"size": 10})
    engine = _engine(tmp_path, BREAKERS_ONLY, {"s": (strategy, "10000")}, rows)
    engine.run()
    risk = engine.risk
    assert risk is not None
    assert risk.breakers["strategy:s"].trips == 1
    assert len(risk.liquidator.plans) == 1
    emergency = [o for o in engine.oms.orders() if o.emergency]
    assert len(emergency) == 1


def test_when_the_same_trigger_fires_ten_times_then_there_is_one_plan(tmp_path: Path) -> None:
    engine = _engine(tmp_path, BREAKERS_ONLY, {"s": (BuyOnce({}), "10000")}, _crash(down=2))
    engine.run()
    risk = engine.risk
    assert risk is not None
    started = [risk.liquidator.liquidate("plan-x", [StrategyId("s")], "test") for _ in range(10)]
    assert started == [True] + [False] * 9


def test_when_two_strategies_lose_together_then_the_portfolio_breaker_trips(
    tmp_path: Path,
) -> None:
    config = """
[breakers]
strategy_max_drawdown = "0.10"
strategy_daily_loss = "0.5"
portfolio_max_drawdown = "0.06"
platform_max_drawdown = "0.5"
"""
    # Each strategy loses 4,000 of 50,000 (8% < its 10%); together 8,000 of 100,000 (> 6%).
    one, two = BuyOnce({"size": 200}), BuyOnce({"size": 200})
    engine = _engine(
        tmp_path, config, {"a": (one, "50000"), "b": (two, "50000")}, _crash(bottom=80, down=20)
    )
    engine.run()
    risk = engine.risk
    assert risk is not None
    assert risk.breakers["strategy:a"].trips == 0  # each alone stays under its 10%
    assert risk.breakers["strategy:b"].trips == 0
    assert risk.breakers["portfolio"].trips == 1
    assert engine.portfolio.net_position(BTC.id) == 0
    assert set(risk.disabled) == {StrategyId("a"), StrategyId("b")}


def test_when_the_platform_breaker_trips_then_everything_stops(tmp_path: Path) -> None:
    config = """
[breakers]
strategy_max_drawdown = "0.9"
strategy_daily_loss = "0.9"
portfolio_max_drawdown = "0.9"
platform_max_drawdown = "0.01"
"""
    strategy = BuyOnce({"size": 100, "again": True})
    engine = _engine(tmp_path, config, {"s": (strategy, "50000")}, _crash())
    engine.run()
    risk = engine.risk
    assert risk is not None
    assert risk.breakers["platform"].trips == 1
    assert risk.halted is not None
    assert engine.portfolio.net_position(BTC.id) == 0
    assert any(u.raw.reason_code == "TRADING_HALTED" for u in strategy.updates  # type: ignore[attr-defined]
               if u.event == "OrderDenied")  # fmt: skip


def test_when_the_process_restarts_then_a_tripped_breaker_is_still_tripped(
    tmp_path: Path,
) -> None:
    first = _engine(tmp_path, BREAKERS_ONLY, {"s": (BuyOnce({"size": 100}), "10000")}, _crash())
    first.run()
    assert first.risk is not None and first.risk.breakers["strategy:s"].trips == 1
    first.audit.close()  # type: ignore[union-attr]
    again = BuyOnce({"size": 1, "again": True})
    second = _engine(tmp_path / "", BREAKERS_ONLY, {"s": (again, "10000")}, _crash(down=2))
    second.run()
    risk = second.risk
    assert risk is not None
    assert not risk.breakers["strategy:s"].allows_trading
    assert all(u.event == "OrderDenied" for u in again.updates)
    assert engine_position(second) == 0


def engine_position(engine: BacktestEngine) -> int:
    return engine.portfolio.position(StrategyId("s"), BTC.id).qty


def test_when_an_operator_resets_then_the_strategy_trades_again_and_it_is_audited(
    tmp_path: Path,
) -> None:
    engine = _engine(tmp_path, BREAKERS_ONLY, {"s": (BuyOnce({"size": 100}), "10000")}, _crash())
    engine.run()
    risk = engine.risk
    assert risk is not None
    assert risk.breakers["strategy:s"].trips == 1
    with pytest.raises(InvalidInputError, match="operator"):
        risk.reset(StrategyId("s"), operator="", reason="why")
    with pytest.raises(InvalidInputError, match="operator"):
        risk.reset(StrategyId("s"), operator="alice", reason=" ")
    risk.reset(StrategyId("s"), operator="alice", reason="post-mortem done")
    assert StrategyId("s") not in risk.disabled
    assert risk.breakers["strategy:s"].state.name == "RESET"
    engine.audit.flush()  # type: ignore[union-attr]
    assert verify(tmp_path / "audit.sqlite").ok


def test_when_killed_then_the_strategy_is_flat_and_disabled(tmp_path: Path) -> None:
    strategy = BuyOnce({"size": 10})
    engine = _engine(tmp_path, "", {"s": (strategy, "10000")}, _crash(down=1), journal=False)
    engine.run()
    risk = engine.risk
    assert risk is not None
    assert engine_position(engine) == 10
    risk.kill_strategy(StrategyId("s"), operator="bob", reason="runaway")
    engine.clock.advance_to(engine.clock.timestamp_ns() + 60_000_000_000)
    engine.exchanges[SIM].on_bar(bars_from_ohlc(BTC, [*_crash(down=1), ("99",) * 4])[-1])
    assert engine_position(engine) == 0
    assert StrategyId("s") in risk.disabled


def test_when_fills_are_duplicated_during_a_liquidation_then_nothing_oversells(
    tmp_path: Path,
) -> None:
    strategy = BuyOnce({"size": 100})
    engine = _engine(
        tmp_path,
        BREAKERS_ONLY,
        {"s": (strategy, "10000")},
        _crash(),
        faults=FaultPlan(duplicate_fill_every=1),
    )
    engine.run()
    assert engine.oms.duplicate_fills > 0
    assert engine.risk is not None and engine.risk.breakers["strategy:s"].trips == 1
    assert engine_position(engine) == 0
    assert engine.exchanges[SIM].position(BTC.id) == 0


def test_when_the_runaway_example_runs_under_limits_then_it_is_stopped(tmp_path: Path) -> None:
    from ironkeel.strategy import load_strategy_class  # noqa: PLC0415
    from tests._bars import EXAMPLES  # noqa: PLC0415

    runaway = load_strategy_class(EXAMPLES / "runaway.py")({"size": "1"})
    config = '[instruments."BTC.SIM"]\nmax_position = 20\n' + BREAKERS_ONLY
    engine = _engine(tmp_path, config, {"r": (runaway, "10000")}, _crash(down=20), journal=False)
    engine.run()
    assert engine.portfolio.position(StrategyId("r"), BTC.id).qty <= 20
    denied = [o for o in engine.oms.orders() if o.status.name == "DENIED"]
    assert denied  # it kept trying; the risk engine kept saying no
    assert Decimal(0) <= engine.portfolio.equity(USD, StrategyId("r")).amount


def test_when_the_portfolio_breaker_is_reset_then_its_strategies_trade_again(
    tmp_path: Path,
) -> None:
    config = """
[breakers]
strategy_max_drawdown = "0.10"
strategy_daily_loss = "0.5"
portfolio_max_drawdown = "0.06"
platform_max_drawdown = "0.5"
"""
    one, two = BuyOnce({"size": 200}), BuyOnce({"size": 200})
    engine = _engine(tmp_path, config, {"a": (one, "50000"), "b": (two, "50000")}, _crash())
    engine.run()
    risk = engine.risk
    assert risk is not None
    assert set(risk.disabled) == {StrategyId("a"), StrategyId("b")}
    with pytest.raises(InvalidInputError, match="operator"):
        risk.reset_portfolio(operator="", reason="x")
    risk.reset_portfolio(operator="carol", reason="correlated losses reviewed")
    assert risk.disabled == {}
    assert risk.breakers["portfolio"].allows_trading
