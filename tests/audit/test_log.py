"""AuditLog: records round-trip exactly, the chain and head are written as specified,
batches commit every N records and at close, and the log refuses unsafe states."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest

from ironkeel.audit import (
    GENESIS_HASH,
    AuditKind,
    AuditLog,
    Head,
    read_head,
    read_records,
    record_hash,
    verify,
)
from ironkeel.model import (
    ClientOrderId,
    Currency,
    InstrumentId,
    InvalidInputError,
    Money,
    OrderDenied,
    Price,
    Quantity,
    StateError,
    StrategyId,
)

from ._logs import attack, build_log

DENIED = OrderDenied(
    ts_event=5,
    ts_init=6,
    strategy_id=StrategyId("sma-1"),
    instrument_id=InstrumentId.parse("BTCUSDT.SIM"),
    client_order_id=ClientOrderId("8c9f0b7e-1d2a-4c3b-9e8f-0a1b2c3d4e5f"),
    reason_code="PRICE_COLLAR",
    reason="price 10% away from the reference",
)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "audit.sqlite"


def test_when_records_are_appended_then_they_read_back_exactly_as_returned(path: Path) -> None:
    with AuditLog(path) as log:
        appended = [
            log.append(AuditKind.ORDER_EVENT, ts_ns=10, actor="oms", subject="O-1", payload=DENIED),
            log.append("risk_decision", ts_ns=11, actor="risk", subject="", payload={"ok": True}),
            log.append("config_change", ts_ns=12, actor="bob", subject="é€ key", payload={}),
        ]
    assert read_records(path) == appended
    assert [r.seq for r in appended] == [1, 2, 3]
    assert appended[0].kind == "order_event"
    assert type(appended[0].kind) is str
    assert msgspec.json.decode(appended[0].payload, type=OrderDenied) == DENIED
    assert appended[1].data() == {"ok": True}


def test_when_appending_then_each_hash_chains_from_the_previous_one(path: Path) -> None:
    with AuditLog(path) as log:
        first = log.append("k", ts_ns=1, actor="a", subject="s", payload={"x": 1})
        second = log.append("k", ts_ns=2, actor="a", subject="s", payload={"x": 2})
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    expected = record_hash(
        first.hash.encode(), seq=2, ts_ns=2, kind=b"k", actor=b"a", subject=b"s", payload=b'{"x":2}'
    )
    assert second.hash == expected


def test_the_hash_is_sha256_over_prev_hash_and_netstring_fields() -> None:
    """The documented format, spelled out, so another language can recompute it."""
    preimage = b"0" * 64 + b'1:1,2:42,4:kind,5:actor,0:,7:{"a":1},'
    assert (
        record_hash(
            b"0" * 64,
            seq=1,
            ts_ns=42,
            kind=b"kind",
            actor=b"actor",
            subject=b"",
            payload=b'{"a":1}',
        )
        == hashlib.sha256(preimage).hexdigest()
    )


def test_when_payload_keys_come_in_any_order_then_the_stored_json_is_the_same(path: Path) -> None:
    with AuditLog(path) as log:
        a = log.append(
            "k", ts_ns=1, actor="a", subject="s", payload={"b": 1, "a": {"d": 2, "c": 3}}
        )
        b = log.append(
            "k", ts_ns=1, actor="a", subject="s", payload={"a": {"c": 3, "d": 2}, "b": 1}
        )
    assert a.payload == b.payload == '{"a":{"c":3,"d":2},"b":1}'


def test_when_a_payload_holds_exact_values_then_they_are_written_as_exact_strings(
    path: Path,
) -> None:
    usd = Currency("USD", 2)
    payload = {
        "price": Price("101.50"),
        "qty": Quantity("0.001"),
        "fee": Money("1.25", usd),
        "limit": Decimal("1E+3"),
    }
    with AuditLog(path) as log:
        record = log.append("risk_decision", ts_ns=1, actor="risk", subject="O", payload=payload)
    assert record.data() == {"fee": "1.25 USD", "limit": "1E+3", "price": "101.50", "qty": "0.001"}


def test_when_the_log_is_open_then_it_runs_in_wal_mode_with_full_sync(path: Path) -> None:
    with AuditLog(path) as log:
        other = sqlite3.connect(path)
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        other.close()
        # synchronous is per connection: look at the log's own (2 = FULL)
        assert log._conn is not None
        assert log._conn.execute("PRAGMA synchronous").fetchone() == (2,)


def test_when_each_record_is_appended_then_the_head_file_follows_it(path: Path) -> None:
    head_path = path.with_name("audit.sqlite.head")
    with AuditLog(path) as log:
        assert read_head(head_path) == Head(seq=0, hash=GENESIS_HASH)
        record = log.append("k", ts_ns=1, actor="a", subject="s", payload={})
        assert read_head(head_path) == Head(seq=1, hash=record.hash)
        assert len(read_records(path)) == 1  # committed, visible to another reader
    assert not head_path.with_name("audit.sqlite.head.tmp").exists()


def test_when_batching_then_records_commit_every_n_and_at_close(path: Path) -> None:
    head_path = path.with_name("audit.sqlite.head")
    with AuditLog(path, commit_every=3) as log:
        for i in range(2):
            log.append("k", ts_ns=i, actor="a", subject="s", payload={"i": i})
        assert (len(read_records(path)), read_head(head_path).seq) == (0, 0)
        last = log.append("k", ts_ns=2, actor="a", subject="s", payload={"i": 2})
        assert (len(read_records(path)), read_head(head_path)) == (3, Head(seq=3, hash=last.hash))
        for i in range(3, 8):
            log.append("k", ts_ns=i, actor="a", subject="s", payload={"i": i})
        assert len(read_records(path)) == 6
    assert len(read_records(path)) == 8
    assert read_head(head_path).seq == 8
    assert verify(path).ok


def _crash_mid_run(path: Path) -> None:
    with AuditLog(path, commit_every=100) as log:
        log.append("k", ts_ns=1, actor="a", subject="s", payload={})
        raise RuntimeError("strategy crashed")


def test_when_a_batch_run_raises_then_the_records_before_are_still_committed(path: Path) -> None:
    with pytest.raises(RuntimeError, match="strategy crashed"):
        _crash_mid_run(path)
    assert len(read_records(path)) == 1
    assert verify(path).ok


def test_when_a_backtest_sized_log_is_written_in_batches_then_it_verifies(path: Path) -> None:
    build_log(path, 20_000, commit_every=10_000)
    result = verify(path)
    assert (result.ok, result.records) == (True, 20_000)


def test_when_reopened_then_the_chain_continues(path: Path) -> None:
    build_log(path, 3)
    with AuditLog(path) as log:
        assert (log.seq, log.last_hash) == (3, read_records(path)[-1].hash)
        record = log.append("k", ts_ns=9, actor="a", subject="s", payload={})
    assert record.seq == 4
    assert verify(path).ok


def test_when_the_same_appends_are_made_twice_then_the_hashes_are_identical(tmp_path: Path) -> None:
    a = build_log(tmp_path / "a.sqlite", 50)
    b = build_log(tmp_path / "b.sqlite", 50, commit_every=7)
    assert [r.hash for r in read_records(a)] == [r.hash for r in read_records(b)]
    assert (tmp_path / "a.sqlite.head").read_bytes() == (tmp_path / "b.sqlite.head").read_bytes()


def test_when_appending_then_the_wall_clock_is_never_read(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def wall_clock() -> float:
        raise AssertionError("the audit log read the wall clock")

    for name in ("time", "time_ns", "monotonic", "monotonic_ns"):
        monkeypatch.setattr(time, name, wall_clock)
    with AuditLog(path, commit_every=2) as log:
        for ts in (0, 7, 3):  # stored as given, even out of order: the clock is the caller's
            log.append("k", ts_ns=ts, actor="a", subject="s", payload={})
    assert [r.ts_ns for r in read_records(path)] == [0, 7, 3]


# --- refusals ---------------------------------------------------------------------------


def test_when_the_table_was_truncated_then_reopening_refuses_to_append(path: Path) -> None:
    build_log(path, 5)
    attack(path, ("DELETE FROM audit_records WHERE seq = 5", ()))
    with pytest.raises(StateError, match="the table ends at seq 4 but the head file"):
        AuditLog(path)


def test_when_records_exist_but_the_head_is_missing_then_reopening_refuses(path: Path) -> None:
    build_log(path, 5)
    path.with_name("audit.sqlite.head").unlink()
    with pytest.raises(StateError, match="no head file"):
        AuditLog(path)


def test_when_the_log_file_was_deleted_but_its_head_remains_then_opening_refuses(
    path: Path,
) -> None:
    build_log(path, 5)
    path.unlink()
    with pytest.raises(StateError, match="the table ends at seq 0 but the head file"):
        AuditLog(path)


def test_when_another_writer_appended_then_the_next_commit_is_refused(path: Path) -> None:
    first, second = AuditLog(path), AuditLog(path)
    try:
        first.append("k", ts_ns=1, actor="a", subject="s", payload={})
        with pytest.raises(StateError, match="another writer appended"):
            second.append("k", ts_ns=1, actor="b", subject="s", payload={})
    finally:
        first.close()
        second.close()
    assert [r.actor for r in read_records(path)] == ["a"]
    assert verify(path).ok


def test_when_closed_then_append_is_refused(path: Path) -> None:
    log = AuditLog(path)
    log.close()
    log.close()  # idempotent
    with pytest.raises(StateError, match="closed"):
        log.append("k", ts_ns=1, actor="a", subject="s", payload={})


def test_the_api_has_no_way_to_change_or_remove_a_record() -> None:
    public = {name for name in dir(AuditLog) if not name.startswith("_")}
    assert public == {"append", "close", "flush", "last_hash", "seq"}


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("kind", {"kind": ""}),
        ("kind", {"kind": 3}),
        ("actor", {"actor": ""}),
        ("actor", {"actor": None}),
        ("subject", {"subject": b"bytes"}),
        ("subject", {"subject": "\ud800"}),
        ("ts_ns", {"ts_ns": -1}),
        ("ts_ns", {"ts_ns": 1.5}),
        ("ts_ns", {"ts_ns": True}),
        ("payload", {"payload": [1, 2]}),
        ("payload", {"payload": {1: "int key"}}),
        ("payload", {"payload": {"x": object()}}),
    ],
)
def test_when_an_argument_is_invalid_then_append_says_which(
    path: Path, field: str, kwargs: dict[str, object]
) -> None:
    arguments: dict[str, object] = {
        "kind": "k",
        "ts_ns": 1,
        "actor": "a",
        "subject": "s",
        "payload": {},
    } | kwargs
    kind = arguments.pop("kind")
    with AuditLog(path) as log:
        with pytest.raises(InvalidInputError) as caught:
            log.append(kind, **arguments)  # type: ignore[arg-type]
        assert caught.value.field == field
        assert log.seq == 0
    assert read_records(path) == []


def test_when_commit_every_is_not_positive_then_it_is_refused(path: Path) -> None:
    with pytest.raises(InvalidInputError, match="commit_every"):
        AuditLog(path, commit_every=0)


def test_when_the_directory_does_not_exist_then_opening_says_so(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot be opened"):
        AuditLog(tmp_path / "missing" / "audit.sqlite")
