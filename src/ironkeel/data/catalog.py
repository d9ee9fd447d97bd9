"""A Parquet data catalog: exact ints on disk, one file per instrument, data type and day.

Layout under ``root``::

    instruments.json                               every instrument's definition
    <data type>/<instrument id>/date=YYYY-MM-DD/part-0.parquet

``<data type>`` is ``quotes``, ``trades`` or ``bars-<interval>-<price type>``
(``bars-1m-last``, ``bars-1500ms-bid``: the interval in the largest unit that
divides it exactly); ``<instrument id>`` is ``SYMBOL.VENUE`` with ``/`` and
other unsafe characters %-escaped. The date is the UTC day of ``ts_event``
(a bar's close time). Columns are int64 ``ts_event``, ``ts_init`` and the
fields in ticks and lots (trades: ``side`` int8 +1 buyer, -1 seller, 0 none, and
``trade_id`` string); each file's metadata names the instrument and grid.

Writing replaces every day it touches: a re-import of a day is idempotent,
and each day's file is written to a temporary file then renamed over the old
one, so a reader sees the old day or the new day, never half of one. Data of a
day that is not in the new items is kept. Queries use ``pyarrow.dataset`` with
partition pruning on the date and a filter ``start_ns <= ts_event < end_ns``.
"""

from __future__ import annotations

import os
import re
import tempfile
import urllib.parse
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Final, Literal

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from numpy.typing import NDArray

from ironkeel.data.columns import ColumnMap, DataType
from ironkeel.data.convert import (
    Items,
    bars_from_columns,
    item_columns,
    quotes_from_columns,
    trades_from_columns,
)
from ironkeel.data.ingest import Columns, TimestampIs, load_columns
from ironkeel.data.instruments import InstrumentSpec
from ironkeel.data.report import DataReport
from ironkeel.data.validate import Policy
from ironkeel.model.data import Bar, BarType, PriceType, QuoteTick, TradeTick
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import InstrumentId
from ironkeel.model.instruments import Instrument

__all__ = ["Catalog", "import_file"]

DAY_NS: Final = 86_400 * 10**9
INSTRUMENTS_FILE: Final = "instruments.json"
PART: Final = "part-0.parquet"
_UNITS: Final = (
    ("d", DAY_NS),
    ("h", 3_600 * 10**9),
    ("m", 60 * 10**9),
    ("s", 10**9),
    ("ms", 10**6),
    ("us", 10**3),
    ("ns", 1),
)
_BAR_DIR = re.compile(r"^bars-(\d+)(d|h|m|s|ms|us|ns)-(\w+)$")
_INT: Final = pa.int64()
SCHEMAS: Final = {
    "bars": pa.schema(
        [(n, _INT) for n in ("ts_event", "ts_init", "open", "high", "low", "close", "volume")]
    ),
    "quotes": pa.schema(
        [(n, _INT) for n in ("ts_event", "ts_init", "bid", "ask", "bid_size", "ask_size")]
    ),
    "trades": pa.schema(
        [
            *((n, _INT) for n in ("ts_event", "ts_init", "price", "size")),
            ("side", pa.int8()),
            ("trade_id", pa.string()),
        ]
    ),
}
Query = Literal["bars", "quotes", "trades"] | BarType


def bar_dir(bar_type: BarType) -> str:
    """``bars-1m-last`` for one-minute last-price bars."""
    unit, size = next((u, s) for u, s in _UNITS if bar_type.interval_ns % s == 0)
    return f"bars-{bar_type.interval_ns // size}{unit}-{bar_type.price_type.value}"


def _bar_type_of(name: str, instrument_id: InstrumentId) -> BarType | None:
    match = _BAR_DIR.match(name)
    if match is None:
        return None
    size = dict(_UNITS)[match.group(2)]
    return BarType(instrument_id, int(match.group(1)) * size, PriceType(match.group(3)))


def _id_dir(instrument_id: InstrumentId) -> str:
    return urllib.parse.quote(str(instrument_id), safe="")


def _atomic_write(target: Path, write: Callable[[str], object]) -> None:
    """Call ``write`` on a temporary file in the target's directory, then rename it over
    the target: readers see the old file or the new one, never a partial one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    try:
        write(temp)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _as_id(instrument_id: InstrumentId | str) -> InstrumentId:
    if isinstance(instrument_id, InstrumentId):
        return instrument_id
    return InstrumentId.parse(instrument_id)


def _write_parquet(table: pa.Table, path: str) -> None:
    pq.write_table(table, path)


class Catalog:
    """Market data stored exactly as Parquet under ``root``; see the module docstring."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    # --- instruments --------------------------------------------------------------------

    def _specs(self) -> dict[str, InstrumentSpec]:
        path = self.root / INSTRUMENTS_FILE
        if not path.exists():
            return {}
        return msgspec.json.decode(path.read_bytes(), type=dict[str, InstrumentSpec])

    def instruments(self) -> list[Instrument]:
        """Every instrument the catalog holds data for, sorted by id."""
        return [spec.to_instrument() for _, spec in sorted(self._specs().items())]

    def instrument(self, instrument_id: InstrumentId | str) -> Instrument:
        key = str(instrument_id)
        specs = self._specs()
        if key not in specs:
            raise InvalidInputError(
                "instrument_id", key, "is not in the catalog", f"known: {sorted(specs)}"
            )
        return specs[key].to_instrument()

    def add_instrument(self, instrument: Instrument) -> None:
        """Record ``instrument``; a different definition under the same id is an error."""
        specs = self._specs()
        key = str(instrument.id)
        spec = InstrumentSpec.of(instrument)
        if key in specs:
            if specs[key].to_instrument() != instrument:
                raise InvalidInputError(
                    "instrument",
                    key,
                    "is already in the catalog with a different definition; its data would "
                    "decode differently",
                    "use the catalog's definition (catalog.instrument(id)) or a new catalog",
                )
            return
        specs[key] = spec
        ordered = dict(sorted(specs.items()))
        content = msgspec.json.format(msgspec.json.encode(ordered))
        _atomic_write(self.root / INSTRUMENTS_FILE, lambda temp: Path(temp).write_bytes(content))

    # --- writing ------------------------------------------------------------------------

    def write(self, instrument: Instrument, items: Items) -> list[Path]:
        """Store ``items`` (all bars of one type, or quotes, or trades, of ``instrument``)."""
        if not items:
            return []
        ids = {item.instrument_id for item in items}
        if ids != {instrument.id}:
            raise InvalidInputError(
                "items",
                sorted(map(str, ids)),
                f"are not all of {instrument.id}",
                "write one instrument at a time",
            )
        data = item_columns(items)
        return self._write(instrument, data.data_type, data.values, data.trade_ids, data.bar_type)

    def write_columns(self, instrument: Instrument, data: Columns) -> list[Path]:
        """Store validated columns from ``load_columns`` (no model objects needed)."""
        return self._write(instrument, data.data_type, data.values, data.trade_ids, data.bar_type)

    def _write(
        self,
        instrument: Instrument,
        data_type: DataType,
        values: dict[str, NDArray[np.int64]],
        trade_ids: list[str] | None,
        bar_type: BarType | None,
    ) -> list[Path]:
        ts = values["ts_event"]
        if not len(ts):
            return []
        if (np.diff(ts) < 0).any():
            raise InvalidInputError(
                "items", "", "are not in ts_event order", "sort them by ts_event"
            )
        self.add_instrument(instrument)
        schema = SCHEMAS[data_type].with_metadata(self._metadata(instrument, data_type, bar_type))
        columns = dict(values)
        if trade_ids is not None:
            columns["trade_id"] = np.asarray(trade_ids, dtype=object)
        table = pa.table({f.name: pa.array(columns[f.name], f.type) for f in schema}, schema=schema)
        days = ts // DAY_NS
        bounds = np.flatnonzero(np.diff(days)) + 1
        starts, ends = np.concatenate(([0], bounds)), np.concatenate((bounds, [len(ts)]))
        written = []
        folder = self.root / self._type_dir(data_type, bar_type) / _id_dir(instrument.id)
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            day = np.datetime_as_string(np.datetime64(int(days[start]), "D"))
            target = folder / f"date={day}" / PART
            _atomic_write(target, partial(_write_parquet, table.slice(start, end - start)))
            written.append(target)
        return written

    @staticmethod
    def _type_dir(data_type: DataType, bar_type: BarType | None) -> str:
        if data_type == "bars":
            if bar_type is None:
                raise InvalidInputError(
                    "bar_type", None, "is missing for bars", "pass the bars' BarType"
                )
            return bar_dir(bar_type)
        return data_type

    @staticmethod
    def _metadata(
        instrument: Instrument, data_type: str, bar_type: BarType | None
    ) -> dict[str, str]:
        meta = {
            "ironkeel.instrument_id": str(instrument.id),
            "ironkeel.data_type": data_type,
            "ironkeel.price_increment": str(instrument.price_increment),
            "ironkeel.size_increment": str(instrument.size_increment),
        }
        if bar_type is not None:
            meta["ironkeel.interval_ns"] = str(bar_type.interval_ns)
            meta["ironkeel.price_type"] = bar_type.price_type.value
        return meta

    # --- reading ------------------------------------------------------------------------

    def data_types(self, instrument_id: InstrumentId | str) -> list[str]:
        """The data type folders that hold data of ``instrument_id``."""
        iid = _as_id(instrument_id)
        name = _id_dir(iid)
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / name).is_dir())

    def _resolve(self, iid: InstrumentId, data_type: Query) -> tuple[str, BarType | None]:
        if isinstance(data_type, BarType):
            return bar_dir(data_type), data_type
        if data_type in ("quotes", "trades"):
            return data_type, None
        if data_type != "bars":
            raise InvalidInputError(
                "data_type",
                data_type,
                "is not a data type",
                "use 'bars', 'quotes', 'trades' or a BarType",
            )
        bar_types = [
            t for t in (_bar_type_of(n, iid) for n in self.data_types(iid)) if t is not None
        ]
        if len(bar_types) != 1:
            raise InvalidInputError(
                "data_type",
                "bars",
                f"is ambiguous or absent for {iid}: {[bar_dir(t) for t in bar_types]}",
                "pass the BarType to query",
            )
        return bar_dir(bar_types[0]), bar_types[0]

    def query_table(
        self,
        instrument_id: InstrumentId | str,
        data_type: Query,
        start_ns: int | None = None,
        end_ns: int | None = None,
    ) -> pa.Table:
        """The stored int columns with ``start_ns <= ts_event < end_ns``, in time order."""
        iid = _as_id(instrument_id)
        folder_name, bar_type = self._resolve(iid, data_type)
        kind = "bars" if bar_type is not None else folder_name
        folder = self.root / folder_name / _id_dir(iid)
        schema = SCHEMAS[kind]
        if not folder.is_dir():
            return schema.empty_table()
        dates = ds.partitioning(pa.schema([("date", pa.string())]), flavor="hive")
        dataset = ds.dataset(
            folder, format="parquet", partitioning=dates, exclude_invalid_files=False
        )
        condition = None
        if start_ns is not None:
            day = np.datetime_as_string(np.datetime64(start_ns // DAY_NS, "D"))
            condition = (ds.field("date") >= day) & (ds.field("ts_event") >= start_ns)
        if end_ns is not None:
            day = np.datetime_as_string(np.datetime64((end_ns - 1) // DAY_NS, "D"))
            upper = (ds.field("date") <= day) & (ds.field("ts_event") < end_ns)
            condition = upper if condition is None else condition & upper
        table = dataset.to_table(columns=schema.names, filter=condition)
        return table.sort_by([("ts_event", "ascending")])

    def query(
        self,
        instrument_id: InstrumentId | str,
        data_type: Query,
        start_ns: int | None = None,
        end_ns: int | None = None,
    ) -> list[Bar] | list[QuoteTick] | list[TradeTick]:
        """The stored items with ``start_ns <= ts_event < end_ns``, in time order."""
        iid = _as_id(instrument_id)
        _, bar_type = self._resolve(iid, data_type)
        table = self.query_table(iid, data_type, start_ns, end_ns)
        values = {
            n: table.column(n).to_numpy().astype(np.int64)
            for n in table.column_names
            if n != "trade_id"
        }
        if bar_type is not None:
            return bars_from_columns(bar_type, values)
        if "bid" in values:
            return quotes_from_columns(iid, values)
        return trades_from_columns(iid, values, table.column("trade_id").to_pylist())


def import_file(
    path: str | Path,
    catalog: Catalog,
    instrument: Instrument,
    *,
    data_type: DataType = "bars",
    columns: ColumnMap | None = None,
    policy: Policy | str = Policy.REJECT,
    bar_interval_ns: int | None = None,
    timestamp_is: TimestampIs = "open",
    price_type: PriceType = PriceType.LAST,
) -> DataReport:
    """Load, check and store one file (what ``ironkeel data import`` runs).

    Raises ``DataError`` (nothing written) if the policy rejects the file; the
    returned report's notes say which date partitions were written.
    """
    data = load_columns(
        path,
        instrument,
        data_type,
        columns=columns,
        policy=policy,
        bar_interval_ns=bar_interval_ns,
        timestamp_is=timestamp_is,
        price_type=price_type,
    )
    written = catalog.write_columns(instrument, data)
    days = sorted(p.parent.name.removeprefix("date=") for p in written)
    where = f"{days[0]}..{days[-1]}" if days else "nothing"
    note = f"catalog: wrote {len(data)} rows to {len(written)} day file(s) ({where})"
    return msgspec.structs.replace(data.report, notes=(*data.report.notes, note))
