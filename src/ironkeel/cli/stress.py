"""``ironkeel stress RUN_OR_CONFIG``: historical-crash stress tests of a run's portfolio
(docs/stress.md)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ironkeel.cli.render import console, error_console
from ironkeel.core.clock import LiveClock
from ironkeel.model.errors import IronkeelError
from ironkeel.stress import (
    Scenario,
    StressError,
    StressOptions,
    apply_recommendations,
    load_scenario,
    load_target,
    run_stress,
    shipped_scenario,
    shipped_scenarios,
    write_report,
)

__all__ = ["stress"]

EXIT_BAD_INPUT = 2


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        key, eq, rest = value.partition("=")
        if not eq or not key.strip() or not rest.strip():
            raise StressError(flag, value, "is not SYMBOL=VALUE", f"write e.g. {flag} BTCPERP=...")
        pairs[key.strip()] = rest.strip()
    return pairs


def _anchors(values: list[str]) -> dict[str, Decimal]:
    anchors = {}
    for symbol, text in _pairs(values, "--anchor").items():
        try:
            anchors[symbol] = Decimal(text)
        except InvalidOperation:
            raise StressError(
                f"--anchor {symbol}", text, "is not a price", "write e.g. 42000.5"
            ) from None
    return anchors


def _scenarios(names: list[str], files: list[Path]) -> list[Scenario]:
    chosen = [shipped_scenario(n) for n in names] + [load_scenario(f) for f in files]
    return chosen or shipped_scenarios()


def _pct(value: float) -> str:
    return f"{value * 100:.2f}%"


def _print(report: dict[str, Any], path: Path) -> None:
    names = list(report["scenarios"][0]["strategies"]) if report["scenarios"] else []
    table = Table(
        title=f"Stress test (threshold {_pct(report['threshold'])} drawdown)", title_justify="left"
    )
    table.add_column("scenario")
    for name in names:
        table.add_column(f"{escape(name)} DD", justify="right")
    table.add_column("total DD", justify="right")
    table.add_column("total return", justify="right")
    for entry in report["scenarios"]:
        if not entry["exposed"]:
            row = ["[dim]not exposed[/dim]"] * (len(names) + 2)
        else:
            row = [_pct(entry["strategies"][n]["drawdown"]) for n in names]
            total = _pct(entry["total_drawdown"])
            row += [f"[red]{total}[/red]" if entry["breached"] else total,
                    _pct(entry["total_return"])]  # fmt: skip
        table.add_row(escape(entry["name"]), *row)
    console.print(table)
    for entry in report["scenarios"]:
        if "note" in entry:
            console.print(f"[dim]{escape(entry['name'])}: {escape(entry['note'])}[/dim]")
    for rec in report["recommendations"]:
        console.print(
            f"[yellow]recommend {rec['action']} {escape(rec['strategy'])}[/yellow]: "
            f"{escape(rec['reason'])}"
        )
    if not report["recommendations"]:
        console.print("no recommendation: every stressed drawdown is within the threshold")
    for done in report.get("applied", []):
        console.print(f"applied: {done['action']} {escape(done['strategy'])}: {done['result']}")
    console.print(f"stress.json: [bold]{escape(str(path))}[/bold]")


def stress(
    target: Annotated[Path, typer.Argument(help="A run file (.toml) or a finished run folder.")],
    scenario: Annotated[
        list[str] | None, typer.Option("--scenario", help="A shipped scenario (default: all).")
    ] = None,
    scenario_file: Annotated[
        list[Path] | None, typer.Option("--scenario-file", help="A scenario TOML of your own.")
    ] = None,
    threshold: Annotated[float, typer.Option(help="Drawdown that calls for action.")] = 0.25,
    apply: Annotated[
        bool, typer.Option("--apply", help="Apply the recommendations (audited).")
    ] = False,
    out: Annotated[Path | None, typer.Option(help="Folder for stress.json.")] = None,
    workers: Annotated[int, typer.Option(help="Scenarios run in parallel.")] = 2,
    map_: Annotated[
        list[str] | None, typer.Option("--map", help="SYMBOL=PATH: follow another path.")
    ] = None,
    anchor: Annotated[
        list[str] | None, typer.Option("--anchor", help="SYMBOL=PRICE: start the shock there.")
    ] = None,
    warmup: Annotated[int, typer.Option(help="Real bars replayed before the shock.")] = 500,
    noise: Annotated[float, typer.Option(help="Scale of the intraday noise (0: none).")] = 1.0,
    journal: Annotated[
        Path | None, typer.Option(help="Breaker journal for --apply (default: RUN/breakers).")
    ] = None,
    audit: Annotated[
        Path | None, typer.Option(help="Audit log for --apply (default: RUN/audit.sqlite).")
    ] = None,
    operator: Annotated[str, typer.Option(help="Who applies (required with --apply).")] = "",
) -> None:
    """Replay the run's portfolio through historical crashes; report drawdowns, recommend
    (and with --apply, apply) pauses or rebalances."""
    try:
        spec, run_dir = load_target(target)
        folder = run_dir if out is None else out
        if folder is None:
            raise StressError("--out", None, "is needed with a run file", "pass --out DIR")
        if apply and not operator.strip():
            raise StressError("--operator", operator, "is blank", "name who applies the change")
        options = StressOptions(
            warmup_bars=warmup, noise=noise, mapping=_pairs(map_ or [], "--map"),
            anchors=_anchors(anchor or []),
        )  # fmt: skip
        report = run_stress(
            spec,
            _scenarios(scenario or [], scenario_file or []),
            threshold=threshold,
            options=options,
            workers=workers,
        )
        if apply and report["recommendations"]:
            base = run_dir if run_dir is not None else folder
            report["applied"] = apply_recommendations(
                report["recommendations"],
                spec=spec,
                journal_path=journal or base / "breakers.sqlite",
                audit_path=audit or base / "audit.sqlite",
                operator=operator,
                now_ns=LiveClock().timestamp_ns(),
                out=folder,
            )
        path = write_report(report, folder)
    except IronkeelError as error:
        error_console.print(f"[red]error:[/red] {escape(str(error))}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    _print(report, path)
