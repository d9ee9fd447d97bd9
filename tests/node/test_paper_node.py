"""A running node takes swaps over its control socket while the other strategies go on:
a good version replaces the running one; a version that fails to start is refused and
the previous one keeps running; every swap is audited; rollback and versions work on
the registry through the CLI."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ironkeel.backtest import BacktestResult
from ironkeel.backtest.runner import run_backtest
from ironkeel.cli import app
from ironkeel.node import Command, NodeNotRunningError, PaperNode, send
from ironkeel.sandbox.registry import Registry
from tests.sandbox.conftest import HEALTHY, HOSTILE, SMA_CROSS, spec

BROKEN_START = """
from ironkeel import Strategy


class BrokenStart(Strategy):
    def on_start(self):
        raise RuntimeError("this version cannot start")
"""


@pytest.fixture
def node_run(bars_csv: Path, tmp_path: Path) -> dict[str, Any]:
    registry = Registry(tmp_path / "registry")
    registry.deploy("swapped", SMA_CROSS, {"fast": 5, "slow": 20, "size": "0.2"}, {})
    broken = tmp_path / "broken_start.py"
    broken.write_text(BROKEN_START)
    registry.deploy("swapped", SMA_CROSS, {"fast": 8, "slow": 30, "size": "0.2"}, {},
                    replace=True)  # fmt: skip
    registry.deploy("swapped", broken, {}, {}, replace=True)
    registry.set_current("swapped", 1, reason="start on version 1")
    run_spec = spec(
        bars_csv,
        [HEALTHY, {"name": "swapped", "file": SMA_CROSS, "allocation": "20000"}],
    )
    control = tmp_path / "node.sock"
    node = PaperNode(
        run_spec, out=tmp_path / "out", control=control, registry=registry.root, speed=4_000.0
    )
    box: dict[str, Any] = {
        "node": node, "control": control, "registry": registry, "spec": run_spec,
    }  # fmt: skip
    thread = threading.Thread(target=lambda: box.update(result=node.run()))
    thread.start()
    box["thread"] = thread
    for _ in range(200):
        if control.exists():
            break
        time.sleep(0.02)
    yield box
    with suppress(NodeNotRunningError):  # the test may have stopped it already
        send(control, Command(op="stop"), timeout_s=10)
    thread.join(timeout=60)
    registry.close()


def test_swap_refused_then_done_while_the_other_strategy_runs(node_run: dict[str, Any]) -> None:
    control: Path = node_run["control"]
    status = send(control, Command(op="status"))
    assert status.ok
    assert status.data["strategies"]["swapped"]["version"] == 1

    refused = send(control, Command(op="swap", name="swapped", version=3, operator="ana"))
    assert not refused.ok
    assert "version 1 keeps running" in refused.message
    assert send(control, Command(op="status")).data["strategies"]["swapped"]["version"] == 1

    done = send(control, Command(op="swap", name="swapped", version=2, operator="ana"))
    assert done.ok, done.message
    assert done.data["swap_ms"] < 5_000
    after = send(control, Command(op="status")).data["strategies"]
    assert after["swapped"] == {**after["swapped"], "status": "running", "version": 2}
    assert after["healthy"]["status"] == "running"

    unknown = send(control, Command(op="swap", name="nobody", version=1))
    assert not unknown.ok and unknown.data == {"hosted": False}

    first = status.data["time_ns"]
    for _ in range(400):  # let the node trade a while with the new version
        now = send(control, Command(op="status")).data["time_ns"]
        if now - first >= 150 * 60 * 10**9:
            break
        time.sleep(0.05)
    assert send(control, Command(op="stop")).ok
    node_run["thread"].join(timeout=60)
    result: BacktestResult = node_run["result"]
    assert result.summary["strategies"]["healthy"]["status"] == "ok"
    # The healthy strategy never noticed: its fills are those of a plain backtest of the
    # same run (up to where the node was stopped).
    plain = run_backtest(node_run["spec"])
    ours = _fills(result, "healthy")
    assert ours  # it traded
    assert ours == _fills(plain, "healthy")[: len(ours)]
    assert _fills(result, "swapped")  # and so did the swapped one
    out = node_run["node"].out
    with closing(sqlite3.connect(out / "audit.sqlite")) as db:
        rows = db.execute("SELECT kind, actor FROM audit_records WHERE kind = 'deployment'")
        assert [tuple(r) for r in rows] == [("deployment", "ana"), ("deployment", "ana")]
    assert [s["outcome"] for s in node_run["node"].swaps] == ["refused", "swapped"]


def _fills(result: BacktestResult, strategy: str) -> list[list[Any]]:
    frame = result.fills()
    return frame[frame["strategy"] == strategy].drop(columns=["client_order_id"]).values.tolist()


def test_rollback_and_versions_through_the_cli(node_run: dict[str, Any]) -> None:
    control: Path = node_run["control"]
    registry: Registry = node_run["registry"]
    runner = CliRunner()
    args = ["--registry", str(registry.root), "--control", str(control)]
    bad = runner.invoke(app, ["rollback", "swapped", "--to", "9", *args])
    assert bad.exit_code == 2
    assert "1, 2, 3" in bad.output or "[1, 2, 3]" in bad.output
    good = runner.invoke(app, ["rollback", "swapped", "--to", "2", "--operator", "ana", *args])
    assert good.exit_code == 0, good.output
    assert registry.current("swapped").number == 2
    assert send(control, Command(op="status")).data["strategies"]["swapped"]["version"] == 2
    listed = runner.invoke(app, ["versions", "swapped", "--registry", str(registry.root)])
    assert listed.exit_code == 0
    assert "3 version(s)" in listed.output
    status = runner.invoke(app, ["node", "status", "--control", str(control)])
    assert status.exit_code == 0, status.output
    assert "swapped" in status.output and "running" in status.output
    stopped = runner.invoke(app, ["node", "stop", "--control", str(control)])
    assert stopped.exit_code == 0 and "stopping" in stopped.output
    node_run["thread"].join(timeout=60)
    gone = runner.invoke(app, ["node", "status", "--control", str(control)])
    assert gone.exit_code == 2
    assert "no node is running" in gone.output


def test_a_strategy_that_dies_in_a_node_is_flattened_and_audited(
    bars_csv: Path, tmp_path: Path
) -> None:
    crash = {"name": "crash", "file": str(HOSTILE / "crash.py"), "allocation": "5000"}
    node = PaperNode(
        spec(bars_csv, [HEALTHY, crash]), out=tmp_path / "out", control=tmp_path / "n.sock"
    )
    result = node.run()  # no speed: as fast as it goes, to the end of the data
    assert result.summary["strategies"]["crash"]["status"] == "failed"
    assert result.summary["strategies"]["healthy"]["status"] == "ok"
    fills = _fills(result, "crash")
    assert [row[6] for row in fills] == ["BUY", "SELL"]  # the entry, then the emergency sell
    with closing(sqlite3.connect(tmp_path / "out" / "audit.sqlite")) as db:
        rows = db.execute("SELECT subject FROM audit_records WHERE kind = 'strategy_failed'")
        assert [r[0] for r in rows] == ["crash"]
