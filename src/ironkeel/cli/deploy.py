"""``ironkeel run``, ``deploy``, ``rollback`` and ``versions``: the node and its registry.

``deploy`` stores a script only if it passes validation, as the next version of a
name, and swaps a running node to it; ``rollback`` swaps back to the previous (or a
given) version. The registry's pointer moves only once the node has the new version
running: nothing is left half-deployed.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ironkeel.backtest.spec import load_run_file
from ironkeel.cli.options import param_pairs
from ironkeel.cli.render import console, error_console, print_summary
from ironkeel.cli.validate import print_report
from ironkeel.model.errors import IronkeelError
from ironkeel.node import Answer, Command, NodeNotRunningError, PaperNode, send
from ironkeel.sandbox.deps import dependency_lock
from ironkeel.sandbox.registry import DEFAULT_ROOT, Registry, Version
from ironkeel.validation import load_gates, validate

__all__ = [
    "deploy_command",
    "node_app",
    "rollback_command",
    "run_command",
    "versions_command",
]

node_app = typer.Typer(help="The running node: status, stop.", no_args_is_help=True)

DEFAULT_CONTROL = Path(".ironkeel") / "node.sock"

RegistryOption = Annotated[Path, typer.Option(help="The strategy registry folder.")]
ControlOption = Annotated[Path, typer.Option(help="The running node's control socket.")]
OperatorOption = Annotated[
    str | None, typer.Option(help="Who acts (default: the login name); audited.")
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    error_console.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(code)


def run_command(
    run_file: Annotated[Path, typer.Argument(help="A run file (.toml).")],
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/node"),
    registry: RegistryOption = DEFAULT_ROOT,
    control: ControlOption = DEFAULT_CONTROL,
    speed: Annotated[
        float | None,
        typer.Option(help="Simulated seconds per wall second (default: as fast as it goes)."),
    ] = None,
) -> None:
    """Run a node: the run file's strategies, each sandboxed, paper-trading on the
    simulated exchange over the run's data, swappable live by deploy and rollback."""
    if speed is not None and speed <= 0:
        raise _fail(f"--speed {speed} must be positive. Fix: e.g. --speed 60")
    try:
        spec = load_run_file(run_file)
        node = PaperNode(spec, out=out, control=control, registry=registry, speed=speed)
        console.print(f"node: control socket {control}; versions {node.versions}")
        result = node.run()
    except IronkeelError as error:
        raise _fail(str(error)) from None
    print_summary(result.summary, out)
    if node.swaps:
        console.print(f"swaps: {len(node.swaps)} (node.json)")


def deploy_command(  # noqa: PLR0917 - a typer command: options are parameters
    script: Annotated[Path, typer.Argument(help="The strategy script (.py).")],
    name: Annotated[str, typer.Option(help="The name it runs under.")],
    param: Annotated[list[str] | None, typer.Option("--param", help="KEY=VALUE.")] = None,
    replace: Annotated[
        bool, typer.Option(help="Add a new version to a name already in use.")
    ] = False,
    data: Annotated[Path | None, typer.Option(help="Bars to validate on.")] = None,
    policy: Annotated[
        str, typer.Option(help="Bad rows of --data: reject | drop | repair (always reported).")
    ] = "reject",
    gates: Annotated[Path | None, typer.Option(help="TOML file of gate thresholds.")] = None,
    note: Annotated[str, typer.Option(help="A note kept with the version.")] = "",
    reason: Annotated[str, typer.Option(help="Why (audited).")] = "deploy",
    operator: OperatorOption = None,
    registry: RegistryOption = DEFAULT_ROOT,
    control: ControlOption = DEFAULT_CONTROL,
) -> None:
    """Validate SCRIPT (every gate, sandboxed); only if it passes, store it as the next
    version of NAME and have the running node swap to it. If the node cannot start it,
    the previous version keeps running and stays current."""
    who = operator or getpass.getuser()
    try:
        params = param_pairs(param or [])
        thresholds, base = load_gates(gates)
        with Registry(registry, actor=who) as store:
            previous = _deployable(store, name, replace=replace)
            report = validate(script, params, data, thresholds, gates_base=base, policy=policy)
            print_report(report, None)
            if not report.passed:
                error_console.print(f"[red]not deployed:[/red] {script} failed validation")
                raise typer.Exit(report.exit_code)
            version = store.deploy(
                name, script, report.params, dependency_lock(script), replace=replace, note=note
            )
            console.print(f"{name}: stored as version {version.number} ({version.sha256[:12]})")
            try:
                swap_to(store, version, control, operator=who, reason=reason)
            except IronkeelError:
                if previous is not None:  # the node keeps the previous one: so does the pointer
                    why = f"deploy of version {version.number} failed on the node"
                    store.set_current(name, previous.number, reason=why)
                raise
    except IronkeelError as error:
        raise _fail(str(error), 1 if "refused version" in str(error) else 2) from None


def _deployable(store: Registry, name: str, *, replace: bool) -> Version | None:
    """The current version of ``name`` (None for a new name); a name in use without
    ``replace`` is refused before anything runs."""
    names = store.names()
    if name not in names:
        return None
    if not replace:
        numbers = [v.number for v in store.versions(name)]
        raise IronkeelError(
            f"{name!r} is already deployed (versions {numbers}). Fix: pass --replace to add "
            f"a version, or choose a name not in use: {names}"
        )
    return store.current(name)


@node_app.command("status")
def node_status(control: ControlOption = DEFAULT_CONTROL) -> None:
    """Each hosted strategy: its status, registry version and sandbox figures."""
    answer = _ask(control, Command(op="status"))
    table = Table(title=f"node at {control}", title_justify="left")
    for column in ("strategy", "status", "version", "callbacks", "p50 µs", "p99 µs", "killed"):
        table.add_column(column)
    for name, entry in sorted(answer.data.get("strategies", {}).items()):
        box = entry.get("sandbox") or {}
        table.add_row(
            name, str(entry.get("status")), str(entry.get("version")),
            str(box.get("callbacks", "")), str(box.get("p50_us", "")),
            str(box.get("p99_us", "")), escape(str(box.get("killed") or "")),
        )  # fmt: skip
    console.print(table)


@node_app.command("stop")
def node_stop(control: ControlOption = DEFAULT_CONTROL) -> None:
    """Stop the node between two market events: strategies stop, outputs are written."""
    console.print(_ask(control, Command(op="stop")).message)


def _ask(control: Path, command: Command) -> Answer:
    try:
        answer = send(control, command)
    except NodeNotRunningError as error:
        raise _fail(str(error)) from None
    if not answer.ok:
        raise _fail(answer.message, 1)
    return answer


def versions_command(
    name: Annotated[str, typer.Argument(help="The strategy's registered name.")],
    registry: RegistryOption = DEFAULT_ROOT,
) -> None:
    """Every stored version of NAME, the current one marked."""
    try:
        with Registry(registry) as store:
            found = store.versions(name)
    except IronkeelError as error:
        raise _fail(str(error)) from None
    table = Table(title=f"{name}: {len(found)} version(s)", title_justify="left")
    for column in ("version", "current", "sha256", "created", "script", "params", "note"):
        table.add_column(column)
    for v in found:
        created = datetime.fromtimestamp(v.created_ns / 1e9, UTC).strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(
            str(v.number), "*" if v.current else "", v.sha256[:12], created, v.source,
            escape(str(v.params)), escape(v.note),
        )  # fmt: skip
    console.print(table)


def rollback_command(  # noqa: PLR0917 - a typer command: options are parameters
    name: Annotated[str, typer.Argument(help="The strategy's registered name.")],
    to: Annotated[int | None, typer.Option(help="The version (default: the previous).")] = None,
    reason: Annotated[str, typer.Option(help="Why (audited).")] = "rollback",
    operator: OperatorOption = None,
    registry: RegistryOption = DEFAULT_ROOT,
    control: ControlOption = DEFAULT_CONTROL,
) -> None:
    """Swap NAME back to the previous version (or --to N) on the running node, without
    stopping the others; then point the registry at it."""
    who = operator or getpass.getuser()
    try:
        with Registry(registry, actor=who) as store:
            current = store.current(name)
            target = _target(store, name, current, to)
            swap_to(store, target, control, operator=who, reason=reason)
    except IronkeelError as error:
        raise _fail(str(error)) from None


def _target(store: Registry, name: str, current: Version, to: int | None) -> Version:
    numbers = [v.number for v in store.versions(name)]
    if to is None:  # the version current before the last change, else the one below
        previous = store.previous(name)
        if previous is not None and previous.number != current.number:
            return previous
        earlier = [n for n in numbers if n < current.number]
        if not earlier:
            raise IronkeelError(
                f"{name}: nothing to roll back to from version {current.number}. "
                f"Fix: give --to with one of {[n for n in numbers if n != current.number]}"
            )
        return store.get(name, earlier[-1])
    target = store.get(name, to)  # refuses a missing version with the valid numbers
    if target.number == current.number:
        raise IronkeelError(
            f"{name}: version {to} is already current. Fix: choose one of "
            f"{[n for n in numbers if n != to]}"
        )
    return target


def swap_to(store: Registry, target: Version, control: Path, *, operator: str, reason: str) -> None:
    """Have the node run ``target`` (if a node runs), then make it current (a deploy has
    made it current already: the pointer then stays, keeping ``previous`` meaningful)."""
    name, number = target.name, target.number
    try:
        answer = send(
            control,
            Command(op="swap", name=name, version=number, operator=operator, reason=reason),
        )
    except NodeNotRunningError:
        _point(store, target, reason)
        console.print(
            f"{name}: version {number} is current; no node runs at {control} "
            "(the next `ironkeel run` starts it)"
        )
        return
    if not answer.ok and answer.data.get("hosted") is False:
        _point(store, target, reason)
        console.print(f"{name}: version {number} is current; the node at {control} does not "
                      "run it (add it to the node's run file)")  # fmt: skip
        return
    if not answer.ok:
        raise IronkeelError(f"{name}: the node refused version {number}: {answer.message}")
    _point(store, target, reason)
    console.print(f"{name}: {answer.message}")


def _point(store: Registry, target: Version, reason: str) -> None:
    if store.current(target.name).number != target.number:
        store.set_current(target.name, target.number, reason=reason)
