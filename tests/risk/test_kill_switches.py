"""Automatic kill switches: slippage beyond the limit, a data gap, stale data on the timer."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ironkeel import Strategy
from ironkeel.cli.operator import apply_action
from ironkeel.model import AggressorSide, InstrumentId, StrategyId, TradeTick
from ironkeel.risk.breaker import BreakerState
from ironkeel.risk.config import load_risk_config
from ironkeel.risk.reference import NO_PRICE, TRADE, Reference
from ironkeel.risk.tripwires import Tripwires
from ironkeel.strategy import MarketBar
from ironkeel.venues.sim import SimConfig
from tests._bars import bars_from_ohlc
from tests.risk.test_engine import BTC, BuyOnce, _engine

S = StrategyId("s")
SECOND = 1_000_000_000


def test_when_a_fill_slips_beyond_the_limit_then_the_strategy_is_killed(tmp_path: Path) -> None:
    # Bought at bar 1's close (100); the next bar opens at 110: 1,000 bps of slippage.
    rows = [("100",) * 4, ("110", "111", "109", "110"), ("110",) * 4, ("110",) * 4]
    engine = _engine(
        tmp_path, "[breakers]\nmax_slippage_bps = 50\n", {"s": (BuyOnce({}), "10000")}, rows
    )
    engine.run()
    risk = engine.risk
    assert risk is not None
    assert S in risk.disabled
    assert "slipped beyond 50 bps" in risk.disabled[S]
    assert engine.portfolio.position(S, BTC.id).qty == 0  # liquidated
    assert any(e.to_state == "KILLED" for e in risk.events)


def test_when_slippage_stays_within_the_limit_then_nothing_happens(tmp_path: Path) -> None:
    rows = [("100",) * 4, ("100", "101", "99", "100"), ("100",) * 4]
    engine = _engine(
        tmp_path, "[breakers]\nmax_slippage_bps = 50\n", {"s": (BuyOnce({}), "10000")}, rows
    )
    engine.run()
    assert engine.risk is not None
    assert S not in engine.risk.disabled
    assert engine.portfolio.position(S, BTC.id).qty == 10


def test_when_a_later_partial_fill_slips_then_the_strategy_is_killed(tmp_path: Path) -> None:
    # Half of each bar's volume fills: 5 lots at bar 2's open (100, no slippage), the other
    # 5 at bar 3's open (110: 1,000 bps from the reference 100 the order was sent at).
    rows = [("100",) * 4, ("100",) * 4, ("110", "111", "109", "110")] + [("110",) * 4] * 3
    engine = _engine(
        tmp_path,
        "[breakers]\nmax_slippage_bps = 50\n",
        {"s": (BuyOnce({}), "10000")},
        rows,
        config=SimConfig(max_participation=Decimal("0.5")),
    )
    engine.run()
    risk = engine.risk
    assert risk is not None
    fills = [f for f in engine.fills.fills if f.strategy_id == S and f.side.name == "BUY"]
    assert [f.last_qty for f in fills] == [BTC.lots("5"), BTC.lots("5")]
    assert "slipped beyond 50 bps" in risk.disabled[S]
    assert engine.portfolio.position(S, BTC.id).qty == 0  # liquidated, 5 lots a bar


class RestThenCancel(Strategy):
    """A limit buy far below the market on the first bar, canceled on the second."""

    def on_start(self) -> None:
        self.bars = 0

    def on_bar(self, bar: MarketBar) -> None:
        self.bars += 1
        if self.bars == 1:
            self.buy(10, limit="50")
        elif self.bars == 2:
            self.cancel_all()


@pytest.mark.parametrize(
    ("strategy", "participation"),
    [(BuyOnce, "0.5"), (RestThenCancel, "1")],
    ids=["filled", "canceled"],
)
def test_a_reference_is_kept_while_its_order_works_and_forgotten_after(
    tmp_path: Path, strategy: type[Strategy], participation: str
) -> None:
    engine = _engine(
        tmp_path,
        "[breakers]\nmax_slippage_bps = 50\n",
        {"s": (strategy({}), "10000")},
        [("100",) * 4] * 4,
        config=SimConfig(max_participation=Decimal(participation)),
    )
    engine.build()
    risk = engine.risk
    assert risk is not None
    engine.run()
    assert S not in risk.disabled
    assert len(engine.oms.orders()) == 1
    assert not engine.oms.orders()[0].is_open
    assert risk.tracker._contribution == {}  # the closed order left no entry


def test_when_a_bar_is_missing_and_gaps_kill_then_the_strategy_is_killed(tmp_path: Path) -> None:
    bars = bars_from_ohlc(BTC, [("100",) * 4] * 6)
    del bars[3]  # one minute missing
    from ironkeel.backtest import BacktestEngine  # noqa: PLC0415
    from ironkeel.model import Money  # noqa: PLC0415
    from ironkeel.risk.config import load_risk_config  # noqa: PLC0415
    from tests._bars import SIM, USD  # noqa: PLC0415

    engine = BacktestEngine(seed=1)
    engine.add_instrument(BTC)
    engine.add_venue(SIM, [Money("100000", USD)])
    engine.add_data(bars)
    engine.add_strategy("s", BuyOnce({}), allocation=Money("10000", USD))
    engine.add_risk(load_risk_config("[breakers]\nkill_on_data_gap = true\n"), USD)
    engine.run()
    risk = engine.risk
    assert risk is not None
    assert "data gap: 1 bar(s)" in risk.disabled[S]
    assert engine.portfolio.position(S, BTC.id).qty == 0


def test_when_gaps_are_allowed_then_a_missing_bar_changes_nothing(tmp_path: Path) -> None:
    rows = [("100",) * 4] * 6
    engine = _engine(tmp_path, "", {"s": (BuyOnce({}), "10000")}, rows)
    engine.run()
    assert engine.risk is not None
    assert engine.risk.disabled == {}


def test_when_data_goes_stale_then_the_timer_kills_the_strategy(tmp_path: Path) -> None:
    engine = _engine(tmp_path, "[breakers]\nstale_data_s = 90\n", {"s": (BuyOnce({}), "10000")},
                     [("100",) * 4] * 3)  # fmt: skip
    engine.build()
    risk = engine.risk
    assert risk is not None
    engine.run()
    assert S not in risk.disabled
    # Live mode runs the risk timer; here it is driven by hand past the staleness limit.
    risk.start_timer(30_000_000_000)
    engine.clock.advance_to(engine.clock.timestamp_ns() + 120_000_000_000)
    assert "stale" in risk.disabled[S]


def test_an_automatic_kill_holds_across_a_restart_until_an_operator_resets_it(
    tmp_path: Path,
) -> None:
    """The kill halts the strategy's journaled breaker: an engine restored from the
    journal keeps the strategy disabled; an operator's reset lifts it (and journals it)."""
    rows = [("100",) * 4, ("110", "111", "109", "110"), ("110",) * 4, ("110",) * 4]
    config = "[breakers]\nmax_slippage_bps = 50\n"
    first = _engine(tmp_path, config, {"s": (BuyOnce({}), "10000")}, rows)
    first.run()
    assert first.risk is not None
    assert first.risk.breakers["strategy:s"].state is BreakerState.HALTED

    second = _engine(tmp_path, config, {"s": (BuyOnce({}), "10000")}, rows)
    second.build()
    risk = second.risk
    assert risk is not None
    assert risk.breakers["strategy:s"].state is BreakerState.HALTED
    assert S in risk.disabled

    risk.reset(S, operator="ops", reason="slippage understood")
    assert S not in risk.disabled
    assert risk.breakers["strategy:s"].state is BreakerState.MONITORING
    third = _engine(tmp_path, config, {"s": (BuyOnce({}), "10000")}, rows)
    third.build()
    assert third.risk is not None and S not in third.risk.disabled


def test_an_operator_kill_from_the_cli_is_lifted_by_risk_reset(tmp_path: Path) -> None:
    rows = [("100",) * 4] * 3
    engine = _engine(tmp_path, "", {"s": (BuyOnce({}), "10000")}, rows)
    engine.run()
    journal = tmp_path / "breakers.sqlite"
    apply_action(journal, action="halt", breaker_name="strategy:s", operator="ops",
                 reason="runaway", audit_path=None)  # fmt: skip
    apply_action(journal, action="reset", breaker_name="strategy:s", operator="ops",
                 reason="fixed", audit_path=None)  # fmt: skip
    restored = _engine(tmp_path, "", {"s": (BuyOnce({}), "10000")}, rows)
    restored.build()
    assert restored.risk is not None
    assert restored.risk.breakers["strategy:s"].state is BreakerState.MONITORING
    assert S not in restored.risk.disabled


def _trade(instrument_id: InstrumentId, ts: int) -> TradeTick:
    return TradeTick(instrument_id, 3_000_000, 1, AggressorSide.BUYER, f"t{ts}", ts, ts)


def test_staleness_reads_the_latest_item_of_any_of_an_instruments_streams() -> None:
    wires = Tripwires(load_risk_config("[breakers]\nstale_data_s = 90\n").breakers)
    btc = InstrumentId.parse("BTCUSD.SIM")
    prices, book = Reference(), Reference()
    wires.watch(btc, prices)
    wires.watch(btc, book)
    wires.watch(btc, book)  # watched once
    assert wires.stale(10**15) == []  # no data yet: not judged
    prices.keep(_trade(btc, 1_000 * SECOND), TRADE)
    assert wires.stale(1_090 * SECOND) == []  # at the limit
    assert [i for i, _ in wires.stale(1_091 * SECOND)] == [btc]
    book.keep(_trade(btc, 1_050 * SECOND), NO_PRICE)  # a fresher book update keeps it alive
    assert wires.stale(1_091 * SECOND) == []
    (found,) = wires.stale(1_141 * SECOND)
    assert found == (
        btc,
        f"market data for {btc} is stale: last at {1_050 * SECOND}, now {1_141 * SECOND}",
    )
