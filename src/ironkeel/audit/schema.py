"""The audit table, for SQLite and for PostgreSQL.

The table uses only portable types (``BIGINT``, ``TEXT``) and no SQLite-only
feature, so the same rows move to PostgreSQL unchanged. ``seq`` is declared
``INTEGER PRIMARY KEY`` in SQLite (the rowid: dense, fast, and an integer by
construction) and ``BIGINT PRIMARY KEY`` in PostgreSQL (whose ``INTEGER`` is 32 bits).

The append-only triggers are a guard against mistakes, not the proof: anyone who
can write the file can drop them. The proof is the hash chain together with the
head hash kept apart from the table (see ``ironkeel.audit.verify``).
"""

from __future__ import annotations

from typing import Final

__all__ = ["COLUMNS", "POSTGRES_DDL", "SQLITE_DDL"]

#: The stored columns; the hash covers the first six, chained from ``prev_hash``.
COLUMNS: Final = ("seq", "ts_ns", "kind", "actor", "subject", "payload", "prev_hash", "hash")

#: SQLite: the table and two triggers that refuse UPDATE and DELETE (run in this order).
SQLITE_DDL: Final = (
    """CREATE TABLE IF NOT EXISTS audit_records (
    seq       INTEGER PRIMARY KEY,
    ts_ns     BIGINT  NOT NULL,
    kind      TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    payload   TEXT    NOT NULL,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
)""",
    """CREATE TRIGGER IF NOT EXISTS audit_records_no_update
BEFORE UPDATE ON audit_records
BEGIN
    SELECT RAISE(ABORT, 'audit_records is append-only: UPDATE refused');
END""",
    """CREATE TRIGGER IF NOT EXISTS audit_records_no_delete
BEFORE DELETE ON audit_records
BEGIN
    SELECT RAISE(ABORT, 'audit_records is append-only: DELETE refused');
END""",
)

#: PostgreSQL: the same table, triggers refusing UPDATE, DELETE and TRUNCATE, and the
#: privileges the application's role must not have. Documentation: ironkeel runs SQLite.
POSTGRES_DDL: Final = """CREATE TABLE IF NOT EXISTS audit_records (
    seq       BIGINT  PRIMARY KEY,
    ts_ns     BIGINT  NOT NULL,
    kind      TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    payload   TEXT    NOT NULL,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
);

CREATE OR REPLACE FUNCTION audit_records_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_records is append-only: % refused', TG_OP;
END
$$;

CREATE TRIGGER audit_records_no_update_delete
BEFORE UPDATE OR DELETE ON audit_records
FOR EACH ROW EXECUTE FUNCTION audit_records_refuse_change();

CREATE TRIGGER audit_records_no_truncate
BEFORE TRUNCATE ON audit_records
FOR EACH STATEMENT EXECUTE FUNCTION audit_records_refuse_change();

REVOKE UPDATE, DELETE, TRUNCATE ON audit_records FROM PUBLIC;
"""

INSERT_SQL: Final = "INSERT INTO audit_records VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
SELECT_ALL_SQL: Final = (
    "SELECT seq, ts_ns, kind, actor, subject, payload, prev_hash, hash "
    "FROM audit_records ORDER BY seq"
)
TAIL_SQL: Final = "SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1"
