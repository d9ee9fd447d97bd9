"""Operator actions record who, when, what and why, and refuse a blank who, what or why."""

from __future__ import annotations

from pathlib import Path

import pytest

from ironkeel.audit import AuditKind, AuditLog, read_records, record_operator_action
from ironkeel.model import InvalidInputError


def test_when_an_operator_acts_then_who_when_what_and_why_are_recorded(tmp_path: Path) -> None:
    with AuditLog(tmp_path / "audit.sqlite") as log:
        record_operator_action(
            log,
            ts_ns=1_700_000_000_000_000_000,
            operator="alice",
            action="reset_breaker",
            target="breaker:portfolio",
            reason="INC-42: drawdown reviewed, limits unchanged",
        )
    (record,) = read_records(tmp_path / "audit.sqlite")
    assert (record.kind, record.actor, record.subject, record.ts_ns) == (
        "operator_action",
        "alice",
        "breaker:portfolio",
        1_700_000_000_000_000_000,
    )
    assert record.data() == {
        "action": "reset_breaker",
        "reason": "INC-42: drawdown reviewed, limits unchanged",
    }


@pytest.mark.parametrize(
    ("field", "value"), [("operator", ""), ("operator", "  "), ("reason", ""), ("action", "\t")]
)
def test_when_who_what_or_why_is_blank_then_the_action_is_refused(
    tmp_path: Path, field: str, value: str
) -> None:
    arguments = {"operator": "alice", "action": "kill_switch", "reason": "runaway"} | {field: value}
    with AuditLog(tmp_path / "audit.sqlite") as log:
        with pytest.raises(InvalidInputError) as caught:
            record_operator_action(log, ts_ns=1, target="all", **arguments)
        assert caught.value.field == field
        assert log.seq == 0


def test_the_platform_kinds_are_plain_strings() -> None:
    assert [str(kind) for kind in AuditKind] == [
        "order_event",
        "risk_decision",
        "breaker_transition",
        "operator_action",
        "config_change",
        "deployment",
    ]
