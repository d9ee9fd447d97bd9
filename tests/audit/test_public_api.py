"""The public API of ironkeel.audit is exactly this (a change here is a decision)."""

from __future__ import annotations

import ironkeel.audit
from ironkeel.audit.schema import COLUMNS


def test_public_names_are_pinned() -> None:
    assert ironkeel.audit.__all__ == [
        "GENESIS_HASH",
        "POSTGRES_DDL",
        "SQLITE_DDL",
        "AuditKind",
        "AuditLog",
        "Head",
        "Record",
        "VerifyResult",
        "read_head",
        "read_records",
        "record_hash",
        "record_operator_action",
        "verify",
        "verify_command",
    ]
    for name in ironkeel.audit.__all__:
        assert hasattr(ironkeel.audit, name)


def test_the_postgres_schema_has_the_same_columns_and_only_portable_types() -> None:
    sqlite_table, postgres = ironkeel.audit.SQLITE_DDL[0], ironkeel.audit.POSTGRES_DDL
    for column in COLUMNS:
        assert f"\n    {column} " in sqlite_table
        assert f"\n    {column} " in postgres
    body = sqlite_table.split("(", 1)[1]
    types = {line.split()[1] for line in body.splitlines() if line.startswith("    ")}
    assert types == {"INTEGER", "BIGINT", "TEXT"}
    assert "BEFORE UPDATE OR DELETE" in postgres
    assert "BEFORE TRUNCATE" in postgres
