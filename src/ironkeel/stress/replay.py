"""One stress run: the run's portfolio replayed through one scenario.

The run spec is loaded as a backtest would load it (same strategies, params, allocations,
fees, slippage and risk config); each bar stream keeps its last ``warmup_bars`` real bars
(so indicators are warm and positions are whatever the strategies hold) and continues
with stressed bars along the scenario path of the instrument's asset class (or the path
``mapping`` names for its symbol). A normal backtest runs over that; drawdowns and returns
are measured from the shock's start (the last real bar) to the end.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np

from ironkeel.backtest.outputs import drawdown, iso
from ironkeel.backtest.runner import Plan, execute, plan_from_spec
from ironkeel.backtest.spec import RunSpec
from ironkeel.model.data import Bar
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.instruments import Instrument
from ironkeel.stress.bars import derive_seed, stressed_bars
from ironkeel.stress.scenario import Scenario
from ironkeel.stress.shock import ShockPath

__all__ = ["StressError", "StressOptions", "check_plan", "fresh_copy", "run_scenario"]


class StressError(InvalidInputError):
    """A run cannot be stressed as asked (non-bar data, an unknown symbol or path name)."""


@dataclass(frozen=True)
class StressOptions:
    """How scenarios are replayed (see docs/stress.md)."""

    warmup_bars: int = 500
    noise: float = 1.0
    #: symbol -> the scenario path it follows instead of its asset class's
    mapping: dict[str, str] = field(default_factory=dict)
    #: symbol -> the price the shock starts from instead of the last real close
    anchors: dict[str, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.warmup_bars < 2:
            raise StressError("--warmup", self.warmup_bars, "is below 2", "use e.g. 500 bars")
        if not 0 <= self.noise <= 10:
            raise StressError("--noise", self.noise, "is outside [0, 10]", "use e.g. 1.0")


def check_plan(plan: Plan, options: StressOptions) -> None:
    """Bar data only, and every mapped or anchored symbol is in the run."""
    for name, items in plan.streams:
        if type(items[0]) is not Bar:
            raise StressError(
                f"data {name}", type(items[0]).__name__, "is not bars",
                "stress tests replay bar data; resample quotes or trades to bars first",
            )  # fmt: skip
    symbols = sorted(i.id.symbol for i in plan.instruments)
    for flag, given in (("--map", options.mapping), ("--anchor", options.anchors)):
        for symbol in given:
            if symbol not in symbols:
                raise StressError(flag, symbol, "is not a symbol of the run", f"use {symbols}")


def path_for(instrument: Instrument, scenario: Scenario, options: StressOptions) -> str | None:
    """The scenario path an instrument follows: its mapped path where the scenario has it,
    else its asset class's, else None (not exposed: flat)."""
    for wanted in (options.mapping.get(instrument.id.symbol), instrument.asset_class.value):
        if wanted in scenario.paths:
            return wanted
    return None


def _stress_streams(
    plan: Plan, scenario: Scenario, options: StressOptions, seed: int
) -> tuple[dict[str, Any], int]:
    """Replace each bar stream by its warm-up tail and its stressed bars; the instruments'
    paths and the shock's start (ns)."""
    by_id = {i.id: i for i in plan.instruments}
    exposure: dict[str, Any] = {}
    starts = []
    for index, (name, items) in enumerate(plan.streams):
        tail = items[-options.warmup_bars :]
        instrument = by_id[tail[-1].bar_type.instrument_id]
        symbol = instrument.id.symbol
        chosen = path_for(instrument, scenario, options)
        path: ShockPath | None = None if chosen is None else scenario.paths[chosen]
        anchor = options.anchors.get(symbol)
        anchor_ticks = None if anchor is None else instrument.ticks(anchor, f"anchor {symbol}")
        shocked = stressed_bars(
            tail,
            path,
            duration_ns=scenario.duration_ns,
            seed=derive_seed(seed, scenario.name, name),
            anchor_ticks=anchor_ticks,
            noise=options.noise,
        )
        plan.streams[index] = (name, [*tail, *shocked])
        starts.append(tail[-1].ts_init)
        exposure[symbol] = {
            "path": chosen,
            "asset_class": instrument.asset_class.value,
            "anchor": str(instrument.price_from_ticks(anchor_ticks or tail[-1].close)),
            "end_move": None if path is None else str(path.end_move),
            "end_price": str(instrument.price_from_ticks(shocked[-1].close)),
            "bars": len(shocked),
        }
    return exposure, min(starts)


def _window(rows: list[list[Any]], start_ns: int) -> np.ndarray:
    """Equity rows (total, then each strategy) from the shock's start on, as floats."""
    ts = np.array([r[0] for r in rows], dtype=np.int64)
    first = max(int(np.searchsorted(ts, start_ns, side="right")) - 1, 0)
    return np.array([r[2:] for r in rows[first:]], dtype=np.float64)


def _ret(column: np.ndarray) -> float:
    return 0.0 if column.size == 0 or column[0] == 0 else float(column[-1] / column[0] - 1)


def fresh_copy(plan: Plan) -> Plan:
    """A copy of a loaded, not yet run plan that one run may consume: its own stream list
    and its own strategy instances (deep copies of the pristine ones; data items are
    immutable and shared)."""
    return replace(
        plan,
        streams=list(plan.streams),
        strategies=[replace(s, strategy=copy.deepcopy(s.strategy)) for s in plan.strategies],
        notes=list(plan.notes),
    )


def run_scenario(
    spec: RunSpec, scenario: Scenario, options: StressOptions, *, plan: Plan | None = None
) -> dict[str, Any]:
    """Replay ``spec``'s portfolio through ``scenario``; the scenario's entry of stress.json
    (without ``breached``, which depends on the threshold). ``plan``: ``spec`` already
    loaded (a ``fresh_copy``), to skip loading it again."""
    plan = plan_from_spec(spec) if plan is None else plan
    check_plan(plan, options)
    exposure, start_ns = _stress_streams(plan, scenario, options, spec.seed)
    exposed = any(e["path"] is not None for e in exposure.values())
    names = [s.name for s in plan.strategies]
    entry: dict[str, Any] = {
        "name": scenario.name,
        "title": scenario.title,
        "file": scenario.file,
        "approximate": any(p.approximate for p in scenario.paths.values()),
        "exposed": exposed,
        "instruments": exposure,
    }
    if not exposed:
        classes = sorted({e["asset_class"] for e in exposure.values()})
        entry["note"] = (
            f"not exposed: the scenario has no path for {classes} (it has "
            f"{sorted(scenario.paths)}); map a symbol with --map SYMBOL=PATH to stress it"
        )
        entry.update(total_drawdown=0.0, total_return=0.0, strategies={
            n: {"drawdown": 0.0, "return": 0.0, "status": "not exposed"} for n in names
        })  # fmt: skip
        return entry
    result = execute(plan)
    window = _window(result.equity_rows, start_ns)
    summary = result.summary
    entry["start"] = iso(start_ns)
    entry["end"] = summary["end"]
    entry["total_drawdown"] = drawdown(window[:, 0])
    entry["total_return"] = _ret(window[:, 0])
    entry["strategies"] = {
        name: {
            "drawdown": drawdown(window[:, i + 1]),
            "return": _ret(window[:, i + 1]),
            "allocation": summary["strategies"][name]["allocation"],
            "status": summary["strategies"][name]["status"],
        }
        for i, name in enumerate(names)
    }
    entry["risk_events"] = len(result.risk_rows)
    return entry
