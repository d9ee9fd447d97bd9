"""``ironkeel report RUN_DIR [--out FILE]``: the HTML report of a finished run folder, and
its headline table on the terminal. ``ironkeel backtest`` calls ``report_after_backtest``
when it wrote an output folder (unless ``--no-report``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ironkeel.cli.render import console, error_console
from ironkeel.model.errors import IronkeelError
from ironkeel.reports import print_headline, write_report

__all__ = ["report", "report_after_backtest"]

EXIT_BAD_INPUT = 2


def report(
    run_dir: Annotated[Path, typer.Argument(help="A backtest's output folder.")],
    out: Annotated[
        Path | None, typer.Option(help="The HTML file (default RUN_DIR/report.html).")
    ] = None,
) -> None:
    """Write one self-contained HTML report of a run folder (charts work offline)."""
    try:
        path, built = write_report(run_dir, out)
    except IronkeelError as error:
        error_console.print(f"[red]error:[/red] {escape(str(error))}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    print_headline(built.metrics, console, title=f"Analytics of {run_dir}")
    console.print(f"report: [bold]{escape(str(path))}[/bold] ({built.n_charts} charts)")


def report_after_backtest(run_dir: Path) -> bool:
    """Write RUN_DIR/report.html and print its path; on bad data say why (the backtest's
    own outputs are already written) and return False."""
    try:
        path, built = write_report(run_dir)
    except IronkeelError as error:
        error_console.print(
            f"[red]report not written:[/red] {escape(str(error))} "
            f"(the run's files are in {escape(str(run_dir))})"
        )
        return False
    console.print(f"report: [bold]{escape(str(path))}[/bold] ({built.n_charts} charts)")
    return True
