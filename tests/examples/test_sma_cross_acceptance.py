"""Acceptance: sma_cross (fast=10, slow=30, size=1) on the real BTC perpetual 1-minute bars
(the whole file: 45,031 bars, 2021-12-31 23:01 to 2022-02-01 05:31 UTC), checked trade by
trade against an independent reference computed here, then pinned by golden numbers.

The reference reads the CSV with the csv module, sums each SMA window exactly (Decimal sums,
Fraction means) and applies the documented rule: previous diff <= 0 < diff while flat buys
at the NEXT bar's open; previous diff >= 0 > diff while long sells at the next bar's open.
A fill is stamped with the filling bar's close time (its CSV open time + 1 minute).

Every trade equals the exact rule's. This holds although the strategy decides on float
SMAs because the SMA divides its (exact) window sum by the period, a correctly rounded
operation: two windows with equal exact means give equal floats. At two bars of this file
the exact diff is 0 (3 * sum10 == sum30); an SMA that multiplied by a rounded 1/period
instead saw +7.28e-12 there and bought one bar early (pinned below as a regression guard).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from ironkeel.backtest import BacktestResult, run_backtest
from ironkeel.backtest.spec import decode_spec
from tests._bars import EXAMPLES

REAL = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "real"
    / "btc-perp-20211231-20220201_1m.csv"
)
pytestmark = pytest.mark.skipif(
    not REAL.is_file(), reason=f"real data not found at {REAL} (../shared beside the repo)"
)
FAST, SLOW = 10, 30
MINUTE_NS = 60_000_000_000

# Golden numbers of this run (no fees, 100,000 USD starting cash, 1 BTC per trade).
GOLDEN_FINAL_EQUITY = "80632.5"
GOLDEN_TOTAL_RETURN = -0.193675
GOLDEN_N_TRADES = 945
# CSV data rows (0-based, header excluded) where the exact diff is 0: a float SMA computed
# as sum * (1/period) gives FLOAT_TIE_DIFF there, one computed as sum / period gives 0.
FLOAT_TIES = {4044: "2022-01-03 18:25:00", 20271: "2022-01-15 00:52:00"}
FLOAT_TIE_DIFF = 7.275957614183426e-12


@dataclass(frozen=True)
class RoundTrip:
    entry_ns: int
    entry_price: Decimal
    exit_ns: int
    exit_price: Decimal


@dataclass(frozen=True)
class Reference:
    stamps: list[str]  # CSV open-time text of each row
    close_ns: list[int]  # each bar's close time
    opens: list[Decimal]
    exact_diffs: list[Fraction | None]
    float_diffs: list[float | None]  # sum / period, as the SMA computes
    reciprocal_diffs: list[float | None]  # sum * (1 / period), the rejected way

    def trades(self, diffs: Sequence[Fraction | float | None]) -> list[RoundTrip]:
        """The documented rule applied to ``diffs``; an order on the last bar never fills."""
        trips: list[RoundTrip] = []
        long = False
        entry: tuple[int, Decimal] | None = None
        previous: Fraction | float | None = None
        last = len(self.opens) - 1
        for i, diff in enumerate(diffs):
            if diff is None:
                continue
            before, previous = previous, diff
            if before is None or i == last:
                continue
            if before <= 0 < diff and not long:
                long, entry = True, (self.close_ns[i + 1], self.opens[i + 1])
            elif before >= 0 > diff and long and entry is not None:
                long = False
                trips.append(RoundTrip(*entry, self.close_ns[i + 1], self.opens[i + 1]))
        return trips


def _read_reference() -> Reference:
    with REAL.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    closes = [Decimal(r["close"]) for r in rows]
    exact: list[Fraction | None] = []
    floats: list[float | None] = []
    reciprocal: list[float | None] = []
    for i in range(len(rows)):
        if i < SLOW - 1:
            exact.append(None)
            floats.append(None)
            reciprocal.append(None)
            continue
        fast_sum = sum(closes[i - FAST + 1 : i + 1], Decimal(0))
        slow_sum = sum(closes[i - SLOW + 1 : i + 1], Decimal(0))
        exact.append(Fraction(fast_sum) / FAST - Fraction(slow_sum) / SLOW)
        # The window sums are exact in floats here (multiples of 0.125).
        floats.append(float(fast_sum) / FAST - float(slow_sum) / SLOW)
        reciprocal.append(float(fast_sum) * (1.0 / FAST) - float(slow_sum) * (1.0 / SLOW))
    return Reference(
        stamps=[r["timestamp"][:19] for r in rows],
        close_ns=[_ns(r["timestamp"]) + MINUTE_NS for r in rows],
        opens=[Decimal(r["open"]) for r in rows],
        exact_diffs=exact,
        float_diffs=floats,
        reciprocal_diffs=reciprocal,
    )


def _ns(text: str) -> int:
    opened = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return int(opened.timestamp()) * 1_000_000_000


@pytest.fixture(scope="module")
def reference() -> Reference:
    return _read_reference()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[BacktestResult, Path]:
    out = tmp_path_factory.mktemp("sma_cross_real")
    spec = decode_spec(
        {
            "data": [{"path": str(REAL), "symbol": "BTCPERP", "policy": "repair"}],
            "instruments": [
                {"symbol": "BTCPERP", "price_increment": "0.125", "size_increment": "0.001"}
            ],
            "strategies": [
                {
                    "name": "sma",
                    "file": str(EXAMPLES / "sma_cross.py"),
                    "params": {"fast": FAST, "slow": SLOW, "size": "1"},
                }
            ],
            "cash": "100000",
            "currency": "USD",
            "fees": "none",
            "out": str(out),
        },
        "acceptance",
    )
    return run_backtest(spec), out


def _engine_trades(result: BacktestResult) -> list[RoundTrip]:
    frame = result.trades()
    assert set(frame["quantity"]) == {Decimal(1)}
    assert set(frame["direction"]) == {"long"}
    return [
        RoundTrip(int(r.entry_ns), r.entry_price, int(r.exit_ns), r.exit_price)
        for r in frame.itertuples()
    ]


def _file_trades(folder: Path) -> list[RoundTrip]:
    with (folder / "trades.csv").open(newline="", encoding="utf-8") as handle:
        return [
            RoundTrip(
                int(r["entry_ns"]),
                Decimal(r["entry_price"]),
                int(r["exit_ns"]),
                Decimal(r["exit_price"]),
            )
            for r in csv.DictReader(handle)
        ]


def _at(reference: Reference, row: int) -> tuple[int, Decimal]:
    return reference.close_ns[row], reference.opens[row]


def test_when_sma_cross_trades_real_btc_then_each_trade_is_the_exact_rules(
    reference: Reference, run: tuple[BacktestResult, Path]
) -> None:
    exact = reference.trades(reference.exact_diffs)

    assert _engine_trades(run[0]) == exact
    assert len(exact) == GOLDEN_N_TRADES


def test_when_the_exact_diff_is_zero_then_the_float_diff_is_zero_too(
    reference: Reference,
) -> None:
    for row, stamp in FLOAT_TIES.items():
        assert reference.stamps[row] == stamp
        assert reference.exact_diffs[row] == 0
        assert reference.float_diffs[row] == 0.0
        assert reference.reciprocal_diffs[row] == FLOAT_TIE_DIFF  # why the SMA divides
    # Everywhere else the float sign is the exact sign, so the decisions cannot differ.
    for exact, floating in zip(reference.exact_diffs, reference.float_diffs, strict=True):
        if exact is not None and floating is not None:
            assert (exact > 0) == (floating > 0)
            assert (exact < 0) == (floating < 0)
    # The trades the rejected reciprocal SMA would make differ at exactly those two ties.
    early = reference.trades(reference.reciprocal_diffs)
    exact_trades = reference.trades(reference.exact_diffs)
    assert sum(a != b for a, b in zip(early, exact_trades, strict=True)) == len(FLOAT_TIES)


def test_when_the_run_is_written_then_trades_csv_is_the_result_trades(
    run: tuple[BacktestResult, Path],
) -> None:
    result, out = run

    assert _file_trades(out) == _engine_trades(result)


def test_when_sma_cross_trades_real_btc_then_the_golden_numbers_hold(
    reference: Reference, run: tuple[BacktestResult, Path]
) -> None:
    summary: dict[str, Any] = run[0].summary

    assert summary["final_equity"] == GOLDEN_FINAL_EQUITY
    assert summary["total_return"] == GOLDEN_TOTAL_RETURN
    assert summary["n_trades"] == GOLDEN_N_TRADES
    assert summary["n_orders"] == summary["n_fills"] == 2 * GOLDEN_N_TRADES  # ends flat
    assert summary["bars"] == len(reference.opens) == 45_031
    assert summary["fees"] == "0"
    assert summary["complete"] is True
    assert summary["strategies"]["sma"]["status"] == "ok"


def test_when_flat_without_fees_then_final_equity_is_cash_plus_the_trades_pnl(
    reference: Reference, run: tuple[BacktestResult, Path]
) -> None:
    summary: dict[str, Any] = run[0].summary
    pnl = sum((t.exit_price - t.entry_price for t in _engine_trades(run[0])), Decimal(0))

    assert Decimal(summary["final_equity"]) == Decimal(100_000) + pnl
    assert Decimal(summary["strategies"]["sma"]["realized_pnl"]) == pnl
    exact_pnl = sum(
        (t.exit_price - t.entry_price for t in reference.trades(reference.exact_diffs)),
        Decimal(0),
    )
    assert pnl == exact_pnl
