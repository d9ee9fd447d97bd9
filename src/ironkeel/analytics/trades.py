"""Trade statistics from round trips, and activity figures from fills.

From trades (one P&L per round trip, gross of fees):

- win rate: share of trades with P&L > 0 (a trade at exactly 0 is not a win);
- profit factor: gross profit / gross loss; None when there is no losing trade;
- expectancy: mean P&L per trade; average win and average loss (loss as a negative
  number); None for a figure with no trade behind it.

From fills (``ts_ns``, ``strategy`` optional, ``instrument``, ``side``, ``quantity``,
``price``, ``commission``, ``slippage``):

- exposure: the share of the run's time during which any position was open;
- turnover: traded notional (quantity x price) over the average equity;
- fees and slippage cost: sums of the fills' commission and slippage columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ironkeel.analytics.errors import AnalyticsError
from ironkeel.analytics.returns import check_finite

__all__ = ["Activity", "TradeStats", "activity", "exposure", "trade_stats"]

NANOS_PER_DAY = 86_400 * 1_000_000_000


@dataclass(frozen=True)
class TradeStats:
    n_trades: int
    win_rate: float | None
    profit_factor: float | None
    expectancy: float | None
    avg_win: float | None
    avg_loss: float | None
    best: float | None
    worst: float | None


def trade_stats(pnl: np.ndarray) -> TradeStats:
    """Statistics of round-trip P&L (money, float); every figure None without trades."""
    p = check_finite(pnl, "pnl")
    if p.size == 0:
        return TradeStats(0, None, None, None, None, None, None, None)
    wins, losses = p[p > 0], p[p < 0]
    gross_loss = float(-losses.sum())
    return TradeStats(
        n_trades=int(p.size),
        win_rate=float(wins.size / p.size),
        profit_factor=float(wins.sum()) / gross_loss if gross_loss > 0 else None,
        expectancy=float(p.mean()),
        avg_win=float(wins.mean()) if wins.size else None,
        avg_loss=float(losses.mean()) if losses.size else None,
        best=float(p.max()),
        worst=float(p.min()),
    )


@dataclass(frozen=True)
class Activity:
    exposure: float | None
    turnover: float | None
    trades_per_day: float | None
    traded_notional: float
    fees: float
    slippage: float


def exposure(
    ts_ns: np.ndarray,
    signed_qty: np.ndarray,
    group: np.ndarray,
    start_ns: int,
    end_ns: int,
) -> float | None:
    """Share of ``[start_ns, end_ns]`` with a position open in any group (instrument).
    ``signed_qty``: +buy / -sell per fill, time-ordered within each group. None for a
    run of zero length."""
    span = end_ns - start_ns
    if span <= 0:
        return None
    if ts_ns.size == 0:
        return 0.0
    order = np.lexsort((np.arange(ts_ns.size), group))
    g, q, t = group[order], signed_qty[order], ts_ns[order].astype(np.int64)
    new_group = np.concatenate(([True], g[1:] != g[:-1]))
    # running position per group: cumulative sum restarted at each group's first fill
    total = np.cumsum(q)
    first = np.maximum.accumulate(np.where(new_group, np.arange(q.size), 0))
    position = total - (total[first] - q[first])
    is_open = np.abs(position) > 1e-9 * float(np.abs(q).max())  # float sums of lots
    was_open = np.concatenate(([False], is_open[:-1])) & ~new_group
    change = is_open.astype(np.int64) - was_open.astype(np.int64)  # +1 opens, -1 closes
    events = np.argsort(t, kind="stable")
    times, steps = t[events], change[events]
    count = np.cumsum(steps)
    bounds = np.append(np.clip(times, start_ns, end_ns), end_ns)
    held = np.diff(bounds)[count > 0].sum()
    return float(min(max(held / span, 0.0), 1.0))


def activity(
    *,
    n_trades: int,
    fill_qty: np.ndarray,
    fill_price: np.ndarray,
    fees: np.ndarray,
    slippage: np.ndarray,
    mean_equity: float | None,
    exposure_share: float | None,
    start_ns: int,
    end_ns: int,
) -> Activity:
    """Turnover, trades per day and costs (see the module doc)."""
    qty = check_finite(fill_qty, "quantity")
    price = check_finite(fill_price, "price")
    if qty.size != price.size:
        raise AnalyticsError("fills", qty.size, "quantity and price differ in length", "align")
    notional = float(np.abs(qty * price).sum())
    days = (end_ns - start_ns) / NANOS_PER_DAY
    return Activity(
        exposure=exposure_share,
        turnover=notional / mean_equity if mean_equity and mean_equity > 0 else None,
        trades_per_day=n_trades / days if days > 0 else None,
        traded_notional=notional,
        fees=float(check_finite(fees, "commission").sum()),
        slippage=float(check_finite(slippage, "slippage").sum()),
    )
