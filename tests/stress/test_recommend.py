"""The threshold rule: in a scenario whose total drawdown breaches the threshold, pause the
largest contributors whose own drawdown exceeds it, and cut the other largest contributors
pro rata until the estimated total is under it."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from ironkeel.stress import recommend

CASH = Decimal(100_000)
CENT = Decimal("0.01")


def _scenario(name: str, total: float, **rows: tuple[float, str]) -> dict:
    return {
        "name": name,
        "total_drawdown": total,
        "strategies": {
            s: {"drawdown": dd, "return": -dd, "allocation": alloc}
            for s, (dd, alloc) in rows.items()
        },
    }


def _actions(recs: list[dict]) -> list[tuple[str, str]]:
    return [(r["strategy"], r["action"]) for r in recs]


def test_nothing_is_recommended_while_the_total_is_within_the_threshold():
    # y alone is far over the threshold, but the portfolio is not: no action
    scenarios = [_scenario("a", 0.2, x=(0.1, "80000"), y=(0.9, "10000"))]
    assert recommend(scenarios, threshold=0.25, cash=CASH, step=CENT) == []


def test_a_largest_contributor_over_the_threshold_is_paused():
    # shares: x 0.4*60000/1e5 = 0.24, y 0.2*30000/1e5 = 0.06: sum 0.30, excess 0.05 -> x
    scenarios = [_scenario("a", 0.28, x=(0.4, "60000"), y=(0.2, "30000"))]
    (rec,) = recommend(scenarios, threshold=0.25, cash=CASH, step=CENT)
    assert (rec["strategy"], rec["action"], rec["scenario"]) == ("x", "pause", "a")
    assert "40.0% in a exceeds the threshold 25.0%" in rec["reason"]


def test_a_largest_contributor_within_the_threshold_is_cut_pro_rata():
    # shares: x 0.14*90000/1e5 = 0.126, y 0.3*10000/1e5 = 0.03: sum 0.156, excess 0.006:
    # x covers it and is within 15%: cut x by 0.006/0.126; y (30% on its own) is not needed
    scenarios = [_scenario("a", 0.155, x=(0.14, "90000"), y=(0.3, "10000"))]
    (rec,) = recommend(scenarios, threshold=0.15, cash=CASH, step=CENT)
    assert (rec["strategy"], rec["action"]) == ("x", "rebalance")
    assert abs(rec["cut"] - 0.006 / 0.126) < 1e-12
    expected = (Decimal(90000) * (1 - Decimal(repr(rec["cut"])))).quantize(CENT, ROUND_FLOOR)
    assert rec["allocation_from"] == "90000"
    assert Decimal(rec["allocation_to"]) == expected
    assert 0.14 * float(expected) / 1e5 + 0.03 <= 0.15 + 1e-9  # the estimate is back under


def test_across_scenarios_a_pause_wins_and_the_largest_cut_is_kept():
    scenarios = [
        _scenario("a", 0.155, x=(0.14, "90000"), y=(0.3, "10000")),  # cut x by 4.8%
        _scenario("b", 0.17, x=(0.16, "90000"), y=(0.3, "10000")),  # x over: pause x
        _scenario("c", 0.16, x=(0.15, "90000"), y=(0.5, "10000")),  # cut x by 25.9%
    ]
    assert _actions(recommend(scenarios, threshold=0.15, cash=CASH, step=CENT)) == [("x", "pause")]
    cuts = recommend([scenarios[0], scenarios[2]], threshold=0.15, cash=CASH, step=CENT)
    assert _actions(cuts) == [("x", "rebalance")]
    assert cuts[0]["scenario"] == "c"  # the larger cut
    assert abs(cuts[0]["cut"] - 0.035 / 0.135) < 1e-12
