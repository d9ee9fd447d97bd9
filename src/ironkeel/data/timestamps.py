"""Timestamps of any common format to int64 nanoseconds since the epoch, UTC.

Accepted, per column (vectorised; a bad row is reported, never guessed):

- Parquet/Arrow timestamps (any unit; with a zone, or naive) and dates;
- epoch numbers (ints, whole floats or digit strings) in s, ms, us or ns: the
  unit is ``unit`` if given, else detected from the magnitude of the column's
  median (s: 1e9..1e11, ms: ..1e14, us: ..1e17, ns: above), and a row whose own
  magnitude says another unit is reported rather than silently misread;
- ISO 8601 strings (``2024-01-02``, ``2024-01-02 03:04``, ``2024-01-02T03:04:05.123456789``)
  with a zone (``Z``, ``+01:00``, ``-0500``: converted to UTC) or without one.

Times without a zone are UTC unless ``tz`` names the zone they are in; a local
time that is ambiguous or skipped by a daylight-saving change is reported.
"""

from __future__ import annotations

from typing import Final, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from ironkeel.data.columns import TimestampUnit

__all__ = ["UNIT_NS", "Timestamps", "parse_timestamps"]

UNIT_NS: Final[dict[TimestampUnit, int]] = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
#: Lower magnitude bound of each unit's auto-detection range (2001-09-09 in that unit).
_UNIT_FLOOR: Final[tuple[tuple[TimestampUnit, float], ...]] = (
    ("ns", 1e17),
    ("us", 1e14),
    ("ms", 1e11),
    ("s", 1e9),
)
_ZONED = r"\d\d:\d\d(:\d\d(\.\d*)?)?\s*(Z|z|[+-]\d\d(:?\d\d)?)$"
_DIGITS = r"^[+-]?\d+$"
_NAN_WORDS = r"^(nan|na|n/a|null|none|nat)$"
_INT64_MAX: Final = np.iinfo(np.int64).max

FIX: Final = (
    "write an ISO 8601 time (2024-01-02 03:04:05, optionally with +00:00) or an epoch "
    "number; set ColumnMap(timestamp_unit=..., tz=...) if the unit or zone differs"
)


class Timestamps(NamedTuple):
    """Parsed timestamps: ``ns`` (0 where bad), the bad rows with why, and what was read."""

    ns: NDArray[np.int64]
    bad: dict[int, str]
    description: str


def parse_timestamps(
    column: pa.ChunkedArray | pa.Array, *, unit: TimestampUnit | None = None, tz: str | None = None
) -> Timestamps:
    """Parse one column; see the module docstring for the accepted formats."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    kind = array.type
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return _from_arrow_time(array, tz)
    if pa.types.is_integer(kind):
        return _from_epoch(array.cast(pa.int64()), unit, {})
    if pa.types.is_floating(kind):
        return _from_float(array, unit)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _from_strings(array.cast(pa.string()), unit, tz)
    bad = dict.fromkeys(range(len(array)), f"has type {kind}, which is not a time")
    return Timestamps(np.zeros(len(array), np.int64), bad, str(kind))


def _nulls(array: pa.Array, why: str = "is empty") -> dict[int, str]:
    if not array.null_count:
        return {}
    return dict.fromkeys(
        np.flatnonzero(array.is_null().to_numpy(zero_copy_only=False)).tolist(), why
    )


def _from_arrow_time(array: pa.Array, tz: str | None) -> Timestamps:
    zone = getattr(array.type, "tz", None)
    bad = _nulls(array)
    try:
        as_ns = array.cast(pa.timestamp("ns", tz=zone))
    except pa.ArrowInvalid:  # some value is outside the int64-ns range: find which (rare)
        return Timestamps(*_row_by_row(array, zone, bad), str(array.type))
    ns = as_ns.cast(pa.int64()).fill_null(0).to_numpy().astype(np.int64, copy=True)
    if zone is None and tz is not None:
        ns = _localise(ns, tz, bad)
    description = f"{array.type}" + ("" if zone else f", naive read as {tz or 'UTC'}")
    return Timestamps(ns, bad, description)


def _row_by_row(
    array: pa.Array, zone: str | None, bad: dict[int, str]
) -> tuple[NDArray[np.int64], dict[int, str]]:
    ns = np.zeros(len(array), np.int64)
    for i in range(len(array)):
        if i in bad:
            continue
        try:
            value = array.slice(i, 1).cast(pa.timestamp("ns", tz=zone)).cast(pa.int64())
        except pa.ArrowInvalid:
            bad[i] = "is outside the years 1677..2262"
        else:
            ns[i] = value[0].as_py()
    return ns, bad


def _localise(naive_ns: NDArray[np.int64], tz: str, bad: dict[int, str]) -> NDArray[np.int64]:
    index = pd.DatetimeIndex(naive_ns.astype("datetime64[ns]"))
    local = index.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    missing = np.asarray(local.isna())
    for i in np.flatnonzero(missing).tolist():
        bad.setdefault(i, f"is ambiguous or does not exist in {tz} (a daylight-saving change)")
    return np.where(missing, 0, local.asi8).astype(np.int64)


def _detect_unit(values: NDArray[np.int64], usable: NDArray[np.bool_]) -> TimestampUnit | None:
    if not usable.any():
        return None
    median = float(np.median(np.abs(values[usable].astype(np.float64))))
    return next((u for u, floor in _UNIT_FLOOR if median >= floor), None)


def _unit_per_row(values: NDArray[np.int64]) -> NDArray[np.str_]:
    magnitude = np.abs(values.astype(np.float64))
    return np.select(
        [magnitude >= floor for _, floor in _UNIT_FLOOR], [u for u, _ in _UNIT_FLOOR], ""
    )


def _from_epoch(array: pa.Array, unit: TimestampUnit | None, bad: dict[int, str]) -> Timestamps:
    bad.update((i, why) for i, why in _nulls(array).items() if i not in bad)
    values = array.fill_null(0).to_numpy().astype(np.int64, copy=True)
    usable = np.ones(len(values), bool)
    usable[list(bad)] = False
    chosen = unit or _detect_unit(values, usable)
    if chosen is None:
        for i in np.flatnonzero(usable).tolist():
            bad[i] = "is too small for an epoch timestamp in s, ms, us or ns after 2001"
        return Timestamps(np.zeros(len(values), np.int64), bad, "epoch numbers")
    if unit is None:
        per_row = _unit_per_row(values)
        for i in np.flatnonzero(usable & (per_row != chosen)).tolist():
            seen = per_row[i] or "no unit"
            bad[i] = f"looks like epoch {seen} while the column is epoch {chosen}"
    factor = UNIT_NS[chosen]
    negative = values < 0
    overflow = np.abs(values) > _INT64_MAX // factor
    for i in np.flatnonzero(usable & negative).tolist():
        bad.setdefault(i, "is before 1970")
    for i in np.flatnonzero(usable & overflow).tolist():
        bad.setdefault(i, f"is too large for epoch {chosen} (after the year 2262)")
    ns = np.where(negative | overflow, 0, values) * factor
    ns[list(bad)] = 0
    how = "given" if unit else "detected"
    return Timestamps(ns.astype(np.int64), bad, f"epoch {chosen} ({how})")


def _from_float(array: pa.Array, unit: TimestampUnit | None) -> Timestamps:
    values = array.to_numpy(zero_copy_only=False).astype(np.float64)
    bad = dict.fromkeys(np.flatnonzero(~np.isfinite(values)).tolist(), "is empty or NaN")
    whole = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 2**63)
    for i in np.flatnonzero(np.isfinite(values) & ~whole).tolist():
        bad[i] = "has a fraction; an epoch timestamp must be a whole number of its unit"
    ints = pa.array(np.where(whole, values, 0).astype(np.int64))
    return _from_epoch(ints, unit, bad)


def _flag(mask: pa.Array, *, missing: bool = False) -> NDArray[np.bool_]:
    """An Arrow boolean array as numpy, nulls as ``missing``."""
    return np.asarray(pc.fill_null(mask, missing).to_numpy(zero_copy_only=False), dtype=bool)


def _whole_column_iso(array: pa.Array, tz: str | None) -> Timestamps | None:
    """The common case: every string is ISO 8601, all with or all without a zone."""
    if array.null_count:
        return None
    for zone, label in ((None, "ISO 8601 without zone"), ("UTC", "ISO 8601 with zone")):
        try:
            parsed = pc.cast(array, pa.timestamp("ns", tz=zone))
        except pa.ArrowInvalid:
            continue
        ns = parsed.cast(pa.int64()).to_numpy().astype(np.int64, copy=True)
        bad: dict[int, str] = {}
        if zone is None and tz is not None:
            ns = _localise(ns, tz, bad)
        described = f"{label} (read as {tz or 'UTC'})" if zone is None else label
        return Timestamps(ns, bad, described)
    return None


def _from_strings(array: pa.Array, unit: TimestampUnit | None, tz: str | None) -> Timestamps:
    whole = _whole_column_iso(array, tz)
    if whole is not None:
        return whole
    text = pc.utf8_trim_whitespace(array)
    n = len(text)
    empty = _flag(pc.equal(pc.utf8_length(text), 0), missing=True)
    bad: dict[int, str] = dict.fromkeys(np.flatnonzero(empty).tolist(), "is empty")
    nan = _flag(pc.match_substring_regex(text, _NAN_WORDS, ignore_case=True))
    bad.update(dict.fromkeys(np.flatnonzero(nan).tolist(), "is NaN"))
    present = ~(empty | nan)
    digits = _flag(pc.match_substring_regex(text, _DIGITS))
    if present.any() and (digits | ~present).all():
        ints = pc.cast(pc.if_else(pa.array(present), text, "0"), pa.int64())
        return _from_epoch(ints, unit, bad)
    ns = np.zeros(n, np.int64)
    zoned = _flag(pc.match_substring_regex(text, _ZONED))
    described = []
    for want_zone, label in ((True, "ISO 8601 with zone"), (False, "ISO 8601 without zone")):
        rows = np.flatnonzero(present & (zoned == want_zone))
        if not len(rows):
            continue
        part = _parse_iso(text.take(pa.array(rows)), want_zone, bad, rows)
        if not want_zone and tz is not None:
            part_bad: dict[int, str] = {}
            part = _localise(part, tz, part_bad)
            bad.update((int(rows[i]), why) for i, why in part_bad.items())
        ns[rows] = part
        described.append(label if want_zone else f"{label} (read as {tz or 'UTC'})")
    ns[list(bad)] = 0
    return Timestamps(ns, bad, ", ".join(described) or "strings")


def _parse_iso(
    text: pa.Array, zoned: bool, bad: dict[int, str], rows: NDArray[np.intp]
) -> NDArray[np.int64]:
    """ISO strings to ns: Arrow's fast cast, or pandas to find (and report) the bad rows."""
    try:
        parsed = pc.cast(text, pa.timestamp("ns", tz="UTC" if zoned else None))
        ints: NDArray[np.int64] = parsed.cast(pa.int64()).to_numpy().astype(np.int64, copy=True)
    except pa.ArrowInvalid:
        pass
    else:
        return ints
    series = pd.Series(text.to_pylist(), dtype=object)
    try:
        parsed_pd = pd.to_datetime(series, format="ISO8601", errors="coerce", utc=zoned)
    except (ValueError, OverflowError):  # pandas rejects mixed forms as a whole: go row by row
        parsed_pd = series.map(lambda v: _one_iso(v, zoned))
    index = pd.DatetimeIndex(parsed_pd).as_unit("ns")
    missing = np.asarray(index.isna())
    for i in np.flatnonzero(missing).tolist():
        bad[int(rows[i])] = "is not a timestamp (ISO 8601 or epoch s/ms/us/ns)"
    return np.where(missing, 0, index.asi8).astype(np.int64)


def _one_iso(value: str, zoned: bool) -> pd.Timestamp | None:
    try:
        result = pd.to_datetime(value, format="ISO8601", utc=zoned)
    except (ValueError, OverflowError):
        return None
    return result if isinstance(result, pd.Timestamp) else None
