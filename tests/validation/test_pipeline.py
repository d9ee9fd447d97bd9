"""The pipeline end to end: shipped examples pass every gate; the deliberately broken one
fails the fault gates; refusals stop early with file:line; leaks and crashes are caught.

Latency thresholds are relaxed in these tests (a loaded CI box is no place for timed
assertions); the latency gates' logic is tested with a recorder in test_timing.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import msgspec
import pytest

from ironkeel.model.values import Currency
from ironkeel.validation import EXIT_GATE_FAILED, EXIT_OK, Gates, validate
from ironkeel.validation.replay import load_market
from ironkeel.validation.report import EXIT_REFUSED

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "strategies"
RELAXED = Gates(max_callback_ms=5_000, max_p99_ms=1_000, scenario_bars=3_000)
MARKET = load_market(None, synthetic=3_000, currency=Currency("USD", 2), seed=3)
BROKEN = EXAMPLES / "broken.py"
#: Deliberately broken examples: broken.py (fault gates) and runaway.py (risk denials).
SHIPPED = sorted(p for p in EXAMPLES.glob("*.py") if p.name not in {"broken.py", "runaway.py"})


def _stage(report: object, name: str) -> dict[str, object]:
    stages = {s["name"]: s for s in report.to_dict()["stages"]}  # type: ignore[attr-defined]
    return stages[name]


def _failed_gates(report: object) -> set[str]:
    return {f"{stage}/{gate.gate}" for stage, gate in report.failures()}  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_when_a_shipped_example_is_validated_then_every_gate_passes(path: Path) -> None:
    report = validate(path, {}, MARKET, RELAXED)
    assert _failed_gates(report) == set()
    assert report.passed
    assert report.exit_code == EXIT_OK
    assert _stage(report, "scenario:baseline")["details"]["orders"] > 0  # type: ignore[index]
    assert len(report.stages) == 4 + len(RELAXED.scenarios)


@pytest.mark.parametrize("isolated", [True, False], ids=["sandboxed", "in-process"])
def test_when_the_broken_example_is_validated_then_it_passes_static_and_fails_the_faults(
    isolated: bool,
) -> None:
    report = validate(BROKEN, {}, MARKET, RELAXED, isolated=isolated)
    assert _stage(report, "load")["details"]["isolated"] is isolated
    for stage in ("static", "dependencies", "load", "performance", "scenario:baseline"):
        assert _stage(report, stage)["status"] == "passed", stage
    assert {
        "scenario:partial_fills/accounting",
        "scenario:rejects/order_rate",
        "scenario:rejects/risk",
        "scenario:outage/order_rate",
    } <= _failed_gates(report)
    assert report.exit_code == EXIT_GATE_FAILED
    accounting = next(g for s, g in report.failures() if g.gate == "accounting")
    assert accounting.findings[0]["first"]["tracked_position"] == "0.1"


def test_when_the_same_script_is_validated_twice_then_the_scenario_results_are_equal() -> None:
    first, second = (validate(BROKEN, {}, MARKET, RELAXED).to_dict() for _ in range(2))
    scenarios = [s for s in first["stages"] if s["name"].startswith("scenario:")]
    assert scenarios == [s for s in second["stages"] if s["name"].startswith("scenario:")]


def _write(folder: Path, body: str) -> Path:
    path = folder / "strategy.py"
    path.write_text(dedent(body).lstrip(), encoding="utf-8")
    return path


def test_when_the_script_imports_a_forbidden_module_then_it_is_refused_with_its_line(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path,
        """
        from ironkeel import Strategy
        import socket

        class S(Strategy):
            pass
        """,
    )
    report = validate(path, {}, MARKET, RELAXED)
    assert report.exit_code == EXIT_REFUSED
    (gate,) = _stage(report, "static")["gates"]  # type: ignore[misc]
    assert gate["findings"][0]["line"] == 2
    assert gate["findings"][0]["code"] == "IK101"
    assert _stage(report, "performance")["status"] == "skipped"


def test_when_a_parameter_is_misspelled_then_load_refuses_with_the_close_match() -> None:
    report = validate(EXAMPLES / "sma_cross.py", {"slwo": "40"}, MARKET, RELAXED)
    assert report.exit_code == EXIT_REFUSED
    (gate,) = _stage(report, "load")["gates"]  # type: ignore[misc]
    assert "did you mean 'slow'" in gate["findings"][0]["fix"]


LEAKY = """
from ironkeel import Strategy

class Leaky(Strategy):
    def on_start(self):
        self.history = []

    def on_bar(self, bar):
        self.history.append(bytes(2048))
"""


@pytest.mark.parametrize("isolated", [True, False], ids=["child-rss", "tracemalloc"])
def test_when_a_strategy_keeps_growing_memory_then_the_leak_gate_fails(
    tmp_path: Path, isolated: bool
) -> None:
    path = _write(tmp_path, LEAKY)
    gates = msgspec.structs.replace(RELAXED, max_memory_growth_mb=1.0, scenarios=("baseline",))
    report = validate(path, {}, MARKET, gates, isolated=isolated)
    assert _failed_gates(report) == {"performance/memory_growth"}
    assert _stage(report, "performance")["details"]["memory_growth_mb"] > 2  # type: ignore[index]
    bounded = _write(tmp_path, LEAKY.replace("self.history.append(", "self.history = ("))
    assert validate(bounded, {}, MARKET, gates, isolated=isolated).passed


def test_when_a_strategy_crashes_on_a_partial_fill_then_no_crash_fails_with_the_line(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path,
        """
        from decimal import Decimal
        from ironkeel import Strategy

        class FullFillsOnly(Strategy):
            def on_start(self):
                self.n = 0

            def on_bar(self, bar):
                self.n += 1
                if self.n % 50 == 0:
                    self.buy(Decimal("0.2")) if self.is_flat() else self.close_position()

            def on_fill(self, fill):
                if fill.quantity != Decimal("0.2"):
                    raise ValueError("expected a full fill")
        """,
    )
    report = validate(path, {}, MARKET, RELAXED)
    failed = _failed_gates(report)
    assert "scenario:partial_fills/no_crash" in failed
    assert "scenario:baseline/no_crash" not in failed
    crash = next(g for s, g in report.failures() if g.gate == "no_crash")
    assert crash.findings[0]["location"].endswith("strategy.py:15")


def test_the_json_report_round_trips_and_isolated_is_accepted(tmp_path: Path) -> None:
    report = validate(
        EXAMPLES / "sma_cross.py", {"fast": "5"}, MARKET,
        msgspec.structs.replace(RELAXED, scenarios=("baseline",)), isolated=True,
    )  # fmt: skip
    data = json.loads(report.to_json())
    assert data["report_version"] == 1
    assert data["params"]["fast"] == 5
    assert data["passed"] is True
    assert [s["name"] for s in data["stages"]][-1] == "scenario:baseline"
    hooks = {h["hook"] for h in _stage(report, "performance")["details"]["hooks"]}  # type: ignore[index]
    assert "on_bar" in hooks
