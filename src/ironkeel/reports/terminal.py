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
    """One row per column of ``metrics`` (total first), the headline metrics as columns."""
    kinds = {name: (label, kind) for name, label, kind in HEADLINE}
    table = Table(title=title, title_justify="left")
    table.add_column("strategy", justify="left")
    for name in TERMINAL_METRICS:
        table.add_column(kinds[name][0], justify="right")
    for column in metrics.columns:
        cells = [fmt(metrics.at[name, column], kinds[name][1]) for name in TERMINAL_METRICS]
        label = f"[bold]{escape(str(column))}[/bold]" if column == "total" else escape(str(column))
        table.add_row(label, *cells)
    console.print(table)
