"""CLI smoke tests, in-process: exit 0 with files, 2 with a message on bad input, 3 when a
strategy failed, 1 with one paragraph on an internal error; never a bare traceback."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from textwrap import dedent

import pytest
from typer.testing import CliRunner, Result

from ironkeel.cli import app, main
from tests._bars import EXAMPLES, instrument, synthetic_bars, write_bars_csv

BTC = instrument("BTCUSD", tick="0.5", lot="0.001")
SMA_CROSS = str(EXAMPLES / "sma_cross.py")
FILES = ["equity.csv", "fills.csv", "orders.csv", "prices.csv", "report.html", "spec.json",
         "summary.json", "trades.csv"]  # fmt: skip
RAISING = """
from ironkeel import Strategy


class Raising(Strategy):
    def on_start(self):
        self.n = 0

    def on_bar(self, bar):
        self.n += 1
        if self.n == 3:
            self.buy("1")
        if self.n == 50:
            raise KeyError("[/oops]")  # brackets: printed as text, not as markup
"""
RAISING_LINE = 1 + next(k for k, t in enumerate(RAISING.lstrip().splitlines()) if "raise" in t)


def _flat(text: str) -> str:
    """The text without any whitespace: rich wraps long lines at the console width."""
    return "".join(text.split())


def _invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_bars_csv(tmp_path / "btcusd_1m.csv", BTC, synthetic_bars(BTC, 400, seed=5))


def _summary(folder: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_when_backtesting_a_script_on_a_csv_then_it_exits_0_and_writes_the_files(
    tmp_path: Path, data: Path
) -> None:
    out = tmp_path / "out"

    result = _invoke(
        "backtest", SMA_CROSS, "--data", str(data), "--param", "fast=5", "--param", "slow=20",
        "--fees", "bps:4", "--out", str(out), "--quiet",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == FILES
    summary = _summary(out)
    assert summary["complete"] is True
    assert summary["bars"] == 400
    assert summary["strategies"]["sma_cross"]["params"] == {"fast": 5, "slow": 20, "size": "1"}
    assert summary["n_trades"] > 0
    assert "sma_cross" in result.stdout
    assert "400 bars" in result.stdout
    assert "BTCUSD.SIM inferred" in _flat(result.stdout).replace("inferred", " inferred")
    assert _flat(f"report: {out / 'report.html'}") in _flat(result.stdout)


def test_when_no_report_is_asked_then_the_backtest_writes_none(tmp_path: Path, data: Path):
    out = tmp_path / "out"

    result = _invoke("backtest", SMA_CROSS, "--data", str(data), "--out", str(out), "--quiet",
                     "--no-report")  # fmt: skip

    assert result.exit_code == 0, result.output
    assert not (out / "report.html").exists()
    assert "report:" not in result.stdout


def test_when_a_run_file_has_two_strategies_then_both_run_and_out_overrides(
    tmp_path: Path, data: Path
) -> None:
    run_file = tmp_path / "run.toml"
    run_file.write_text(
        dedent(
            f"""
            fees = "none"
            cash = "50000"
            out = "results"

            [[data]]
            path = "{data.name}"
            symbol = "BTCUSD"

            [[strategies]]
            name = "fast"
            file = "{SMA_CROSS}"
            params = {{ fast = 3, slow = 12 }}

            [[strategies]]
            name = "slow"
            file = "{SMA_CROSS}"
            params = {{ fast = 10, slow = 40, size = "0.5" }}
            allocation = "20000"
            """
        ),
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"

    default = _invoke("backtest", str(run_file), "--quiet")
    override = _invoke("backtest", str(run_file), "--quiet", "--out", str(elsewhere))

    assert default.exit_code == 0, default.output
    assert override.exit_code == 0, override.output
    summary = _summary(tmp_path / "results")
    assert set(summary["strategies"]) == {"fast", "slow"}
    assert summary["strategies"]["fast"]["allocation"] == "30000"
    assert summary["strategies"]["slow"]["allocation"] == "20000"
    assert all(row["status"] == "ok" for row in summary["strategies"].values())
    assert (elsewhere / "summary.json").read_bytes() == (
        tmp_path / "results" / "summary.json"
    ).read_bytes()


def test_when_a_parameter_is_mistyped_then_it_exits_2_suggesting_the_closest(
    data: Path,
) -> None:
    result = _invoke("backtest", SMA_CROSS, "--data", str(data), "--param", "fsat=5", "--quiet")

    assert result.exit_code == 2
    assert "did you mean 'fast'?" in " ".join(result.output.split())


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--param", "fast"], "is not KEY=VALUE"),
        (["--param", "fast=ten"], "is not a valid int"),
        (["--fees", "maker-taker"], "did you mean 'maker_taker'?"),
        (["--fill-on", "open"], "Invalid enum value 'open'"),
        (["--policy", "fix"], "policy"),
        (["--currency", "XYZ"], "set currency_precision"),
    ],
)
def test_when_an_option_is_bad_then_it_exits_2_with_a_message(
    data: Path, extra: list[str], message: str
) -> None:
    result = _invoke("backtest", SMA_CROSS, "--data", str(data), "--quiet", *extra)

    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert message in " ".join(result.output.split())


def test_when_no_data_is_given_then_it_exits_2_saying_how(tmp_path: Path) -> None:
    result = _invoke("backtest", SMA_CROSS, "--quiet")

    assert result.exit_code == 2
    assert "no --data given" in result.output


def test_when_the_data_file_is_missing_then_it_exits_2_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope_1m.csv"

    result = _invoke("backtest", SMA_CROSS, "--data", str(missing), "--quiet")

    assert result.exit_code == 2
    assert _flat(str(missing)) in _flat(result.output)
    assert "does not exist" in " ".join(result.output.split())


def test_when_a_run_file_has_an_unknown_key_then_it_exits_2_with_the_suggestion(
    tmp_path: Path,
) -> None:
    run_file = tmp_path / "run.toml"
    run_file.write_text(
        'seeed = 3\n[[data]]\npath = "x.csv"\nsymbol = "X"\n'
        '[[strategies]]\nname = "a"\nfile = "a.py"\n',
        encoding="utf-8",
    )

    result = _invoke("backtest", str(run_file), "--quiet")

    assert result.exit_code == 2
    assert "unknown key 'seeed' at $. Fix: did you mean 'seed'?" in " ".join(result.output.split())


def test_when_a_message_contains_brackets_then_they_are_printed_as_text(tmp_path: Path) -> None:
    run_file = tmp_path / "run.toml"
    run_file.write_text('data = []\n[[strategies]]\nname = "a"\nfile = "a.py"\n', encoding="utf-8")

    result = _invoke("backtest", str(run_file), "--quiet")

    assert result.exit_code == 2
    assert "add at least one [[data]] entry" in " ".join(result.output.split())


def test_when_a_strategy_raises_in_a_hook_then_it_exits_3_and_the_summary_says_failed(
    tmp_path: Path, data: Path
) -> None:
    script = tmp_path / "raising.py"
    script.write_text(RAISING.lstrip(), encoding="utf-8")
    out = tmp_path / "out"

    result = _invoke("backtest", str(script), "--data", str(data), "--out", str(out), "--quiet")

    assert result.exit_code == 3
    summary = _summary(out)
    assert summary["complete"] is False
    row = summary["strategies"]["raising"]
    assert row["status"] == "failed"
    assert row["failure"]["hook"] == "on_bar"
    assert row["failure"]["location"] == f"{script}:{RAISING_LINE}"
    assert row["failure"]["error"] == "KeyError: '[/oops]'"
    text = _flat(result.stderr)
    assert _flat(f"failed in on_bar at {script}:{RAISING_LINE}") in text
    assert _flat("KeyError: '[/oops]'") in text
    assert "stoppedandflattened" in text


def test_when_the_strategy_file_has_a_syntax_error_then_it_exits_2_with_file_and_line(
    tmp_path: Path, data: Path
) -> None:
    script = tmp_path / "broken.py"
    script.write_text("from ironkeel import Strategy\n\nclass Broken(Strategy)\n    pass\n")

    result = _invoke("backtest", str(script), "--data", str(data), "--quiet")

    assert result.exit_code == 2
    assert _flat(f"{script}:3: syntax error") in _flat(result.output)


def test_when_the_strategy_file_is_missing_then_it_exits_2_naming_it(
    tmp_path: Path, data: Path
) -> None:
    result = _invoke("backtest", str(tmp_path / "ghost.py"), "--data", str(data), "--quiet")

    assert result.exit_code == 2
    assert "no such strategy file" in " ".join(result.output.split())


def test_when_an_internal_error_happens_then_main_exits_1_with_one_paragraph(
    tmp_path: Path,
    data: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("[b]division[/b] by zero")

    module = importlib.import_module("ironkeel.cli.app")  # ``ironkeel.cli.app`` is the Typer app
    monkeypatch.setattr(module, "run_backtest", explode)
    monkeypatch.delenv("IRONKEEL_DEBUG", raising=False)
    monkeypatch.setattr(
        "sys.argv", ["ironkeel", "backtest", SMA_CROSS, "--data", str(data), "--quiet"]
    )

    with pytest.raises(SystemExit) as caught:
        main()

    assert caught.value.code == 1
    captured = capsys.readouterr()
    text = " ".join(captured.err.split())
    assert "Traceback" not in captured.err + captured.out
    assert text.startswith("internal error: ZeroDivisionError: [b]division[/b] by zero")
    assert "IRONKEEL_DEBUG=1" in text
    assert "\n\n" not in captured.err.strip()


def test_when_asked_for_the_version_then_it_prints_it() -> None:
    result = _invoke("version")

    assert result.exit_code == 0
    assert result.stdout.strip() == "0.1.0"
