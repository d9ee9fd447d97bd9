"""Verification: walk the chain, recompute every hash, and compare the end with the head.

``first_bad`` is the lowest seq at which the log is not what the chain requires:
an edited record (its hash no longer matches its fields, or its ``prev_hash`` no
longer matches the previous record) is named itself; a deleted record is named
by its own, now missing, seq (the gap is seen at the next stored seq); records
cut off the end are named by the first missing seq, found against the head file;
a record appended without moving the head is named itself. Rewriting a whole tail
with recomputed hashes keeps the chain consistent, so it is caught only where the
head is (its seq), and a rewrite of both the table and the head is not caught:
keep the head somewhere the table's writers cannot reach for that.

Verify a log nobody is appending to (after the run, or a copy): the head of a live
log moves, and a commit between reading the table and the head looks like tampering.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import TextIO

import msgspec

from ironkeel.audit.chain import GENESIS_HASH, record_hash
from ironkeel.audit.head import Head, default_head_path, read_head
from ironkeel.audit.schema import SELECT_ALL_SQL
from ironkeel.audit.store import open_reader
from ironkeel.model.errors import InvalidInputError

__all__ = ["VerifyResult", "verify", "verify_command"]

_GENESIS = GENESIS_HASH.encode()
_TEXT_COLUMNS = ("kind", "actor", "subject", "payload", "prev_hash", "hash")


class VerifyResult(msgspec.Struct, frozen=True, kw_only=True):
    """``ok`` when the log is intact; ``records`` counts the records checked intact
    before ``first_bad`` (the lowest bad seq, or None when no record is to blame)."""

    ok: bool
    records: int
    first_bad: int | None
    reason: str


class _BadRecordError(Exception):
    """The walk stops at the first bad record; ``checked`` records before it are intact."""

    def __init__(self, seq: int, checked: int, reason: str) -> None:
        super().__init__(reason)
        self.seq = seq
        self.checked = checked
        self.reason = reason


def verify(
    path: str | os.PathLike[str],
    head_path: str | os.PathLike[str] | None = None,
    *,
    require_head: bool = True,
) -> VerifyResult:
    """Verify the log at ``path`` against its head (default ``<path>.head``).

    Raises ``InvalidInputError`` when ``path`` is missing or not an audit log.
    Without a head file the result is not ok ("truncation cannot be ruled out")
    unless ``require_head=False``.
    """
    log = Path(path)
    head_file = default_head_path(log) if head_path is None else Path(head_path)
    head, head_problem = _load_head(head_file)
    conn = open_reader(log)
    conn.text_factory = bytes  # hash the stored bytes themselves, even invalid UTF-8
    try:
        return _walk(conn, head, head_problem, require_head=require_head)
    finally:
        conn.close()


def _load_head(path: Path) -> tuple[Head | None, str]:
    try:
        return read_head(path), ""
    except FileNotFoundError:
        return None, f"head unknown (no head file at {path}), truncation cannot be ruled out"
    except (OSError, InvalidInputError) as error:
        return None, f"head file {path} is unreadable ({error}); truncation cannot be ruled out"


def _walk(
    conn: sqlite3.Connection, head: Head | None, head_problem: str, *, require_head: bool
) -> VerifyResult:
    if head is not None and head.seq == 0 and head.hash != GENESIS_HASH:
        reason = "the head file says the log is empty but its hash is not the genesis hash"
        return VerifyResult(ok=False, records=0, first_bad=None, reason=reason)
    try:
        count = _check_chain(conn, head)
    except _BadRecordError as bad:
        return VerifyResult(ok=False, records=bad.checked, first_bad=bad.seq, reason=bad.reason)
    if head is None:
        reason = f"chain intact over {count} records, but {head_problem}"
        return VerifyResult(ok=not require_head, records=count, first_bad=None, reason=reason)
    reason = f"intact: {count} records, chain and head agree (seq {head.seq}, {head.hash[:16]}…)"
    return VerifyResult(ok=True, records=count, first_bad=None, reason=reason)


def _check_chain(conn: sqlite3.Connection, head: Head | None) -> int:
    """How many records there are, all intact and agreeing with the head; else raise
    ``_BadRecordError`` at the first that is not."""
    expected, prev = 1, _GENESIS
    try:
        for row in conn.execute(SELECT_ALL_SQL):
            prev = _check_record(row, expected, prev)
            if head is not None:
                _check_against_head(expected, prev, head)
            expected += 1
    except sqlite3.DatabaseError as error:
        raise _BadRecordError(
            expected,
            expected - 1,
            f"the file is damaged or altered from record {expected} on ({error})",
        ) from error
    last = expected - 1
    if head is not None and last < head.seq:
        missing = (
            f"record {expected} is"
            if head.seq == expected
            else f"records {expected}..{head.seq} are"
        )
        raise _BadRecordError(
            expected,
            last,
            f"{missing} missing: the table ends at seq {last} but the head file says "
            f"{head.seq} (truncated)",
        )
    return last


def _check_record(row: tuple[object, ...], expected: int, prev: bytes) -> bytes:
    """The record's hash once its seq, types, link and hash check out; else raise."""
    seq, ts_ns = row[0], row[1]
    checked = expected - 1
    if type(seq) is not int:
        raise _BadRecordError(
            expected, checked, f"record {expected}: seq holds {seq!r}, not an integer"
        )
    if seq > expected:
        missing = (
            f"record {expected} is" if seq == expected + 1 else f"records {expected}..{seq - 1} are"
        )
        raise _BadRecordError(
            expected, checked, f"{missing} missing: seq jumps from {checked} to {seq} (deleted)"
        )
    if seq < expected:
        raise _BadRecordError(
            seq, checked, f"record {seq}: seq must start at 1 and rise by 1 (inserted)"
        )
    if type(ts_ns) is not int:
        raise _BadRecordError(
            seq, checked, f"record {seq}: ts_ns holds {ts_ns!r}, not an integer (edited)"
        )
    fields = [
        _text(seq, checked, name, value) for name, value in zip(_TEXT_COLUMNS, row[2:], strict=True)
    ]
    kind_b, actor_b, subject_b, payload_b, prev_b, digest_b = fields
    if prev_b != prev:
        raise _BadRecordError(
            seq,
            checked,
            f"record {seq}: prev_hash does not match the hash of record {seq - 1} "
            "(edited, or records reordered)",
        )
    recomputed = record_hash(
        prev, seq=seq, ts_ns=ts_ns, kind=kind_b, actor=actor_b, subject=subject_b, payload=payload_b
    )
    if recomputed.encode() != digest_b:
        raise _BadRecordError(
            seq, checked, f"record {seq}: the stored hash does not match its fields (edited)"
        )
    return digest_b


def _text(seq: int, checked: int, name: str, value: object) -> bytes:
    if type(value) is not bytes:
        raise _BadRecordError(
            seq, checked, f"record {seq}: {name} holds {value!r}, not text (edited)"
        )
    return value


def _check_against_head(seq: int, digest: bytes, head: Head) -> None:
    if seq > head.seq:
        raise _BadRecordError(
            seq,
            seq - 1,
            f"record {seq} is not covered by the head file (which ends at seq {head.seq}): "
            "appended behind the log's back, or a crash came between its commit and the "
            "head update",
        )
    if seq == head.seq and digest != head.hash.encode():
        raise _BadRecordError(
            seq,
            seq - 1,
            f"record {seq}: its hash differs from the head file's: records up to here were "
            "rewritten with recomputed hashes, or the head file belongs to another log",
        )


def verify_command(
    path: str | os.PathLike[str],
    *,
    head_path: str | os.PathLike[str] | None = None,
    require_head: bool = True,
    out: TextIO | None = None,
) -> int:
    """``ironkeel audit verify PATH``: write one line and return the exit code:
    0 intact, 1 tampered or not verifiable (no head), 2 unreadable or missing file."""
    stream = sys.stdout if out is None else out
    try:
        result = verify(path, head_path, require_head=require_head)
    except InvalidInputError as error:
        stream.write(f"audit log {path}: cannot be read: {error}\n")
        return 2
    if result.ok:
        stream.write(f"audit log {path}: OK, {result.reason}\n")
        return 0
    stream.write(f"audit log {path}: FAILED: {result.reason}\n")
    return 1
