"""Scenario builders: each fault is what its name says, on the grid, from the middle bar."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from ironkeel.model.values import Currency
from ironkeel.validation import SCENARIOS, Gates
from ironkeel.validation.replay import Outcome, RunSettings, load_market
from ironkeel.validation.scenarios import build_scenario

MARKET = load_market(None, synthetic=400, currency=Currency("USD", 2), seed=1)
BARS = MARKET.bars
MID = BARS[200].ts_init
SETTINGS = RunSettings(cash=Decimal(100_000), currency=Currency("USD", 2))


def _baseline(lots: list[int]) -> Outcome:
    return Outcome(
        status="ok", failure=None, orders=len(lots), order_lots=lots, peak_orders_per_second=1,
        peak_second_ns=0, denials=Counter(), ledger={}, position={}, repeated_fills=0,
        disabled_reason=None, items=len(BARS),
    )  # fmt: skip


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_builds_and_names_itself(name: str) -> None:
    scenario = build_scenario(name, BARS, SETTINGS, Gates(), _baseline([100]))
    assert scenario.name == name
    assert scenario.description


def test_partial_fills_cut_each_bars_volume_to_a_part_of_the_median_order() -> None:
    scenario = build_scenario("partial_fills", BARS, SETTINGS, Gates(), _baseline([40, 100, 400]))
    assert {bar.volume for bar in scenario.bars} == {25}
    assert scenario.settings.config.max_participation == Decimal(1)


def test_rejects_and_outage_start_at_the_middle_bar() -> None:
    gates = Gates(reject_count=7, outage_minutes=5)
    rejects = build_scenario("rejects", BARS, SETTINGS, gates, None).settings.faults
    assert rejects is not None
    assert (rejects.reject_next, rejects.reject_from_ns) == (7, MID)
    outage = build_scenario("outage", BARS, SETTINGS, gates, None).settings.faults
    assert outage is not None
    assert (outage.outages[0].start_ns, outage.outages[0].end_ns) == (MID, MID + 5 * 60 * 10**9)
    dup = build_scenario("duplicate_fills", BARS, SETTINGS, gates, None).settings.faults
    assert dup is not None
    assert dup.duplicate_fill_every == 1


def test_stale_data_drops_exactly_the_gap() -> None:
    scenario = build_scenario("stale_data", BARS, SETTINGS, Gates(stale_gap_minutes=30), None)
    assert len(scenario.bars) == len(BARS) - 30
    assert all(not MID <= bar.ts_init < MID + 30 * 60 * 10**9 for bar in scenario.bars)


def test_price_gap_lowers_every_price_from_the_middle_on_the_grid() -> None:
    scenario = build_scenario("price_gap", BARS, SETTINGS, Gates(price_gap_pct=20.0), None)
    for before, after in zip(BARS, scenario.bars, strict=True):
        if before.ts_init < MID:
            assert after == before
        else:
            assert after.close == before.close * 8 // 10
            assert after.low <= after.open <= after.high
            assert after.volume == before.volume
