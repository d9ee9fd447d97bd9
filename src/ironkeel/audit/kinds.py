"""The kinds of record the platform writes, and the typed helper for operator actions.

Kinds are free strings (a plug-in may add its own); the platform writes these,
each as ``kind``: actor / subject / payload:

- ``order_event``: the component (``oms``) / the client order id / the event Struct
- ``risk_decision``: the risk check / the client order id / check, outcome, reason code
- ``breaker_transition``: the breaker or operator / the breaker id / from, to, trigger
- ``operator_action``: the person (a login) / what was acted on / ``action``, ``reason``
- ``config_change``: who changed it / the config key or file / old, new, reason
- ``deployment``: who deployed / the node or strategy / version, digest, outcome
"""

from __future__ import annotations

from enum import StrEnum

from ironkeel.audit.chain import Record
from ironkeel.audit.log import AuditLog
from ironkeel.model.errors import InvalidInputError

__all__ = ["AuditKind", "record_operator_action"]


class AuditKind(StrEnum):
    """The platform's record kinds (``AuditLog.append`` accepts any non-empty str)."""

    ORDER_EVENT = "order_event"
    RISK_DECISION = "risk_decision"
    BREAKER_TRANSITION = "breaker_transition"
    OPERATOR_ACTION = "operator_action"
    CONFIG_CHANGE = "config_change"
    DEPLOYMENT = "deployment"


def record_operator_action(
    log: AuditLog, *, ts_ns: int, operator: str, action: str, target: str, reason: str
) -> Record:
    """Record that ``operator`` (who) did ``action`` (what) to ``target`` because of
    ``reason`` (why), at ``ts_ns`` (when). Who, what and why may not be blank."""
    _require("operator", operator, "name the person who acted (their login, not a role)")
    _require("action", action, "say what was done, e.g. 'reset_breaker' or 'kill_switch'")
    _require("reason", reason, "say why, e.g. the incident or ticket it answers")
    return log.append(
        AuditKind.OPERATOR_ACTION,
        ts_ns=ts_ns,
        actor=operator,
        subject=target,
        payload={"action": action, "reason": reason},
    )


def _require(field: str, value: object, fix: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(field, value, "is blank", fix)
