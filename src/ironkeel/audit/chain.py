"""The hash chain: what each record's SHA-256 covers, and the record itself.

``hash = sha256(prev_hash || field(seq) || field(ts_ns) || field(kind) || field(actor)
|| field(subject) || field(payload))``, as lower-case hex, where ``prev_hash`` is the
previous record's hash as its 64 ASCII hex characters (``GENESIS_HASH`` for record 1)
and ``field(b) = ascii(len(b)) || ":" || b || ","`` (a netstring) over the field's
stored bytes: integers as ASCII decimal, text as UTF-8. Length prefixes make the
encoding unambiguous, so any change to any field changes the hash, and the format is
easy to recompute from any language or straight from PostgreSQL.
"""

from __future__ import annotations

import hashlib
from typing import Final

import msgspec

__all__ = ["GENESIS_HASH", "Record", "record_hash"]

#: The ``prev_hash`` of record 1 (and the head of an empty log).
GENESIS_HASH: Final = "0" * 64

_sha256 = hashlib.sha256


def record_hash(
    prev_hash: bytes,
    *,
    seq: int,
    ts_ns: int,
    kind: bytes,
    actor: bytes,
    subject: bytes,
    payload: bytes,
) -> str:
    """The hex SHA-256 of one record chained from ``prev_hash`` (text fields as UTF-8)."""
    seq_b = b"%d" % seq
    ts_b = b"%d" % ts_ns
    return _sha256(
        b"%b%d:%b,%d:%b,%d:%b,%d:%b,%d:%b,%d:%b,"
        % (
            prev_hash,
            len(seq_b),
            seq_b,
            len(ts_b),
            ts_b,
            len(kind),
            kind,
            len(actor),
            actor,
            len(subject),
            subject,
            len(payload),
            payload,
        )
    ).hexdigest()


class Record(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One stored audit record; ``payload`` is its canonical JSON text."""

    seq: int
    ts_ns: int
    kind: str
    actor: str
    subject: str
    payload: str
    prev_hash: str
    hash: str

    def data(self) -> object:
        """The payload decoded from JSON (dicts, lists, str, int, ...)."""
        return msgspec.json.decode(self.payload)
