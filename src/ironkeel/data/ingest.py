"""From a file to validated int columns: the import pipeline, without model objects.

``load_columns`` reads the file (``read``), finds the columns (``columns``),
parses timestamps (``timestamps``), converts prices and sizes exactly to ticks
and lots (``grid``), checks every row (``checks``, ``validate``) and applies
the ``Policy``. It returns ``Columns``: int64 numpy arrays (``ts_event``,
``ts_init`` and the fields) plus the ``DataReport``; under ``reject`` (the
default) any problem raises ``DataError`` listing the problems instead.

Bars: ``timestamp_is`` says whether a file's timestamp is the bar's open
(default) or close time; ``ts_event`` is always the close time, ``open +
interval``. The interval is ``bar_interval_ns`` if given, else the most common
difference between consecutive timestamps (reported in the notes). Quotes and
trades: ``ts_event`` is the file's timestamp. ``ts_init`` equals ``ts_event``.
Missing optional columns get a note: bar volume and quote sizes are 0, a trade
without a side column has ``AggressorSide.NONE`` (side code 0) and without an
id column its id is its file row number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from ironkeel.data import grid
from ironkeel.data.checks import (
    bar_findings,
    parse_sides,
    quote_findings,
    trade_findings,
    trade_id_findings,
)
from ironkeel.data.columns import FIELDS, ColumnMap, DataType, resolve
from ironkeel.data.read import RawTable, ReadError, read_table
from ironkeel.data.report import DataError, DataReport, Problem
from ironkeel.data.timestamps import FIX as TIMESTAMP_FIX
from ironkeel.data.timestamps import parse_timestamps
from ironkeel.data.validate import (
    Finding,
    Outcome,
    Policy,
    apply_policy,
    bad_rows,
    grid_findings,
    order_findings,
    resolve_policy,
)
from ironkeel.model.data import BarType, PriceType
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.instruments import Instrument

__all__ = ["Columns", "TimestampIs", "load_columns"]

TimestampIs = Literal["open", "close"]
Ints = NDArray[np.int64]
PRICES: dict[DataType, tuple[str, ...]] = {
    "bars": ("open", "high", "low", "close"),
    "quotes": ("bid", "ask"),
    "trades": ("price",),
}
SIZES: dict[DataType, tuple[str, ...]] = {
    "bars": ("volume",),
    "quotes": ("bid_size", "ask_size"),
    "trades": ("size",),
}


class Columns(NamedTuple):
    """One file's validated data as int64 arrays, in file order, and its report.

    ``values`` holds ``ts_event``, ``ts_init`` and the fields of the data type
    (bars: open, high, low, close, volume; quotes: bid, ask, bid_size, ask_size;
    trades: price, size, side (+1 buyer, -1 seller, 0 none)); ``trade_ids`` the
    trade ids; ``bar_type`` the bars' type (None for ticks or no bars).
    """

    data_type: DataType
    values: dict[str, NDArray[np.int64]]
    report: DataReport
    bar_type: BarType | None = None
    trade_ids: list[str] | None = None

    def __len__(self) -> int:
        return len(self.values["ts_event"])


@dataclass
class _Parsed:
    raw: RawTable
    data_type: DataType
    policy: Policy
    mapping: dict[str, str]
    ts: Ints
    values: dict[str, Ints] = field(default_factory=dict)
    ok: dict[str, NDArray[np.bool_]] = field(default_factory=dict)
    steps: dict[str, Decimal] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    trade_ids: NDArray[np.object_] | None = None


def _file_error(
    file: str, data_type: str, policy: Policy, problems: list[tuple[str, str, str, str]]
) -> DataError:
    """A DataError for problems with the whole file: (column, value, message, fix) each."""
    report = DataReport(
        file=file,
        data_type=data_type,
        policy=policy.value,
        rows_read=0,
        rows_loaded=0,
        problems=tuple(
            Problem(file=file, row=None, column=c, value=v, message=m, fix=f)
            for c, v, m, f in problems
        ),
    )
    return DataError(report)


def _prepare(
    path: str | Path,
    instrument: Instrument,
    data_type: DataType,
    columns: ColumnMap | None,
    policy: Policy | str,
) -> _Parsed:
    chosen = resolve_policy(policy)
    file = Path(path)
    try:
        raw = read_table(file, columns if columns is not None else ColumnMap())
    except ReadError as exc:
        raise _file_error(str(file), data_type, chosen, [("", "", exc.message, exc.fix)]) from None
    names = raw.table.column_names
    mapping, errors = resolve(raw.columns, names, data_type)
    if errors:
        fix = f"map it explicitly, e.g. columns=ColumnMap({{field}}=...); the columns are {names}"
        problems = [(f, v, m, fix.replace("{field}", f)) for f, v, m in errors]
        raise _file_error(raw.file, data_type, chosen, problems)
    stamps = parse_timestamps(
        raw.table.column(mapping["timestamp"]), unit=raw.columns.timestamp_unit, tz=raw.columns.tz
    )
    parsed = _Parsed(raw, data_type, chosen, mapping, stamps.ns)
    used = ", ".join(f"{f}={c!r}" for f, c in mapping.items())
    parsed.notes += [*raw.notes, f"columns: {used}", f"timestamps: {stamps.description}"]
    bad = dict(stamps.bad)
    bad.update((i, "is before 1970") for i in np.flatnonzero(stamps.ns < 0).tolist())
    if bad:
        rows = np.asarray(sorted(bad), dtype=np.intp)
        messages = [bad[i] for i in rows.tolist()]
        parsed.findings.append(Finding(rows, "timestamp", messages, TIMESTAMP_FIX))
    _convert_numbers(parsed, instrument)
    return parsed


def _convert_numbers(parsed: _Parsed, instrument: Instrument) -> None:
    n = parsed.raw.table.num_rows
    kinds = [(f, instrument.price_increment, "price increment") for f in PRICES[parsed.data_type]]
    kinds += [(f, instrument.size_increment, "size increment") for f in SIZES[parsed.data_type]]
    for name, step, increment in kinds:
        parsed.steps[name] = step
        if name not in parsed.mapping:
            parsed.values[name] = np.zeros(n, np.int64)
            parsed.ok[name] = np.ones(n, bool)
            parsed.notes.append(f"no {name} column: {name} is 0")
            continue
        column = parsed.raw.table.column(parsed.mapping[name])
        values = grid.to_grid(column, step, float_ulps=parsed.raw.columns.float_ulps)
        if values.snapped:
            parsed.notes.append(
                f"{name}: {values.snapped} float value(s) within "
                f"{parsed.raw.columns.float_ulps} ULPs of a grid point (float-arithmetic "
                "noise) were read as that grid point; ColumnMap(float_ulps=0) rejects them"
            )
        parsed.values[name] = values.units
        parsed.ok[name] = values.code == grid.OK
        floor = parsed.data_type == "bars" and name == "volume"
        parsed.findings += grid_findings(name, values, step, increment, floor_repair=floor)


def _decide(parsed: _Parsed, findings: list[Finding], *, strict: bool) -> Outcome:
    """Add the ordering findings, apply the policy; raise DataError if it rejects."""
    n = parsed.raw.table.num_rows
    candidate = ~bad_rows(findings, n, repairable_ok=parsed.policy is not Policy.DROP)
    findings = findings + order_findings(parsed.raw, parsed.ts, candidate, strict=strict)
    if parsed.data_type == "trades":
        candidate = ~bad_rows(findings, n, repairable_ok=parsed.policy is not Policy.DROP)
        findings += trade_id_findings(parsed.raw, _trade_ids(parsed), candidate)
    outcome = apply_policy(
        parsed.raw,
        findings,
        parsed.policy,
        values=parsed.values,
        steps=parsed.steps,
        mapping=parsed.mapping,
    )
    if outcome.rejected:
        hint = (
            "Fix the file, or load it with policy='drop' to leave these rows out "
            "(or policy='repair' for the obvious repairs)."
            if parsed.policy is Policy.REJECT
            else "policy='repair' cannot fix the problems listed first: fix them in the file, "
            "or use policy='drop'."
        )
        raise DataError(_report(parsed, outcome, 0), hint)
    return outcome


def _report(parsed: _Parsed, outcome: Outcome, loaded: int) -> DataReport:
    return DataReport(
        file=parsed.raw.file,
        data_type=parsed.data_type,
        policy=parsed.policy.value,
        rows_read=parsed.raw.table.num_rows + len(parsed.raw.problems),
        rows_loaded=loaded,
        problems=tuple(outcome.problems),
        notes=tuple(parsed.notes),
    )


def _bar_interval(parsed: _Parsed, given: int | None) -> int:
    """``given``, or the most common positive step between the parsed timestamps of the
    file (all of them, so rows the policy drops do not widen the interval)."""
    timestamp_ok = ~bad_rows(
        [f for f in parsed.findings if f.field == "timestamp"], len(parsed.ts), repairable_ok=False
    )
    diffs = np.diff(parsed.ts[timestamp_ok])
    diffs = diffs[diffs > 0]
    mode = 0
    if len(diffs):
        steps, counts = np.unique(diffs, return_counts=True)
        mode = int(steps[np.argmax(counts)])
        share = f"{counts.max()} of {len(diffs)} steps"
    if given is not None:
        differs = f"; the file's most common step is {mode} ns" if mode and mode != given else ""
        parsed.notes.append(f"bar interval: {given} ns (given){differs}")
        return given
    if not mode:
        raise _file_error(
            parsed.raw.file,
            "bars",
            parsed.policy,
            [
                (
                    "timestamp",
                    "",
                    "has fewer than 2 bars to infer the interval from",
                    "pass bar_interval_ns",
                )
            ],
        )
    parsed.notes.append(f"bar interval: {mode} ns (most common step, {share})")
    return mode


def _trade_ids(parsed: _Parsed) -> NDArray[np.object_]:
    """The trade id of every row as text ('' if empty); the file row number if no column."""
    if parsed.trade_ids is None:
        if "trade_id" in parsed.mapping:
            column = parsed.raw.table.column(parsed.mapping["trade_id"]).cast(pa.string())
            text = pc.fill_null(pc.utf8_trim_whitespace(column), "")
            parsed.trade_ids = np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)
        else:
            parsed.notes.append("no trade_id column: a trade's id is its file row number")
            parsed.trade_ids = parsed.raw.rows.astype(str).astype(object)
    return parsed.trade_ids


def _sides(parsed: _Parsed) -> str | None:
    """Parse the aggressor side into ``values['side']``; return the field it came from."""
    for name in ("side", "buyer_maker"):
        if name in parsed.mapping:
            codes = parse_sides(parsed.raw.table.column(parsed.mapping[name]), name)
            parsed.values["side"] = codes.astype(np.int64)
            return name
    parsed.notes.append("no side column: every trade's aggressor side is NONE")
    parsed.values["side"] = np.zeros(parsed.raw.table.num_rows, np.int64)
    return None


def _bars(
    parsed: _Parsed,
    instrument: Instrument,
    interval_ns: int | None,
    timestamp_is: TimestampIs,
    price_type: PriceType,
) -> Columns:
    has_volume = "volume" in parsed.mapping
    findings = parsed.findings + bar_findings(
        parsed.values, parsed.ok, instrument.price_increment, has_volume=has_volume
    )
    outcome = _decide(parsed, findings, strict=True)
    keep = outcome.keep
    ts = parsed.ts[keep]
    bar_type = None
    if len(ts):
        interval = _bar_interval(parsed, interval_ns)
        parsed.notes.append(f"file timestamps are bar {timestamp_is} times; ts_event = close time")
        if timestamp_is == "open":
            ts = ts + interval
        bar_type = BarType(instrument.id, interval, price_type)
    values = {f: parsed.values[f][keep] for f in ("open", "high", "low", "close", "volume")}
    values |= {"ts_event": ts, "ts_init": ts}
    return Columns("bars", values, _report(parsed, outcome, len(ts)), bar_type)


def _quotes(parsed: _Parsed, instrument: Instrument) -> Columns:
    sizes = tuple(f for f in ("bid_size", "ask_size") if f in parsed.mapping)
    findings = parsed.findings + quote_findings(
        parsed.values, parsed.ok, instrument.price_increment, sizes
    )
    outcome = _decide(parsed, findings, strict=False)
    keep = outcome.keep
    ts = parsed.ts[keep]
    values = {f: parsed.values[f][keep] for f in ("bid", "ask", "bid_size", "ask_size")}
    values |= {"ts_event": ts, "ts_init": ts}
    return Columns("quotes", values, _report(parsed, outcome, len(ts)))


def _trades(parsed: _Parsed) -> Columns:
    side_field = _sides(parsed)
    findings = parsed.findings + trade_findings(
        parsed.values, parsed.ok, parsed.values["side"].astype(np.int8), side_field
    )
    outcome = _decide(parsed, findings, strict=False)
    keep = outcome.keep
    ts = parsed.ts[keep]
    values = {f: parsed.values[f][keep] for f in ("price", "size", "side")}
    values |= {"ts_event": ts, "ts_init": ts}
    ids = [str(i) for i in _trade_ids(parsed)[keep].tolist()]
    return Columns("trades", values, _report(parsed, outcome, len(ts)), trade_ids=ids)


def load_columns(
    path: str | Path,
    instrument: Instrument,
    data_type: DataType,
    *,
    columns: ColumnMap | None = None,
    policy: Policy | str = Policy.REJECT,
    bar_interval_ns: int | None = None,
    timestamp_is: TimestampIs = "open",
    price_type: PriceType = PriceType.LAST,
) -> Columns:
    """Read, check and convert one file to int columns; see the module docstring.

    ``bar_interval_ns``, ``timestamp_is`` and ``price_type`` apply to bars only.
    Raises ``DataError`` (nothing loaded) when the policy rejects the file.
    """
    if data_type not in FIELDS:
        raise InvalidInputError(
            "data_type", data_type, "is not a data type", f"use one of {list(FIELDS)}"
        )
    if timestamp_is not in ("open", "close"):
        raise InvalidInputError(
            "timestamp_is", timestamp_is, "is neither 'open' nor 'close'", "pass 'open' or 'close'"
        )
    if bar_interval_ns is not None and (type(bar_interval_ns) is not int or bar_interval_ns <= 0):
        raise InvalidInputError(
            "bar_interval_ns", bar_interval_ns, "must be a positive int", "pass e.g. 60_000_000_000"
        )
    parsed = _prepare(path, instrument, data_type, columns, policy)
    if data_type == "bars":
        return _bars(parsed, instrument, bar_interval_ns, timestamp_is, price_type)
    if data_type == "quotes":
        return _quotes(parsed, instrument)
    return _trades(parsed)
