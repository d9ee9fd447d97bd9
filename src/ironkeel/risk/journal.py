"""The breaker journal: breaker state that survives a restart.

A SQLite (WAL) file keeps the latest ``BreakerSnapshot`` of every breaker and appends
every ``BreakerTransition``; a breaker restored from it is in the state it was journaled
in (a tripped breaker is still tripped after the process restarts).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import TracebackType

import msgspec

from ironkeel.risk.breaker import BreakerSnapshot, BreakerTransition

__all__ = ["BreakerJournal"]


class BreakerJournal:
    """SQLite (WAL) journal: the latest snapshot per breaker and every transition, appended.

    Each ``record`` is one transaction, committed with ``synchronous=FULL`` before
    it returns, so a transition that was returned is on disk.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS breaker_snapshot "
            "(name TEXT PRIMARY KEY, body BLOB NOT NULL)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS breaker_transition (seq INTEGER PRIMARY KEY "
            "AUTOINCREMENT, name TEXT NOT NULL, ts_ns INTEGER NOT NULL, body BLOB NOT NULL)"
        )
        self._encode = msgspec.json.Encoder().encode
        self._snapshot = msgspec.json.Decoder(BreakerSnapshot).decode
        self._transition = msgspec.json.Decoder(BreakerTransition).decode

    def record(
        self, snapshot: BreakerSnapshot, transitions: tuple[BreakerTransition, ...] = ()
    ) -> None:
        """Store ``snapshot`` as the breaker's latest and append ``transitions``, atomically."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(
                "INSERT INTO breaker_snapshot (name, body) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET body = excluded.body",
                (snapshot.name, self._encode(snapshot)),
            )
            db.executemany(
                "INSERT INTO breaker_transition (name, ts_ns, body) VALUES (?, ?, ?)",
                [(t.breaker, t.ts_ns, self._encode(t)) for t in transitions],
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def load(self) -> dict[str, BreakerSnapshot]:
        """The latest snapshot of every breaker, by name."""
        rows = self._db.execute("SELECT name, body FROM breaker_snapshot ORDER BY name")
        return {name: self._snapshot(body) for name, body in rows}

    def transitions(self, name: str | None = None) -> list[BreakerTransition]:
        """Every journaled transition (of one breaker, or all), in the order written."""
        if name is None:
            rows = self._db.execute("SELECT body FROM breaker_transition ORDER BY seq")
        else:
            rows = self._db.execute(
                "SELECT body FROM breaker_transition WHERE name = ? ORDER BY seq", (name,)
            )
        return [self._transition(body) for (body,) in rows]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> BreakerJournal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
