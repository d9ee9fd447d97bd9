"""What an import found and did: ``Problem``, ``DataReport`` and ``DataError``.

Every problem names the file, the row, the column and the value, says what is
wrong and how to fix it, and records what the policy did about it (``action``):

- ``rejected``: nothing was loaded (policy ``reject``, or a problem that
  ``repair`` cannot fix);
- ``dropped``: the whole row was left out (policy ``drop``);
- ``repaired``: the value was changed to ``new_value`` (policy ``repair``).

Row numbers: for a CSV file ``row`` is the 1-based line number in the file,
counting the header line (so it is what an editor shows); for a Parquet file it
is the 0-based row index. ``row`` is ``None`` for a problem with the whole file
(unreadable, a missing column).
"""

from __future__ import annotations

import csv
import io
from enum import Enum
from pathlib import Path
from typing import Final

import msgspec

from ironkeel.model.errors import IronkeelError

__all__ = ["Action", "DataError", "DataReport", "Problem"]

#: How many problems a ``DataError`` message lists before summing up the rest.
MAX_LISTED: Final = 20


class Action(Enum):
    REJECTED = "rejected"
    DROPPED = "dropped"
    REPAIRED = "repaired"


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """One thing wrong with the input, where it is and what was done about it."""

    file: str
    row: int | None
    column: str
    value: str
    message: str
    fix: str
    action: Action = Action.REJECTED
    new_value: str = ""

    def where(self) -> str:
        row = "" if self.row is None else f":{self.row}"
        column = f":{self.column}" if self.column else ""
        return f"{self.file}{row}{column}"

    def __str__(self) -> str:
        value = f" value={self.value!r}" if self.value else ""
        done = f" -> {self.new_value!r}" if self.action is Action.REPAIRED else ""
        return f"{self.where()}{value}{done}: {self.message}. Fix: {self.fix}"


class DataReport(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome of loading one file: counts, every problem and every change, and notes
    (what was detected: columns, timestamp unit, bar interval)."""

    file: str
    data_type: str
    policy: str
    rows_read: int
    rows_loaded: int
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing was wrong with the file."""
        return not self.problems

    @property
    def rows_dropped(self) -> int:
        return len({p.row for p in self.problems if p.action is Action.DROPPED})

    @property
    def repairs(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.action is Action.REPAIRED)

    def summary(self) -> str:
        repaired = len(self.repairs)
        return (
            f"{self.file}: {self.rows_loaded} of {self.rows_read} rows loaded as "
            f"{self.data_type} (policy={self.policy}); {len(self.problems)} problems, "
            f"{self.rows_dropped} rows dropped, {repaired} values repaired"
        )

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("file", "row", "column", "value", "message", "fix", "action", "new"))
        for p in self.problems:
            row = "" if p.row is None else p.row
            writer.writerow(
                (p.file, row, p.column, p.value, p.message, p.fix, p.action.value, p.new_value)
            )
        return out.getvalue()

    def to_json(self) -> bytes:
        return msgspec.json.encode(self)

    def write(self, path: str | Path) -> Path:
        """Write the report as CSV (``.csv``) or JSON (any other suffix)."""
        target = Path(path)
        if target.suffix.lower() == ".csv":
            target.write_text(self.to_csv(), encoding="utf-8")
        else:
            target.write_bytes(msgspec.json.format(self.to_json()))
        return target


class DataError(IronkeelError, ValueError):
    """Input data that cannot be loaded as asked; nothing was loaded.

    ``report`` holds every problem (``report.write("problems.csv")`` saves them);
    the message lists the first ``MAX_LISTED`` with where, what and how to fix.
    """

    def __init__(self, report: DataReport, hint: str = "") -> None:
        self.report = report
        rejected = [p for p in report.problems if p.action is Action.REJECTED]
        shown = rejected[:MAX_LISTED]
        rows = len({p.row for p in rejected if p.row is not None})
        head = (
            f"{report.file}: cannot load {report.data_type}: {len(rejected)} problem(s)"
            + (f" in {rows} row(s)" if rows else "")
            + f"; nothing was loaded (policy={report.policy})"
        )
        lines = [head, *(f"  {p}" for p in shown)]
        if len(rejected) > len(shown):
            lines.append(
                f"  ... and {len(rejected) - len(shown)} more: save them all with "
                "error.report.write('problems.csv')"
            )
        if hint:
            lines.append(hint)
        super().__init__("\n".join(lines))
