"""Reading a run folder back: the same result as the run gave, and every missing or
corrupt file named (with the line for a bad row)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ironkeel.backtest import BacktestResult
from ironkeel.backtest.reading import RunFolderError
from tests._runs import make_run


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("run"))


@pytest.fixture
def copy(run_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(run_dir, target)
    return target


def test_read_gives_back_the_written_rows(run_dir: Path, tmp_path: Path):
    result = BacktestResult.read(run_dir)
    assert result.summary == json.loads((run_dir / "summary.json").read_text())
    result.write(tmp_path / "again")
    for name in ("equity.csv", "fills.csv", "trades.csv", "orders.csv", "prices.csv",
                 "risk_events.csv", "summary.json"):  # fmt: skip
        assert (tmp_path / "again" / name).read_bytes() == (run_dir / name).read_bytes(), name


@pytest.mark.parametrize("name", ["summary.json", "equity.csv", "trades.csv", "fills.csv"])
def test_a_missing_file_is_named(copy: Path, name: str):
    (copy / name).unlink()
    with pytest.raises(RunFolderError, match=rf"{name}: missing from the run folder"):
        BacktestResult.read(copy)


def test_a_missing_folder_is_named(tmp_path: Path):
    with pytest.raises(RunFolderError, match="nowhere: the run folder does not exist"):
        BacktestResult.read(tmp_path / "nowhere")


def test_corrupt_json_is_named(copy: Path):
    (copy / "summary.json").write_text("{ not json", encoding="utf-8")
    with pytest.raises(RunFolderError, match=r"summary.json: not readable JSON"):
        BacktestResult.read(copy)


def test_a_cut_row_is_named_with_its_line(copy: Path):
    lines = (copy / "equity.csv").read_text().splitlines()
    lines[5] = lines[5].rsplit(",", 1)[0]
    (copy / "equity.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(RunFolderError, match=r"equity.csv: line 6 has 4 fields, the header 5"):
        BacktestResult.read(copy)


def test_a_bad_timestamp_is_named_with_line_and_column(copy: Path):
    lines = (copy / "fills.csv").read_text().splitlines()
    lines[1] = "soon" + lines[1][lines[1].index(",") :]
    (copy / "fills.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(RunFolderError, match=r"fills.csv: line 2, column ts_ns: 'soon'"):
        BacktestResult.read(copy)


def test_a_wrong_header_is_named(copy: Path):
    (copy / "trades.csv").write_text("a,b\n")
    with pytest.raises(RunFolderError, match=r"trades.csv: line 1 is \['a', 'b'\]"):
        BacktestResult.read(copy)


def test_risk_events_required_when_the_run_had_a_risk_engine(copy: Path):
    (copy / "risk_events.csv").unlink()
    with pytest.raises(RunFolderError, match=r"risk_events\.csv: missing"):
        BacktestResult.read(copy)


def test_an_older_folder_without_prices_or_slippage_still_reads(copy: Path):
    (copy / "prices.csv").unlink()
    lines = (copy / "fills.csv").read_text().splitlines()
    (copy / "fills.csv").write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")
    result = BacktestResult.read(copy)
    assert result.prices().empty
    assert all(v == 0 for v in result.fills()["slippage"])


def test_a_value_that_is_not_a_number_is_named_with_line_and_column(copy: Path):
    lines = (copy / "equity.csv").read_text().splitlines()
    cells = lines[3].split(",")
    cells[3] = "12x"
    lines[3] = ",".join(cells)
    (copy / "equity.csv").write_text("\n".join(lines) + "\n")
    result = BacktestResult.read(copy)
    with pytest.raises(RunFolderError, match=r"equity.csv: line 4, column equity_fast: '12x'"):
        result.metrics()


def test_a_bad_trade_pnl_is_named(copy: Path):
    lines = (copy / "trades.csv").read_text().splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ",lots"
    (copy / "trades.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(RunFolderError, match=r"trades.csv: line 3, column pnl: 'lots'"):
        BacktestResult.read(copy).trades()
