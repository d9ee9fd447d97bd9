"""The runner end to end on synthetic files: deterministic outputs, a complete summary,
figures that agree with the portfolio and with each other, allocations."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ironkeel.backtest import BacktestEngine, SpecError, run_backtest
from ironkeel.backtest.outputs import money_text
from ironkeel.backtest.runner import execute, plan_from_spec
from ironkeel.model import Bar, Currency, StrategyId
from tests._bars import USD
from tests.backtest.conftest import (
    BTC,
    FAILING,
    FAILING_LINE,
    IDLE,
    N_BARS,
    SMA_CROSS,
    STEPPER,
    make_spec,
)

FIGURES = ("final_equity", "total_return", "max_drawdown", "sharpe", "n_orders", "n_fills",
           "n_trades", "fees")  # fmt: skip
FILES = ("summary.json", "orders.csv", "fills.csv", "trades.csv", "equity.csv")
Script = Callable[[str, str], str]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _two_strategies(script: Script) -> list[dict[str, Any]]:
    return [
        {"name": "stepper", "file": script("stepper", STEPPER), "params": {"every": 15}},
        {"name": "sma", "file": SMA_CROSS, "params": {"fast": 5, "slow": 20, "size": "0.5"}},
    ]


@pytest.fixture
def written(tmp_path: Path, btc_csv: Path, script: Script) -> Path:
    """A two-strategy run whose outputs are written to ``tmp_path / 'out'``."""
    run_backtest(make_spec([btc_csv], _two_strategies(script), out=str(tmp_path / "out")))
    return tmp_path / "out"


def test_when_a_run_is_repeated_then_every_output_file_is_byte_identical(
    tmp_path: Path, written: Path, btc_csv: Path, script: Script
) -> None:
    again = tmp_path / "again"

    run_backtest(make_spec([btc_csv], _two_strategies(script), out=str(again)))

    assert len(_rows(written / "trades.csv")) > 5
    for name in FILES:
        assert (again / name).read_bytes() == (written / name).read_bytes(), name


def test_when_a_run_ends_then_the_summary_has_the_headline_figures(written: Path) -> None:
    summary = json.loads((written / "summary.json").read_text(encoding="utf-8"))

    for key in ("start", "end", "bars", "strategies", *FIGURES):
        assert key in summary, key
    assert summary["complete"] is True
    assert summary["bars"] == N_BARS
    assert summary["start"].endswith("Z")
    assert summary["n_orders"] == len(_rows(written / "orders.csv"))
    assert summary["n_fills"] == len(_rows(written / "fills.csv"))
    assert summary["n_trades"] == len(_rows(written / "trades.csv"))
    assert set(summary["strategies"]) == {"stepper", "sma"}
    for row in summary["strategies"].values():
        for key in ("status", "realized_pnl", "allocation", *FIGURES):
            assert key in row, key
        assert row["status"] == "ok"
    assert summary["strategies"]["sma"]["params"] == {"fast": 5, "slow": 20, "size": "0.5"}
    per_strategy = summary["strategies"].values()
    assert sum(r["n_fills"] for r in per_strategy) == summary["n_fills"]
    assert sum(Decimal(r["fees"]) for r in per_strategy) == Decimal(summary["fees"])


def test_when_fees_are_charged_then_the_summary_fees_are_the_sum_of_the_fills(
    written: Path,
) -> None:
    summary = json.loads((written / "summary.json").read_text(encoding="utf-8"))
    fills = _rows(written / "fills.csv")

    assert Decimal(summary["fees"]) == sum(Decimal(f["commission"]) for f in fills)
    assert Decimal(summary["fees"]) > 0


def test_when_a_run_ends_then_final_equity_is_cash_plus_positions_at_the_last_close(
    written: Path, btc_bars: list[Bar], engines: list[BacktestEngine], btc_csv: Path, script: Script
) -> None:
    result = execute(plan_from_spec(make_spec([btc_csv], _two_strategies(script))))

    [engine] = engines
    assert result.summary["final_equity"] == money_text(engine.portfolio.equity(USD).raw)
    # Independently, from the fills: cash moves by each fill's notional and commission.
    cash, lots = Decimal(100_000), Decimal(0)
    for fill in _rows(written / "fills.csv"):
        sign = 1 if fill["side"] == "BUY" else -1
        cash -= sign * Decimal(fill["quantity"]) * Decimal(fill["price"])
        cash -= Decimal(fill["commission"])
        lots += sign * Decimal(fill["quantity"])
    last_close = btc_bars[-1].close * BTC.price_increment
    assert lots != 0  # the stepper still holds a position
    assert Decimal(result.summary["final_equity"]) == cash + lots * last_close
    assert money_text(engine.portfolio.cash(USD).raw) == format(cash.normalize(), "f")


def test_when_each_strategy_is_checked_then_its_equity_matches_its_ledger(
    btc_csv: Path, script: Script, engines: list[BacktestEngine]
) -> None:
    result = execute(plan_from_spec(make_spec([btc_csv], _two_strategies(script))))

    [engine] = engines
    for name, row in result.summary["strategies"].items():
        sid = StrategyId(name)
        assert row["final_equity"] == money_text(engine.portfolio.equity(USD, sid).raw)
        assert row["realized_pnl"] == money_text(engine.portfolio.ledger(sid).realized(USD).raw)


def test_when_trades_are_matched_then_their_pnl_sums_to_the_realized_pnl(written: Path) -> None:
    summary = json.loads((written / "summary.json").read_text(encoding="utf-8"))
    trades = _rows(written / "trades.csv")

    for name, row in summary["strategies"].items():
        pnl = sum((Decimal(t["pnl"]) for t in trades if t["strategy"] == name), Decimal(0))
        assert pnl == Decimal(row["realized_pnl"]), name
        assert row["n_trades"] == sum(1 for t in trades if t["strategy"] == name)


def test_when_a_position_is_closed_in_parts_then_trades_match_fifo(written: Path) -> None:
    stepper = [t for t in _rows(written / "trades.csv") if t["strategy"] == "stepper"]

    # buy 1, buy 1, sell 1.5: the first lot closes whole, the second by half
    first, second = stepper[:2]
    assert (first["quantity"], second["quantity"]) == ("1", "0.5")
    assert first["exit_ns"] == second["exit_ns"]
    assert first["entry_ns"] < second["entry_ns"]
    for trade in stepper:
        expected = (Decimal(trade["exit_price"]) - Decimal(trade["entry_price"])) * Decimal(
            trade["quantity"]
        )
        assert Decimal(trade["pnl"]) == expected


def test_when_a_run_ends_then_equity_csv_has_one_row_per_bar(
    written: Path, btc_bars: list[Bar]
) -> None:
    rows = _rows(written / "equity.csv")
    summary = json.loads((written / "summary.json").read_text(encoding="utf-8"))

    assert [int(r["ts_ns"]) for r in rows] == [b.ts_event for b in btc_bars]
    assert list(rows[0]) == ["ts_ns", "time", "equity", "equity_stepper", "equity_sma"]
    assert rows[0]["equity"] == "100000"
    assert rows[-1]["equity"] == summary["final_equity"]
    for row in rows:
        assert Decimal(row["equity"]) == Decimal(row["equity_stepper"]) + Decimal(row["equity_sma"])


def test_when_two_instruments_share_timestamps_then_equity_has_one_row_per_time(
    btc_csv: Path, eth_csv: Path, script: Script
) -> None:
    spec = make_spec([btc_csv, eth_csv], [{"name": "idle", "file": script("idle", IDLE)}])

    result = run_backtest(spec)

    assert result.summary["bars"] == 2 * N_BARS
    assert len(result.equity_rows) == N_BARS
    assert len(result.equity()) == N_BARS


@pytest.mark.parametrize(
    ("currency", "allocations", "expected"),
    [
        ("USD", [None, None, None], ["33333.33", "33333.33", "33333.33"]),
        ("USD", ["50000", None, None], ["50000", "25000", "25000"]),
        ("USD", ["10000", "20000", None], ["10000", "20000", "70000"]),
        ("USDT", [None, None, None], ["33333.33333333"] * 3),
    ],
)
def test_when_strategies_share_the_cash_then_each_gets_its_allocation_or_an_equal_share(
    btc_csv: Path,
    script: Script,
    currency: str,
    allocations: list[str | None],
    expected: list[str],
) -> None:
    idle = script("idle", IDLE)
    strategies = [
        {"name": f"s{k}", "file": idle} | ({"allocation": a} if a else {})
        for k, a in enumerate(allocations)
    ]

    result = run_backtest(make_spec([btc_csv], strategies, currency=currency))

    rows = result.summary["strategies"]
    assert [rows[f"s{k}"]["allocation"] for k in range(3)] == expected
    assert [rows[f"s{k}"]["final_equity"] for k in range(3)] == expected
    assert result.summary["final_equity"] == "100000"  # the rounding remainder stays unallocated


def test_when_allocations_exceed_the_cash_then_the_run_is_refused(
    btc_csv: Path, script: Script
) -> None:
    idle = script("idle", IDLE)
    strategies = [
        {"name": "a", "file": idle, "allocation": "60000"},
        {"name": "b", "file": idle, "allocation": "50000"},
    ]

    with pytest.raises(SpecError, match="above the cash 100000"):
        run_backtest(make_spec([btc_csv], strategies))


def test_when_the_only_strategy_fails_then_the_summary_says_failed_and_incomplete(
    btc_csv: Path, script: Script
) -> None:
    path = script("failing", FAILING)

    result = run_backtest(make_spec([btc_csv], [{"name": "f", "file": path}]))

    row = result.summary["strategies"]["f"]
    assert row["status"] == "failed"
    assert result.summary["complete"] is False
    assert row["failure"]["hook"] == "on_bar"
    assert row["failure"]["location"] == f"{path}:{FAILING_LINE}"
    assert row["failure"]["error"] == "RuntimeError: deliberate"
    assert result.failures == [row["failure"]]
    assert row["n_orders"] == 2  # its buy and the emergency sell
    assert result.trades()["quantity"].tolist() == [Decimal(1)]


def test_when_one_of_two_strategies_fails_then_the_run_is_still_complete(
    btc_csv: Path, script: Script
) -> None:
    strategies = [
        {"name": "f", "file": script("failing", FAILING)},
        {"name": "idle", "file": script("idle", IDLE)},
    ]

    result = run_backtest(make_spec([btc_csv], strategies))

    assert result.summary["complete"] is True
    assert result.summary["strategies"]["idle"]["status"] == "ok"
    assert [f["strategy"] for f in result.summary["failures"]] == ["f"]


def test_when_a_strategy_sets_a_timer_at_start_then_it_starts_at_the_first_bar(
    btc_csv: Path, btc_bars: list[Bar], script: Script
) -> None:
    timed = script(
        "timed",
        """
        from ironkeel import Strategy


        class Timed(Strategy):
            def on_start(self):
                self.started = self.now
                self.set_timer("hourly", 3_600_000_000_000)
                self.fired = []

            def on_timer(self, event):
                self.fired.append(event.ts_event)
        """,
    )
    plan = plan_from_spec(make_spec([btc_csv], [{"name": "t", "file": timed}]))

    execute(plan)

    strategy: Any = plan.strategies[0].strategy
    assert strategy.started == btc_bars[0].ts_event
    hour = 3_600_000_000_000
    assert strategy.fired == [btc_bars[0].ts_event + hour * k for k in range(1, 5)]


def test_when_progress_is_asked_for_then_it_is_reported_up_to_the_end(
    btc_csv: Path, script: Script
) -> None:
    seen: list[tuple[int, int]] = []
    plan = plan_from_spec(make_spec([btc_csv], [{"name": "idle", "file": script("idle", IDLE)}]))

    execute(plan, progress=lambda done, total: seen.append((done, total)))

    assert len(seen) >= 90
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1][0] == seen[-1][1]


def test_when_a_run_file_names_relative_paths_then_they_are_relative_to_its_folder(
    tmp_path: Path, btc_csv: Path, script: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    script("idle", IDLE)
    run_file = tmp_path / "run.toml"
    run_file.write_text(
        'out = "results"\nfees = "none"\n'
        '[[data]]\npath = "btcusd_1m.csv"\nsymbol = "BTCUSD"\n'
        '[[strategies]]\nname = "idle"\nfile = "idle.py"\n',
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    from ironkeel.backtest import load_run_file  # noqa: PLC0415 - after chdir, on purpose

    result = run_backtest(load_run_file(run_file))

    assert (tmp_path / "results" / "summary.json").is_file()
    assert result.summary["bars"] == N_BARS
    assert any("inferred" in note for note in result.summary["notes"])


def test_when_the_currency_is_unknown_then_the_run_asks_for_its_precision(
    btc_csv: Path, script: Script
) -> None:
    spec = make_spec([btc_csv], [{"name": "idle", "file": script("idle", IDLE)}], currency="XYZ")

    with pytest.raises(SpecError, match="set currency_precision"):
        plan_from_spec(spec)
    spec = make_spec(
        [btc_csv],
        [{"name": "idle", "file": script("idle", IDLE)}],
        currency="XYZ",
        currency_precision=3,
    )
    assert plan_from_spec(spec).currency == Currency("XYZ", 3)
