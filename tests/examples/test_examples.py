"""The example strategies run on synthetic data without failing, and trade."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import ironkeel
from ironkeel.backtest import BacktestResult
from ironkeel.backtest.runner import Plan, StrategyPlan, currency_of, execute
from ironkeel.model import Instrument
from ironkeel.strategy import Strategy, load_strategy_class
from tests._bars import EXAMPLES, instrument, synthetic_bars

BTC = instrument("BTCUSD", tick="0.5", lot="0.001")
ETH = instrument("ETHUSD", tick="0.01", lot="0.01")
SOL = instrument("SOLUSD", tick="0.001", lot="0.1")
N_BARS = 1_500


def _cls(name: str) -> type[Strategy]:
    return load_strategy_class(EXAMPLES / f"{name}.py")


def _run_one(name: str, params: dict[str, Any] | None = None) -> BacktestResult:
    bars = synthetic_bars(BTC, N_BARS, seed=8)
    return ironkeel.backtest(_cls(name), bars, instrument=BTC, params=params, fees="bps:2")


def _ok(result: BacktestResult) -> dict[str, Any]:
    [row] = result.summary["strategies"].values()
    assert result.failures == []
    assert row["status"] == "ok"
    return row  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("sma_cross", None),
        ("sma_cross", {"fast": "5", "slow": "50", "size": "0.25"}),
        ("mean_reversion", None),
        ("mean_reversion", {"window": 30, "entry": 1.5, "offset_bps": 0}),
    ],
)
def test_when_a_single_instrument_example_runs_then_it_trades_without_failing(
    name: str, params: dict[str, Any] | None
) -> None:
    row = _ok(_run_one(name, params))

    assert row["n_trades"] >= 3  # mean_reversion exits by a limit offer: its fill must be seen
    assert Decimal(row["fees"]) > 0


def test_when_mean_reversion_runs_then_it_enters_with_limit_orders() -> None:
    result = _run_one("mean_reversion")

    orders = result.orders()
    entries = orders[(orders["side"] == "BUY") & (orders["status"] == "FILLED")]
    assert set(entries["type"]) == {"LIMIT"}
    assert (orders["status"] == "CANCELED").any()  # unfilled bids are given up


def test_when_sma_cross_gets_fast_not_below_slow_then_it_fails_at_start_saying_why() -> None:
    result = _run_one("sma_cross", {"fast": 30, "slow": 30})

    [failure] = result.failures
    assert failure["hook"] == "on_start"
    assert failure["error"] == "ValueError: fast (30) must be below slow (30)"
    assert result.summary["n_orders"] == 0


def _run_rotation(instruments: list[Instrument], params: dict[str, Any]) -> BacktestResult:
    starts = {"BTCUSD": "30000", "ETHUSD": "2000", "SOLUSD": "30"}
    streams = [
        (str(i.id), synthetic_bars(i, N_BARS, seed=11 + k, start=starts[i.id.symbol]))
        for k, i in enumerate(instruments)
    ]
    strategy = _cls("rotation")(params)
    plan = Plan(
        instruments=instruments,
        streams=streams,
        strategies=[
            StrategyPlan("rotation", strategy, tuple(i.id for i in instruments), None, "rotation")
        ],
        currency=currency_of("USD"),
        cash=Decimal(100_000),
    )
    return execute(plan)


@pytest.mark.parametrize("instruments", [[BTC, ETH], [BTC, ETH, SOL]])
def test_when_rotation_runs_on_several_instruments_then_it_trades_them(
    instruments: list[Instrument],
) -> None:
    result = _run_rotation(instruments, {"lookback": 60, "rebalance": 30})

    row = _ok(result)
    assert row["n_trades"] > 3
    traded = set(result.fills()["instrument"])
    assert len(traded) >= 2
    assert traded <= {str(i.id) for i in instruments}


def test_when_rotation_holds_then_it_holds_one_instrument_at_a_time() -> None:
    result = _run_rotation([BTC, ETH, SOL], {"lookback": 60, "rebalance": 30})

    held: dict[str, Decimal] = {}
    fills = result.fills()
    for (_, _), group in fills.groupby(["ts_ns", "instrument"], sort=True):
        for _, fill in group.iterrows():
            sign = 1 if fill["side"] == "BUY" else -1
            held[fill["instrument"]] = held.get(fill["instrument"], Decimal(0)) + (
                sign * fill["quantity"]
            )
        assert sum(1 for q in held.values() if q != 0) <= 2  # the old one closes as the new opens
    assert all(q >= 0 for q in held.values())


def test_when_runaway_runs_then_it_buys_on_every_bar_regardless() -> None:
    bars = synthetic_bars(BTC, 300, seed=4)

    result = ironkeel.backtest(_cls("runaway"), bars, instrument=BTC, fees="none")

    row = _ok(result)
    assert row["n_orders"] == len(bars)  # one market buy per bar
    assert row["n_fills"] == len(bars) - 1  # the last bar's order has no next open
    assert set(result.orders()["side"]) == {"BUY"}
    assert row["n_trades"] == 0  # it never sells
    assert Decimal(result.equity_rows[-1][2]) != Decimal(100_000)
