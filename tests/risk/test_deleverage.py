"""Correlation deleveraging: two strategies whose returns move together get their size and
leverage limits halved, by an audited configuration change, and the halving bites."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from ironkeel import Strategy
from ironkeel.model import StrategyId
from ironkeel.model.values import MONEY_SCALE
from ironkeel.risk.config import build_assembly, load_risk_config
from ironkeel.risk.controls import ScopeLimits
from ironkeel.risk.deleverage import scaled_limits
from ironkeel.strategy import MarketBar, OrderUpdate
from tests.risk.test_engine import BTC, _engine

MONEY = MONEY_SCALE  # money raw per unit of currency

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
    assembly = build_assembly(load_risk_config(CONFIG), {BTC.id: BTC})
    a = assembly.limits(StrategyId("a"))
    half = scaled_limits(a, Fraction(1, 2))
    assert half.max_leverage == Fraction(2)
    assert half.max_order_notional == 50_000 * MONEY
    assert half.instruments[BTC.id] == (4, None)  # 4.5 lots rounded down to a lot
    assert half.submit == a.submit
    assert scaled_limits(a, Fraction(1)) is a


def test_when_a_limit_would_scale_below_one_lot_then_it_stays_one_lot() -> None:
    text = '[strategies.a.instruments."BTC.SIM"]\nmax_order_qty = 1\nmax_position = 3'
    a = build_assembly(load_risk_config(text), {BTC.id: BTC}).limits(StrategyId("a"))
    assert scaled_limits(a, Fraction(1, 2)).instruments[BTC.id] == (1, 1)
    assert scaled_limits(a, Fraction(1, 10)).instruments[BTC.id] == (1, 1)


@given(
    raw=st.integers(1, 10**20),
    lots=st.integers(1, 10**9),
    p=st.integers(1, 10_000),
    q=st.integers(1, 20_000),
)
def test_scaled_limits_are_the_exact_product_floored(raw: int, lots: int, p: int, q: int) -> None:
    factor = Fraction(p, q)
    base = ScopeLimits(
        max_order_notional=raw,
        max_gross_exposure=raw + 1,
        max_net_exposure=None,
        max_leverage=Fraction(raw, 7),
        instruments={BTC.id: (lots, None)},
    )
    scaled = scaled_limits(base, factor)
    assert scaled.max_order_notional == max(1, math.floor(raw * factor))
    assert scaled.max_gross_exposure == max(1, math.floor((raw + 1) * factor))
    assert scaled.max_net_exposure is None
    assert scaled.max_leverage == Fraction(raw, 7) * factor
    assert scaled.instruments[BTC.id] == (max(1, math.floor(lots * factor)), None)
    if factor <= 1:  # never above the limit it scales
        assert scaled.max_order_notional <= raw


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
