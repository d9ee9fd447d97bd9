"""Every hostile script of docs/sandbox.md, run in one isolated backtest beside a healthy
strategy: each is contained (stopped and flattened, with the block on the record),
nothing escapes (no file, no connection, no process killed), and the healthy strategy's
results equal those of a run without any hostile neighbour."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ironkeel.backtest import BacktestResult
from ironkeel.backtest.runner import run_backtest
from tests.sandbox.conftest import HEALTHY, HOSTILE, spec

#: script -> (words one of which the failure must contain: what stopped it)
EXPECTED: dict[str, tuple[str, ...]] = {
    "write_file": ("refused", "Permission", "not permitted"),
    "tcp": ("refused", "not permitted"),
    "infinite_loop": ("deadline",),
    "c_hang": ("deadline",),
    "allocate": ("MemoryError",),
    "fork_bomb": ("refused", "not permitted"),
    "ctypes_fork": ("returned -1",),
    "fork_exec": ("refused", "not permitted", "not on the strategy allow-list"),
    "sleeper": ("not permitted", "deadline"),
    "killer": ("refused", "not permitted"),
    "read_passwd": ("Permission denied",),
    "introspection": ("refused", "returned", "not permitted"),
    "forgery": ("protocol: malformed message",),
}
MARKERS = [
    "/tmp/ironkeel-hostile",
    "/tmp/ironkeel-hostile-exec",
    "/tmp/ironkeel-hostile-introspection",
]


@pytest.fixture(scope="module")
def listener() -> Iterator[socket.socket]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


@pytest.fixture(scope="module")
def runs(bars_csv: Path, listener: socket.socket) -> tuple[BacktestResult, BacktestResult]:
    for marker in MARKERS:
        Path(marker).unlink(missing_ok=True)
    hostile: list[dict[str, Any]] = []
    for name in EXPECTED:
        params: dict[str, Any] = {"port": listener.getsockname()[1]} if name == "tcp" else {}
        hostile.append(
            {"name": name, "file": str(HOSTILE / f"{name}.py"), "params": params,
             "allocation": "1000"}
        )  # fmt: skip
    alone = run_backtest(spec(bars_csv, [HEALTHY]))
    # The loops and hangs are cut at the deadline: 1 s here, so that a loaded test machine
    # never cuts the healthy strategy (the default in production is 50 ms).
    crowded = run_backtest(spec(bars_csv, [HEALTHY, *hostile], isolated=True, deadline_ms=1000))
    return alone, crowded


def _mine(frame: Any, name: str) -> list[list[Any]]:
    return frame[frame["strategy"] == name].drop(columns=["client_order_id"]).values.tolist()


@pytest.mark.parametrize("name", list(EXPECTED))
def test_hostile_script_is_stopped_with_the_block_on_record(
    runs: tuple[BacktestResult, BacktestResult], name: str
) -> None:
    _, crowded = runs
    entry = crowded.summary["strategies"][name]
    assert entry["status"] == "failed", entry
    error = entry["failure"]["error"]
    assert any(word in error for word in EXPECTED[name]), error


def test_nothing_escaped(
    runs: tuple[BacktestResult, BacktestResult], listener: socket.socket
) -> None:
    for marker in MARKERS:
        assert not os.path.exists(marker), f"{marker} was written from inside the sandbox"
    with pytest.raises(BlockingIOError):
        listener.accept()  # nobody connected


def test_healthy_strategy_results_are_unchanged(
    runs: tuple[BacktestResult, BacktestResult],
) -> None:
    alone, crowded = runs
    assert crowded.summary["strategies"]["healthy"]["status"] == "ok"
    assert _mine(crowded.fills(), "healthy") == _mine(alone.fills(), "healthy")
    assert crowded.trades().query("strategy == 'healthy'").values.tolist() == (
        alone.trades().query("strategy == 'healthy'").values.tolist()
    )
    for key in ("final_equity", "n_orders", "n_fills", "realized_pnl"):
        assert (
            crowded.summary["strategies"]["healthy"][key]
            == (alone.summary["strategies"]["healthy"][key])
        )


def test_the_healthy_strategy_kept_its_latency(
    runs: tuple[BacktestResult, BacktestResult],
) -> None:
    _, crowded = runs
    assert crowded.sandbox is not None
    healthy = crowded.sandbox["healthy"]
    assert healthy["killed"] is None
    assert healthy["callbacks"] >= 400
    assert healthy["errors"] == 0
