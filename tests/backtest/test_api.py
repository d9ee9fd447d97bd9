"""``ironkeel.backtest(...)``: the notebook mirror of the CLI, same figures for the same inputs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import ironkeel
from ironkeel.backtest import BacktestResult
from ironkeel.model import Bar, InvalidInputError, IronkeelError
from ironkeel.strategy import load_strategy_class
from tests.backtest.conftest import BTC, N_BARS, SMA_CROSS

PARAMS = {"fast": 5, "slow": 20}


def test_when_given_a_script_and_a_file_then_it_runs_like_the_cli(btc_csv: Path) -> None:
    result = ironkeel.backtest(SMA_CROSS, btc_csv, params=PARAMS, fees="none")

    assert isinstance(result, BacktestResult)
    assert result.complete
    assert result.summary["bars"] == N_BARS
    assert result.summary["n_trades"] > 3
    assert set(result.summary["strategies"]) == {"sma_cross"}


def test_when_given_a_class_and_bars_in_memory_then_the_figures_equal_the_file_run(
    btc_csv: Path, btc_bars: list[Bar]
) -> None:
    from_file = ironkeel.backtest(SMA_CROSS, btc_csv, symbol="BTCUSD", params=PARAMS, fees="none")
    cls = load_strategy_class(SMA_CROSS)

    in_memory = ironkeel.backtest(cls, btc_bars, instrument=BTC, params=PARAMS, fees="none")

    assert in_memory.summary["final_equity"] == from_file.summary["final_equity"]
    assert [r[1:] for r in in_memory.trade_rows] == [r[1:] for r in from_file.trade_rows]
    assert [r[2:] for r in in_memory.equity_rows] == [r[2:] for r in from_file.equity_rows]


def test_when_given_an_instance_then_that_instance_is_run(btc_bars: list[Bar]) -> None:
    strategy = load_strategy_class(SMA_CROSS)(PARAMS)

    result = ironkeel.backtest(strategy, btc_bars, instrument=BTC)

    assert strategy.fast_sma.count == N_BARS  # type: ignore[attr-defined]
    assert result.summary["strategies"]["SmaCross"]["params"]["fast"] == 5


def test_when_asked_then_the_result_gives_exact_dataframes_and_writes_files(
    tmp_path: Path, btc_bars: list[Bar]
) -> None:
    cls = load_strategy_class(SMA_CROSS)

    result = ironkeel.backtest(cls, btc_bars, instrument=BTC, params=PARAMS, out=tmp_path / "o")

    trades = result.trades()
    assert isinstance(trades, pd.DataFrame)
    assert all(isinstance(v, Decimal) for v in trades["pnl"])
    assert len(result.orders()) == result.summary["n_orders"]
    assert len(result.fills()) == result.summary["n_fills"]
    equity = result.equity()
    assert len(equity) == N_BARS
    assert str(equity.index.tz) == "UTC"
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "equity.csv",
        "fills.csv",
        "orders.csv",
        "prices.csv",
        "summary.json",
        "trades.csv",
    ]


def test_when_bars_come_without_an_instrument_then_the_error_asks_for_one(
    btc_bars: list[Bar],
) -> None:
    with pytest.raises(InvalidInputError, match="pass instrument=Instrument"):
        ironkeel.backtest(SMA_CROSS, btc_bars)


def test_when_an_instrument_comes_with_files_then_the_error_says_to_drop_it(
    btc_csv: Path,
) -> None:
    with pytest.raises(InvalidInputError, match="is only for in-memory data"):
        ironkeel.backtest(SMA_CROSS, btc_csv, instrument=BTC)


def test_when_the_data_is_empty_then_the_error_says_so() -> None:
    with pytest.raises(InvalidInputError, match="is empty"):
        ironkeel.backtest(load_strategy_class(SMA_CROSS), [], instrument=BTC)
    with pytest.raises(IronkeelError, match="is empty"):
        ironkeel.backtest(SMA_CROSS, [])


def test_when_the_package_was_imported_then_ironkeel_backtest_still_runs(
    btc_bars: list[Bar],
) -> None:
    from ironkeel import backtest  # noqa: PLC0415 - the two-name API, on purpose

    cls = load_strategy_class(SMA_CROSS)

    assert ironkeel.backtest(cls, btc_bars, instrument=BTC).complete
    assert backtest(cls, btc_bars, instrument=BTC).complete
