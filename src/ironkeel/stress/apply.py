"""Applying stress recommendations through the operator path (``--apply``).

- **pause**: the strategy's breaker (``strategy:NAME``) is halted in the breaker journal,
  exactly as ``ironkeel kill --strategy NAME`` does: the transition goes through the
  breaker's state machine and is journaled, so an engine restored from the journal (a
  running node on its next restore, the next run) holds the strategy halted and
  liquidates it; the action is recorded in the audit log (who, when, what, why).
- **rebalance**: allocations are start-time settings of a run, so the new allocations
  are written to a run file (``rebalanced.toml``, the same run with the cut allocations)
  and the change is recorded in the audit log as an operator action.

Everything is checked before anything changes: a missing journal, a strategy without a
breaker in it, or a blank operator refuses the whole set.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec

from ironkeel.audit import AuditLog, record_operator_action
from ironkeel.backtest.spec import RunSpec, absolute_spec
from ironkeel.risk.breaker import BreakerState
from ironkeel.risk.journal import BreakerJournal
from ironkeel.risk.operator import journaled_action
from ironkeel.stress.replay import StressError

__all__ = ["apply_recommendations"]


def _check(
    recommendations: list[dict[str, Any]], journal_path: Path | None, operator: str
) -> dict[str, Any]:
    if not operator.strip():
        raise StressError("--operator", operator, "is blank", "name who applies the change")
    pauses = [r for r in recommendations if r["action"] == "pause"]
    if not pauses:
        return {}
    if journal_path is None or not journal_path.is_file():
        raise StressError(
            "--journal", None if journal_path is None else str(journal_path), "does not exist",
            "pass the breaker journal of the node to pause (a run folder's breakers.sqlite)",
        )  # fmt: skip
    with BreakerJournal(journal_path) as journal:
        snapshots = journal.load()
    missing = [f"strategy:{r['strategy']}" for r in pauses if f"strategy:{r['strategy']}" not in
               snapshots]  # fmt: skip
    if missing:
        raise StressError(
            "--journal", str(journal_path), f"has no breaker {missing}",
            f"use the journal of the node that runs them (it has {sorted(snapshots)})",
        )  # fmt: skip
    return dict(snapshots)


def apply_recommendations(
    recommendations: list[dict[str, Any]],
    *,
    spec: RunSpec,
    journal_path: Path | None,
    audit_path: Path,
    operator: str,
    now_ns: int,
    out: Path,
) -> list[dict[str, Any]]:
    """Apply every recommendation (see the module doc); what was done, in order."""
    snapshots = _check(recommendations, journal_path, operator)
    done: list[dict[str, Any]] = []
    rebalance = [r for r in recommendations if r["action"] == "rebalance"]
    if snapshots and journal_path is not None:
        with BreakerJournal(journal_path) as journal:
            for rec in recommendations:
                if rec["action"] != "pause":
                    continue
                snapshot = snapshots[f"strategy:{rec['strategy']}"]
                if snapshot.state is BreakerState.HALTED:
                    done.append({"strategy": rec["strategy"], "action": "pause",
                                 "result": "already halted"})  # fmt: skip
                    continue
                transition = journaled_action(
                    journal, snapshot, action="halt", operator=operator,
                    reason=f"stress test: {rec['reason']}", now_ns=now_ns, audit_path=audit_path,
                )  # fmt: skip
                done.append({"strategy": rec["strategy"], "action": "pause",
                             "result": f"{transition.from_state.name} -> HALTED"})  # fmt: skip
    with AuditLog(audit_path) as audit:
        if rebalance:
            path = _write_rebalanced(spec, rebalance, out)
            for rec in rebalance:
                reason = (
                    f"stress test: {rec['reason']}; allocation {rec['allocation_from']} -> "
                    f"{rec['allocation_to']} in {path}"
                )
                record_operator_action(
                    audit, ts_ns=now_ns, operator=operator, action="rebalance",
                    target=f"strategy:{rec['strategy']}", reason=reason,
                )  # fmt: skip
                result = f"allocation {rec['allocation_to']} in {path.name}"
                done.append({"strategy": rec["strategy"], "action": "rebalance", "result": result})
    return done


def _write_rebalanced(spec: RunSpec, rebalance: list[dict[str, Any]], out: Path) -> Path:
    """The run file with the cut allocations (paths absolute), for the next start."""
    new = {r["strategy"]: Decimal(r["allocation_to"]) for r in rebalance}
    resolved = absolute_spec(spec)
    strategies = [
        msgspec.structs.replace(s, allocation=new.get(s.name, s.allocation))
        for s in resolved.strategies
    ]
    data = msgspec.to_builtins(msgspec.structs.replace(resolved, strategies=strategies))
    cleaned = _drop_none(data)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "rebalanced.toml"
    header = "# Written by `ironkeel stress --apply`: the run with stress-tested allocations.\n"
    path.write_text(header + _toml(cleaned), encoding="utf-8")
    return path


def _drop_none(value: Any) -> Any:
    """TOML has no null: absent keys take their defaults."""
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return json.dumps(str(value))  # a JSON string is a valid TOML basic string


def _toml(spec: dict[str, Any]) -> str:
    """A run spec (builtins) as TOML: scalars first, then the arrays of tables."""
    tables = ("instruments", "data", "strategies")
    lines = [f"{k} = {_value(v)}" for k, v in spec.items() if k not in tables]
    for name in tables:
        for row in spec.get(name, []):
            lines += ["", f"[[{name}]]", *(f"{k} = {_value(v)}" for k, v in row.items())]
    return "\n".join(lines) + "\n"
