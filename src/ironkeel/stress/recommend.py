"""What to do when a simulated drawdown exceeds the threshold.

The rule (docs/stress.md), applied to every scenario whose total drawdown exceeds the
threshold:

1. Estimate each strategy's share of the loss, ``c_i = drawdown_i * allocation_i / cash``
   (its own drawdown as a fraction of the whole portfolio; the sum bounds the total
   drawdown from above), and the ``excess = sum(c_i) - threshold``.
2. Take the largest contributors (by ``c_i``, then name) until their shares cover the
   excess. Among them, **pause** those whose own drawdown exceeds the threshold (the
   most vulnerable: their share goes to zero).
3. If that leaves some excess, **rebalance**: cut the allocations of the other chosen
   contributors by the same fraction ``remaining excess / sum of their shares`` (pro rata
   to their contribution). The new allocation is rounded down to the currency's precision.

Across scenarios a strategy keeps its worst case: paused if any scenario pauses it, else
the largest cut any scenario asks for. Why not "pause every strategy over the threshold,
then cut": the total is a weighted average of the strategies' drawdowns, so once every
strategy above the threshold is paused the rest can never breach it and the cut would
never happen; the rule above acts on what actually drives the total. The estimate
assumes a strategy's loss scales with its allocation; strategies that size orders in
fixed quantities scale only through their allocation-based risk limits.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Any

__all__ = ["recommend"]


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _shares(entry: dict[str, Any], cash: Decimal) -> list[tuple[float, str, float]]:
    """(share of the portfolio, name, own drawdown), largest share first."""
    rows = [
        (row["drawdown"] * float(Decimal(row["allocation"]) / cash), name, row["drawdown"])
        for name, row in entry["strategies"].items()
        if "allocation" in row
    ]
    return sorted(rows, key=lambda r: (-r[0], r[1]))


def _decide(
    entry: dict[str, Any], threshold: float, cash: Decimal
) -> tuple[list[tuple[str, float]], list[str], float]:
    """For one breached scenario: the paused (name, drawdown), the cut names and the cut."""
    shares = _shares(entry, cash)
    excess = sum(share for share, _, _ in shares) - threshold
    chosen, covered = [], 0.0
    for share, name, own in shares:
        if covered >= excess:
            break
        chosen.append((share, name, own))
        covered += share
    paused = [(name, own) for _, name, own in chosen if own > threshold]
    rest = excess - sum(share for share, _, own in chosen if own > threshold)
    others = [(share, name) for share, name, own in chosen if own <= threshold]
    base = sum(share for share, _ in others)
    if rest <= 0 or base <= 0:
        return paused, [], 0.0
    return paused, [name for _, name in others], min(rest / base, 1.0)


def recommend(
    scenarios: list[dict[str, Any]], *, threshold: float, cash: Decimal, step: Decimal
) -> list[dict[str, Any]]:
    """Pause and rebalance recommendations for scenario entries of stress.json."""
    paused: dict[str, tuple[float, str]] = {}
    cuts: dict[str, tuple[float, str, float]] = {}
    allocations: dict[str, str] = {}
    for entry in scenarios:
        for name, row in entry["strategies"].items():
            allocations.setdefault(name, row.get("allocation", ""))
        if entry["total_drawdown"] <= threshold:
            continue
        stopped, cut, fraction = _decide(entry, threshold, cash)
        for name, own in stopped:
            if own > paused.get(name, (0.0, ""))[0]:
                paused[name] = (own, entry["name"])
        for name in cut:
            if fraction > cuts.get(name, (0.0, "", 0.0))[0]:
                cuts[name] = (fraction, entry["name"], entry["total_drawdown"])
    result: list[dict[str, Any]] = [
        {
            "strategy": name,
            "action": "pause",
            "scenario": scenario,
            "drawdown": own,
            "reason": f"its own stressed drawdown {_pct(own)} in {scenario} exceeds the "
            f"threshold {_pct(threshold)}, and it is among the largest contributors to the "
            "portfolio's breach",
        }
        for name, (own, scenario) in sorted(paused.items())
    ]
    for name, (fraction, scenario, total) in sorted(cuts.items()):
        if name in paused:
            continue
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
