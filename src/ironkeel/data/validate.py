"""Row checks and the ``Policy`` that decides what to do with what they find.

Checks find, per row: an empty, NaN or non-numeric field, an unparseable
timestamp, a price or size off the instrument's grid, a non-positive price, a
negative size (a zero trade size), high < low, open or close outside
[low, high], a crossed quote, an unknown trade side, and timestamps out of
order or duplicated. For bars timestamps must strictly increase; for quotes and
trades they must not decrease (several ticks in one ns are normal), and a
repeated trade id is a duplicate.

Ordering is judged against the rows that will be kept: a row is out of order
when its timestamp is before the latest timestamp of the kept rows above it,
so dropping the reported rows always leaves an ordered series.

``Policy``:

- ``reject`` (default): any problem raises ``DataError``; nothing is loaded.
- ``drop``: every row with a problem is left out; each problem is reported.
- ``repair``: only the obvious is repaired, each change reported: a row that
  repeats the row above it byte for byte (same timestamp) is removed; high/low
  are widened to contain open and close; a bar volume off the lot grid is
  floored to it. Anything else (out-of-order times, off-grid prices, high <
  low, ...) is not obvious, so it still raises ``DataError`` (nothing loaded),
  listing those problems first.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from decimal import Decimal
from enum import Enum
from typing import Final, Literal, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from ironkeel.data import grid
from ironkeel.data.read import RawTable
from ironkeel.data.report import Action, Problem
from ironkeel.model.errors import InvalidInputError

__all__ = [
    "Finding",
    "Outcome",
    "Policy",
    "apply_policy",
    "bad_rows",
    "grid_findings",
    "order_findings",
    "resolve_policy",
    "same_rows",
]

_INT64_MIN: Final = np.iinfo(np.int64).min
REMOVED: Final = "(row removed)"


class Policy(Enum):
    REJECT = "reject"
    DROP = "drop"
    REPAIR = "repair"


def resolve_policy(value: Policy | str) -> Policy:
    if isinstance(value, Policy):
        return value
    try:
        return Policy(value)
    except ValueError:
        names = [p.value for p in Policy]
        close = difflib.get_close_matches(str(value), names, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise InvalidInputError(
            "policy", value, "is not a policy", f"{hint}use one of {names}"
        ) from None


class Finding(NamedTuple):
    """One check's bad rows (table indices) in one field, with a message per row.

    ``repair`` says what ``Policy.REPAIR`` does: ``None`` (cannot), ``"set"`` (the
    field becomes ``new_units``, per row) or ``"remove"`` (the row goes).
    """

    rows: NDArray[np.intp]
    field: str
    messages: Sequence[str]
    fix: str
    repair: Literal["set", "remove"] | None = None
    new_units: NDArray[np.int64] | None = None


def _text(units: int, step: Decimal) -> str:
    return str(units * step)


def grid_findings(
    field: str, values: grid.Grid, step: Decimal, increment: str, *, floor_repair: bool = False
) -> list[Finding]:
    """Findings for the rows of one numeric column that did not convert cleanly."""
    found: list[Finding] = []
    plain = {
        grid.EMPTY: ("is empty", "fill in the value, or remove the row (policy='drop')"),
        grid.NAN: ("is NaN", "fill in the value, or remove the row (policy='drop')"),
        grid.NOT_NUMBER: ("is not a number", "write a decimal number such as 123.45"),
        grid.TOO_LARGE: ("is too large", f"check the value and the instrument's {increment}"),
    }
    for code, (message, fix) in plain.items():
        rows = np.flatnonzero(values.code == code)
        if len(rows):
            found.append(Finding(rows, field, [message] * len(rows), fix))
    rows = np.flatnonzero(values.code == grid.OFF_GRID)
    if len(rows):
        floors = values.floor[rows]
        messages = [
            f"is not a multiple of the {increment} {step} (nearest: {_text(f, step)} "
            f"or {_text(f + 1, step)})"
            for f in floors.tolist()
        ]
        repairable = floor_repair and bool((floors >= 0).all())
        fix = f"round it to the grid, or check the instrument's {increment}" + (
            "; policy='repair' floors it to the grid" if floor_repair else ""
        )
        if repairable:
            found.append(Finding(rows, field, messages, fix, "set", floors.astype(np.int64)))
        else:
            found.append(Finding(rows, field, messages, fix))
    return found


def same_rows(table: pa.Table, a: NDArray[np.intp], b: NDArray[np.intp]) -> NDArray[np.bool_]:
    """True where table rows ``a[k]`` and ``b[k]`` are equal in every column."""
    same = np.ones(len(a), bool)
    left, right = pa.array(a), pa.array(b)
    for column in table.columns:
        x, y = column.take(left), column.take(right)
        equal = pc.fill_null(pc.equal(x, y), fill_value=False)
        both_null = pc.and_(pc.is_null(x), pc.is_null(y))
        same &= np.asarray(pc.or_(equal, both_null).to_numpy(zero_copy_only=False), bool)
    return same


def order_findings(
    raw: RawTable, ts: NDArray[np.int64], candidate: NDArray[np.bool_], *, strict: bool
) -> list[Finding]:
    """Out-of-order (and, if ``strict``, duplicate) timestamps among the candidate rows."""
    index = np.flatnonzero(candidate)
    if len(index) < 2:
        return []
    t = ts[index]
    running = np.maximum.accumulate(t)
    before = np.concatenate(([_INT64_MIN], running[:-1]))
    position = np.arange(len(t))
    holder = np.maximum.accumulate(np.where(t == running, position, 0))
    holder_before = np.concatenate(([0], holder[:-1]))
    found: list[Finding] = []
    late = np.flatnonzero(t < before)
    if len(late):
        rows = index[late]
        previous = raw.rows[index[holder_before[late]]]
        messages = [
            f"is before the timestamp of row {p} ({_iso(int(b))})"
            for p, b in zip(previous.tolist(), before[late].tolist(), strict=True)
        ]
        found.append(Finding(rows, "timestamp", messages, "sort the file by time"))
    if strict:
        dup = np.flatnonzero(t == before)
        if len(dup):
            rows, first = index[dup], index[holder_before[dup]]
            identical = same_rows(raw.table, rows, first)
            for same in (True, False):
                pick = identical == same
                if not pick.any():
                    continue
                kind = "repeats row" if same else "has the same timestamp as row"
                messages = [f"{kind} {r}" for r in raw.rows[first[pick]].tolist()]
                fix = (
                    "remove the repeated line (policy='repair' does)"
                    if same
                    else "keep one of the two rows"
                )
                found.append(
                    Finding(rows[pick], "timestamp", messages, fix, "remove" if same else None)
                )
    return found


def _iso(ns: int) -> str:
    return str(np.datetime64(ns, "ns")) + "Z"


def bad_rows(findings: list[Finding], n: int, *, repairable_ok: bool) -> NDArray[np.bool_]:
    """Rows with a finding (only unrepairable findings if ``repairable_ok``)."""
    bad = np.zeros(n, bool)
    for f in findings:
        if not (repairable_ok and f.repair):
            bad[f.rows] = True
    return bad


class Outcome(NamedTuple):
    """Which rows to keep, and every problem with what was done about it."""

    keep: NDArray[np.bool_]
    problems: list[Problem]
    rejected: bool


def apply_policy(
    raw: RawTable,
    findings: list[Finding],
    policy: Policy,
    *,
    values: dict[str, NDArray[np.int64]],
    steps: dict[str, Decimal],
    mapping: dict[str, str],
) -> Outcome:
    """Apply ``policy`` to ``findings``: decide the kept rows, repair ``values`` in place.

    Problems are listed by row and, within a row, by column; when the policy
    rejects, the problems ``repair`` could fix come after those it cannot."""
    keep = np.ones(raw.table.num_rows, bool)
    malformed = bool(raw.problems)  # lines the reader skipped: never repairable
    unrepairable = [f for f in findings if f.repair is None]
    if policy is Policy.REJECT:
        reject = bool(findings) or malformed
    else:
        reject = policy is Policy.REPAIR and (bool(unrepairable) or malformed)
    if policy is Policy.REPAIR and not reject:
        findings = _skip_removed(findings, raw.table.num_rows)
    action = Action.REJECTED if reject else Action.DROPPED
    first = [_with_action(p, action) for p in raw.problems]
    later: list[Problem] = []
    for f in findings:
        if reject:
            action = Action.REJECTED
        elif policy is Policy.DROP:
            action = Action.DROPPED
            keep[f.rows] = False
        else:
            action = Action.REPAIRED
            if f.repair == "remove":
                keep[f.rows] = False
            elif f.new_units is not None:
                values[f.field][f.rows] = f.new_units
        (later if f.repair and reject else first).extend(_problems(raw, f, action, steps, mapping))
    order = {name: i for i, name in enumerate(raw.table.column_names)}

    def key(problem: Problem) -> tuple[int, int]:
        return (-1 if problem.row is None else problem.row, order.get(problem.column, -1))

    return Outcome(keep, sorted(first, key=key) + sorted(later, key=key), reject)


def _skip_removed(findings: list[Finding], n: int) -> list[Finding]:
    """Drop the findings on rows that ``repair`` removes (a repeated line is not also
    repaired value by value)."""
    removed = np.zeros(n, bool)
    for f in findings:
        if f.repair == "remove":
            removed[f.rows] = True
    kept = []
    for f in findings:
        if f.repair == "remove" or not removed[f.rows].any():
            kept.append(f)
            continue
        pick = ~removed[f.rows]
        if pick.any():
            messages = [m for m, p in zip(f.messages, pick.tolist(), strict=True) if p]
            units = None if f.new_units is None else f.new_units[pick]
            kept.append(Finding(f.rows[pick], f.field, messages, f.fix, f.repair, units))
    return kept


def _with_action(problem: Problem, action: Action) -> Problem:
    return Problem(
        file=problem.file,
        row=problem.row,
        column=problem.column,
        value=problem.value,
        message=problem.message,
        fix=problem.fix,
        action=action,
    )


def _problems(
    raw: RawTable, f: Finding, action: Action, steps: dict[str, Decimal], mapping: dict[str, str]
) -> list[Problem]:
    column_name = mapping.get(f.field, f.field)
    column = raw.table.column(column_name) if column_name in raw.table.column_names else None
    out = []
    for k, (row, message) in enumerate(zip(f.rows.tolist(), f.messages, strict=True)):
        new = ""
        if action is Action.REPAIRED:
            if f.repair == "remove":
                new = REMOVED
            elif f.new_units is not None:
                new = _text(int(f.new_units[k]), steps[f.field])
        out.append(
            Problem(
                file=raw.file,
                row=int(raw.rows[row]),
                column=column_name,
                value="" if column is None else grid.cell_text(column, row),
                message=message,
                fix=f.fix,
                action=action,
                new_value=new,
            )
        )
    return out
