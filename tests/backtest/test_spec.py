"""Run files: unknown keys suggest the closest valid one; every other mistake names the key,
the file and the fix, and is found before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from ironkeel.backtest import SpecError, load_run_file
from ironkeel.backtest.runner import plan_from_spec
from ironkeel.backtest.spec import load_spec_json, write_spec_json
from ironkeel.model import IronkeelError
from tests.backtest.conftest import SMA_CROSS

VALID = f"""
fees = "none"

[[data]]
path = "btcusd_1m.csv"
symbol = "BTCUSD"

[[strategies]]
name = "sma"
file = "{SMA_CROSS}"
params = {{ fast = 5, slow = 20 }}
"""


def _run_file(folder: Path, text: str) -> Path:
    path = folder / "run.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_when_a_run_file_is_valid_then_it_loads_with_its_folder_as_base(tmp_path: Path) -> None:
    spec = load_run_file(_run_file(tmp_path, VALID))

    assert spec.base_dir == str(tmp_path)
    assert spec.resolve("btcusd_1m.csv") == tmp_path / "btcusd_1m.csv"
    assert spec.strategies[0].params == {"fast": 5, "slow": 20}
    assert (spec.fees, spec.fill_on, spec.seed) == ("none", "next-open", 0)


@pytest.mark.parametrize(
    ("edit", "key", "place", "suggestion"),
    [
        (("fees =", "feez ="), "feez", "$", "did you mean 'fees'?"),
        (("symbol =", "symbl ="), "symbl", "$.data[0]", "did you mean 'symbol'?"),
        (("params =", "parms ="), "parms", "$.strategies[0]", "did you mean 'params'?"),
        (("fees =", "zzzzzz ="), "zzzzzz", "$", "remove it"),
    ],
)
def test_when_a_key_is_unknown_then_the_error_names_it_and_suggests_the_closest(
    tmp_path: Path, edit: tuple[str, str], key: str, place: str, suggestion: str
) -> None:
    path = _run_file(tmp_path, VALID.replace(*edit))

    with pytest.raises(SpecError) as caught:
        load_run_file(path)

    assert str(caught.value) == f"{path}: unknown key {key!r} at {place}. Fix: {suggestion}"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('seed = "x"\n', "Expected `int`"),
        ('fill_on = "open"\n', "Invalid enum value 'open'"),
        ('cash = "-5"\n', "cash=Decimal('-5'): must be positive. Fix: give starting cash"),
    ],
)
def test_when_a_value_is_wrong_then_the_error_names_the_file_and_the_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = _run_file(tmp_path, text + VALID)

    with pytest.raises(SpecError, match="Fix: ") as caught:
        load_run_file(path)

    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert message.count("Fix:") == 1


def test_when_two_strategies_share_a_name_then_the_file_is_refused(tmp_path: Path) -> None:
    strategy = VALID[VALID.index("[[strategies]]") :]
    path = _run_file(tmp_path, VALID + strategy)

    with pytest.raises(SpecError, match=r"is used twice\. Fix: give each strategy its own name"):
        load_run_file(path)


def test_when_the_run_file_is_missing_or_not_toml_then_the_error_says_so(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no such run file"):
        load_run_file(tmp_path / "absent.toml")
    with pytest.raises(SpecError, match="not valid TOML"):
        load_run_file(_run_file(tmp_path, "[[data]\npath = 1\n"))


def test_when_a_data_file_is_missing_then_planning_fails_naming_the_path(tmp_path: Path) -> None:
    spec = load_run_file(_run_file(tmp_path, VALID))

    with pytest.raises(IronkeelError, match="does not exist") as caught:
        plan_from_spec(spec)

    assert str(tmp_path / "btcusd_1m.csv") in str(caught.value)


@pytest.mark.parametrize(
    ("fees", "problem"),
    [
        ("maker-taker", "did you mean 'maker_taker'?"),
        ("bps", "needs a value"),
        ("bps:4,max:2", "unknown option 'max:2'"),
        ("bps:x", "is not a number"),
    ],
)
def test_when_the_fees_text_is_bad_then_planning_fails_with_the_fix(
    tmp_path: Path, btc_csv: Path, fees: str, problem: str
) -> None:
    spec = load_run_file(_run_file(tmp_path, VALID.replace('fees = "none"', f'fees = "{fees}"')))

    with pytest.raises(IronkeelError, match="Fix: ") as caught:
        plan_from_spec(spec)

    assert problem in str(caught.value)


def test_when_a_strategy_names_a_symbol_without_data_then_the_error_lists_the_valid(
    tmp_path: Path, btc_csv: Path
) -> None:
    text = VALID.replace("params =", 'symbols = ["ETHUSD"]\nparams =')
    spec = load_run_file(_run_file(tmp_path, text))

    with pytest.raises(
        SpecError, match=r"symbols \['ETHUSD'\] have no data. Fix: use \['BTCUSD'\]"
    ):
        plan_from_spec(spec)


def test_when_a_strategy_parameter_is_unknown_then_the_error_names_strategy_and_suggestion(
    tmp_path: Path, btc_csv: Path
) -> None:
    spec = load_run_file(_run_file(tmp_path, VALID.replace("fast = 5", "fsat = 5")))

    with pytest.raises(SpecError, match="did you mean 'fast'") as caught:
        plan_from_spec(spec)

    assert str(caught.value).startswith("strategy 'sma'")


def test_when_a_declared_instrument_does_not_fit_the_data_then_nothing_runs(
    tmp_path: Path, btc_csv: Path
) -> None:
    declared = (
        '[[instruments]]\nsymbol = "BTCUSD"\nprice_increment = "0.3"\nsize_increment = "0.001"\n'
    )
    spec = load_run_file(_run_file(tmp_path, VALID + declared))

    with pytest.raises(IronkeelError, match=r"not a multiple of the price increment 0\.3"):
        plan_from_spec(spec)


def test_when_a_run_writes_its_outputs_then_spec_json_reads_back_the_same_run_from_anywhere(
    tmp_path, monkeypatch
):
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.toml").write_text(
        'risk = "risk.toml"\n[[data]]\npath = "d/x.csv"\nsymbol = "X"\n'
        '[[strategies]]\nname = "s"\nfile = "s.py"\nallocation = "10"\n'
    )
    spec = load_run_file(run / "run.toml")
    write_spec_json(spec, tmp_path / "out")
    monkeypatch.chdir(tmp_path / "out")
    back = load_spec_json(tmp_path / "out")
    assert back.data[0].path == str((run / "d" / "x.csv").resolve())
    assert back.strategies[0].file == str((run / "s.py").resolve())
    assert back.risk == str((run / "risk.toml").resolve())
    assert back.strategies[0].allocation == spec.strategies[0].allocation
    assert back.out is None
    with pytest.raises(SpecError, match=r"spec.json: missing.*pass the run file"):
        load_spec_json(tmp_path / "run")
