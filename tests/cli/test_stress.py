"""``ironkeel stress``: the table and stress.json for a run file or a run folder, --apply
through the operator journal, and one-line errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner, Result

from ironkeel.audit import read_records
from ironkeel.cli import app
from ironkeel.risk.breaker import BreakerState, DrawdownBreaker
from ironkeel.risk.journal import BreakerJournal
from tests.stress.conftest import crash, run_file

__all__ = ["crash", "run_file"]  # the shared fixtures, used by name


def _invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def _flat(text: str) -> str:
    return "".join(text.split())


def test_stress_a_run_file_prints_the_table_and_writes_stress_json(run_file, crash, tmp_path):
    out = tmp_path / "stress"
    result = _invoke("stress", str(run_file), "--scenario-file", str(crash), "--out", str(out),
                     "--warmup", "100", "--workers", "1", "--threshold", "0.9")  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((out / "stress.json").read_text())
    assert report["threshold"] == 0.9
    (entry,) = report["scenarios"]
    assert entry["name"] == "test_crash" and set(entry["strategies"]) == {"hold", "sma"}
    assert {"total_drawdown", "breached", "title"} <= set(entry)
    assert set(entry["strategies"]["hold"]) >= {"drawdown", "return"}
    text = _flat(result.output)
    assert "test_crash" in text and "holdDD" in text and "norecommendation" in text


def test_stress_a_run_folder_and_apply_the_pause(run_file, crash, tmp_path):
    run_dir = tmp_path / "done"
    toml = run_file.read_text().replace('fees = "bps:4"', 'fees = "bps:4"\nrisk = "default"')
    run_file.write_text(toml)
    assert _invoke("backtest", str(run_file), "--out", str(run_dir), "--quiet").exit_code == 0
    result = _invoke(
        "stress", str(run_dir), "--scenario-file", str(crash), "--warmup", "100", "--workers", "1",
        "--threshold", "0.02", "--apply", "--operator", "bob",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((run_dir / "stress.json").read_text())
    assert [(r["strategy"], r["action"]) for r in report["recommendations"]] == [("hold", "pause")]
    assert report["applied"][0]["result"].endswith("-> HALTED")
    with BreakerJournal(run_dir / "breakers.sqlite") as journal:
        state = DrawdownBreaker.restore(journal.load()["strategy:hold"]).state
    assert state is BreakerState.HALTED
    assert any(r.kind == "operator_action" and r.actor == "bob"
               for r in read_records(run_dir / "audit.sqlite"))  # fmt: skip
    assert "recommendpausehold" in _flat(result.output)


def test_without_apply_nothing_changes(run_file, crash, tmp_path):
    out = tmp_path / "s"
    result = _invoke("stress", str(run_file), "--scenario-file", str(crash), "--out", str(out),
                     "--warmup", "100", "--workers", "1", "--threshold", "0.02")  # fmt: skip
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["stress.json"]


def test_errors_are_one_line_with_exit_code_2(run_file, crash, tmp_path):
    (tmp_path / "empty").mkdir()
    cases = [
        (("stress", str(tmp_path / "empty")), "spec.json: missing"),
        (
            ("stress", str(run_file), "--out", "x", "--scenario", "covid"),
            "did you mean 'covid_2020'",
        ),
        (("stress", str(run_file), "--scenario-file", str(crash)), "--out"),
        (("stress", str(run_file), "--out", "x", "--map", "BTCUSD"), "is not SYMBOL=VALUE"),
        (("stress", str(run_file), "--out", "x", "--apply"), "--operator"),
    ]
    for args, message in cases:
        result = _invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert _flat(message) in _flat(result.output), result.output
        assert not Path("x").exists()
