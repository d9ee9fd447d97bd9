"""``ironkeel deploy``: only a script that passes validation is stored; a name in use needs
--replace; a running node swaps to the new version; without a node the version is
stored and made current for the next start."""

from __future__ import annotations

import threading
import time
from contextlib import suppress
from pathlib import Path

from typer.testing import CliRunner

from ironkeel.cli import app
from ironkeel.node import Command, NodeNotRunningError, PaperNode, send
from ironkeel.sandbox.registry import Registry
from tests._bars import EXAMPLES
from tests.sandbox.conftest import HEALTHY, SMA_CROSS, spec

BROKEN = str(EXAMPLES / "broken.py")


def _deploy(tmp_path: Path, bars: Path, *args: str) -> tuple[int, str]:
    # Latency gates sized for a loaded test machine (their logic is tested in validation).
    gates = tmp_path / "gates.toml"
    gates.write_text("max_callback_ms = 5000.0\nmax_p99_ms = 1000.0\n")
    result = CliRunner().invoke(
        app,
        ["deploy", *args, "--data", str(bars), "--operator", "ana", "--gates", str(gates),
         "--registry", str(tmp_path / "registry"), "--control", str(tmp_path / "node.sock")],
    )  # fmt: skip
    return result.exit_code, result.output


def test_deploy_validates_stores_and_refuses(bars_csv: Path, tmp_path: Path) -> None:
    code, out = _deploy(tmp_path, bars_csv, SMA_CROSS, "--name", "trend", "--param", "fast=5")
    assert code == 0, out
    assert "stored as version 1" in out and "no node runs" in out

    code, out = _deploy(tmp_path, bars_csv, SMA_CROSS, "--name", "trend")
    assert code == 2
    assert "already deployed" in out and "--replace" in out and "['trend']" in out

    code, out = _deploy(tmp_path, bars_csv, BROKEN, "--name", "trend", "--replace")
    assert code == 4, out
    assert "not deployed" in out

    bad = tmp_path / "syntax.py"
    bad.write_text("from ironkeel import Strategy\n\nclass Bad(Strategy)\n    pass\n")
    code, out = _deploy(tmp_path, bars_csv, str(bad), "--name", "trend", "--replace")
    assert code == 3
    assert "syntax.py:3" in out

    with Registry(tmp_path / "registry") as store:
        assert [v.number for v in store.versions("trend")] == [1]
        assert store.current("trend").params["fast"] == 5


def test_deploy_swaps_a_running_node(bars_csv: Path, tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    code, out = _deploy(tmp_path, bars_csv, SMA_CROSS, "--name", "trend", "--param", "fast=5")
    assert code == 0, out
    control = tmp_path / "node.sock"
    node = PaperNode(
        spec(bars_csv, [HEALTHY, {"name": "trend", "file": SMA_CROSS, "allocation": "20000"}]),
        out=tmp_path / "out", control=control, registry=registry, speed=1_000.0,
    )  # fmt: skip
    thread = threading.Thread(target=node.run)
    thread.start()
    try:
        for _ in range(200):
            if control.exists():
                break
            time.sleep(0.02)
        code, out = _deploy(
            tmp_path, bars_csv, SMA_CROSS, "--name", "trend", "--param", "fast=8", "--replace"
        )
        assert code == 0, out
        assert "trend runs version 2" in out
        status = send(control, Command(op="status")).data["strategies"]
        assert status["trend"]["version"] == 2
        assert status["healthy"]["status"] == "running"
    finally:
        with suppress(NodeNotRunningError):
            send(control, Command(op="stop"), timeout_s=10)
        thread.join(timeout=60)
    with Registry(registry) as store:
        assert store.current("trend").number == 2


def test_rollback_goes_to_the_version_before_and_refuses_when_there_is_none(
    bars_csv: Path, tmp_path: Path
) -> None:
    args = ["--registry", str(tmp_path / "registry"), "--control", str(tmp_path / "node.sock"),
            "--operator", "ana"]  # fmt: skip
    runner = CliRunner()
    code, out = _deploy(tmp_path, bars_csv, SMA_CROSS, "--name", "trend", "--param", "fast=5")
    assert code == 0, out
    alone = runner.invoke(app, ["rollback", "trend", *args])
    assert alone.exit_code == 2
    assert "nothing to roll back to from version 1" in alone.output
    code, out = _deploy(
        tmp_path, bars_csv, SMA_CROSS, "--name", "trend", "--param", "fast=8", "--replace"
    )
    assert code == 0, out
    back = runner.invoke(app, ["rollback", "trend", *args])
    assert back.exit_code == 0, back.output
    with Registry(tmp_path / "registry") as store:
        assert store.current("trend").number == 1
    again = runner.invoke(app, ["rollback", "trend", "--to", "1", *args])
    assert again.exit_code == 2
    assert "already current" in again.output
