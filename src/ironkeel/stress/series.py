"""A user-supplied historical series (a CSV of real bars for a crash) as a shock path.

The file needs a time column (``timestamp``, ``time``, ``date`` or ``datetime``: ISO 8601,
a naive time is UTC; or epoch seconds, milliseconds or nanoseconds by magnitude) and a
price column (``close`` unless told). The path is the series' cumulative return from its
first row, exactly (``close_i / close_0 - 1`` in Decimal), at the rows' offsets from the
first row: mapped onto an instrument it moves that instrument's anchor price by the same
returns, whatever the series' own price level or grid.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ironkeel.stress.shock import ScenarioError, ShockPath, build_path

__all__ = ["series_path"]

_TIME_COLUMNS = ("timestamp", "time", "date", "datetime")


def _timestamp_ns(text: str, where: str) -> int:
    value = text.strip()
    if value.isdigit():
        number = int(value)
        for limit, scale in ((10**11, 10**9), (10**14, 10**6), (10**17, 10**3)):
            if number < limit:
                return number * scale
        return number
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ScenarioError(
            f"{where}: {text!r} is not a time. Fix: use ISO 8601 (2020-03-12T14:30:00Z) "
            "or epoch seconds/ms/ns"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 10**9 + delta.microseconds * 1000


def _columns(header: list[str], column: str, file: Path) -> tuple[int, int]:
    lower = [h.strip().lower() for h in header]
    time_index = next((lower.index(c) for c in _TIME_COLUMNS if c in lower), None)
    if time_index is None:
        raise ScenarioError(
            f"{file}: no time column in the header {header}. Fix: name one of {list(_TIME_COLUMNS)}"
        )
    if column.lower() not in lower:
        raise ScenarioError(
            f"{file}: no {column!r} column in the header {header}. "
            'Fix: add it, or set column = "NAME" in the scenario\'s path'
        )
    return time_index, lower.index(column.lower())


def series_path(name: str, file: Path, *, column: str = "close", **info: Any) -> ShockPath:
    """The cumulative-return path of ``file`` (see the module doc)."""
    if not file.is_file():
        raise ScenarioError(f"{file}: the series file does not exist. Fix: check `series =`")
    with file.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if len(rows) < 3:
        raise ScenarioError(f"{file}: needs a header and at least two rows. Fix: add bars")
    time_index, price_index = _columns(rows[0], column, file)
    times: list[int] = []
    prices: list[Decimal] = []
    for number, row in enumerate(rows[1:], start=2):
        where = f"{file}: row {number}"
        if len(row) <= max(time_index, price_index):
            raise ScenarioError(f"{where}: {len(row)} cells. Fix: give every row all columns")
        try:
            price = Decimal(row[price_index].strip())
        except InvalidOperation:
            price = Decimal(-1)
        if not price.is_finite() or price <= 0:
            raise ScenarioError(
                f"{where}, column {rows[0][price_index]!r}: {row[price_index]!r} is not a "
                "positive price. Fix: correct or remove the row"
            )
        stamp = _timestamp_ns(row[time_index], f"{where}, column {rows[0][time_index]!r}")
        if times and stamp <= times[-1]:
            raise ScenarioError(
                f"{where}: time {row[time_index]!r} is not after the previous row. "
                "Fix: sort the rows by time and drop duplicates"
            )
        times.append(stamp)
        prices.append(price)
    first_time, first_price = times[0], prices[0]
    return build_path(
        name,
        [t - first_time for t in times],
        [p / first_price - 1 for p in prices],
        str(file),
        **info,
    )
