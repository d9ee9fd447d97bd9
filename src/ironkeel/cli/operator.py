"""Operator commands on a breaker journal: ``ironkeel risk status|reset|halt|resume`` and
``ironkeel kill``. Each change goes through the breaker's own state machine, is written to
the journal (a running engine restored from it sees it) and is recorded in the audit log
with who, when, what and why. A reset, halt, resume or kill without an operator name or a
reason is refused."""

from __future__ import annotations

from pathlib import Path

from ironkeel.cli.render import console
from ironkeel.core.clock import LiveClock
from ironkeel.model.errors import InvalidInputError
from ironkeel.risk.breaker import DrawdownBreaker
from ironkeel.risk.journal import BreakerJournal
from ironkeel.risk.operator import journaled_action

__all__ = ["apply_action", "print_status"]


def _now_ns() -> int:
    """An operator acts in real time: the time comes from the live clock."""
    return LiveClock().timestamp_ns()


def print_status(journal_path: Path) -> None:
    if not journal_path.is_file():
        raise InvalidInputError("--journal", str(journal_path), "does not exist", "check the path")
    with BreakerJournal(journal_path) as journal:
        snapshots = journal.load()
    if not snapshots:
        console.print("no breakers in the journal")
    for name, snapshot in snapshots.items():
        breaker = DrawdownBreaker.restore(snapshot)
        trading = "trading" if breaker.allows_trading else "[red]not trading[/red]"
        console.print(f"{name}: {breaker.state.name}, {breaker.trips} trip(s), {trading}")


def apply_action(
    journal_path: Path,
    *,
    action: str,
    breaker_name: str,
    operator: str,
    reason: str,
    audit_path: Path | None,
) -> None:
    """Apply ``action`` (reset, halt, resume) to one journaled breaker, journal and audit it."""
    if not operator.strip():
        raise InvalidInputError("--operator", operator, "is empty", "name who acts")
    if not reason.strip():
        raise InvalidInputError("--reason", reason, "is empty", "say why")
    if not journal_path.is_file():
        raise InvalidInputError("--journal", str(journal_path), "does not exist", "check the path")
    now = _now_ns()
    with BreakerJournal(journal_path) as journal:
        snapshots = journal.load()
        if breaker_name not in snapshots:
            raise InvalidInputError(
                "breaker", breaker_name, "is not in the journal", f"use one of {sorted(snapshots)}"
            )
        transition = journaled_action(
            journal, snapshots[breaker_name], action=action, operator=operator, reason=reason,
            now_ns=now, audit_path=audit_path,
        )  # fmt: skip
    console.print(
        f"{breaker_name}: {transition.from_state.name} -> {transition.to_state.name} "
        f"by {operator} ({reason})"
    )
