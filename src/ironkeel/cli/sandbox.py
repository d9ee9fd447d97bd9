"""``ironkeel sandbox check``: what isolation a strategy process gets on this machine."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ironkeel.cli.render import console, error_console
from ironkeel.model.errors import IronkeelError
from ironkeel.sandbox import SandboxPool
from ironkeel.sandbox.protocol import Protection

__all__ = ["sandbox_app"]

sandbox_app = typer.Typer(help="The strategy sandbox.", no_args_is_help=True)


@sandbox_app.command()
def check(
    strict: Annotated[
        bool, typer.Option(help="Exit 1 unless every protection is active and every probe blocked.")
    ] = False,
) -> None:
    """Start a real sandboxed strategy process, report each protection it applied, then
    let it try each forbidden thing (write a file, TCP, fork, exec, signal, sleep, a huge
    allocation, read /etc/passwd) and report what stopped it."""
    try:
        with SandboxPool(standby=False) as pool:
            protections, probes = pool.check()
    except IronkeelError as error:
        error_console.print(f"[red]error:[/red] the sandbox could not start: {error}")
        raise typer.Exit(2) from None
    console.print(_table("protections in force", ("protection", "active", "detail"), protections))
    console.print(_table("forbidden attempts", ("attempt", "blocked", "what stopped it"), probes))
    missing = [p.name for p in protections if not p.active]
    through = [p.name for p in probes if not p.active]
    if missing:
        error_console.print(
            f"[yellow]warning:[/yellow] not active here: {', '.join(missing)} "
            "(see docs/sandbox.md: run as root on Linux >= 6.7 for every protection)"
        )
    if through:
        error_console.print(f"[red]NOT blocked:[/red] {', '.join(through)}")
    if strict and (missing or through):
        raise typer.Exit(1)


def _table(title: str, columns: tuple[str, str, str], items: list[Protection]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for item in items:
        table.add_row(item.name, _mark(item.active), item.detail)
    return table


def _mark(active: bool) -> str:
    return "[green]yes[/green]" if active else "[red]no[/red]"
