"""The risk benchmarks still run against the current API (a smoke test on a few thousand
orders: no timing is asserted, only that every row is emitted with its figures)."""

from __future__ import annotations

import json

import pytest

from benchmarks import risk_checks


def test_every_risk_benchmark_runs_and_prints_its_row(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(risk_checks, "N", 6_000)  # the pre-trade check warms up on 5,000

    risk_checks.main()

    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    names = [row["benchmark"] for row in rows]
    assert "risk_pre_trade_check_10_controls" in names
    assert "risk_breaker_evaluate" in names
    assert all(row["p99_us"] >= row["p50_us"] > 0 for row in rows)
    check = rows[names.index("risk_pre_trade_check_10_controls")]
    assert (check["orders"], check["controls"]) == (6_000, 10)
