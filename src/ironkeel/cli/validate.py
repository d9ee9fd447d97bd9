"""``ironkeel validate STRATEGY.py``: the pre-deployment pipeline on the terminal.

Exit codes: 0 every gate passed; 2 the validator's own inputs are wrong (data or
gates file, ``--param`` syntax); 3 the script is refused before running (static,
dependency, load or parameter checks); 4 a performance or fault-scenario gate
failed; 1 an internal error (see ``ironkeel.cli.app.main``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ironkeel.cli.options import param_pairs
from ironkeel.cli.render import console, error_console
from ironkeel.model.errors import IronkeelError
from ironkeel.validation import EXIT_BAD_INPUT, ValidationReport, load_gates, validate

__all__ = ["print_report", "validate_command"]


def _bad(message: str) -> typer.Exit:
    error_console.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(EXIT_BAD_INPUT)


def validate_command(  # noqa: PLR0917 -- typer maps each parameter to a CLI option
    strategy: Annotated[Path, typer.Argument(help="The strategy script (.py) to validate.")],
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Bars to replay (CSV, CSV.gz, Parquet; default: demo data)."),
    ] = None,
    synthetic: Annotated[
        int | None, typer.Option(help="Replay this many seeded synthetic bars instead.")
    ] = None,
    param: Annotated[list[str] | None, typer.Option("--param", help="KEY=VALUE.")] = None,
    class_name: Annotated[
        str | None, typer.Option("--class", help="The Strategy subclass, if several.")
    ] = None,
    gates: Annotated[
        Path | None, typer.Option("--gates", help="TOML file of gate thresholds.")
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the JSON report here.")
    ] = None,
    policy: Annotated[
        str, typer.Option(help="Bad rows of --data: reject | drop | repair (always reported).")
    ] = "reject",
    in_process: Annotated[
        bool,
        typer.Option(
            help="Run the script in this process (trusted code only; default: sandboxed)."
        ),
    ] = False,
) -> None:
    """Validate a strategy before deployment: static checks, dependencies, parameters,
    latency and memory on historical data, and fault scenarios. Exit 0 when every gate
    passes, 3 when the script is refused, 4 when a run gate fails, 2 on bad input."""
    if data is not None and synthetic is not None:
        raise _bad("give --data or --synthetic, not both")
    try:
        params = param_pairs(param or [])
        thresholds, base = load_gates(gates)
        report = validate(
            strategy, params, data, thresholds,
            synthetic=synthetic, class_name=class_name, gates_base=base, isolated=not in_process,
            policy=policy,
        )  # fmt: skip
    except IronkeelError as error:
        raise _bad(str(error)) from None
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(report.to_json(), encoding="utf-8")
    print_report(report, json_path)
    raise typer.Exit(report.exit_code)


def print_report(report: ValidationReport, json_path: Path | None) -> None:
    """Each stage and gate with PASS/FAIL, the hooks' latency, then the findings."""
    table = Table(title=f"Validation of {report.script}  ({report.data})", title_justify="left")
    for column in ("stage", "gate", "result", "detail"):
        table.add_column(column, overflow="fold")
    for stage in report.stages:
        if stage.status == "skipped":
            table.add_row(stage.name, "—", "[dim]SKIP[/dim]", "an earlier stage refused the script")
        for gate in stage.gates:
            mark = "[green]PASS[/green]" if gate.passed else "[red]FAIL[/red]"
            table.add_row(stage.name, gate.gate, mark, escape(gate.detail))
    console.print(table)
    _print_hooks(report)
    for stage_name, gate in report.failures():
        for finding in gate.findings[:10]:
            console.print(f"  [red]{stage_name}/{gate.gate}[/red] {escape(_finding(finding))}")
        if len(gate.findings) > 10:
            console.print(f"  ... and {len(gate.findings) - 10} more (see the JSON report)")
    verdict = "[green]PASSED[/green]" if report.passed else "[red]FAILED[/red]"
    console.print(f"{verdict} (exit {report.exit_code})")
    if json_path is not None:
        console.print(f"JSON report: {escape(str(json_path))}")


def _print_hooks(report: ValidationReport) -> None:
    stage = next((s for s in report.stages if s.name == "performance"), None)
    if stage is None or not stage.details.get("hooks"):
        return
    table = Table(title="Callback latency (ms)", title_justify="left")
    for column in ("hook", "calls", "p50", "p99", "max"):
        table.add_column(column, justify="right" if column != "hook" else "left")
    for row in stage.details["hooks"]:
        table.add_row(
            row["hook"], str(row["calls"]), f"{row['p50_ms']:.4f}", f"{row['p99_ms']:.4f}",
            f"{row['max_ms']:.4f}",
        )  # fmt: skip
    console.print(table)


def _finding(finding: dict[str, Any]) -> str:
    if {"path", "line", "code"} <= finding.keys():
        where = f"{finding['path']}:{finding['line']}"
        if finding.get("col"):
            where += f":{finding['col']}"
        return f"{where}: {finding['code']} {finding['reason']}. Fix: {finding['fix']}"
    return ", ".join(f"{k}={v}" for k, v in finding.items())
