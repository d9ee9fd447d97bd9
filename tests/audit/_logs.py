"""Shared helpers: build logs, copy them, and tamper with them the way an attacker would."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from ironkeel.audit import AuditLog, record_hash

TRIGGERS = ("audit_records_no_update", "audit_records_no_delete")
N = 1_000  # records in the shared pristine log (conftest.py)


def build_log(path: Path, n: int, *, commit_every: int = 1_000) -> Path:
    """A log of ``n`` records of varied kinds, actors, subjects and payloads."""
    kinds = ("order_event", "risk_decision", "breaker_transition", "config_change")
    with AuditLog(path, commit_every=commit_every) as log:
        for i in range(1, n + 1):
            log.append(
                kinds[i % len(kinds)],
                ts_ns=1_700_000_000_000_000_000 + 1_000 * i,
                actor=("oms", "risk.collar", "breaker", "alice")[i % 4],
                subject=f"order-{i:05d}",
                payload={"i": i, "note": "é€" * (i % 3), "qty": str(i * 7)},
            )
    return path


def copy_log(source: Path, directory: Path) -> Path:
    """Copy a closed log and its head file into ``directory``; the copy's path."""
    target = directory / source.name
    shutil.copyfile(source, target)
    shutil.copyfile(
        source.with_name(source.name + ".head"), target.with_name(target.name + ".head")
    )
    return target


def attack(path: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    """Run SQL against the file directly, after dropping the append-only triggers."""
    conn = sqlite3.connect(path)
    try:
        for trigger in TRIGGERS:
            conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        for sql, params in statements:
            conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def row(path: Path, seq: int) -> tuple[object, ...]:
    conn = sqlite3.connect(path)
    try:
        return tuple(conn.execute("SELECT * FROM audit_records WHERE seq = ?", (seq,)).fetchone())
    finally:
        conn.close()


def forged_hash(
    prev: str, seq: int, ts_ns: int, kind: str, actor: str, subject: str, payload: str
) -> str:
    """What an attacker who knows the format computes for a record of their own."""
    return record_hash(
        prev.encode(),
        seq=seq,
        ts_ns=ts_ns,
        kind=kind.encode(),
        actor=actor.encode(),
        subject=subject.encode(),
        payload=payload.encode(),
    )
