"""Correlation deleveraging: two strategies whose returns move together get their size and
leverage limits halved, by an audited configuration change, and the halving bites."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from ironkeel import Strategy
from ironkeel.model import StrategyId
from ironkeel.risk.config import load_risk_config
from ironkeel.risk.deleverage import scaled_config
from ironkeel.strategy import MarketBar, OrderUpdate
from tests.risk.test_engine import BTC, _engine

CONFIG = """
[strategy_defaults]
max_leverage = 4
max_order_notional = 100000
[strategies.a.instruments."BTC.SIM"]
max_order_qty = 9
[strategies.b.instruments."BTC.SIM"]
max_order_qty = 9
[breakers]
strategy_max_drawdown = "0.99"
strategy_daily_loss = "0.99"
portfolio_max_drawdown = "0.99"
platform_max_drawdown = "0.99"
correlation_threshold = "0.85"
correlation_window_s = 1800
"""


def test_when_scaled_then_the_strategy_limits_are_halved_onto_the_grid() -> None:
    config = load_risk_config(CONFIG)
    scaled = scaled_config(config, [StrategyId("a")], {BTC.id: BTC})
    a, b = scaled.strategies["a"], scaled.strategies["b"]
    assert a.max_leverage == Decimal(2)
    assert a.max_order_notional == Decimal(50000)
    assert a.instruments["BTC.SIM"].max_order_qty == Decimal(4)  # 4.5 rounded down to a lot
    assert b == config.strategies["b"]
    assert scaled.digest() != config.digest()
    unchanged = scaled_config(config, [StrategyId("a")], {BTC.id: BTC}, Fraction(1))
    assert unchanged.strategies["a"].instruments == config.strategies["a"].instruments


class HoldAndProbe(Strategy):
    """Buys 2 on bar 1, then an order of ``probe`` lots every 10th bar (the pair's
    correlation needs 30 one-minute samples, so the first probes pass the full limit)."""

    probe: int = 6

    def on_start(self) -> None:
        self.bars = 0
        self.denials: list[str] = []

    def on_bar(self, bar: MarketBar) -> None:
        self.bars += 1
        if self.bars == 1:
            self.buy(2)
        elif self.bars % 10 == 0 and self.position() < 60:
            self.buy(self.probe)

    def on_order(self, update: OrderUpdate) -> None:
        if update.event == "OrderDenied":
            self.denials.append(update.raw.reason_code)  # type: ignore[attr-defined]


def test_when_two_strategies_move_together_then_their_limits_are_halved(tmp_path: Path) -> None:
    rows = []
    price = 1000
    for k in range(120):  # a random-looking walk both strategies ride identically
        step = (7 * k * k + 3 * k) % 11 - 5
        nxt = max(price + step, 900)
        rows.append((str(price), str(max(price, nxt)), str(min(price, nxt)), str(nxt)))
        price = nxt
    a, b = HoldAndProbe({}), HoldAndProbe({})
    engine = _engine(tmp_path, CONFIG, {"a": (a, "40000"), "b": (b, "40000")}, rows, journal=False)
    engine.run()
    risk = engine.risk
    assert risk is not None
    assert risk.deleveraged == {StrategyId("a"), StrategyId("b")}
    assert any(e.scope == "correlation" and e.to_state == "DELEVERAGED" for e in risk.events)
    # 6 lots passed the limit of 9 before, and are denied by the halved limit of 4 after.
    assert "MAX_ORDER_QTY" in a.denials
    assert "MAX_ORDER_QTY" in b.denials
    assert engine.portfolio.position(StrategyId("a"), BTC.id).qty >= 8


class BuyOnceMore(Strategy):
    """Buys ``size`` on the first bar and holds."""

    size: int = 1

    def on_start(self) -> None:
        self.bars = 0
        self.denials: list[str] = []

    def on_bar(self, bar: MarketBar) -> None:
        self.bars += 1
        if self.bars == 1:
            self.buy(self.size)

    def on_order(self, update: OrderUpdate) -> None:
        if update.event == "OrderDenied":
            self.denials.append(update.raw.reason_code)  # type: ignore[attr-defined]


def test_when_a_strategy_has_no_exposure_limit_then_its_allocation_bounds_it(
    tmp_path: Path,
) -> None:
    big, small = BuyOnceMore({"size": 101}), BuyOnceMore({"size": 99})
    engine = _engine(tmp_path, "", {"big": (big, "10000"), "small": (small, "10000")},
                     [("100",) * 4] * 3, journal=False)  # fmt: skip
    engine.run()
    assert big.denials == ["MAX_GROSS_EXPOSURE"]  # 101 x 100 > the 10,000 allocated
    assert small.denials == []
    assert engine.portfolio.position(StrategyId("small"), BTC.id).qty == 99


def test_when_a_strategys_volatility_doubles_then_its_limits_shrink(tmp_path: Path) -> None:
    from ironkeel.backtest import BacktestEngine  # noqa: PLC0415
    from ironkeel.model import Bar, BarType, Money  # noqa: PLC0415
    from tests._bars import SIM, START_NS, USD  # noqa: PLC0415

    day = 86_400_000_000_000
    bar_type = BarType(BTC.id, day)
    closes = [1000 + (10 if k % 2 else -10) for k in range(22)]  # calm: +-1%
    closes += [1000 + (40 if k % 2 else -40) for k in range(22)]  # four times the moves
    bars = []
    previous = 1000
    for k, close in enumerate(closes):
        ts = START_NS + (k + 1) * day
        bars.append(Bar(bar_type, previous, max(previous, close), min(previous, close), close,
                        10, ts, ts))  # fmt: skip
        previous = close
    engine = BacktestEngine(seed=1)
    engine.add_instrument(BTC)
    engine.add_venue(SIM, [Money("100000", USD)])
    engine.add_data(bars)
    engine.add_strategy("s", BuyOnceMore({"size": 5}), allocation=Money("50000", USD))
    engine.add_risk(load_risk_config(CONFIG.replace("[strategies.a", "[strategies.x")
                                     .replace("[strategies.b", "[strategies.y")), USD)  # fmt: skip
    engine.run()
    risk = engine.risk
    assert risk is not None
    scale = risk.scales[StrategyId("s")]
    assert scale < Fraction(1, 2)  # the realized vol far more than doubled
    assert scale > 0
