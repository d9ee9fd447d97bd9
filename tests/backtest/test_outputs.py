"""Output figures: FIFO round trips, exact money text, drawdown, Sharpe, stable file formats."""

from __future__ import annotations

import json
import math
import random
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from ironkeel.backtest.outputs import (
    NANOS_PER_YEAR,
    drawdown,
    iso,
    match_trades,
    money_text,
    sharpe,
    write_csv,
    write_json,
)
from ironkeel.model import (
    AccountId,
    LiquiditySide,
    OrderFilled,
    OrderSide,
    StrategyId,
    TradeId,
    VenueOrderId,
    new_client_order_id,
)
from tests._bars import SIM, USD, instrument

BTC = instrument("BTCUSD", tick="0.5", lot="0.001")
INSTRUMENTS = {BTC.id: BTC}


def _fill(k: int, side: OrderSide, qty: str, px: str, strategy: str = "s") -> OrderFilled:
    return OrderFilled(
        ts_event=k,
        ts_init=k,
        strategy_id=StrategyId(strategy),
        instrument_id=BTC.id,
        client_order_id=new_client_order_id(random.Random(k)),
        venue=SIM,
        venue_order_id=VenueOrderId(f"V-{k}"),
        account_id=AccountId("SIM-001"),
        trade_id=TradeId(f"T-{k}"),
        side=side,
        last_qty=BTC.lots(qty),
        last_px=BTC.ticks(px),
        liquidity_side=LiquiditySide.TAKER,
        commission_raw=0,
        commission_currency=USD,
    )


BUY, SELL = OrderSide.BUY, OrderSide.SELL


def _summary(trades: list) -> list[tuple]:  # type: ignore[type-arg]
    return [
        (t.direction, t.quantity, t.entry_ns, t.entry_price, t.exit_ns, t.exit_price, t.pnl)
        for t in trades
    ]


def test_when_a_position_is_closed_in_parts_then_lots_are_matched_first_in_first_out() -> None:
    fills = [_fill(1, BUY, "1", "100"), _fill(2, BUY, "1", "110"), _fill(3, SELL, "1.5", "120")]

    trades = match_trades(fills, INSTRUMENTS)

    assert _summary(trades) == [
        ("long", Decimal(1), 1, Decimal(100), 3, Decimal(120), Decimal(20)),
        ("long", Decimal("0.5"), 2, Decimal(110), 3, Decimal(120), Decimal(5)),
    ]


def test_when_a_fill_goes_through_zero_then_the_rest_opens_the_other_way() -> None:
    fills = [_fill(1, BUY, "1", "100"), _fill(2, SELL, "3", "90"), _fill(3, BUY, "2", "80.5")]

    trades = match_trades(fills, INSTRUMENTS)

    assert _summary(trades) == [
        ("long", Decimal(1), 1, Decimal(100), 2, Decimal(90), Decimal(-10)),
        ("short", Decimal(2), 2, Decimal(90), 3, Decimal("80.5"), Decimal(19)),
    ]


def test_when_strategies_trade_the_same_instrument_then_their_lots_are_kept_apart() -> None:
    fills = [
        _fill(1, BUY, "1", "100", "a"),
        _fill(2, SELL, "1", "105", "b"),
        _fill(3, SELL, "1", "110", "a"),
        _fill(4, BUY, "1", "95", "b"),
    ]

    trades = match_trades(fills, INSTRUMENTS)

    assert [(str(t.strategy_id), t.direction, t.pnl) for t in trades] == [
        ("a", "long", Decimal(10)),
        ("b", "short", Decimal(10)),
    ]


def test_when_nothing_is_closed_then_there_are_no_trades() -> None:
    assert match_trades([_fill(1, BUY, "1", "100"), _fill(2, BUY, "2", "99")], INSTRUMENTS) == []


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (0, "0"),
        (100_000 * 10**12, "100000"),
        (1_500_000_000_000, "1.5"),
        (-1_500_000_000_000, "-1.5"),
        (1, "0.000000000001"),
        (-1, "-0.000000000001"),
        (123_450_000_000_000, "123.45"),
    ],
)
def test_when_money_is_written_then_it_is_exact_decimal_text_without_trailing_zeros(
    raw: int, text: str
) -> None:
    assert money_text(raw) == text


def test_when_a_time_is_written_then_it_is_iso_utc_with_nanoseconds() -> None:
    assert iso(1_600_000_060_000_000_001) == "2020-09-13T12:27:40.000000001Z"
    assert iso(0) == "1970-01-01T00:00:00.000000000Z"


@pytest.mark.parametrize(
    ("curve", "expected"),
    [
        ([], 0.0),
        ([100.0, 110.0, 120.0], 0.0),
        ([100.0, 80.0, 120.0, 90.0, 130.0], 0.25),
        ([100.0, 50.0], 0.5),
    ],
)
def test_when_equity_falls_from_a_peak_then_drawdown_is_the_largest_fraction_lost(
    curve: list[float], expected: float
) -> None:
    assert drawdown(np.array(curve)) == pytest.approx(expected)


def test_when_returns_vary_then_sharpe_is_annualized_by_the_median_step() -> None:
    equity = np.array([100.0, 101.0, 100.5, 102.0, 101.0])
    minute = 60_000_000_000
    ts = np.arange(5, dtype=np.int64) * minute
    returns = np.diff(equity) / equity[:-1]
    expected = returns.mean() / returns.std(ddof=1) * math.sqrt(NANOS_PER_YEAR / minute)

    assert sharpe(equity, ts) == pytest.approx(expected)


@pytest.mark.parametrize(
    "curve",
    [[100.0, 101.0], [100.0, 100.0, 100.0, 100.0], [100.0, 0.0, 50.0, 60.0]],
)
def test_when_sharpe_is_undefined_then_it_is_none(curve: list[float]) -> None:
    ts = np.arange(len(curve), dtype=np.int64)

    assert sharpe(np.array(curve), ts) is None


def test_when_files_are_written_then_their_format_is_fixed(tmp_path: Path) -> None:
    write_csv(tmp_path / "t.csv", ["a", "b"], [[1, "x,y"], [2, ""]])
    write_json(tmp_path / "s.json", {"b": 1, "a": {"d": None, "c": 0.5}})

    assert (tmp_path / "t.csv").read_bytes() == b'a,b\n1,"x,y"\n2,\n'
    text = (tmp_path / "s.json").read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert list(json.loads(text)) == ["a", "b"]
    assert text.index('"c"') < text.index('"d"')
