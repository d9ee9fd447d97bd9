"""The files a backtest writes, and the figures in them.

- ``summary.json``: headline figures, total and per strategy (money as exact
  decimal strings; ratios as floats, which are analytics).
- ``orders.csv``, ``fills.csv``: every order and every fill, exact.
- ``trades.csv``: round trips matched FIFO per strategy and instrument: entry and
  exit time and price, quantity, gross P&L (exact).
- ``equity.csv``: one row per distinct timestamp: total equity and each strategy's.
- ``prices.csv``: each bar instrument's prices, in at most ``PRICE_BUCKETS`` OHLC
  buckets (consecutive bars merged), for the report's price chart.

Same inputs give byte-identical files: rows in a fixed order, fixed number
formats, JSON with sorted keys.
"""

from __future__ import annotations

import csv
import json
import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from ironkeel.model.data import Bar
from ironkeel.model.events import OrderFilled
from ironkeel.model.identifiers import InstrumentId, StrategyId, TradeId
from ironkeel.model.instruments import Instrument
from ironkeel.model.orders import Order
from ironkeel.model.values import MONEY_DECIMALS, Money

__all__ = [
    "PRICE_BUCKETS",
    "PRICE_COLUMNS",
    "Trade",
    "drawdown",
    "iso",
    "match_trades",
    "money_text",
    "sharpe",
    "write_csv",
    "write_json",
]

NANOS_PER_YEAR = 365 * 24 * 3600 * 1_000_000_000


@dataclass(frozen=True)
class Trade:
    """One FIFO match of an entry fill's lots against an exit fill's lots."""

    strategy_id: StrategyId
    instrument_id: InstrumentId
    direction: str  # "long" | "short"
    quantity: Decimal
    entry_ns: int
    entry_price: Decimal
    exit_ns: int
    exit_price: Decimal
    pnl: Decimal


def match_trades(
    fills: Iterable[OrderFilled], instruments: dict[InstrumentId, Instrument]
) -> list[Trade]:
    """Round trips from fills, FIFO per (strategy, instrument), exact."""
    open_lots: dict[tuple[StrategyId, InstrumentId], deque[list[int]]] = {}
    trades: list[Trade] = []
    for fill in fills:
        key = (fill.strategy_id, fill.instrument_id)
        lots = open_lots.setdefault(key, deque())
        instrument = instruments[fill.instrument_id]
        signed = fill.side * fill.last_qty
        while signed and lots and (lots[0][0] > 0) != (signed > 0):
            entry = lots[0]
            matched = min(abs(signed), abs(entry[0]))
            direction = 1 if entry[0] > 0 else -1
            pnl_raw = direction * matched * (fill.last_px - entry[1]) * instrument.unit_raw
            trades.append(
                Trade(
                    strategy_id=fill.strategy_id,
                    instrument_id=fill.instrument_id,
                    direction="long" if direction > 0 else "short",
                    quantity=matched * instrument.size_increment,
                    entry_ns=entry[2],
                    entry_price=entry[1] * instrument.price_increment,
                    exit_ns=fill.ts_event,
                    exit_price=fill.last_px * instrument.price_increment,
                    pnl=Money.from_raw(pnl_raw, instrument.quote_currency).amount,
                )
            )
            entry[0] -= direction * matched
            signed += direction * matched
            if entry[0] == 0:
                lots.popleft()
        if signed:
            lots.append([signed, fill.last_px, fill.ts_event])
    return trades


def money_text(raw: int) -> str:
    """Exact decimal text of a raw money amount (trailing zeros trimmed, no exponent)."""
    sign = "-" if raw < 0 else ""
    whole, frac = divmod(abs(raw), 10**MONEY_DECIMALS)
    digits = f"{frac:0{MONEY_DECIMALS}d}".rstrip("0")
    return f"{sign}{whole}.{digits}" if digits else f"{sign}{whole}"


def decimal_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def iso(ts_ns: int) -> str:
    """ISO-8601 UTC with nanoseconds."""
    seconds, nanos = divmod(ts_ns, 1_000_000_000)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{nanos:09d}Z"


def drawdown(equity: np.ndarray) -> float:
    """Maximum drawdown as a fraction of the running peak (0 when never below it)."""
    if equity.size == 0:
        return 0.0
    peak = np.maximum.accumulate(equity)
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = np.where(peak > 0, (peak - equity) / peak, 0.0)
    return float(dd.max())


def sharpe(equity: np.ndarray, ts_ns: np.ndarray) -> float | None:
    """Annualized Sharpe ratio of per-row simple returns (risk-free 0), the period taken
    as the median time step on a 365-day calendar; None when undefined (fewer than 3
    points, no variation, or a non-positive equity)."""
    if equity.size < 3 or np.any(equity[:-1] <= 0):
        return None
    returns = np.diff(equity) / equity[:-1]
    deviation = returns.std(ddof=1)
    if not math.isfinite(deviation) or deviation == 0:
        return None
    step = float(np.median(np.diff(ts_ns)))
    periods = NANOS_PER_YEAR / step if step > 0 else 0.0
    return float(returns.mean() / deviation * math.sqrt(periods))


def order_rows(
    orders: Sequence[Order], instruments: dict[InstrumentId, Instrument]
) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for order in orders:
        instrument = instruments[order.instrument_id]
        tick, lot = instrument.price_increment, instrument.size_increment
        avg = order.avg_px
        rows.append(
            [
                str(order.client_order_id),
                str(order.strategy_id),
                str(order.instrument_id),
                order.side.name,
                order.order_type.name,
                order.time_in_force.name,
                decimal_text(order.quantity * lot),
                decimal_text(None if order.price is None else order.price * tick),
                decimal_text(None if order.trigger_price is None else order.trigger_price * tick),
                order.status.name,
                decimal_text(order.filled_qty * lot),
                ""
                if avg is None
                else decimal_text(Decimal(avg.numerator) * tick / avg.denominator),
                money_text(order.commission_raw),
                order.reduce_only,
                order.history[0].ts_ns,
                order.ts_last,
            ]
        )
    return rows


ORDER_COLUMNS = [
    "client_order_id", "strategy", "instrument", "side", "type", "time_in_force", "quantity",
    "price", "trigger_price", "status", "filled_quantity", "avg_price", "commission",
    "reduce_only", "created_ns", "last_update_ns",
]  # fmt: skip

FILL_COLUMNS = [
    "ts_ns", "time", "strategy", "instrument", "client_order_id", "venue_order_id", "trade_id",
    "side", "quantity", "price", "commission", "liquidity", "slippage",
]  # fmt: skip


def fill_rows(
    fills: Sequence[OrderFilled],
    instruments: dict[InstrumentId, Instrument],
    slippage_ticks: dict[TradeId, int] | None = None,
) -> list[list[Any]]:
    """One row per fill; ``slippage`` is the money the slippage model cost the fill
    (adverse ticks x quantity, exact; 0 for maker fills and without a model)."""
    ticks = slippage_ticks or {}
    rows: list[list[Any]] = []
    for fill in fills:
        instrument = instruments[fill.instrument_id]
        slipped = ticks.get(fill.trade_id, 0) * fill.last_qty * instrument.unit_raw
        rows.append(
            [
                fill.ts_event,
                iso(fill.ts_event),
                str(fill.strategy_id),
                str(fill.instrument_id),
                str(fill.client_order_id),
                str(fill.venue_order_id),
                str(fill.trade_id),
                fill.side.name,
                decimal_text(fill.last_qty * instrument.size_increment),
                decimal_text(fill.last_px * instrument.price_increment),
                money_text(fill.commission_raw),
                fill.liquidity_side.name,
                money_text(Money.from_raw(slipped, instrument.quote_currency).raw),
            ]
        )
    return rows


PRICE_COLUMNS = ["ts_ns", "time", "instrument", "open", "high", "low", "close"]
#: Most rows per instrument in prices.csv: a month of minutes stays whole-ish (5 bars a
#: row), a million bars become 10,000 rows of 100 bars.
PRICE_BUCKETS = 10_000


def price_rows(bars: Sequence[Bar], instrument: Instrument) -> list[list[Any]]:
    """OHLC of ``bars`` (one instrument, in time order) merged into at most
    ``PRICE_BUCKETS`` buckets of consecutive bars, stamped with each bucket's last bar."""
    size = max(1, math.ceil(len(bars) / PRICE_BUCKETS))
    tick = instrument.price_increment
    rows: list[list[Any]] = []
    for first in range(0, len(bars), size):
        chunk = bars[first : first + size]
        last = chunk[-1]
        rows.append(
            [
                last.ts_init,
                iso(last.ts_init),
                str(instrument.id),
                decimal_text(chunk[0].open * tick),
                decimal_text(max(b.high for b in chunk) * tick),
                decimal_text(min(b.low for b in chunk) * tick),
                decimal_text(last.close * tick),
            ]
        )
    return rows


TRADE_COLUMNS = [
    "strategy", "instrument", "direction", "quantity", "entry_ns", "entry_time", "entry_price",
    "exit_ns", "exit_time", "exit_price", "pnl",
]  # fmt: skip


def trade_rows(trades: Sequence[Trade]) -> list[list[Any]]:
    return [
        [
            str(t.strategy_id),
            str(t.instrument_id),
            t.direction,
            decimal_text(t.quantity),
            t.entry_ns,
            iso(t.entry_ns),
            decimal_text(t.entry_price),
            t.exit_ns,
            iso(t.exit_ns),
            decimal_text(t.exit_price),
            decimal_text(t.pnl),
        ]
        for t in trades
    ]


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
