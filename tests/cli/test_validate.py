"""``ironkeel validate``: exit 0 / 2 / 3 / 4 as documented, the report on the terminal and
the JSON report on disk."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ironkeel.cli import app
from tests._bars import EXAMPLES, instrument, synthetic_bars, write_bars_csv

RELAXED = "max_callback_ms = 5000\nmax_p99_ms = 1000\nmemory_samples = 5\n"


def _gates(tmp_path: Path, extra: str = "") -> str:
    path = tmp_path / "gates.toml"
    path.write_text(RELAXED + extra, encoding="utf-8")
    return str(path)


def _flat(text: str) -> str:
    return "".join(text.split())


def test_when_a_shipped_example_is_validated_then_exit_0_and_every_gate_passes(
    tmp_path: Path,
) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        app,
        [
            "validate", str(EXAMPLES / "sma_cross.py"), "--synthetic", "2000",
            "--param", "fast=8", "--gates", _gates(tmp_path), "--json", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "PASSED" in result.output
    assert "FAIL" not in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["passed"] is True
    assert data["params"]["fast"] == 8


def test_when_the_broken_example_is_validated_then_exit_4_with_the_failed_gates(
    tmp_path: Path,
) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        app,
        ["validate", str(EXAMPLES / "broken.py"), "--synthetic", "3000",
         "--gates", _gates(tmp_path), "--json", str(out)],
    )  # fmt: skip
    assert result.exit_code == 4, result.output
    flat = _flat(result.output)
    assert "scenario:partial_fills/accounting" in flat
    assert "scenario:rejects/order_rate" in flat
    assert "FAILED(exit4)" in flat
    assert json.loads(out.read_text(encoding="utf-8"))["exit_code"] == 4


def test_when_the_script_is_refused_then_exit_3_with_file_and_line(tmp_path: Path) -> None:
    script = tmp_path / "bad.py"
    script.write_text("from ironkeel import Strategy\n\nx = eval('1')\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(script), "--synthetic", "200"])
    assert result.exit_code == 3, result.output
    flat = _flat(result.output)
    assert "bad.py:3:5:IK103" in flat
    assert "IK401" in flat


def test_when_the_inputs_are_wrong_then_exit_2_with_a_message(tmp_path: Path) -> None:
    runner = CliRunner()
    script = str(EXAMPLES / "sma_cross.py")
    cases = [
        (["--param", "fast"], "is not KEY=VALUE"),
        (["--gates", _gates(tmp_path, "max_orders_per_secnd = 3\n")], "did you mean"),
        (["--data", str(tmp_path / "none.csv")], "does not exist"),
        (["--data", script, "--synthetic", "5"], "not both"),
    ]
    for args, message in cases:
        result = runner.invoke(app, ["validate", script, *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in _flat(result.output) or message in result.output


def test_bad_rows_in_data_are_refused_with_their_row_unless_a_policy_says(
    tmp_path: Path,
) -> None:
    inst = instrument("BTCUSD", tick="0.5", lot="0.001")
    path = write_bars_csv(tmp_path / "btcusd_1m.csv", inst, synthetic_bars(inst, 600, seed=9))
    lines = path.read_text().splitlines()
    fields = lines[5].split(",")
    fields[-1] = fields[-1] + "00000001"  # a volume off the 0.001 grid (float noise)
    lines[5] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    base = ["validate", str(EXAMPLES / "sma_cross.py"), "--data", str(path),
            "--gates", _gates(tmp_path, 'scenarios = ["baseline"]\n')]  # fmt: skip
    refused = CliRunner().invoke(app, base)
    assert refused.exit_code == 2
    assert "btcusd_1m.csv:6" in _flat(refused.output) or "row6" in _flat(refused.output)
    repaired = CliRunner().invoke(app, [*base, "--policy", "repair"])
    assert repaired.exit_code == 0, repaired.output
