"""What to do when a simulated drawdown exceeds the threshold.

The rule (docs/stress.md):

1. **Pause** every strategy whose own stressed drawdown exceeds the threshold in some
   scenario (the reason names the worst scenario and figure).
2. For each scenario whose total drawdown exceeds the threshold, estimate what the
   strategies left running contribute: ``c_i = drawdown_i * allocation_i / cash`` (the
   loss of each as a fraction of the portfolio; their sum bounds the total from above).
   If the sum still exceeds the threshold by ``excess``, take the largest contributors
   (by ``c_i``, then name) until their contributions cover the excess, and cut each of
   their allocations by the same fraction ``excess / sum of theirs`` (pro rata to their
   contribution). A strategy's cut is the largest any scenario asks for; the new
   allocation is rounded down to the currency's precision.

The estimate assumes a strategy's loss scales with its allocation; strategies that size
orders in fixed quantities scale only through their allocation-based risk limits.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Any

__all__ = ["recommend"]


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def recommend(
    scenarios: list[dict[str, Any]], *, threshold: float, cash: Decimal, step: Decimal
) -> list[dict[str, Any]]:
    """Pause and rebalance recommendations for scenario entries of stress.json."""
    paused: dict[str, dict[str, Any]] = {}
    for entry in scenarios:
        for name, row in entry["strategies"].items():
            worst = paused.get(name)
            if row["drawdown"] > threshold and (worst is None or row["drawdown"] > worst["dd"]):
                paused[name] = {"dd": row["drawdown"], "scenario": entry["name"]}
    result: list[dict[str, Any]] = [
        {
            "strategy": name,
            "action": "pause",
            "scenario": why["scenario"],
            "drawdown": why["dd"],
            "reason": f"its own stressed drawdown {_pct(why['dd'])} in {why['scenario']} "
            f"exceeds the threshold {_pct(threshold)}",
        }
        for name, why in sorted(paused.items())
    ]
    cuts: dict[str, tuple[float, str, float]] = {}
    for entry in scenarios:
        if entry["total_drawdown"] <= threshold:
            continue
        contributions = sorted(
            (
                (-row["drawdown"] * float(Decimal(row["allocation"]) / cash), name)
                for name, row in entry["strategies"].items()
                if name not in paused and "allocation" in row
            ),
        )
        excess = -sum(c for c, _ in contributions) - threshold
        if excess <= 0:
            continue
        chosen, covered = [], 0.0
        for negative, name in contributions:
            chosen.append(name)
            covered -= negative
            if covered >= excess:
                break
        fraction = min(excess / covered, 1.0) if covered > 0 else 0.0
        for name in chosen:
            if fraction > cuts.get(name, (0.0, "", 0.0))[0]:
                cuts[name] = (fraction, entry["name"], entry["total_drawdown"])
    allocations = {
        name: row["allocation"]
        for entry in scenarios
        for name, row in entry["strategies"].items()
        if "allocation" in row
    }
    for name, (fraction, scenario, total) in sorted(cuts.items()):
        before = Decimal(allocations[name])
        after = (before * (1 - Decimal(repr(fraction)))).quantize(step, rounding=ROUND_FLOOR)
        result.append(
            {
                "strategy": name,
                "action": "rebalance",
                "scenario": scenario,
                "drawdown": total,
                "cut": fraction,
                "allocation_from": str(before),
                "allocation_to": str(after),
                "reason": f"the total stressed drawdown {_pct(total)} in {scenario} exceeds the "
                f"threshold {_pct(threshold)}; cut its allocation by {_pct(fraction)} "
                "(pro rata among the largest contributors)",
            }
        )
    return result
