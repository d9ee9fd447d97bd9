"""The tamper-evident audit log: append-only, hash-chained, in SQLite.

Every order event, risk decision, breaker transition, operator action and
configuration change is appended as a record carrying the SHA-256 of the previous
one; the last record's (seq, hash) is kept in a separate head file. ``verify``
recomputes the chain and names the first record that was edited, deleted, moved,
cut off or slipped in. See docs/audit.md.
"""

from ironkeel.audit.chain import GENESIS_HASH, Record, record_hash
from ironkeel.audit.head import Head, read_head
from ironkeel.audit.kinds import AuditKind, record_operator_action
from ironkeel.audit.log import AuditLog
from ironkeel.audit.schema import POSTGRES_DDL, SQLITE_DDL
from ironkeel.audit.store import read_records
from ironkeel.audit.verify import VerifyResult, verify, verify_command

__all__ = [
    "GENESIS_HASH",
    "POSTGRES_DDL",
    "SQLITE_DDL",
    "AuditKind",
    "AuditLog",
    "Head",
    "Record",
    "VerifyResult",
    "read_head",
    "read_records",
    "record_hash",
    "record_operator_action",
    "verify",
    "verify_command",
]
