"""Tamper tests: every edit, deletion, reordering, truncation or forgery is caught at the
exact first bad seq; an intact log verifies."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from ironkeel.audit import GENESIS_HASH, AuditLog, read_records, verify, verify_command

from ._logs import N, attack, build_log, forged_hash, row


def chain_only(path: Path) -> bool:
    """Verify the chain alone, as if no head file had been kept."""
    return verify(path, path.with_name("no-such.head"), require_head=False).ok


def test_when_a_log_of_1000_records_is_intact_then_it_verifies(log_path: Path) -> None:
    result = verify(log_path)
    assert result.ok
    assert (result.records, result.first_bad) == (N, None)
    assert "chain and head agree" in result.reason


def test_when_a_log_is_empty_then_it_verifies(tmp_path: Path) -> None:
    AuditLog(tmp_path / "audit.sqlite").close()
    assert verify(tmp_path / "audit.sqlite").ok


def test_when_a_payload_is_edited_then_verify_fails_at_that_record(log_path: Path) -> None:
    attack(log_path, ("UPDATE audit_records SET payload = ? WHERE seq = 500", ('{"i":1}',)))
    result = verify(log_path)
    assert (result.ok, result.first_bad, result.records) == (False, 500, 499)
    assert "record 500: the stored hash does not match its fields" in result.reason


@pytest.mark.parametrize("column", ["kind", "actor", "subject"])
def test_when_a_text_field_is_edited_then_verify_fails_at_that_record(
    log_path: Path, column: str
) -> None:
    attack(log_path, (f"UPDATE audit_records SET {column} = 'mallory' WHERE seq = 77", ()))
    assert verify(log_path).first_bad == 77


def test_when_a_hash_is_edited_then_verify_fails_at_that_record(log_path: Path) -> None:
    attack(log_path, ("UPDATE audit_records SET hash = ? WHERE seq = 37", ("f" * 64,)))
    result = verify(log_path)
    assert (result.ok, result.first_bad) == (False, 37)


def test_when_a_prev_hash_is_edited_then_verify_fails_at_that_record(log_path: Path) -> None:
    attack(log_path, ("UPDATE audit_records SET prev_hash = ? WHERE seq = 38", ("0" * 64,)))
    result = verify(log_path)
    assert (result.ok, result.first_bad) == (False, 38)
    assert "prev_hash does not match the hash of record 37" in result.reason


def test_when_a_timestamp_is_edited_then_verify_fails_at_that_record(log_path: Path) -> None:
    attack(log_path, ("UPDATE audit_records SET ts_ns = ts_ns - 1 WHERE seq = 10", ()))
    assert verify(log_path).first_bad == 10


def test_when_a_timestamp_becomes_text_then_verify_fails_at_that_record(log_path: Path) -> None:
    attack(log_path, ("UPDATE audit_records SET ts_ns = 'yesterday' WHERE seq = 10", ()))
    result = verify(log_path)
    assert result.first_bad == 10
    assert "ts_ns holds b'yesterday', not an integer" in result.reason


def test_when_a_middle_record_is_deleted_then_verify_fails_at_its_seq(log_path: Path) -> None:
    attack(log_path, ("DELETE FROM audit_records WHERE seq = 400", ()))
    result = verify(log_path)
    assert (result.ok, result.first_bad, result.records) == (False, 400, 399)
    assert "record 400 is missing: seq jumps from 399 to 401 (deleted)" in result.reason


def test_when_several_records_are_deleted_then_verify_fails_at_the_first(log_path: Path) -> None:
    attack(log_path, ("DELETE FROM audit_records WHERE seq BETWEEN 20 AND 29", ()))
    result = verify(log_path)
    assert result.first_bad == 20
    assert "records 20..29 are missing" in result.reason


def test_when_the_first_record_is_deleted_then_verify_fails_at_1(log_path: Path) -> None:
    attack(log_path, ("DELETE FROM audit_records WHERE seq = 1", ()))
    assert verify(log_path).first_bad == 1


def test_when_a_middle_record_is_deleted_and_the_rest_renumbered_then_verify_fails_there(
    log_path: Path,
) -> None:
    attack(
        log_path,
        ("DELETE FROM audit_records WHERE seq = 400", ()),
        ("UPDATE audit_records SET seq = seq - 1 WHERE seq > 400", ()),
    )
    assert verify(log_path).first_bad == 400


def test_when_the_last_record_is_deleted_then_only_the_head_file_catches_it(
    log_path: Path,
) -> None:
    attack(log_path, ("DELETE FROM audit_records WHERE seq = ?", (N,)))
    result = verify(log_path)
    assert (result.ok, result.first_bad, result.records) == (False, N, N - 1)
    assert f"record {N} is missing: the table ends at seq {N - 1}" in result.reason
    assert "(truncated)" in result.reason
    assert chain_only(log_path)  # the chain alone cannot see it


def test_when_every_record_is_deleted_then_verify_fails_at_1(log_path: Path) -> None:
    attack(log_path, ("DELETE FROM audit_records", ()))
    result = verify(log_path)
    assert (result.ok, result.first_bad, result.records) == (False, 1, 0)
    assert f"records 1..{N} are missing" in result.reason


def _swap(path: Path, a: int, b: int, columns: list[str]) -> None:
    first, second = row(path, a), row(path, b)
    names = ["seq", "ts_ns", "kind", "actor", "subject", "payload", "prev_hash", "hash"]
    index = [names.index(c) for c in columns]
    assignments = ", ".join(f"{c} = ?" for c in columns)
    sql = f"UPDATE audit_records SET {assignments} WHERE seq = ?"
    attack(
        path,
        (sql, (*(second[i] for i in index), a)),
        (sql, (*(first[i] for i in index), b)),
    )


def test_when_two_records_swap_contents_then_verify_fails_at_the_first(log_path: Path) -> None:
    _swap(log_path, 300, 700, ["ts_ns", "kind", "actor", "subject", "payload", "prev_hash", "hash"])
    result = verify(log_path)
    assert (result.ok, result.first_bad) == (False, 300)
    assert "reordered" in result.reason


def test_when_two_adjacent_records_swap_payloads_then_verify_fails_at_the_first(
    log_path: Path,
) -> None:
    _swap(log_path, 41, 42, ["payload"])
    assert verify(log_path).first_bad == 41


def test_when_a_forged_record_is_appended_without_the_head_then_verify_fails_at_it(
    log_path: Path,
) -> None:
    last = read_records(log_path)[-1]
    seq, ts, payload = N + 1, last.ts_ns + 1, '{"action":"withdraw"}'
    digest = forged_hash(last.hash, seq, ts, "operator_action", "mallory", "cash", payload)
    values = (seq, ts, "operator_action", "mallory", "cash", payload, last.hash, digest)
    attack(log_path, ("INSERT INTO audit_records VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values))
    assert chain_only(log_path)  # the chain is consistent ...
    result = verify(log_path)  # ... but the head file does not cover the new record
    assert (result.ok, result.first_bad, result.records) == (False, N + 1, N)
    assert f"record {N + 1} is not covered by the head file" in result.reason


def test_when_a_record_with_seq_0_is_inserted_then_verify_fails_at_0(log_path: Path) -> None:
    values = (0, 1, "x", "mallory", "", "{}", GENESIS_HASH, "0" * 64)
    attack(log_path, ("INSERT INTO audit_records VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values))
    assert verify(log_path).first_bad == 0


def test_when_the_tail_is_rewritten_with_recomputed_hashes_then_the_head_catches_it(
    log_path: Path,
) -> None:
    """The chain cannot localize a consistent rewrite: it is caught at the head's seq."""
    records = read_records(log_path)
    prev = records[899].hash
    statements = []
    for r in records[900:]:
        payload = '{"i":0}' if r.seq == 901 else r.payload
        digest = forged_hash(prev, r.seq, r.ts_ns, r.kind, r.actor, r.subject, payload)
        sql = "UPDATE audit_records SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?"
        statements.append((sql, (payload, prev, digest, r.seq)))
        prev = digest
    attack(log_path, *statements)
    assert chain_only(log_path)
    result = verify(log_path)
    assert (result.ok, result.first_bad) == (False, N)
    assert "hash differs from the head file's" in result.reason


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_records SET actor = 'x'", "DELETE FROM audit_records"]
)
def test_when_update_or_delete_is_tried_then_the_triggers_refuse_it(
    log_path: Path, statement: str
) -> None:
    conn = sqlite3.connect(log_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="audit_records is append-only"):
            conn.execute(statement + " WHERE seq = 5")
    finally:
        conn.close()
    assert verify(log_path).ok


def test_when_an_attacker_drops_the_triggers_and_updates_then_verify_fails(
    log_path: Path,
) -> None:
    attack(log_path, ("UPDATE audit_records SET actor = 'x' WHERE seq = 5", ()))
    assert verify(log_path).first_bad == 5


def test_when_the_head_file_is_missing_then_truncation_cannot_be_ruled_out(log_path: Path) -> None:
    log_path.with_name("audit.sqlite.head").unlink()
    result = verify(log_path)
    assert (result.ok, result.records, result.first_bad) == (False, N, None)
    assert "head unknown" in result.reason
    assert "truncation cannot be ruled out" in result.reason
    assert verify(log_path, require_head=False).ok


def test_when_the_head_file_is_garbage_then_verify_fails(log_path: Path) -> None:
    log_path.with_name("audit.sqlite.head").write_text("{not json")
    result = verify(log_path)
    assert (result.ok, result.first_bad) == (False, None)
    assert "unreadable" in result.reason


def test_when_the_head_is_kept_elsewhere_then_verify_reads_it_from_there(tmp_path: Path) -> None:
    head = tmp_path / "vault" / "ironkeel.head"
    head.parent.mkdir()
    with AuditLog(tmp_path / "audit.sqlite", head_path=head) as log:
        log.append("deployment", ts_ns=1, actor="ci", subject="node-1", payload={"v": "0.1.0"})
    assert not (tmp_path / "audit.sqlite.head").exists()
    assert verify(tmp_path / "audit.sqlite", head).ok
    assert not verify(tmp_path / "audit.sqlite").ok


# --- the command ------------------------------------------------------------------------


def _run(path: Path, **kwargs: object) -> tuple[int, str]:
    out = io.StringIO()
    code = verify_command(path, out=out, **kwargs)  # type: ignore[arg-type]
    return code, out.getvalue()


def test_when_the_log_is_intact_then_the_command_exits_0_with_one_line(log_path: Path) -> None:
    code, text = _run(log_path)
    assert code == 0
    assert text.count("\n") == 1
    assert text.startswith(f"audit log {log_path}: OK, intact: {N} records")


def test_when_the_log_is_tampered_then_the_command_exits_1_naming_the_record(
    log_path: Path,
) -> None:
    attack(log_path, ("UPDATE audit_records SET payload = '{}' WHERE seq = 5", ()))
    code, text = _run(log_path)
    assert code == 1
    assert text.count("\n") == 1
    assert text.startswith(f"audit log {log_path}: FAILED: record 5: the stored hash")


def test_when_the_head_is_missing_then_the_command_exits_1(log_path: Path) -> None:
    log_path.with_name("audit.sqlite.head").unlink()
    assert _run(log_path)[0] == 1
    assert _run(log_path, require_head=False)[0] == 0


def test_when_the_file_is_missing_then_the_command_exits_2(tmp_path: Path) -> None:
    code, text = _run(tmp_path / "nope.sqlite")
    assert code == 2
    assert "does not exist" in text


def test_when_the_file_is_not_a_database_then_the_command_exits_2(tmp_path: Path) -> None:
    (tmp_path / "notes.sqlite").write_text("hello " * 1000)
    code, text = _run(tmp_path / "notes.sqlite")
    assert code == 2
    assert "is not a SQLite database" in text


def test_when_the_database_has_no_audit_table_then_the_command_exits_2(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "other.sqlite")
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    code, text = _run(tmp_path / "other.sqlite")
    assert code == 2
    assert "not an ironkeel audit log" in text


def test_when_verified_then_no_files_are_left_beside_the_log(tmp_path: Path) -> None:
    path = build_log(tmp_path / "audit.sqlite", 3)
    assert verify(path).ok
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.sqlite", "audit.sqlite.head"]


def test_when_the_file_is_damaged_mid_table_then_the_command_exits_1(log_path: Path) -> None:
    middle = log_path.stat().st_size // 2 // 4096 * 4096  # the start of a page of records
    with log_path.open("r+b") as file:
        file.seek(middle)
        file.write(b"\xff" * 40)
    code, text = _run(log_path)
    assert code == 1
    assert "FAILED" in text
