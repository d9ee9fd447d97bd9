"""Shared by the strategy, backtest, CLI and example tests: small instruments, synthetic
bars, and bars written as the CSV files users feed the CLI and the run files."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from ironkeel.data import gbm_bars
from ironkeel.model import AssetClass, Bar, BarType, Currency, Instrument, InstrumentId, Venue

USD = Currency("USD", 2)
SIM = Venue("SIM")
MINUTE = 60_000_000_000
START_NS = 1_600_000_000 * 1_000_000_000
REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "strategies"


def instrument(
    symbol: str,
    *,
    tick: str = "0.5",
    lot: str = "0.001",
    min_quantity: str | None = None,
    taker_fee: str = "0",
) -> Instrument:
    return Instrument(
        id=InstrumentId(symbol, SIM),
        asset_class=AssetClass.CRYPTO,
        quote_currency=USD,
        price_increment=tick,
        size_increment=lot,
        min_quantity=min_quantity,
        taker_fee=taker_fee,
    )


def bars_from_ohlc(
    target: Instrument, rows: Sequence[tuple[str, str, str, str]], volume: str = "10"
) -> list[Bar]:
    """One-minute bars from (open, high, low, close) price texts, closing at START_NS + k min."""
    bar_type = BarType(target.id, MINUTE)
    lots = target.lots(volume)
    return [
        Bar(
            bar_type,
            *(target.ticks(price) for price in row),
            lots,
            START_NS + (k + 1) * MINUTE,
            START_NS + (k + 1) * MINUTE,
        )
        for k, row in enumerate(rows)
    ]


def synthetic_bars(target: Instrument, n: int, *, seed: int, start: str = "30000") -> list[Bar]:
    return gbm_bars(target, n, seed=seed, start_price=start, start_ns=START_NS)


def write_bars_csv(path: Path, target: Instrument, bars: Sequence[Bar]) -> Path:
    """``timestamp,open,high,low,close,volume`` with the bar's OPEN time, exact decimals."""
    tick, lot = target.price_increment, target.size_increment
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["timestamp", "open", "high", "low", "close", "volume"])
        for bar in bars:
            opened = (bar.ts_event - bar.bar_type.interval_ns) // 1_000_000_000
            stamp = datetime.fromtimestamp(opened, UTC).strftime("%Y-%m-%d %H:%M:%S")
            prices = (bar.open, bar.high, bar.low, bar.close)
            writer.writerow([stamp, *(_text(p * tick) for p in prices), _text(bar.volume * lot)])
    return path


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")
