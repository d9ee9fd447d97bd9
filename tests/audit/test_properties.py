"""Properties: any single-byte change in any stored field of any record makes
verification fail at exactly that record; any appended content round-trips and
verifies, and the same appends give the same hashes."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ironkeel.audit import AuditLog, read_records, verify
from ironkeel.audit.schema import COLUMNS

from ._logs import TRIGGERS, build_log, copy_log

RECORDS = 8
# Logs fsync on every commit; a RAM disk, where there is one, makes that free.
SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_log(tmp_path_factory.mktemp("template") / "audit.sqlite", RECORDS)


def _stored_bytes(conn: sqlite3.Connection, column: str, seq: int) -> bytes:
    """A field as it is stored: integers as their decimal text, text as its UTF-8 bytes."""
    value = conn.execute(f"SELECT {column} FROM audit_records WHERE seq = ?", (seq,)).fetchone()[0]
    return str(value).encode() if isinstance(value, int) else value.encode()


def _overwrite(conn: sqlite3.Connection, column: str, seq: int, new: bytes) -> None:
    """Write ``new`` back the way a hex editor would: text stays text, even invalid UTF-8;
    an integer column gets the edited digits (SQLite keeps a well-formed number a number)."""
    if column in ("seq", "ts_ns"):
        value: object = new.decode("latin-1")
        sql = f"UPDATE audit_records SET {column} = ? WHERE seq = ?"
    else:
        value = new
        sql = f"UPDATE audit_records SET {column} = CAST(? AS TEXT) WHERE seq = ?"
    conn.execute(sql, (value, seq))


@given(
    seq=st.integers(1, RECORDS),
    column=st.sampled_from(COLUMNS),
    position=st.integers(0, 10_000),
    delta=st.integers(1, 255),
)
def test_when_any_byte_of_any_field_changes_then_verify_fails_at_that_record(
    template: Path, seq: int, column: str, position: int, delta: int
) -> None:
    with tempfile.TemporaryDirectory(dir=SCRATCH) as directory:
        path = copy_log(template, Path(directory))
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("PRAGMA synchronous=OFF")  # a copy in a temporary directory
            for trigger in TRIGGERS:
                conn.execute(f"DROP TRIGGER {trigger}")
            old = _stored_bytes(conn, column, seq)
            at = position % len(old)
            new = old[:at] + bytes([(old[at] + delta) % 256]) + old[at + 1 :]
            before = {s for (s,) in conn.execute("SELECT seq FROM audit_records")}
            try:
                _overwrite(conn, column, seq, new)
            except sqlite3.IntegrityError:  # a seq that is not an integer, or taken
                assume(False)
            after = {s for (s,) in conn.execute("SELECT seq FROM audit_records")}
        finally:
            conn.close()
        expected = seq
        if column == "seq":  # the record moved: the log is wrong from the lower of the two
            (moved,) = after - before
            expected = min(moved, seq)
        result = verify(path)
        assert not result.ok
        assert result.first_bad == expected, result.reason
        assert result.records == max(expected - 1, 0)


texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
entries = st.lists(
    st.tuples(
        texts.filter(bool),
        st.integers(0, 2**63 - 1),
        texts.filter(bool),
        texts,
        st.dictionaries(texts, json_values, max_size=4),
    ),
    min_size=1,
    max_size=6,
)


@given(entries=entries)
def test_when_anything_is_appended_then_it_round_trips_verifies_and_hashes_the_same(
    entries: list[tuple[str, int, str, str, dict[str, object]]],
) -> None:
    hashes = []
    for commit_every in (3, 100):  # one commit per record is tested in test_log.py
        with tempfile.TemporaryDirectory(dir=SCRATCH) as directory:
            path = Path(directory) / "audit.sqlite"
            with AuditLog(path, commit_every=commit_every) as log:
                appended = [
                    log.append(kind, ts_ns=ts, actor=actor, subject=subject, payload=payload)
                    for kind, ts, actor, subject, payload in entries
                ]
            assert read_records(path) == appended
            assert [r.data() for r in appended] == [e[4] for e in entries]
            assert verify(path).ok
            hashes.append([r.hash for r in appended])
    assert hashes[0] == hashes[1]
