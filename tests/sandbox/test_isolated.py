"""An isolated backtest equals the in-process one; a crash leaves the strategy flat and
disabled, on the record; bad scripts are refused at load with file:line."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from ironkeel.backtest.runner import run_backtest
from ironkeel.backtest.spec import SpecError
from ironkeel.sandbox import SandboxPool
from tests._bars import EXAMPLES
from tests.sandbox.conftest import HEALTHY, HOSTILE, spec

OUTPUTS = ("summary.json", "orders.csv", "fills.csv", "trades.csv", "equity.csv",
           "risk_events.csv")  # fmt: skip
MEAN_REV = {
    "name": "mean_rev",
    "file": str(EXAMPLES / "mean_reversion.py"),
    "params": {"window": 30, "entry": 1.5, "size": "0.4"},
    "allocation": "30000",
}


def test_isolated_run_writes_the_same_bytes_as_in_process(bars_csv: Path, tmp_path: Path) -> None:
    strategies = [HEALTHY, MEAN_REV]
    run_backtest(spec(bars_csv, strategies, risk="default", out=str(tmp_path / "in")))
    isolated = run_backtest(
        spec(bars_csv, strategies, risk="default", out=str(tmp_path / "iso"), isolated=True)
    )
    assert isolated.summary["n_orders"] > 0
    for name in OUTPUTS:
        assert (tmp_path / "iso" / name).read_bytes() == (tmp_path / "in" / name).read_bytes(), name
    assert (tmp_path / "iso" / "sandbox.json").is_file()
    assert not (tmp_path / "in" / "sandbox.json").exists()


def test_a_crash_mid_run_leaves_the_strategy_flat_disabled_and_audited(
    bars_csv: Path, tmp_path: Path
) -> None:
    crash = {"name": "crash", "file": str(HOSTILE / "crash.py"), "allocation": "5000"}
    result = run_backtest(
        spec(bars_csv, [HEALTHY, crash], risk="default", out=str(tmp_path), isolated=True)
    )
    entry = result.summary["strategies"]["crash"]
    assert entry["status"] == "failed"
    assert "died (EOF)" in entry["failure"]["error"]
    fills = result.fills()
    mine = fills[fills["strategy"] == "crash"]
    assert list(mine["side"]) == ["BUY", "SELL"]  # the entry, then the emergency flatten
    assert mine["quantity"].iloc[0] == mine["quantity"].iloc[1]
    assert result.summary["risk"]["disabled"]["crash"].startswith("failed in on_bar")
    events = result.risk_events()
    failed = events[(events["strategy"] == "crash") & (events["to_state"] == "FAILED")]
    assert len(failed) == 1
    with closing(sqlite3.connect(tmp_path / "audit.sqlite")) as db:
        kinds = [kind for (kind,) in db.execute("SELECT kind FROM audit_records")]
    assert kinds.count("strategy_failed") == 1
    assert result.summary["strategies"]["healthy"]["status"] == "ok"


def test_a_script_with_a_syntax_error_is_refused_with_its_line(
    bars_csv: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from ironkeel import Strategy\n\nclass Bad(Strategy)\n    pass\n")
    with pytest.raises(SpecError, match=r"bad\.py:3: syntax error"):
        run_backtest(spec(bars_csv, [{"name": "bad", "file": str(bad)}], isolated=True))


def test_an_unknown_parameter_is_refused_with_the_closest_name(bars_csv: Path) -> None:
    entry = {**HEALTHY, "params": {"fats": 3}}
    with pytest.raises(SpecError, match="fast"):
        run_backtest(spec(bars_csv, [entry], isolated=True))


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root: own uid and network namespace")
def test_sandbox_check_reports_every_protection_active_and_every_probe_blocked() -> None:
    with SandboxPool() as pool:
        protections, probes = pool.check()
    assert {p.name for p in protections} >= {"seccomp", "landlock", "own uid", "rlimits",
                                             "network namespace", "descriptors"}  # fmt: skip
    assert all(p.active for p in protections), [p for p in protections if not p.active]
    assert probes and all(p.active for p in probes), [p for p in probes if not p.active]
