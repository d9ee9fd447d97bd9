"""Text for figures in the report and on the terminal: an undefined figure (None, NaN)
is an em dash, never "nan"."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["HEADLINE", "fmt"]

#: (metric, label, kind) of the headline table, in order.
HEADLINE: tuple[tuple[str, str, str], ...] = (
    ("final_equity", "final equity", "money"),
    ("total_return", "return", "pct"),
    ("annual_return", "CAGR", "pct"),
    ("volatility", "volatility", "pct"),
    ("sharpe", "Sharpe", "num"),
    ("sortino", "Sortino", "num"),
    ("calmar", "Calmar", "num"),
    ("max_drawdown", "max DD", "pct"),
    ("max_drawdown_duration_days", "DD days", "num"),
    ("var_95", "VaR 95", "pct"),
    ("cvar_95", "CVaR 95", "pct"),
    ("n_trades", "trades", "int"),
    ("win_rate", "win rate", "pct"),
    ("profit_factor", "profit factor", "num"),
    ("expectancy", "expectancy", "money"),
    ("exposure", "exposure", "pct"),
    ("turnover", "turnover", "num"),
    ("trades_per_day", "trades/day", "num"),
    ("fees", "fees", "money"),
    ("slippage", "slippage", "money"),
)


def fmt(value: Any, kind: str) -> str:
    """``value`` as text of ``kind`` (pct, num, int, money); undefined is an em dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if kind == "pct":
        small = 0 < abs(float(value)) < 0.001  # per-bar VaR of minute bars: show its digits
        return f"{float(value) * 100:.{4 if small else 2}f}%"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "money":
        return f"{float(value):,.2f}"
    return f"{float(value):.2f}"
