"""Terminal output: the summary table of a backtest and error messages, with rich."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = ["console", "error_console", "print_summary"]

# Piped output (CI logs, files) gets a fixed width wide enough for the summary table.
console = Console(width=None if Console().is_terminal else 120)
error_console = Console(stderr=True, width=None if Console(stderr=True).is_terminal else 120)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def print_summary(summary: dict[str, Any], out: Path | None) -> None:
    """The headline figures, total and per strategy, and where the files are."""
    title = f"Backtest {summary['start'][:19]} → {summary['end'][:19]}  ({summary['currency']})"
    table = Table(title=title, title_justify="left")
    for column in ("strategy", "status", "final equity", "return", "max DD", "Sharpe",
                   "orders", "fills", "trades", "fees"):  # fmt: skip
        table.add_column(column, justify="left" if column in ("strategy", "status") else "right")
    for name, row in summary["strategies"].items():
        status = {"failed": "[red]failed[/red]", "disabled": "[yellow]disabled[/yellow]"}.get(
            row["status"], escape(row["status"])
        )
        table.add_row(
            escape(name), status, row["final_equity"], _pct(row["total_return"]),
            _pct(row["max_drawdown"]), _num(row["sharpe"]), str(row["n_orders"]),
            str(row["n_fills"]), str(row["n_trades"]), row["fees"],
        )  # fmt: skip
    table.add_section()
    table.add_row(
        "[bold]total[/bold]", "" if summary["complete"] else "[red]incomplete[/red]",
        f"[bold]{summary['final_equity']}[/bold]", _pct(summary["total_return"]),
        _pct(summary["max_drawdown"]), _num(summary["sharpe"]), str(summary["n_orders"]),
        str(summary["n_fills"]), str(summary["n_trades"]), summary["fees"],
    )  # fmt: skip
    console.print(table)
    console.print(f"{summary['bars']:,} bars, {summary['events']:,} events")
    for note in summary.get("notes", []):
        console.print(f"[dim]note: {escape(note)}[/dim]")
    for failure in summary.get("failures", []):
        error_console.print(
            f"[red]strategy {escape(failure['strategy'])} failed in {failure['hook']} at "
            f"{escape(failure['location'])}: {escape(failure['error'])}[/red] "
            "(stopped and flattened)"
        )
    risk = summary.get("risk")
    files = "summary.json, spec.json, orders.csv, fills.csv, trades.csv, equity.csv, prices.csv"
    if risk is not None:
        files += ", risk_events.csv, audit.sqlite"
        trips = {
            name: row.get("breaker_trips", 0)
            for name, row in summary["strategies"].items()
            if row.get("breaker_trips")
        }
        tripped = ", ".join(f"{escape(n)} ({t})" for n, t in trips.items()) or "none"
        halted = f"; trading halted: {escape(risk['halted'])}" if risk.get("halted") else ""
        console.print(f"risk: strategy breakers tripped: {tripped}{halted} (risk_events.csv)")
    if out is not None:
        console.print(f"outputs: [bold]{escape(str(out))}[/bold] ({files})")
