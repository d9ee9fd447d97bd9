"""Risk engine scenarios on synthetic crashes, through the whole engine (strategy -> risk ->
OMS -> simulated venue): pre-trade limits at limit-1, limit and limit+1 lots with the
reason code reaching the strategy; exposure limits counting orders in flight; a correlated
pair of strategies losing together; the platform breaker stopping everything until an
operator resumes; a tripped portfolio breaker still stopping both strategies after a
restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from ironkeel import Strategy
from ironkeel.backtest import BacktestEngine
from ironkeel.execution.factory import OrderFactory
from ironkeel.model import Bar, InvalidInputError, Money, StrategyId
from ironkeel.model.commands import SubmitOrder
from ironkeel.model.enums import OrderSide, OrderStatus
from ironkeel.risk.breaker import BreakerState
from ironkeel.risk.config import load_risk_config
from ironkeel.strategy import MarketBar, OrderUpdate
from ironkeel.venues.sim import LatencyModel
from tests._bars import SIM, USD, bars_from_ohlc, instrument

BTC = instrument("BTC", tick="1", lot="1")
ETH = instrument("ETH", tick="1", lot="1")
SECOND = 1_000_000_000
VOLUME = "1000"


class Script(Strategy):
    """Buys what ``plan`` says on each bar: ``{1: [4], 3: [5, 5]}`` sends a market buy of 4
    lots on its first bar and two of 5 on its third; ``every`` lots on every other bar."""

    def __init__(self, plan: dict[int, list[int]] | None = None, every: int = 0) -> None:
        super().__init__()
        self.plan = plan or {}
        self.every = every

    def on_start(self) -> None:
        self.bars = 0
        self.updates: list[OrderUpdate] = []

    def on_bar(self, bar: MarketBar) -> None:
        self.bars += 1
        sizes = self.plan.get(self.bars)
        if sizes is None and self.every:
            sizes = [self.every]
        for size in sizes or ():
            self.buy(size)

    def on_order(self, update: OrderUpdate) -> None:
        self.updates.append(update)

    def denials(self) -> list[str]:
        return [u.raw.reason_code for u in self.updates if u.event == "OrderDenied"]  # type: ignore[attr-defined]


def _flat(n: int, price: int = 100) -> list[tuple[str, ...]]:
    return [(str(price),) * 4] * n


def _falling(start: int = 100, bottom: int = 80, flat: int = 3) -> list[tuple[str, ...]]:
    """Flat at ``start`` for ``flat`` bars, then one point lower each bar down to ``bottom``,
    then flat at the bottom for three bars."""
    rows = _flat(flat, start)
    for price in range(start, bottom, -1):
        rows.append((str(price), str(price), str(price - 1), str(price - 1)))
    return rows + _flat(3, bottom)


def _engine(
    config: str,
    strategies: dict[str, tuple[Strategy, str, Any]],
    data: dict[Any, list[tuple[str, ...]]],
    *,
    journal: Path | None = None,
    volume: str = VOLUME,
    **venue: Any,
) -> BacktestEngine:
    """``strategies``: name -> (strategy, allocation, instrument or None for all)."""
    engine = BacktestEngine(seed=11)
    for target in data:
        engine.add_instrument(target)
    engine.add_venue(SIM, [Money("100000", USD)], **venue)
    for target, rows in data.items():
        engine.add_data(bars_from_ohlc(target, rows, volume=volume))
    for name, (strategy, allocation, target) in strategies.items():
        chosen = None if target is None else [target.id]
        engine.add_strategy(name, strategy, allocation=Money(allocation, USD), instruments=chosen)
    engine.add_risk(load_risk_config(config), USD, journal=journal)
    return engine


def _position(engine: BacktestEngine, name: str, target: Any = BTC) -> int:
    return engine.portfolio.position(StrategyId(name), target.id).qty


# --- pre-trade boundaries -------------------------------------------------------------------

BOUNDARY = [(4, None), (5, None), (6, "MAX_ORDER_QTY")]  # limit 5: limit-1, limit, limit+1


@pytest.mark.parametrize(("size", "code"), BOUNDARY, ids=["limit-1", "limit", "limit+1"])
def test_when_an_order_is_at_the_max_order_qty_boundary_then_only_above_it_is_denied(
    size: int, code: str | None
) -> None:
    strategy = Script({1: [size]})
    engine = _engine(
        '[instruments."BTC.SIM"]\nmax_order_qty = 5\n',
        {"s": (strategy, "10000", None)},
        {BTC: _flat(4)},
    )

    engine.run()

    assert strategy.denials() == ([] if code is None else [code])
    assert _position(engine, "s") == (size if code is None else 0)
    if code is not None:
        (denied,) = [u for u in strategy.updates if u.event == "OrderDenied"]
        assert denied.status is OrderStatus.DENIED
        assert "max_order_qty" in (denied.reason or "")


POSITION_LIMITS = {
    "max_position": ('[instruments."BTC.SIM"]\nmax_position = 10\n', "MAX_POSITION"),
    "max_strategy_position": (
        '[strategies.s.instruments."BTC.SIM"]\nmax_position = 10\n',
        "MAX_STRATEGY_POSITION",
    ),
}
# (what is already there, the new order): limit 10 -> 9, 10 and 11 lots in total.
POSITION_CASES = {
    "flat, limit-1": ({1: [9]}, 9, None),
    "flat, limit": ({1: [10]}, 10, None),
    "flat, limit+1": ({1: [11]}, 0, 11),
    "held 5, limit-1": ({1: [5], 3: [4]}, 9, None),
    "held 5, limit": ({1: [5], 3: [5]}, 10, None),
    "held 5, limit+1": ({1: [5], 3: [6]}, 5, 6),
    "in flight 5, limit-1": ({1: [5, 4]}, 9, None),
    "in flight 5, limit": ({1: [5, 5]}, 10, None),
    "in flight 5, limit+1": ({1: [5, 6]}, 5, 6),
}


@pytest.mark.parametrize("limit", POSITION_LIMITS.values(), ids=POSITION_LIMITS.keys())
@pytest.mark.parametrize(
    ("plan", "final", "denied_size"), POSITION_CASES.values(), ids=POSITION_CASES.keys()
)
def test_when_a_position_would_cross_max_position_then_the_order_is_denied_with_its_code(
    limit: tuple[str, str], plan: dict[int, list[int]], final: int, denied_size: int | None
) -> None:
    config, code = limit
    strategy = Script(plan)
    engine = _engine(config, {"s": (strategy, "10000", None)}, {BTC: _flat(5)})

    engine.run()

    assert _position(engine, "s") == final
    denied = [u for u in strategy.updates if u.event == "OrderDenied"]
    if denied_size is None:
        assert denied == []
    else:
        (update,) = denied
        assert update.raw.reason_code == code  # type: ignore[attr-defined]
        order = engine.oms.order(update.client_order_id)
        assert order is not None
        assert order.quantity == denied_size


class AtTheClose(Strategy):
    """On every bar: a one-lot buy limit at the bar's close, and a one-lot market buy."""

    def on_start(self) -> None:
        self.updates: list[OrderUpdate] = []

    def on_bar(self, bar: MarketBar) -> None:
        self.buy(1, limit=bar.close)
        self.buy(1)

    def on_order(self, update: OrderUpdate) -> None:
        self.updates.append(update)


def test_when_a_strategy_trades_on_the_bar_it_just_saw_then_risk_knows_that_price() -> None:
    # A collar needing a reference at most 30 s old, bars a minute apart, and a leverage
    # limit that values market orders at the reference: the bar the strategy acts on is
    # the reference, not the one before it (nor none at all on the first bar).
    config = """
[global]
price_collar_bps = 100
reference_max_age_s = 30
max_leverage = 10
"""
    strategy = AtTheClose()
    engine = _engine(config, {"s": (strategy, "10000", None)}, {BTC: _falling(flat=2)})

    engine.run()

    denied = [(u.raw.reason_code, u.reason) for u in strategy.updates if u.event == "OrderDenied"]  # type: ignore[attr-defined]
    assert denied == []
    assert len(engine.oms.orders()) == 2 * len(_falling(flat=2))


# (config, reason code, allocation): the allocation bounds a strategy's gross exposure
# unless a leverage or exposure limit of its own does, so the global case allocates more
# than the global limit for that limit to be the one that binds.
EXPOSURE_LIMITS = {
    "max_leverage": ("[strategy_defaults]\nmax_leverage = 2\n", "MAX_LEVERAGE", "10000"),
    "max_gross_exposure": ("[global]\nmax_gross_exposure = 20000\n", "MAX_GROSS_EXPOSURE", "30000"),
}


@pytest.mark.parametrize("limit", EXPOSURE_LIMITS.values(), ids=EXPOSURE_LIMITS.keys())
def test_when_a_hundred_orders_go_out_before_any_fill_then_exposure_stays_within_the_limit(
    limit: tuple[str, str, str],
) -> None:
    config, code, allocation = limit
    # 100 market buys of 5 lots at 100 (50,000) in one bar, the venue 30 s away: none is
    # acknowledged, let alone filled, while the others are checked. 2 x 10,000 of equity
    # (or 20,000 gross) allows exactly 40 of them.
    strategy = Script({2: [5] * 100})
    engine = _engine(
        config,
        {"s": (strategy, allocation, None)},
        {BTC: _flat(4)},
        latency=LatencyModel(submit_ns=30 * SECOND),
    )
    engine.build()
    risk = engine.risk
    assert risk is not None
    peak_working = 0

    def watch(update: OrderUpdate) -> None:
        nonlocal peak_working
        strategy.updates.append(update)
        peak_working = max(peak_working, risk.tracker.working_notional(StrategyId("s"))[0])

    strategy.on_order = watch  # type: ignore[method-assign]

    engine.run()

    orders = engine.oms.orders(StrategyId("s"))
    denied = [o for o in orders if o.status is OrderStatus.DENIED]
    filled = [o for o in orders if o.status is OrderStatus.FILLED]
    assert len(filled) == 40
    assert len(denied) == 60
    assert all(o.status in (OrderStatus.FILLED, OrderStatus.DENIED) for o in orders)
    assert _position(engine, "s") == 200
    assert peak_working <= 20_000 * 10**12
    assert risk.tracker.gross_exposure(StrategyId("s")) <= 2 * risk.tracker.equity(StrategyId("s"))
    assert set(strategy.denials()) == {code}


def test_when_a_market_order_is_working_then_it_counts_at_the_reference_it_was_sent_at() -> None:
    # A market buy of 5 lots sent on the second bar (at 1,000), the venue 90 s away while
    # the price climbs a point a bar (within the slippage kill switch's 50 bps): until it
    # fills it counts as 5 x 1,000, not at the prices seen while it travels (its
    # acknowledgement changes neither its leaves nor its own price).
    strategy = Script({2: [5]})
    rising = [(str(p),) * 4 for p in (1000, 1000, 1001, 1002, 1003, 1004)]
    engine = _engine(
        "[global]\nmax_gross_exposure = 100000\n",
        {"s": (strategy, "10000", None)},
        {BTC: rising},
        latency=LatencyModel(submit_ns=90 * SECOND),
    )
    engine.build()
    risk = engine.risk
    assert risk is not None
    seen: list[tuple[str, int]] = []

    def watch(update: OrderUpdate) -> None:
        strategy.updates.append(update)
        seen.append((update.event, risk.tracker.working_notional(StrategyId("s"))[0]))

    strategy.on_order = watch  # type: ignore[method-assign]

    engine.run()

    working = [notional for event, notional in seen if event != "OrderFilled"]
    assert working, seen
    assert set(working) == {5 * 1000 * 10**12}, seen
    assert _position(engine, "s") == 5
    assert risk.tracker.working_notional(StrategyId("s")) == (0, 0)


def test_when_the_oms_refuses_an_approved_order_then_it_leaves_no_working_count() -> None:
    # The risk engine counts an approved order as it hands it to the OMS. A reused client
    # order id (denied while its first order works) must leave that order's count as it
    # was, and an order the OMS cannot even build (quantity 0) must count for nothing.
    engine = _engine("[global]\nmax_gross_exposure = 100000\n", {"s": (Script(), "10000", None)},
                     {BTC: _flat(3, 1000)})  # fmt: skip
    engine.build()
    risk = engine.risk
    assert risk is not None
    factory = OrderFactory(StrategyId("s"), engine.clock, seed=5)
    resting = factory.limit(BTC.id, OrderSide.BUY, 5, 900)  # far below the market: it rests
    engine.bus.send(SubmitOrder(order=resting, ts_init=0))
    one = risk.tracker.working_notional(StrategyId("s"))
    assert one == (5 * 900 * 10**12, 0)
    engine.bus.send(SubmitOrder(order=resting, ts_init=0))  # the same id again: denied
    empty = msgspec.structs.replace(factory.limit(BTC.id, OrderSide.SELL, 1, 1100), quantity=0)
    engine.bus.send(SubmitOrder(order=empty, ts_init=0))
    assert risk.denials == 0  # both passed the checks: the OMS denied them
    assert [o.status for o in engine.oms.orders()] == [OrderStatus.ACCEPTED]
    assert engine.oms.denials == 2
    assert risk.tracker.working_notional(StrategyId("s")) == one
    assert risk.tracker._contribution.keys() == {resting.client_order_id}


def test_when_strategies_open_positions_one_after_another_then_gross_counts_every_one() -> None:
    # a buys BTC on its first bar (its check is the first to ask for exposure), b buys ETH
    # two bars later: the exposures sum over every filled (strategy, instrument), b's too.
    a, b = Script({1: [3]}), Script({3: [4]})
    engine = _engine(
        "[global]\nmax_gross_exposure = 10000000\n",
        {"a": (a, "50000", BTC), "b": (b, "50000", ETH)},
        {BTC: _flat(5, 100), ETH: _flat(5, 40)},
    )
    engine.run()
    risk = engine.risk
    assert risk is not None
    assert (_position(engine, "a"), _position(engine, "b", ETH)) == (3, 4)
    btc, eth = 3 * 100 * BTC.unit_raw, 4 * 40 * ETH.unit_raw
    assert risk.tracker.gross_exposure(StrategyId("a")) == btc
    assert risk.tracker.gross_exposure(StrategyId("b")) == eth
    assert risk.tracker.gross_exposure(None) == btc + eth
    assert risk.tracker.net_exposure(None) == btc + eth


# --- breakers ---------------------------------------------------------------------------------

CORRELATED = """
[breakers]
strategy_max_drawdown = "0.10"
strategy_daily_loss = "0.5"
portfolio_max_drawdown = "0.06"
platform_max_drawdown = "0.5"
"""


def _pair(journal: Path | None = None, size: int = 200, every: int = 0) -> BacktestEngine:
    """Strategy a long BTC, b long ETH, 50,000 each; both markets fall 100 -> 80 together."""
    a = Script({1: [size]}, every)
    b = Script({1: [size]}, every)
    return _engine(
        CORRELATED,
        {"a": (a, "50000", BTC), "b": (b, "50000", ETH)},
        {BTC: _falling(), ETH: _falling()},
        journal=journal,
    )


def test_when_a_correlated_pair_loses_together_then_the_portfolio_breaker_stops_both(
    tmp_path: Path,
) -> None:
    # 200 lots each: a 20-point fall loses 4,000 of 50,000 (8%, under each own 10%), but
    # together 6% of 100,000 is reached at 15 points: the portfolio breaker trips first.
    engine = _pair(tmp_path / "breakers.sqlite")

    engine.run()

    risk = engine.risk
    assert risk is not None
    assert risk.breakers["portfolio"].trips == 1
    assert risk.breakers["portfolio"].state is BreakerState.COOLING_DOWN
    assert risk.breakers["strategy:a"].trips == 0
    assert risk.breakers["strategy:b"].trips == 0
    assert risk.breakers["platform"].trips == 0
    assert set(risk.disabled) == {StrategyId("a"), StrategyId("b")}
    assert (_position(engine, "a", BTC), _position(engine, "b", ETH)) == (0, 0)
    assert (engine.exchanges[SIM].position(BTC.id), engine.exchanges[SIM].position(ETH.id)) == (
        0,
        0,
    )
    assert len(risk.liquidator.plans) == 1
    for name in ("a", "b"):
        loss = Money("50000", USD) - engine.portfolio.equity(USD, StrategyId(name))
        assert loss < Money("5000", USD)  # each stayed under its own limit
    trips = [e for e in risk.events if e.to_state == "TRIGGERED"]
    assert [(e.level, e.scope) for e in trips] == [("portfolio", "portfolio")]


def test_when_the_portfolio_breaker_tripped_before_a_restart_then_both_stay_disabled(
    tmp_path: Path,
) -> None:
    journal = tmp_path / "breakers.sqlite"
    _pair(journal).run()

    again = _pair(journal, size=1, every=1)
    again.run()

    risk = again.risk
    assert risk is not None
    assert risk.breakers["portfolio"].state is BreakerState.COOLING_DOWN
    assert set(risk.disabled) == {StrategyId("a"), StrategyId("b")}
    assert (_position(again, "a", BTC), _position(again, "b", ETH)) == (0, 0)
    for name in ("a", "b"):
        orders = again.oms.orders(StrategyId(name))
        assert orders
        assert all(o.status is OrderStatus.DENIED for o in orders)


PLATFORM = """
[breakers]
strategy_max_drawdown = "0.9"
strategy_daily_loss = "0.9"
portfolio_max_drawdown = "0.9"
platform_max_drawdown = "0.01"
"""


def test_when_the_platform_breaker_trips_then_only_a_resume_re_enables_trading() -> None:
    # a holds 100 lots: 10 points down is 1% of the 100,000 account. b holds nothing.
    a = Script({1: [100]})
    b = Script()
    rows = _falling(bottom=85) + _flat(10, 85)
    engine = _engine(PLATFORM, {"a": (a, "50000", None), "b": (b, "50000", None)}, {BTC: rows})
    engine.build()
    risk = engine.risk
    assert risk is not None
    bars = bars_from_ohlc(BTC, rows, volume=VOLUME)
    engine.host.start()
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        for bar in bars[done : done + n]:
            engine.loop.dispatch(bar)
        done += n

    def try_to_buy(strategy: Script) -> OrderUpdate | None:
        before = len(strategy.updates)
        strategy.buy(1)
        advance(1)
        return strategy.updates[before] if len(strategy.updates) > before else None

    while risk.halted is None and done < len(bars):
        advance(1)
    assert risk.breakers["platform"].trips == 1
    advance(2)
    assert _position(engine, "a") == 0  # flattened
    update = try_to_buy(b)
    assert update is not None and update.raw.reason_code == "TRADING_HALTED"  # type: ignore[attr-defined]

    risk.reset(StrategyId("a"), operator="alice", reason="reviewed")  # not enough
    update = try_to_buy(a)
    assert update is not None and update.raw.reason_code == "TRADING_HALTED"  # type: ignore[attr-defined]
    with pytest.raises(InvalidInputError, match="operator"):
        risk.resume(operator="", reason="market calm")
    with pytest.raises(InvalidInputError, match="operator"):
        risk.resume(operator="alice", reason="  ")
    assert risk.halted is not None
    assert try_to_buy(b).raw.reason_code == "TRADING_HALTED"  # type: ignore[union-attr, attr-defined]

    risk.resume(operator="alice", reason="market calm")

    assert risk.halted is None
    for strategy, name in ((a, "a"), (b, "b")):
        update = try_to_buy(strategy)
        assert update is None or update.event != "OrderDenied", update
        advance(1)
        assert _position(engine, name) == 1
    assert risk.breakers["platform"].allows_trading


def test_when_an_operator_halts_then_nothing_trades_until_resume() -> None:
    strategy = Script(every=1)
    engine = _engine("", {"s": (strategy, "10000", None)}, {BTC: _flat(12)})
    engine.build()
    risk = engine.risk
    assert risk is not None
    bars: list[Bar] = bars_from_ohlc(BTC, _flat(12), volume=VOLUME)
    engine.host.start()
    for bar in bars[:3]:
        engine.loop.dispatch(bar)
    held = _position(engine, "s")
    assert held == 2

    risk.halt(operator="bob", reason="venue incident")
    for bar in bars[3:7]:
        engine.loop.dispatch(bar)
    assert _position(engine, "s") == held + 1  # only the order already working filled
    assert strategy.denials()[-4:] == ["TRADING_HALTED"] * 4
    assert risk.breakers["platform"].state is BreakerState.HALTED

    risk.resume(operator="bob", reason="venue back")
    for bar in bars[7:10]:
        engine.loop.dispatch(bar)
    assert _position(engine, "s") == held + 1 + 2
    assert risk.breakers["platform"].state is BreakerState.MONITORING
    kinds = [(e.from_state, e.to_state) for e in risk.events if e.scope == "platform"]
    assert ("MONITORING", "HALTED") in kinds
    assert ("HALTED", "MONITORING") in kinds
