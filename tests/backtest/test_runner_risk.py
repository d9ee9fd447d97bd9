"""Run files with a risk engine: ``risk = "default"`` or ``risk = "risk.toml"`` add
risk_events.csv, audit.sqlite (+ head) and breakers.sqlite to the outputs and each
strategy's status, breaker_trips and breaker_state to summary.json; reruns are byte for
byte the same; a bad risk.toml key fails before the run, naming the key and a fix."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from typer.testing import CliRunner

from ironkeel.audit import verify
from ironkeel.backtest import run_backtest
from ironkeel.backtest.result import RISK_COLUMNS
from ironkeel.backtest.spec import load_run_file
from ironkeel.cli import app
from ironkeel.model import IronkeelError
from ironkeel.risk.breaker import BreakerState
from ironkeel.risk.journal import BreakerJournal
from tests._bars import bars_from_ohlc, instrument, write_bars_csv

BTC = instrument("BTCUSD", tick="0.5", lot="0.001")
TEXT_OUTPUTS = ("summary.json", "orders.csv", "fills.csv", "trades.csv", "equity.csv",
                "risk_events.csv")  # fmt: skip
RISK_OUTPUTS = ("risk_events.csv", "audit.sqlite", "audit.sqlite.head", "breakers.sqlite")

BUYER = """
    from ironkeel import Strategy


    class Buyer(Strategy):
        size: str = "1"
        later: str = "0"

        def on_start(self):
            self.n = 0

        def on_bar(self, bar):
            self.n += 1
            if self.n == 1:
                self.buy(self.size)
            elif self.later != "0":
                self.buy(self.later)
"""
IDLE = """
    from ironkeel import Strategy


    class Idle(Strategy):
        pass
"""
RISK_TOML = """
    [instruments."BTCUSD.SIM"]
    max_order_qty = "300"

    [breakers]
    strategy_max_drawdown = "0.03"
    strategy_daily_loss = "0.5"
"""


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _summary(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with crash data (100 for 5 bars, then down 0.5 a bar to 80) and scripts."""
    rows = [("100",) * 4] * 5
    price = 100.0
    while price > 80:
        rows.append((f"{price}", f"{price}", f"{price - 0.5}", f"{price - 0.5}"))
        price -= 0.5
    rows += [("80",) * 4] * 5
    write_bars_csv(tmp_path / "btcusd_1m.csv", BTC, bars_from_ohlc(BTC, rows, volume="5000"))
    (tmp_path / "buyer.py").write_text(dedent(BUYER).lstrip(), encoding="utf-8")
    (tmp_path / "idle.py").write_text(dedent(IDLE).lstrip(), encoding="utf-8")
    return tmp_path


def _run_file(folder: Path, risk: str, *, out: str = "out", later: str = "0") -> Path:
    """Two strategies of 50,000: ``loser`` buys 300 BTC at 100 (a 5% loss of its capital
    is 8.33 points down), ``idle`` does nothing."""
    text = f"""
        seed = 4
        cash = "100000"
        currency = "USD"
        risk = "{risk}"
        out = "{out}"

        [[instruments]]
        symbol = "BTCUSD"
        price_increment = "0.5"
        size_increment = "0.001"

        [[data]]
        path = "btcusd_1m.csv"
        symbol = "BTCUSD"

        [[strategies]]
        name = "loser"
        file = "buyer.py"
        params = {{ size = "300", later = "{later}" }}
        allocation = "50000"

        [[strategies]]
        name = "idle"
        file = "idle.py"
        allocation = "50000"
    """
    path = folder / f"run-{out}.toml"
    path.write_text(dedent(text).lstrip(), encoding="utf-8")
    return path


def _run(run_file: Path) -> Path:
    spec = load_run_file(run_file)
    run_backtest(spec)
    assert spec.out is not None
    return run_file.parent / spec.out


def test_when_a_run_uses_the_default_risk_then_the_loser_is_stopped_and_it_is_all_written(
    project: Path,
) -> None:
    out = _run(_run_file(project, "default"))

    for name in (*TEXT_OUTPUTS, *RISK_OUTPUTS):
        assert (out / name).is_file(), name
    with (out / "risk_events.csv").open(encoding="utf-8") as handle:
        assert handle.readline().rstrip("\n").split(",") == RISK_COLUMNS
    events = _rows(out / "risk_events.csv")
    loser = [(e["from_state"], e["to_state"]) for e in events if e["strategy"] == "loser"]
    assert ("WARNING", "TRIGGERED") in loser
    assert ("TRIGGERED", "COOLING_DOWN") in loser
    assert [e for e in events if e["strategy"] == "idle" and e["to_state"] == "TRIGGERED"] == []
    for event in events:
        assert event["level"] in ("strategy", "portfolio", "platform")
        stamp = datetime.fromtimestamp(int(event["ts_ns"]) // 10**9, UTC)
        assert event["time"].startswith(stamp.strftime("%Y-%m-%dT%H:%M:%S"))
    assert [int(e["ts_ns"]) for e in events] == sorted(int(e["ts_ns"]) for e in events)
    trip = next(e for e in events if e["to_state"] == "TRIGGERED")
    assert trip["scope"] == "loser"
    assert "drawdown" in trip["reason"]

    summary = _summary(out)
    stopped, idle = summary["strategies"]["loser"], summary["strategies"]["idle"]
    assert (stopped["status"], stopped["breaker_trips"], stopped["breaker_state"]) == (
        "disabled",
        1,
        "COOLING_DOWN",
    )
    assert "strategy:loser" in stopped["disabled_reason"]
    assert (idle["status"], idle["breaker_trips"], idle["breaker_state"]) == (
        "ok",
        0,
        "MONITORING",
    )
    assert summary["risk"]["breakers"]["strategy:loser"]["trips"] == 1
    # Flat after the liquidation, and the loss held near the 5% line (not the 20% fall).
    assert [o for o in _rows(out / "orders.csv") if o["status"] == "FILLED"][-1]["side"] == "SELL"
    loss = 50000 - float(stopped["final_equity"])
    assert 2500 <= loss < 3000

    assert verify(out / "audit.sqlite").ok
    with BreakerJournal(out / "breakers.sqlite") as journal:
        stored = journal.load()
    assert stored["strategy:loser"].state is BreakerState.COOLING_DOWN
    assert stored["strategy:idle"].state is BreakerState.MONITORING


def test_when_a_run_uses_a_risk_toml_then_its_limits_and_breakers_apply(project: Path) -> None:
    (project / "risk.toml").write_text(dedent(RISK_TOML).lstrip(), encoding="utf-8")

    # After its first buy the loser asks for 400 more on every bar: above max_order_qty.
    out = _run(_run_file(project, "risk.toml", later="400"))

    orders = _rows(out / "orders.csv")
    denied = [o for o in orders if o["strategy"] == "loser" and o["status"] == "DENIED"]
    assert denied
    assert {o["quantity"] for o in denied} == {"400"}
    summary = _summary(out)
    loser = summary["strategies"]["loser"]
    assert (loser["status"], loser["breaker_trips"], loser["breaker_state"]) == (
        "disabled",
        1,
        "COOLING_DOWN",
    )
    loss = 50000 - float(loser["final_equity"])
    assert 1500 <= loss < 2000  # the 3% of risk.toml, not the default 5%
    trips = [e for e in _rows(out / "risk_events.csv") if e["to_state"] == "TRIGGERED"]
    assert [(e["level"], e["scope"]) for e in trips] == [("strategy", "loser")]
    assert verify(out / "audit.sqlite").ok


@pytest.mark.parametrize("risk", ["default", "risk.toml"])
def test_when_a_risk_run_is_repeated_then_every_text_output_is_byte_identical(
    project: Path, risk: str
) -> None:
    (project / "risk.toml").write_text(dedent(RISK_TOML).lstrip(), encoding="utf-8")
    first = _run(_run_file(project, risk, out="first", later="400"))
    second = _run(_run_file(project, risk, out="second", later="400"))
    before = {name: (first / name).read_bytes() for name in TEXT_OUTPUTS}

    third = _run(_run_file(project, risk, out="first", later="400"))  # over the first run

    assert len(_rows(first / "risk_events.csv")) > 1
    for name in TEXT_OUTPUTS:
        assert (second / name).read_bytes() == before[name], name
        assert (third / name).read_bytes() == before[name], name
    assert verify(third / "audit.sqlite").ok  # a fresh log, not one appended to the first


def test_when_risk_toml_has_an_unknown_key_then_the_run_fails_before_it_starts(
    project: Path,
) -> None:
    bad = RISK_TOML.replace("max_order_qty", "max_ordr_qty")
    (project / "risk.toml").write_text(dedent(bad).lstrip(), encoding="utf-8")
    run_file = _run_file(project, "risk.toml")

    with pytest.raises(IronkeelError) as caught:
        _run(run_file)

    message = str(caught.value)
    assert "max_ordr_qty" in message
    assert "max_order_qty" in message  # the suggestion
    assert "risk.toml" in message
    assert not (project / "out").exists()

    result = CliRunner().invoke(app, ["backtest", str(run_file), "--quiet"])

    assert result.exit_code == 2, result.output
    flat = "".join(result.output.split())
    assert "max_ordr_qty" in flat
    assert "didyoumean'max_order_qty'" in flat
    assert "Traceback" not in result.output
    assert not (project / "out").exists()


def test_when_the_risk_file_is_missing_then_the_run_fails_naming_it(project: Path) -> None:
    run_file = _run_file(project, "nowhere.toml")

    result = CliRunner().invoke(app, ["backtest", str(run_file), "--quiet"])

    assert result.exit_code == 2, result.output
    assert "nowhere.toml" in "".join(result.output.split())
    assert not (project / "out").exists()
