"""Stress runs: the demo portfolio through shipped scenarios (golden figures), determinism,
parallel == serial, run folders with and without their spec, and input errors."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from ironkeel.backtest import load_run_file, run_backtest
from ironkeel.backtest.spec import SpecError, decode_spec
from ironkeel.model.errors import IronkeelError
from ironkeel.stress import (
    StressError,
    StressOptions,
    load_scenario,
    load_target,
    run_stress,
    shipped_scenario,
    write_report,
)
from tests._bars import REPO
from tests.stress.conftest import write_scenario

DEMO = REPO / "examples" / "demo" / "run.toml"

# Golden figures of the demo under luna_2022 with BTCPERP on the LUNA path (seed 7, 300
# warm-up bars): the SMA crosses are long only after a cross up and barely trade in the
# collapse; the mean-reversion strategy buys the falls until its 5% breaker trips and
# flattens it (the breaker, not the -99.999% path, sets its loss).
GOLDEN = {
    "total": 0.0164204655012675,
    "luna": {"sma_fast": 0.003464726056127183, "sma_slow": 0.0, "mean_rev": 0.050081455480113994},
    "statuses": {"sma_fast": "ok", "sma_slow": "ok", "mean_rev": "disabled"},
}


@pytest.fixture(scope="module")
def demo_report() -> dict:
    spec = load_run_file(DEMO)
    scenarios = [shipped_scenario("luna_2022"), shipped_scenario("flash_crash_2010")]
    options = StressOptions(warmup_bars=300, mapping={"BTCPERP": "luna"})
    return run_stress(spec, scenarios, options=options, workers=1)


def test_the_demo_portfolio_through_luna_golden_drawdowns(demo_report):
    luna, _ = demo_report["scenarios"]
    assert luna["instruments"]["BTCPERP"]["path"] == "luna"
    assert luna["instruments"]["BTCPERP"]["end_move"] == "-0.99999"
    assert luna["instruments"]["BTCPERP"]["bars"] == 6 * 24 * 60
    # golden figures: the risk config's 5% strategy breakers cap each strategy's loss
    assert luna["total_drawdown"] == pytest.approx(GOLDEN["total"], abs=1e-12)
    for name, drawdown in GOLDEN["luna"].items():
        assert luna["strategies"][name]["drawdown"] == pytest.approx(drawdown, abs=1e-12)
    assert {n: r["status"] for n, r in luna["strategies"].items()} == GOLDEN["statuses"]
    assert luna["total_return"] < 0
    assert not luna["breached"]
    assert demo_report["recommendations"] == []


def test_a_scenario_without_a_path_for_the_run_is_reported_as_not_exposed(demo_report):
    flash = demo_report["scenarios"][1]
    assert flash["exposed"] is False
    assert flash["instruments"]["BTCPERP"]["path"] is None
    assert "no path for ['crypto']" in flash["note"] and "--map" in flash["note"]
    assert flash["total_drawdown"] == 0.0


def test_the_same_inputs_give_the_same_report_and_parallel_equals_serial(run_file, tmp_path):
    spec = load_run_file(run_file)
    scenarios = [
        load_scenario(write_scenario(tmp_path, "crash_a")),
        load_scenario(write_scenario(tmp_path, "crash_b", low="-0.2", end="0.1")),
        load_scenario(write_scenario(tmp_path, "crash_c", low="-0.7", end="-0.6")),
    ]
    options = StressOptions(warmup_bars=100)
    serial = run_stress(spec, scenarios, options=options, workers=1)
    again = run_stress(spec, scenarios, options=options, workers=1)
    parallel = run_stress(spec, scenarios, options=options, workers=2)
    assert serial == again == parallel
    one = write_report(serial, tmp_path / "serial").read_bytes()
    assert one == write_report(parallel, tmp_path / "parallel").read_bytes()
    assert [s["name"] for s in serial["scenarios"]] == ["crash_a", "crash_b", "crash_c"]
    # the holder lost with the coin; the deeper crash hurts more
    holds = [s["strategies"]["hold"]["drawdown"] for s in serial["scenarios"]]
    assert holds[2] > holds[0] > holds[1] > 0


def test_the_recommendation_follows_the_threshold(run_file, tmp_path):
    spec = load_run_file(run_file)
    crash = [load_scenario(write_scenario(tmp_path, "crash_a"))]
    report = run_stress(spec, crash, threshold=0.05, options=StressOptions(warmup_bars=100),
                        workers=1)  # fmt: skip
    (entry,) = report["scenarios"]
    assert entry["breached"] and entry["total_drawdown"] > 0.05
    assert entry["strategies"]["hold"]["drawdown"] > 0.05
    assert [(r["strategy"], r["action"]) for r in report["recommendations"]] == [("hold", "pause")]
    calm = run_stress(spec, crash, threshold=0.5, options=StressOptions(warmup_bars=100),
                      workers=1)  # fmt: skip
    assert calm["recommendations"] == [] and not calm["scenarios"][0]["breached"]


def test_a_run_folder_is_read_back_from_its_spec(run_file, tmp_path):
    spec = load_run_file(run_file)
    out = tmp_path / "done"
    run_backtest(decode_spec({**_builtins(spec), "out": str(out)}, "test"))
    loaded, folder = load_target(out)
    assert folder == out
    assert [s.name for s in loaded.strategies] == ["hold", "sma"]
    assert Path(loaded.data[0].path).is_absolute()


def test_a_folder_without_its_spec_names_the_missing_file(tmp_path):
    (tmp_path / "summary.json").write_text("{}")
    with pytest.raises(SpecError, match=r"spec.json: missing"):
        load_target(tmp_path)
    with pytest.raises(StressError, match=r"neither a run folder nor a \.toml run file"):
        load_target(tmp_path / "summary.json")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 1.5}, r"--threshold=1.5: is outside \(0, 1\)"),
        ({"workers": 0}, r"--workers=0: is below 1"),
        ({"options": StressOptions(mapping={"ETHUSD": "crypto"})}, r"--map=.ETHUSD.*not a symbol"),
        ({"options": StressOptions(mapping={"BTCUSD": "lunar"})}, r"in none of the scenarios"),
        ({"options": StressOptions(anchors={"X": 1})}, r"--anchor=.X.: is not a symbol"),
    ],
)
def test_bad_options_are_refused_before_anything_runs(run_file, crash, kwargs, message):
    with pytest.raises(IronkeelError, match=message):
        run_stress(load_run_file(run_file), [load_scenario(crash)], **kwargs)


def test_an_off_grid_anchor_says_which_prices_are_on_the_grid(run_file, crash):
    options = StressOptions(warmup_bars=50, anchors={"BTCUSD": "30000.3"})  # type: ignore[dict-item]
    with pytest.raises(IronkeelError, match=r"anchor BTCUSD.*use 30000.0 or 30000.5"):
        run_stress(load_run_file(run_file), [load_scenario(crash)], options=options, workers=1)


def _builtins(spec):
    import msgspec  # noqa: PLC0415

    return json.loads(msgspec.json.encode(spec))


def test_an_equity_run_follows_the_shipped_flash_crash_by_its_asset_class(run_file):
    text = run_file.read_text().replace(
        'size_increment = "0.001"', 'size_increment = "0.001"\nasset_class = "equity"'
    )
    run_file.write_text(text)
    report = run_stress(load_run_file(run_file), [shipped_scenario("flash_crash_2010")],
                        options=StressOptions(warmup_bars=100), workers=1)  # fmt: skip
    (entry,) = report["scenarios"]
    btc = entry["instruments"]["BTCUSD"]
    assert (btc["path"], btc["asset_class"], btc["bars"]) == ("equity", "equity", 24 * 60)
    anchor = Decimal(btc["anchor"])
    end = (anchor * Decimal("0.968") / Decimal("0.5")).to_integral_value() * Decimal("0.5")
    assert Decimal(btc["end_price"]) == end  # -3.2% at the close, on the 0.5 grid
    # the holder (about 30,000 of BTC in a 40,000 ledger) rides the -9.2% low and back
    assert 0.05 < entry["strategies"]["hold"]["drawdown"] < 0.12
    assert entry["strategies"]["hold"]["return"] < 0
