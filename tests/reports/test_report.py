"""The HTML report without a browser: self-contained, every section present, no "nan"
anywhere, light for long curves; stress.json read tolerantly; the CLI command."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from ironkeel.backtest import BacktestResult
from ironkeel.cli import app
from ironkeel.reports import build_report, read_stress, write_report
from ironkeel.reports.downsample import minmax_indices
from tests._runs import make_run


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("run"), stress=True)


def _visible_text(page: str) -> str:
    """The page without its scripts (plotly.js itself contains the letters 'nan')."""
    return re.sub(r"<script.*?</script>", "", page, flags=re.S)


def test_report_is_one_offline_file_with_every_section(run_dir: Path):
    path, report = write_report(run_dir)
    page = path.read_text(encoding="utf-8")
    assert path == run_dir / "report.html"
    assert "cdn" not in re.sub(r"<script.*?</script>", "", page, flags=re.S).lower()
    assert "<script src" not in page  # plotly.js inline: works offline
    assert f"<meta name='ironkeel-charts' content='{report.n_charts}'>" in page
    for key in ("equity", "underwater", "monthly", "rolling", "distribution", "price",
                "correlation", "risk", "stress"):  # fmt: skip
        assert f'id="chart-{key}"' in page, key
    text = _visible_text(page)
    titles = ["Headline metrics", "Per strategy", "Drawdown episodes", "Monte Carlo over trades",
              "Value at risk", "Stress results", "Recommendations", "COVID crash 2020"]  # fmt: skip
    for title in titles:
        assert title in text, title
    assert not re.search(r"\bnan\b", text, flags=re.I)
    assert len(page) < 8_000_000


def test_same_run_gives_the_same_report_bytes(run_dir: Path, tmp_path: Path):
    a, _ = write_report(run_dir, tmp_path / "a.html")
    b, _ = write_report(run_dir, tmp_path / "b.html")
    assert a.read_bytes() == b.read_bytes()


def test_a_run_without_trades_still_reports(tmp_path: Path):
    run = make_run(tmp_path)
    result = BacktestResult.read(run)
    result.trade_rows, result.fill_rows, result.risk_rows = [], [], []
    report = build_report(result)
    assert "No trades: nothing to resample." in report.html
    assert not re.search(r"\bnan\b", _visible_text(report.html), flags=re.I)


def test_minmax_keeps_the_extremes_and_bounds_the_size():
    values = np.sin(np.linspace(0, 60, 1_000_000))
    values[123_457] = -5.0
    values[987_654] = 7.0
    picks = minmax_indices(values, 4_000)
    assert picks.size <= 4_000 and np.all(np.diff(picks) > 0)
    assert {0, 123_457, 987_654, values.size - 1} <= set(picks.tolist())
    assert np.array_equal(minmax_indices(values[:10], 4_000), np.arange(10))


def test_stress_file_tolerates_missing_keys_and_says_when_unreadable(tmp_path: Path):
    assert read_stress(tmp_path / "stress.json") is None
    (tmp_path / "stress.json").write_text(json.dumps({"scenarios": [{"name": "x"}, 3]}))
    stress = read_stress(tmp_path / "stress.json")
    assert stress is not None and stress.threshold is None
    (scenario,) = stress.scenarios
    assert (scenario.title, scenario.total_drawdown, scenario.breached) == ("x", None, None)
    (tmp_path / "stress.json").write_text("{")
    broken = read_stress(tmp_path / "stress.json")
    assert broken is not None and broken.problem and "not readable JSON" in broken.problem


def test_cli_report_prints_the_headline_and_the_path(run_dir: Path, tmp_path: Path):
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["report", str(run_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    flat = "".join(result.output.split())
    assert "Sharpe" in flat and "total" in flat and str(out).replace(" ", "") in flat


def test_cli_report_names_the_missing_file(run_dir: Path, tmp_path: Path):
    result = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "summary.json:missingfromtherunfolder" in "".join(result.output.split())


@pytest.mark.parametrize("n_points", [0, 1, 50])
def test_empty_single_point_and_flat_runs_report_with_notes_not_nan(n_points: int):
    start, minute = 1_600_000_000 * 10**9, 60 * 10**9
    rows = [[start + k * minute, "", "100", "100"] for k in range(n_points)]
    result = BacktestResult(
        summary={"strategies": {"a": {}}}, order_rows=[], fill_rows=[], trade_rows=[],
        equity_columns=["ts_ns", "time", "equity", "equity_a"], equity_rows=rows,
    )  # fmt: skip
    report = build_report(result)
    text = _visible_text(report.html)
    assert not re.search(r"\bnan\b", text, flags=re.I)
    assert "no prices.csv in the run folder" in text
    if n_points < 2:
        assert report.n_charts == 0 and "fewer than 2 points" in text
    else:
        assert report.metrics.at["sharpe", "total"] is None
        assert "shorter than the window" in text


def test_cli_report_of_a_corrupt_file_exits_2_with_the_line(run_dir: Path, tmp_path: Path):
    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    lines = (copy / "trades.csv").read_text().splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",oops"
    (copy / "trades.csv").write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(app, ["report", str(copy)])
    assert result.exit_code == 2
    assert "trades.csv:line2,columnpnl:'oops'isnotanumber" in "".join(result.output.split())
