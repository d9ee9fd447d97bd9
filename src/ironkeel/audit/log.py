"""The append-only, hash-chained audit log.

``AuditLog`` offers ``append`` and nothing that changes or removes a record. Each
record carries the SHA-256 of the previous one (``ironkeel.audit.chain``), and
after every commit the head (last seq and hash) is rewritten in a separate file
(``ironkeel.audit.head``). Timestamps come from the caller's injected clock; the
log never reads the wall clock.

``commit_every=1`` (the default, for live trading) makes each append its own
durable transaction. A backtest passes e.g. ``commit_every=10_000``: appends are
buffered and committed in one transaction every N records and at ``close()``. A
crash then loses at most the uncommitted records, and the log stays verifiable.

Not thread-safe: one writer (one ``AuditLog``) per file. A second writer is
detected at its next commit (the table no longer ends where it expects) and refused.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from types import TracebackType

from ironkeel.audit.chain import GENESIS_HASH, Record, record_hash
from ironkeel.audit.head import Head, default_head_path, read_head, write_head
from ironkeel.audit.payload import Payload, encode_payload
from ironkeel.audit.schema import INSERT_SQL, TAIL_SQL
from ironkeel.audit.store import close_writer, open_writer
from ironkeel.model.errors import InvalidInputError, StateError

__all__ = ["AuditLog"]

_Row = tuple[int, int, str, str, str, str, str, str]


class AuditLog:
    """Append records to the log at ``path``; its head is kept at ``head_path``
    (default ``<path>.head``). Use as a context manager or call ``close()``."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        head_path: str | os.PathLike[str] | None = None,
        commit_every: int = 1,
    ) -> None:
        if type(commit_every) is not int or commit_every < 1:
            raise InvalidInputError(
                "commit_every",
                commit_every,
                "must be an int >= 1",
                "use 1 live, 10_000 in a backtest",
            )
        self.path = Path(path)
        self.head_path = default_head_path(self.path) if head_path is None else Path(head_path)
        self._commit_every = commit_every
        self._pending: list[_Row] = []
        self._conn: sqlite3.Connection | None = open_writer(self.path)
        try:
            self._seq, self._hash = self._tail()
            self._check_head()
        except BaseException:
            self._conn.close()
            raise

    # --- appending -----------------------------------------------------------------------

    def append(
        self, kind: str, *, ts_ns: int, actor: str, subject: str, payload: Payload
    ) -> Record:
        """Append one record chained to the previous one and return it as stored.

        ``kind`` says what happened (see ``AuditKind``), ``actor`` who did it (a
        component or a named person), ``subject`` what it concerns (an order id, a
        breaker, a config key), ``payload`` the details (a dict or msgspec Struct).
        """
        if self._conn is None:
            raise StateError(f"{self.path}: the audit log is closed; open a new AuditLog")
        kind, kind_b = _utf8("kind", kind, allow_empty=False)
        actor, actor_b = _utf8("actor", actor, allow_empty=False)
        subject, subject_b = _utf8("subject", subject, allow_empty=True)
        if type(ts_ns) is not int or ts_ns < 0:
            raise InvalidInputError(
                "ts_ns", ts_ns, "must be an int >= 0", "pass the injected clock's timestamp_ns()"
            )
        payload_b = encode_payload(payload)
        seq = self._seq + 1
        prev = self._hash
        digest = record_hash(
            prev.encode(),
            seq=seq,
            ts_ns=ts_ns,
            kind=kind_b,
            actor=actor_b,
            subject=subject_b,
            payload=payload_b,
        )
        text = payload_b.decode()
        self._pending.append((seq, ts_ns, kind, actor, subject, text, prev, digest))
        self._seq = seq
        self._hash = digest
        if len(self._pending) >= self._commit_every:
            self.flush()
        return Record(
            seq=seq,
            ts_ns=ts_ns,
            kind=kind,
            actor=actor,
            subject=subject,
            payload=text,
            prev_hash=prev,
            hash=digest,
        )

    def flush(self) -> None:
        """Commit the buffered records in one transaction, then rewrite the head.

        If the commit fails nothing of the batch is stored, the buffered records
        are dropped and the error is raised; the log goes on from its last commit.
        If only the head cannot be written, the records stay committed, the error is
        raised, and the next commit rewrites the head.
        """
        if not self._pending or self._conn is None:
            return
        conn = self._conn
        first_seq, prev = self._pending[0][0], self._pending[0][6]
        try:
            conn.execute("BEGIN IMMEDIATE")
            self._check_tail(first_seq - 1, prev)
            conn.executemany(INSERT_SQL, self._pending)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._seq, self._hash = first_seq - 1, prev
            self._pending.clear()
            raise
        self._pending.clear()
        write_head(self.head_path, Head(seq=self._seq, hash=self._hash))

    # --- state -----------------------------------------------------------------------------

    @property
    def seq(self) -> int:
        """The seq of the last appended record (0 for an empty log)."""
        return self._seq

    @property
    def last_hash(self) -> str:
        """The hash of the last appended record (``GENESIS_HASH`` for an empty log)."""
        return self._hash

    def close(self) -> None:
        """Commit what is buffered, update the head and close the file. Idempotent."""
        if self._conn is None:
            return
        try:
            self.flush()
        finally:
            close_writer(self._conn)
            self._conn = None

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _check_tail(self, seq: int, digest: str) -> None:
        """Refuse to commit unless the table still ends where this log left it."""
        tail = self._tail()
        if tail != (seq, digest):
            raise StateError(
                f"{self.path}: the table ends at seq {tail[0]}, not {seq} as this log wrote it: "
                "another writer appended or records were removed. Run "
                f"`ironkeel audit verify {self.path}` and write to a new log"
            )

    # --- opening ---------------------------------------------------------------------------

    def _tail(self) -> tuple[int, str]:
        if self._conn is None:  # pragma: no cover - called only while open
            raise StateError("the audit log is closed")
        row = self._conn.execute(TAIL_SQL).fetchone()
        return (0, GENESIS_HASH) if row is None else (row[0], row[1])

    def _check_head(self) -> None:
        """Refuse to append to a log whose table and head disagree: appending would
        move the head and hide a truncation."""
        try:
            head = read_head(self.head_path)
        except FileNotFoundError:
            if self._seq != 0:
                raise StateError(
                    f"{self.path}: {self._seq} records but no head file at {self.head_path}; "
                    "truncation cannot be ruled out. Restore the head file or write to a new log"
                ) from None
            write_head(self.head_path, Head(seq=0, hash=GENESIS_HASH))
            return
        except InvalidInputError as error:
            raise StateError(f"{self.path}: {error}; write to a new log") from None
        if (head.seq, head.hash) != (self._seq, self._hash):
            raise StateError(
                f"{self.path}: the table ends at seq {self._seq} but the head file "
                f"{self.head_path} says seq {head.seq}: the log was truncated or appended to "
                "behind its back (or a crash hit between a commit and the head update). Run "
                f"`ironkeel audit verify {self.path}` and write to a new log"
            )


def _utf8(field: str, value: str, *, allow_empty: bool) -> tuple[str, bytes]:
    """``value`` as a plain str (a StrEnum such as ``AuditKind`` gives its value) and UTF-8."""
    if type(value) is not str:
        if not isinstance(value, str):
            raise InvalidInputError(field, value, f"is a {type(value).__name__}", "pass a str")
        value = str(value)
    if not value and not allow_empty:
        raise InvalidInputError(field, value, "is empty", f"say which {field} this record has")
    try:
        return value, value.encode()
    except UnicodeEncodeError:
        raise InvalidInputError(
            field, value, "is not valid Unicode (a lone surrogate)", "pass valid text"
        ) from None
