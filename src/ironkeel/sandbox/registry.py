"""The content-addressed strategy registry: scripts by SHA-256, versions by name.

Layout under the root (default ``.ironkeel/registry`` in the current directory)::

    blobs/ab/ab12...ef      the script's bytes, named by their SHA-256
    index.sqlite            versions (name, number, sha256, params, lock, created, note)
                            and the current/previous pointer of each name
    audit.sqlite            the tamper-evident audit log (unless one is passed in)

Versions of a name are numbered 1, 2, 3 ... in deploy order and never change or
disappear. A deploy makes the new version current; ``set_current`` moves the
pointer (a rollback) and records the one it replaced. Each deploy and pointer move
is appended to the audit log inside the index transaction, before the commit
(a state change is journaled before it takes effect). A failure leaves the registry
as it was: the index change is rolled back and a blob this call created is removed.
The caller validates the script before ``deploy``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

from ironkeel.audit.kinds import AuditKind
from ironkeel.audit.log import AuditLog
from ironkeel.core.clock import Clock, LiveClock
from ironkeel.model.errors import InvalidInputError, StateError

__all__ = ["DEFAULT_ROOT", "Registry", "Version"]

DEFAULT_ROOT = Path(".ironkeel") / "registry"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    name TEXT NOT NULL,
    number INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,
    params TEXT NOT NULL,
    dependency_lock TEXT NOT NULL,
    created_ns INTEGER NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (name, number)
);
CREATE TABLE IF NOT EXISTS pointers (
    name TEXT PRIMARY KEY,
    current INTEGER NOT NULL,
    previous INTEGER,
    changed_ns INTEGER NOT NULL
);
"""
_SELECT = (
    "SELECT name, number, sha256, source, params, dependency_lock, created_ns, note "
    "FROM versions WHERE name = ? ORDER BY number"
)
_INSERT = (
    "INSERT INTO versions (name, number, sha256, source, params, dependency_lock, created_ns, "
    "note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class Version:
    """One stored version of a named strategy."""

    name: str
    number: int
    sha256: str
    source: str
    params: dict[str, Any]
    dependency_lock: dict[str, str]
    created_ns: int
    note: str
    current: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "number": self.number,
            "sha256": self.sha256,
            "source": self.source,
            "params": self.params,
            "dependency_lock": self.dependency_lock,
            "created_ns": self.created_ns,
            "note": self.note,
            "current": self.current,
        }


def _json_params(params: Mapping[str, Any]) -> str:
    def value(v: Any) -> Any:
        if isinstance(v, Decimal):
            return str(v)
        if isinstance(v, (bool, int, float, str)) or v is None:
            return v
        raise InvalidInputError("params", v, "is not a str, number or bool", "pass plain values")

    return json.dumps({str(k): value(v) for k, v in params.items()}, sort_keys=True)


class Registry:
    """Store, list and point at strategy versions under ``root`` (see the module doc)."""

    def __init__(
        self,
        root: Path | str | None = None,
        *,
        clock: Clock | None = None,
        audit: AuditLog | None = None,
        actor: str = "ironkeel",
    ) -> None:
        self.root = Path(root) if root is not None else Path.cwd() / DEFAULT_ROOT
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "blobs").mkdir(exist_ok=True)
        self.clock = clock if clock is not None else LiveClock()
        self.actor = actor
        self._own_audit = audit is None
        self.audit = audit if audit is not None else AuditLog(self.root / "audit.sqlite")
        self._db = sqlite3.connect(self.root / "index.sqlite", isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    # --- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        self._db.close()
        if self._own_audit:
            self.audit.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- reading -------------------------------------------------------------------------

    def names(self) -> list[str]:
        """Every deployed name, sorted."""
        return [r[0] for r in self._db.execute("SELECT name FROM pointers ORDER BY name")]

    def versions(self, name: str) -> list[Version]:
        """Every version of ``name``, oldest first; an unknown name lists the known ones."""
        self._known(name)
        current = self._pointer(name)[0]
        rows = self._db.execute(_SELECT, (name,)).fetchall()
        return [_version(row, current) for row in rows]

    def get(self, name: str, number: int) -> Version:
        """Version ``number`` of ``name``; a missing one is refused with the valid numbers."""
        for version in self.versions(name):
            if version.number == number:
                return version
        valid = [v.number for v in self.versions(name)]
        raise InvalidInputError(
            f"version of {name}", number, "does not exist", f"choose one of {valid}"
        )

    def current(self, name: str) -> Version:
        """The version of ``name`` that runs."""
        return self.get(name, self._pointer(self._known(name))[0])

    def previous(self, name: str) -> Version | None:
        """The version that was current before the last deploy or pointer move, if any."""
        before = self._pointer(self._known(name))[1]
        return None if before is None else self.get(name, before)

    def blob_path(self, sha256: str) -> Path:
        return self.root / "blobs" / sha256[:2] / sha256

    def script(self, version: Version) -> bytes:
        """The stored script of ``version``, checked against its SHA-256."""
        data = self.blob_path(version.sha256).read_bytes()
        if hashlib.sha256(data).hexdigest() != version.sha256:
            raise StateError(
                f"{self.blob_path(version.sha256)}: content does not match its SHA-256; "
                "the blob was altered. Redeploy the script"
            )
        return data

    # --- writing -------------------------------------------------------------------------

    def deploy(
        self,
        name: str,
        script_path: Path | str,
        params: Mapping[str, Any],
        dependency_lock: Mapping[str, str],
        *,
        replace: bool = False,
        note: str = "",
    ) -> Version:
        """Store the script and add version N+1 of ``name``, made current. A name in use is
        refused unless ``replace`` (the existing names are listed)."""
        if not isinstance(name, str) or not _NAME.match(name):
            raise InvalidInputError(
                "name", name, "is not a valid strategy name",
                "use 1-64 letters, digits, '_', '.', '-', starting with a letter or digit",
            )  # fmt: skip
        path = Path(script_path)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise InvalidInputError(
                "script", str(path), f"cannot be read ({error.strerror})", "check the path"
            ) from None
        params_json = _json_params(params)
        lock_json = json.dumps({str(k): str(v) for k, v in dependency_lock.items()}, sort_keys=True)
        digest = hashlib.sha256(content).hexdigest()
        created_blob = self._write_blob(digest, content)
        try:
            return self._insert(name, (digest, path.name, params_json, lock_json, note), replace)
        except BaseException:
            if created_blob:
                self.blob_path(digest).unlink(missing_ok=True)
            raise

    def set_current(self, name: str, number: int, *, reason: str = "") -> Version:
        """Make version ``number`` of ``name`` current (a rollback); the replaced one is kept
        as ``previous``. A missing version is refused with the valid numbers."""
        target = self.get(name, number)
        now = self.clock.timestamp_ns()
        with self._transaction():
            current, _ = self._pointer(name)
            self._db.execute(
                "UPDATE pointers SET current = ?, previous = ?, changed_ns = ? WHERE name = ?",
                (number, current, now, name),
            )
            self._journal(
                now, name,
                {"action": "set_current", "version": number, "sha256": target.sha256,
                 "previous": current, "reason": reason},
            )  # fmt: skip
        return self.get(name, number)

    # --- internals -----------------------------------------------------------------------

    def _write_blob(self, digest: str, content: bytes) -> bool:
        """Write the blob atomically (temp file, fsync, rename); False if it already existed."""
        target = self.blob_path(digest)
        if target.exists():
            return False
        target.parent.mkdir(exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return True

    def _insert(self, name: str, fields: tuple[str, str, str, str, str], replace: bool) -> Version:
        digest, source, params, lock, note = fields
        now = self.clock.timestamp_ns()
        with self._transaction():
            row = self._db.execute(
                "SELECT current FROM pointers WHERE name = ?", (name,)
            ).fetchone()
            if row is not None and not replace:
                raise InvalidInputError(
                    "name", name, "is already deployed",
                    f"pass replace=True (--replace) to add a new version, or choose a name "
                    f"not in use: {self.names()}",
                )  # fmt: skip
            (last,) = self._db.execute(
                "SELECT COALESCE(MAX(number), 0) FROM versions WHERE name = ?", (name,)
            ).fetchone()
            number = int(last) + 1
            self._db.execute(
                _INSERT,
                (name, number, digest, source, params, lock, now, note),
            )
            previous = None if row is None else int(row[0])
            self._db.execute(
                "INSERT INTO pointers (name, current, previous, changed_ns) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET current = excluded.current, "
                "previous = excluded.previous, changed_ns = excluded.changed_ns",
                (name, number, previous, now),
            )
            self._journal(
                now, name,
                {"action": "deploy", "version": number, "sha256": digest, "source": source,
                 "params": json.loads(params), "dependency_lock": json.loads(lock),
                 "previous": previous, "note": note},
            )  # fmt: skip
        return self.get(name, number)

    def _journal(self, now: int, name: str, payload: dict[str, Any]) -> None:
        self.audit.append(
            AuditKind.DEPLOYMENT, ts_ns=now, actor=self.actor, subject=name, payload=payload
        )
        self.audit.flush()

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def _known(self, name: str) -> str:
        if self._db.execute("SELECT 1 FROM pointers WHERE name = ?", (name,)).fetchone() is None:
            raise InvalidInputError(
                "name",
                name,
                "is not deployed",
                f"use one of {self.names() or 'none (deploy first)'}",
            )
        return name

    def _pointer(self, name: str) -> tuple[int, int | None]:
        row = self._db.execute(
            "SELECT current, previous FROM pointers WHERE name = ?", (name,)
        ).fetchone()
        return int(row[0]), None if row[1] is None else int(row[1])


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any exception."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._db.execute("ROLLBACK" if kind is not None else "COMMIT")


def _version(row: tuple[Any, ...], current: int) -> Version:
    name, number, sha, source, params, lock, created, note = row
    return Version(
        name=name,
        number=int(number),
        sha256=sha,
        source=source,
        params=json.loads(params),
        dependency_lock=json.loads(lock),
        created_ns=int(created),
        note=note,
        current=int(number) == current,
    )
