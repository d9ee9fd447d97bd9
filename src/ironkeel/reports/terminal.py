"""The report's headline table on the terminal, with rich."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ironkeel.reports.format import HEADLINE, fmt

__all__ = ["TERMINAL_METRICS", "print_headline"]

TERMINAL_METRICS = ("final_equity", "total_return", "annual_return", "sharpe", "sortino",
                    "calmar", "max_drawdown", "var_95", "n_trades", "win_rate",
                    "profit_factor", "exposure", "fees", "slippage")  # fmt: skip


def print_headline(metrics: pd.DataFrame, console: Console, title: str = "Analytics") -> None:
    """The headline metrics (rows) for the total and each strategy (columns)."""
    kinds = {name: (label, kind) for name, label, kind in HEADLINE}
    table = Table(title=title, title_justify="left")
    table.add_column("metric", justify="left")
    for column in metrics.columns:
        label = f"[bold]{escape(str(column))}[/bold]" if column == "total" else escape(str(column))
        table.add_column(label, justify="right")
    for name in TERMINAL_METRICS:
        label, kind = kinds[name]
        table.add_row(label, *(fmt(metrics.at[name, c], kind) for c in metrics.columns))
    console.print(table)
