"""Fault scenarios: what each one breaks, and the gates that judge the strategy in it.

Each scenario replays the first ``scenario_bars`` bars; faults start at the middle
bar (t_mid):

- ``baseline``: no fault (the reference, and the order sizes ``partial_fills`` uses);
- ``partial_fills``: every bar's volume is cut to a quarter (``partial_fill_parts``)
  of the strategy's median baseline order, so orders fill in pieces;
- ``rejects``: the next ``reject_count`` orders from t_mid are rejected by the venue;
- ``outage``: the venue rejects every request for ``outage_minutes`` from t_mid;
- ``duplicate_fills``: every fill message is delivered twice (same trade id);
- ``stale_data``: the bars of ``stale_gap_minutes`` from t_mid are missing (a feed gap);
- ``price_gap``: from t_mid every price is ``price_gap_pct`` percent lower.

Gates in every scenario: ``no_crash`` (no hook raised), ``order_rate`` (at most
``max_orders_per_second`` orders in any second of simulated time), ``risk`` (no
OrderDenied unless ``allow_denials``, and not disabled by a risk kill switch) and
``accounting`` (the fills the strategy was told of add up to its position in the
portfolio; a strategy that keeps its own count in ``tracked_position`` must agree
with the portfolio after every bar and at the end).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import msgspec

from ironkeel.model.data import Bar
from ironkeel.validation.gates import Gates
from ironkeel.validation.replay import Outcome, RunSettings
from ironkeel.validation.report import GateResult
from ironkeel.venues.sim import FaultPlan, Outage, SimConfig

__all__ = ["Scenario", "build_scenario", "judge"]

MINUTE_NS = 60_000_000_000


@dataclass(frozen=True)
class Scenario:
    """A named fault: the bars to replay and the run settings (faults, venue config)."""

    name: str
    description: str
    bars: list[Bar]
    settings: RunSettings


def build_scenario(
    name: str, bars: list[Bar], settings: RunSettings, gates: Gates, baseline: Outcome | None
) -> Scenario:
    """The scenario ``name`` over ``bars`` (already cut to ``scenario_bars``)."""
    mid = bars[len(bars) // 2].ts_init
    maker: Callable[[list[Bar], RunSettings, Gates, int, Outcome | None], Scenario] = _MAKERS[name]
    return maker(bars, settings, gates, mid, baseline)


def _baseline(bars: list[Bar], s: RunSettings, g: Gates, mid: int, b: Outcome | None) -> Scenario:
    return Scenario("baseline", "no fault", bars, s)


def _partial(bars: list[Bar], s: RunSettings, g: Gates, mid: int, b: Outcome | None) -> Scenario:
    lots = b.order_lots if b is not None and b.order_lots else [1]
    cap = max(1, int(statistics.median_low(lots)) // g.partial_fill_parts)
    thin = [msgspec.structs.replace(bar, volume=cap) for bar in bars]
    config = SimConfig(max_participation=Decimal(1))
    return Scenario(
        "partial_fills",
        f"every bar trades {cap} lots, so an order of the median size fills in pieces",
        thin,
        replace(s, config=config),
    )


def _rejects(bars: list[Bar], s: RunSettings, g: Gates, mid: int, b: Outcome | None) -> Scenario:
    plan = FaultPlan(reject_next=g.reject_count, reject_from_ns=mid)
    return Scenario(
        "rejects", f"the venue rejects the next {g.reject_count} orders from the middle bar",
        bars, replace(s, faults=plan),
    )  # fmt: skip


def _outage(bars: list[Bar], s: RunSettings, g: Gates, mid: int, b: Outcome | None) -> Scenario:
    window = Outage(start_ns=mid, end_ns=mid + g.outage_minutes * MINUTE_NS, mode="reject")
    return Scenario(
        "outage", f"the venue is down (rejects everything) for {g.outage_minutes} minutes",
        bars, replace(s, faults=FaultPlan(outages=(window,))),
    )  # fmt: skip


def _duplicates(bars: list[Bar], s: RunSettings, g: Gates, mid: int, b: Outcome | None) -> Scenario:
    return Scenario(
        "duplicate_fills", "every fill message is delivered twice with the same trade id",
        bars, replace(s, faults=FaultPlan(duplicate_fill_every=1)),
    )  # fmt: skip


def _stale(bars: list[Bar], s: RunSettings, g: Gates, mid: int, b: Outcome | None) -> Scenario:
    end = mid + g.stale_gap_minutes * MINUTE_NS
    kept = [bar for bar in bars if not mid <= bar.ts_init < end]
    return Scenario(
        "stale_data", f"no data for {g.stale_gap_minutes} minutes ({len(bars) - len(kept)} bars)",
        kept, s,
    )  # fmt: skip


def _gap(bars: list[Bar], s: RunSettings, g: Gates, mid: int, b: Outcome | None) -> Scenario:
    factor = 1 - Decimal(repr(g.price_gap_pct)) / 100

    def scaled(ticks: int) -> int:
        return max(1, int((ticks * factor).to_integral_value(ROUND_FLOOR)))

    moved = [
        bar if bar.ts_init < mid else msgspec.structs.replace(
            bar, open=scaled(bar.open), high=scaled(bar.high), low=scaled(bar.low),
            close=scaled(bar.close),
        )
        for bar in bars
    ]  # fmt: skip
    return Scenario(
        "price_gap", f"every price from the middle bar on is {g.price_gap_pct}% lower", moved, s
    )


_MAKERS: dict[str, Callable[[list[Bar], RunSettings, Gates, int, Outcome | None], Scenario]] = {
    "baseline": _baseline,
    "partial_fills": _partial,
    "rejects": _rejects,
    "outage": _outage,
    "duplicate_fills": _duplicates,
    "stale_data": _stale,
    "price_gap": _gap,
}


def judge(outcome: Outcome, gates: Gates) -> list[GateResult]:
    """The four scenario gates on one run's outcome."""
    return [
        _no_crash(outcome),
        _order_rate(outcome, gates),
        _risk(outcome, gates),
        _accounting(outcome),
    ]


def _no_crash(outcome: Outcome) -> GateResult:
    if outcome.failure is None:
        return GateResult.ok("no_crash", "no hook raised")
    f = outcome.failure
    return GateResult.fail(
        "no_crash", f"{f['hook']} raised {f['error']} at {f['location']}", [dict(f)]
    )


def _order_rate(outcome: Outcome, gates: Gates) -> GateResult:
    peak, limit = outcome.peak_orders_per_second, gates.max_orders_per_second
    detail = f"{outcome.orders} orders; peak {peak} in one second (limit {limit})"
    findings = [] if peak <= limit else [{"second_ns": outcome.peak_second_ns, "orders": peak}]
    return GateResult.check("order_rate", peak <= limit, detail, findings)


def _risk(outcome: Outcome, gates: Gates) -> GateResult:
    denied = sum(outcome.denials.values())
    findings: list[dict[str, Any]] = [
        {"reason_code": code, "count": n} for code, n in sorted(outcome.denials.items())
    ]
    if outcome.disabled_reason is not None:
        findings.append({"disabled": outcome.disabled_reason})
        return GateResult.fail("risk", f"disabled by risk: {outcome.disabled_reason}", findings)
    passed = denied == 0 or gates.allow_denials
    detail = f"{denied} orders denied by risk" + (" (allowed)" if denied and passed else "")
    return GateResult.check("risk", passed, detail, findings)


def _accounting(outcome: Outcome) -> GateResult:
    if outcome.failure is not None:
        return GateResult.ok("accounting", "not judged: the strategy failed (see no_crash)")
    findings: list[dict[str, Any]] = []
    for key, held in outcome.position.items():
        told = outcome.ledger.get(key, Decimal(0))
        if told != held:
            findings.append({"instrument": key, "fills_told": str(told), "portfolio": str(held)})
    if outcome.repeated_fills:
        findings.append({"repeated_fills": outcome.repeated_fills})
    tracked = outcome.tracked
    for key, own in tracked.items():
        held = outcome.position.get(key, Decimal(0))
        if own != held:
            findings.append(
                {"instrument": key, "tracked_position": str(own), "portfolio": str(held)}
            )
    if outcome.tracking_mismatches:
        findings.append(
            {"bars_disagreeing": outcome.tracking_mismatches, "first": outcome.first_mismatch}
        )
    if findings:
        return GateResult.fail("accounting", "the strategy's fills do not add up", findings)
    what = "fills and tracked_position match" if tracked else "fills match"
    return GateResult.ok("accounting", f"{what} the portfolio position")
