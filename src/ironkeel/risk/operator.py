"""Operator actions on a journaled breaker, applied while no engine holds it (the CLI's
``risk reset|halt|resume`` and ``kill``, ``stress --apply``): through the breaker's own
state machine, written to the journal (an engine restored from it sees the change) and
recorded in the audit log with who, when, what and why."""

from __future__ import annotations

import logging
from pathlib import Path

from ironkeel.audit import AuditLog, record_operator_action
from ironkeel.model.errors import InvalidInputError
from ironkeel.risk.breaker import BreakerState, BreakerTransition, DrawdownBreaker
from ironkeel.risk.breaker_types import BreakerSnapshot
from ironkeel.risk.journal import BreakerJournal

__all__ = ["journaled_action", "operator_action"]

log = logging.getLogger("ironkeel.risk")


def journaled_action(
    journal: BreakerJournal,
    snapshot: BreakerSnapshot,
    *,
    action: str,
    operator: str,
    reason: str,
    now_ns: int,
    audit_path: Path | None,
) -> BreakerTransition:
    """``halt`` from any state; ``reset`` and ``resume`` lift a halt (a kill) or clear a
    trip, whichever the breaker is in. Journaled; recorded in the audit log at
    ``audit_path`` once it is done (a refused action leaves no record, and no log)."""
    breaker = DrawdownBreaker.restore(snapshot, journal=journal)
    if action == "halt":
        transition = breaker.halt(operator, reason, now_ns)
    elif action not in ("reset", "resume"):
        raise InvalidInputError("action", action, "is unknown", "use reset, halt or resume")
    elif breaker.state is BreakerState.HALTED:
        transition = breaker.resume(operator, reason, now_ns)
    else:
        transition = breaker.reset(operator, reason, now_ns)
    if audit_path is not None:
        with AuditLog(audit_path) as audit:
            record_operator_action(
                audit, ts_ns=now_ns, operator=operator, action=action, target=breaker.name,
                reason=reason,
            )  # fmt: skip
    return transition


def operator_action(
    audit: AuditLog | None, now_ns: int, *, operator: str, action: str, target: str, reason: str
) -> None:
    """An operator's action on a running engine: refused without who and why, logged,
    and recorded in the audit log when there is one."""
    if not operator.strip() or not reason.strip():
        raise InvalidInputError(
            "operator/reason", (operator, reason), "must both be given",
            "name who acts and why, e.g. --operator alice --reason 'post-mortem done'",
        )  # fmt: skip
    log.warning("operator %s: %s %s (%s)", operator, action, target, reason)
    if audit is not None:
        record_operator_action(
            audit, ts_ns=now_ns, operator=operator, action=action, target=target, reason=reason
        )
