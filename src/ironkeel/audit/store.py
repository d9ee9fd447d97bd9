"""The SQLite file: opened for appending (WAL, ``synchronous=FULL``) or read-only.

While a log is open for appending it runs in WAL mode, so readers (a live
``verify``) never block the writer and each commit is durable once it returns.
Closing switches the file back to rollback-journal mode: a closed log is one
self-contained file, and a read-only verification leaves no ``-wal``/``-shm``
files behind. (If another connection is still open the switch is skipped; the
file stays in WAL mode, which is equally valid.)
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ironkeel.audit.chain import Record
from ironkeel.audit.schema import SELECT_ALL_SQL, SQLITE_DDL
from ironkeel.model.errors import InvalidInputError

__all__ = ["close_writer", "open_reader", "open_writer", "read_records"]

_LOG_EXAMPLE = "pass the log's file, e.g. out/run/audit.sqlite"


def open_writer(path: Path) -> sqlite3.Connection:
    """Open or create the log at ``path`` in WAL mode, with the table and its triggers."""
    try:
        conn = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as error:
        raise InvalidInputError(
            "path", str(path), f"cannot be opened ({error})", "pass a writable path"
        ) from None
    try:
        _use_wal(conn, path)
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("BEGIN IMMEDIATE")
        for statement in SQLITE_DDL:
            conn.execute(statement)
        conn.execute("COMMIT")
    except sqlite3.Error as error:
        conn.close()
        raise InvalidInputError(
            "path", str(path), f"is not a usable audit log ({error})", _LOG_EXAMPLE
        ) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _use_wal(conn: sqlite3.Connection, path: Path) -> None:
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode != "wal":
        raise InvalidInputError(
            "path", str(path), f"cannot use WAL mode (got {mode!r})", "put the log on a local disk"
        )


def close_writer(conn: sqlite3.Connection) -> None:
    """Leave WAL mode if this is the only connection, then close."""
    try:
        conn.execute("PRAGMA busy_timeout=0")  # never wait for a reader to go away
        conn.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.OperationalError:  # another reader holds the file: stay in WAL mode
        pass
    finally:
        conn.close()


def open_reader(path: Path) -> sqlite3.Connection:
    """Open the log at ``path`` read-only; ``InvalidInputError`` if it is not one."""
    if not path.is_file():
        problem = "is not a file" if path.exists() else "does not exist"
        raise InvalidInputError("path", str(path), problem, _LOG_EXAMPLE)
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise InvalidInputError(
            "path", str(path), f"cannot be opened ({error})", _LOG_EXAMPLE
        ) from None
    try:
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_records'"
        ).fetchone()
    except sqlite3.Error as error:
        conn.close()
        raise InvalidInputError(
            "path", str(path), f"is not a SQLite database ({error})", _LOG_EXAMPLE
        ) from None
    if found is None:
        conn.close()
        raise InvalidInputError(
            "path", str(path), "has no audit_records table: not an ironkeel audit log", _LOG_EXAMPLE
        )
    return conn


def read_records(path: str | Path) -> list[Record]:
    """Every record of the log at ``path``, in ``seq`` order, as stored (not verified)."""
    conn = open_reader(Path(path))
    try:
        return [
            Record(
                seq=seq,
                ts_ns=ts_ns,
                kind=kind,
                actor=actor,
                subject=subject,
                payload=payload,
                prev_hash=prev_hash,
                hash=hash_,
            )
            for seq, ts_ns, kind, actor, subject, payload, prev_hash, hash_ in conn.execute(
                SELECT_ALL_SQL
            )
        ]
    finally:
        conn.close()
