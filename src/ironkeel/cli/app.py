"""The ``ironkeel`` command line."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from ironkeel.backtest.runner import run_backtest, symbol_of
from ironkeel.backtest.spec import RunSpec, decode_spec, load_run_file
from ironkeel.cli.deploy import (
    deploy_command,
    node_app,
    rollback_command,
    run_command,
    versions_command,
)
from ironkeel.cli.options import param_pairs
from ironkeel.cli.render import console, error_console, print_summary
from ironkeel.cli.report import report, report_after_backtest
from ironkeel.cli.sandbox import sandbox_app
from ironkeel.cli.validate import validate_command
from ironkeel.model.errors import IronkeelError

__all__ = ["app", "main"]

app = typer.Typer(
    name="ironkeel",
    help=(
        "Run many custom trading strategies safely: backtest, report, stress, validate,\n"
        "deploy and roll back sandboxed strategies, operate the risk engine."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Market data: import files into the catalog.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.command()(report)
app.command("validate")(validate_command)

EXIT_BAD_INPUT = 2
EXIT_STRATEGY_FAILED = 3


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    error_console.print(f"[red]error:[/red] {escape(message)}")  # "[[data]]" is not markup
    return typer.Exit(code)


@app.command()
def backtest(
    target: Annotated[Path, typer.Argument(help="A strategy script (.py) or a run file (.toml).")],
    data: Annotated[
        list[Path] | None, typer.Option("--data", help="Data file(s) (CSV, CSV.gz, Parquet).")
    ] = None,
    symbol: Annotated[
        str | None, typer.Option(help="Symbol of the data (default: file name).")
    ] = None,
    cash: Annotated[str, typer.Option(help="Starting cash.")] = "100000",
    currency: Annotated[str, typer.Option(help="Account currency.")] = "USD",
    param: Annotated[list[str] | None, typer.Option("--param", help="KEY=VALUE.")] = None,
    fees: Annotated[
        str, typer.Option(help="none | maker_taker[:M/T] | bps:N | per_unit:X [,min:A]")
    ] = "maker_taker",
    slippage: Annotated[
        str,
        typer.Option(help="none | fixed_bps:N | half_spread:T | volume_share:K | sqrt_impact:C"),
    ] = "none",
    fill_on: Annotated[str, typer.Option("--fill-on", help="next-open | close")] = "next-open",
    seed: Annotated[int, typer.Option(help="Seed of every random choice.")] = 0,
    policy: Annotated[
        str, typer.Option(help="Bad data rows: reject | drop | repair (always reported).")
    ] = "reject",
    out: Annotated[Path | None, typer.Option(help="Output folder.")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    verbose: Annotated[
        bool, typer.Option(help="Log risk alerts and liquidations as they happen.")
    ] = False,
    isolated: Annotated[
        bool, typer.Option(help="Run each strategy in its own hardened process.")
    ] = False,
    deadline_ms: Annotated[
        float | None, typer.Option(help="Per-callback deadline of an isolated strategy.")
    ] = None,
    no_report: Annotated[
        bool, typer.Option("--no-report", help="Do not write report.html into the output.")
    ] = False,
) -> None:
    """Backtest a strategy script on data files, or run a TOML run file; with an output
    folder, end by writing its HTML report (``ironkeel report``)."""
    _logging(verbose)
    try:
        spec = _spec(
            target,
            data=data,
            symbol=symbol,
            cash=cash,
            currency=currency,
            params=param or [],
            fees=fees,
            slippage=slippage,
            fill_on=fill_on,
            seed=seed,
            policy=policy,
            out=out,
        )
        if isolated or deadline_ms is not None:
            overrides: dict[str, object] = {"isolated": isolated or spec.isolated}
            if deadline_ms is not None:
                overrides["deadline_ms"] = deadline_ms
            spec = decode_spec({**_as_dict(spec), **overrides}, "command line")
        with _progress(quiet) as report:
            result = run_backtest(spec, progress=report)
    except IronkeelError as error:
        raise _fail(str(error)) from None
    folder = Path(spec.out) if spec.out is not None else None
    if folder is not None and spec.base_dir != "." and not folder.is_absolute():
        folder = Path(spec.base_dir) / folder
    print_summary(result.summary, folder)
    if folder is not None and not no_report:
        report_after_backtest(folder)
    if result.failures:
        raise typer.Exit(EXIT_STRATEGY_FAILED)


def _logging(verbose: bool) -> None:
    """Risk alerts go to risk_events.csv; on the terminal only with --verbose."""
    logging.basicConfig(
        level=logging.WARNING if verbose else logging.ERROR,
        format="%(levelname)s %(name)s: %(message)s",
        force=True,
    )


def _spec(
    target: Path, *, data: list[Path] | None, symbol: str | None, cash: str, currency: str,
    params: list[str], fees: str, slippage: str, fill_on: str, seed: int, policy: str,
    out: Path | None,
) -> RunSpec:  # fmt: skip
    if target.suffix == ".toml":
        spec = load_run_file(target)
        if out is not None:
            spec = decode_spec({**_as_dict(spec), "out": str(out.resolve())}, str(target))
        return spec
    if not data:
        raise _fail(f"{target}: no --data given. Fix: add --data PATH (or pass a .toml run file)")
    entries = [
        {"path": str(path), "symbol": symbol or _symbol_of(path), "kind": "bars", "policy": policy}
        for path in data
    ]
    return decode_spec(
        {
            "data": entries,
            "strategies": [
                {"name": target.stem, "file": str(target), "params": param_pairs(params)}
            ],
            "cash": cash,
            "currency": currency,
            "fees": fees,
            "slippage": slippage,
            "fill_on": fill_on,
            "seed": seed,
            "out": None if out is None else str(out),
        },
        "command line",
    )


def _as_dict(spec: RunSpec) -> dict[str, object]:
    import msgspec  # noqa: PLC0415 - only here

    return msgspec.to_builtins(spec)  # type: ignore[no-any-return]


def _symbol_of(path: Path) -> str:
    return symbol_of(path)


class _progress:  # noqa: N801 - used as a context manager like a function
    def __init__(self, quiet: bool) -> None:
        self._progress = None if quiet else Progress(
            TextColumn("backtest"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
            TimeRemainingColumn(), console=console, transient=True,
        )  # fmt: skip
        self._task = TaskID(0)

    def __enter__(self) -> Callable[[int, int], None] | None:
        if self._progress is None:
            return None
        self._progress.start()
        self._task = self._progress.add_task("run", total=100)
        return self._update

    def _update(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress.update(self._task, completed=100 * done / total)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


@data_app.command("import")
def data_import(
    path: Annotated[Path, typer.Argument(help="A data file (CSV, CSV.gz, Parquet).")],
    catalog: Annotated[Path, typer.Option(help="Catalog folder.")] = Path("catalog"),
    symbol: Annotated[
        str | None, typer.Option(help="Symbol (default: from the file name).")
    ] = None,
    kind: Annotated[str, typer.Option(help="bars | quotes | trades")] = "bars",
    instruments: Annotated[Path | None, typer.Option(help="Instrument definitions (TOML).")] = None,
    policy: Annotated[str, typer.Option(help="reject | drop | repair")] = "reject",
    currency: Annotated[str, typer.Option(help="Quote currency if inferred.")] = "USD",
    timestamp_is: Annotated[
        str, typer.Option("--timestamp-is", help="Bar timestamps are the open | close time.")
    ] = "open",
) -> None:
    """Validate a data file and store it in the Parquet catalog."""
    from ironkeel.cli.data import import_command  # noqa: PLC0415 - keeps start-up light

    try:
        import_command(
            path,
            catalog=catalog,
            symbol=symbol or _symbol_of(path),
            kind=kind,
            instruments=instruments,
            policy=policy,
            currency=currency,
            timestamp_is=timestamp_is,
        )
    except IronkeelError as error:
        raise _fail(str(error)) from None


audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
risk_app = typer.Typer(help="Breakers: status and operator actions.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(risk_app, name="risk")
app.add_typer(sandbox_app, name="sandbox")
app.command("run")(run_command)
app.command("deploy")(deploy_command)
app.add_typer(node_app, name="node")
app.command("rollback")(rollback_command)
app.command("versions")(versions_command)

Journal = Annotated[Path, typer.Option(help="The breaker journal (SQLite).")]
Operator = Annotated[str, typer.Option(help="Who acts (required).")]
Reason = Annotated[str, typer.Option(help="Why (required).")]
AuditPath = Annotated[Path | None, typer.Option("--audit", help="Audit log to record it in.")]


@audit_app.command("verify")
def audit_verify(path: Annotated[Path, typer.Argument(help="An audit.sqlite file.")]) -> None:
    """Exit 0 on an intact log; otherwise name the first bad record (exit 1; 2 unreadable)."""
    from ironkeel.audit import verify_command  # noqa: PLC0415

    code = verify_command(path)
    raise typer.Exit(code)


@risk_app.command("status")
def risk_status(journal: Journal) -> None:
    """Every journaled breaker's state and trips."""
    from ironkeel.cli.operator import print_status  # noqa: PLC0415

    _operator_call(lambda: print_status(journal))


def _risk_action(
    action: str, breaker: str, journal: Path, operator: str, reason: str, audit: Path | None
) -> None:
    from ironkeel.cli.operator import apply_action  # noqa: PLC0415

    _operator_call(
        lambda: apply_action(
            journal, action=action, breaker_name=breaker, operator=operator, reason=reason,
            audit_path=audit,
        )
    )  # fmt: skip


def _operator_call(fn: Callable[[], None]) -> None:
    try:
        fn()
    except IronkeelError as error:
        raise _fail(str(error)) from None


@risk_app.command("reset")
def risk_reset(
    journal: Journal,
    operator: Operator,
    reason: Reason,
    strategy: Annotated[
        str | None, typer.Option(help="The strategy whose breaker to reset.")
    ] = None,
    portfolio: Annotated[bool, typer.Option(help="Reset the portfolio breaker.")] = False,
    audit: AuditPath = None,
) -> None:
    """Re-enable a strategy whose breaker tripped, or the portfolio (an operator decision,
    audited)."""
    if (strategy is None) == (not portfolio):
        raise _fail("give exactly one of --strategy NAME or --portfolio")
    target = "portfolio" if portfolio else f"strategy:{strategy}"
    _risk_action("reset", target, journal, operator, reason, audit)


@risk_app.command("halt")
def risk_halt(
    journal: Journal, operator: Operator, reason: Reason, audit: AuditPath = None
) -> None:
    """Halt the whole platform: nothing but emergency orders trades until resume."""
    _risk_action("halt", "platform", journal, operator, reason, audit)


@risk_app.command("resume")
def risk_resume(
    journal: Journal, operator: Operator, reason: Reason, audit: AuditPath = None
) -> None:
    """Resume trading after a halt or a platform breaker trip."""
    _risk_action("resume", "platform", journal, operator, reason, audit)


@app.command()
def kill(
    journal: Journal,
    operator: Operator,
    reason: Reason,
    strategy: Annotated[str | None, typer.Option(help="Kill one strategy.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Kill everything.")] = False,
    audit: AuditPath = None,
) -> None:
    """Kill switch: halt one strategy's breaker (--strategy) or the platform (--all); the
    engine liquidates what the halted scope holds and trades it no more."""
    if (strategy is None) == (not all_):
        raise _fail("give exactly one of --strategy NAME or --all")
    target = "platform" if all_ else f"strategy:{strategy}"
    _risk_action("halt", target, journal, operator, reason, audit)


def _register_stress() -> None:
    from ironkeel.cli.stress import stress  # noqa: PLC0415 - its own module, like operator's

    app.command("stress")(stress)


_register_stress()


@app.command()
def version() -> None:
    """Print the version."""
    console.print(metadata.version("ironkeel"))


def main() -> None:
    """Entry point: user errors are messages (exit 2); an unexpected error is reported in one
    paragraph (exit 1), with the traceback only when IRONKEEL_DEBUG is set."""
    try:
        app()
    except Exception as error:  # the last line of defence against tracebacks
        if os.environ.get("IRONKEEL_DEBUG"):
            raise
        error_console.print(
            f"[red]internal error:[/red] {type(error).__name__}: {escape(str(error))}\n"
            "This is a bug in ironkeel, not in your input. Run again with IRONKEEL_DEBUG=1 "
            "for the traceback and report it."
        )
        raise SystemExit(1) from None
