"""Read a CSV (plain or gzip) or Parquet file into an Arrow table of raw columns.

CSV columns are all read as strings, so no value ever passes through float;
Parquet columns keep their stored types. The format is Parquet if the file
starts with the Parquet magic bytes, else CSV; a ``.gz`` (or gzip magic) CSV is
decompressed on the fly.

Row numbers (``RawTable.rows``): for CSV the 1-based line number of each row in
the file, counting the header (lines the parser could not split into the right
number of fields are reported and skipped, and the numbering accounts for
them; a quoted field spanning lines is not supported); for Parquet the 0-based
row index. Trailing lines that are entirely empty are ignored, with a note.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path
from typing import Final, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from numpy.typing import NDArray

from ironkeel.data.columns import BINANCE_KLINE_NAMES, ColumnMap, looks_like_data
from ironkeel.data.report import Problem

__all__ = ["RawTable", "read_table"]

_PARQUET_MAGIC: Final = b"PAR1"
_GZIP_MAGIC: Final = b"\x1f\x8b"
_KLINE_COLUMNS: Final = len(BINANCE_KLINE_NAMES)


class RawTable(NamedTuple):
    """A file's raw columns, the file's row number of each table row, and what was found."""

    file: str
    table: pa.Table
    rows: NDArray[np.int64]
    columns: ColumnMap
    problems: list[Problem]
    notes: list[str]


class ReadError(Exception):
    """The file cannot be read at all; the message says why (turned into a DataError)."""

    def __init__(self, message: str, fix: str) -> None:
        self.message = message
        self.fix = fix
        super().__init__(message)


def read_table(path: Path, columns: ColumnMap) -> RawTable:
    """Read ``path``; raise ``ReadError`` if it is missing, empty or not CSV/Parquet."""
    if not path.is_file():
        raise ReadError("the file does not exist", "check the path")
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == _PARQUET_MAGIC:
        return _read_parquet(path, columns)
    return _read_csv(path, columns, gzipped=magic.startswith(_GZIP_MAGIC))


def _read_parquet(path: Path, columns: ColumnMap) -> RawTable:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise ReadError(f"is not a readable Parquet file ({exc})", "re-export the file") from None
    rows = np.arange(table.num_rows, dtype=np.int64)
    return RawTable(str(path), table, rows, columns, [], ["Parquet; rows are 0-based indices"])


def _first_line(path: Path, gzipped: bool) -> str:
    opener = gzip.open if gzipped else open
    try:
        with opener(path, "rb") as handle:
            line = handle.readline()
    except (OSError, EOFError) as exc:
        raise ReadError(f"cannot be read ({exc})", "check the file is intact") from None
    try:
        return line.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise ReadError("is not UTF-8 text", "save it as UTF-8 CSV or Parquet") from None


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader(io.StringIO(line), delimiter=delimiter), [])


def _column_names(
    path: Path, gzipped: bool, columns: ColumnMap, notes: list[str]
) -> tuple[list[str], bool, ColumnMap]:
    """The column names, whether the first line is a header, and the (preset) mapping."""
    first = _first_line(path, gzipped)
    if not first.strip():
        raise ReadError("is empty (or its first line is blank)", "remove leading blank lines")
    fields = _split(first, columns.delimiter)
    header = columns.header if columns.header is not None else not looks_like_data(fields)
    if header:
        names = [f.strip() for f in fields]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ReadError(
                f"has duplicate column names {duplicated}", "rename the columns in the header"
            )
        return names, True, columns
    if columns.names is not None:
        if len(columns.names) != len(fields):
            raise ReadError(
                f"has {len(fields)} columns but ColumnMap.names gives {len(columns.names)}",
                "give one name per column",
            )
        notes.append("no header line; columns named by ColumnMap.names")
        return list(columns.names), False, columns
    if len(fields) == _KLINE_COLUMNS and _is_kline(fields):
        notes.append("no header line; detected a Binance kline export (ColumnMap.binance_kline())")
        preset = ColumnMap.binance_kline()
        merged = {f: getattr(columns, f) for f in columns.__struct_fields__}
        merged.update(names=preset.names, header=False, timestamp=columns.timestamp or "open_time")
        return list(BINANCE_KLINE_NAMES), False, ColumnMap(**merged)
    positional = [str(i) for i in range(len(fields))]
    notes.append("no header line; columns are named by position '0', '1', ...")
    return positional, False, columns


def _is_kline(fields: list[str]) -> bool:
    """Columns 0 and 6 are a kline's open and close time in ms: close = open + k*1000 - 1."""
    try:
        open_ms, close_ms = int(fields[0]), int(fields[6])
    except ValueError:
        return False
    return close_ms > open_ms and (close_ms + 1 - open_ms) % 1000 == 0


def _read_csv(path: Path, columns: ColumnMap, *, gzipped: bool) -> RawTable:
    notes: list[str] = ["CSV" + (" (gzip)" if gzipped else "") + "; rows are file line numbers"]
    names, header, columns = _column_names(path, gzipped, columns, notes)
    table, invalid = _parse_csv(path, names, header, columns.delimiter, gzipped, threads=True)
    if invalid:  # line numbers of bad lines are known only to a single-threaded parse
        table, invalid = _parse_csv(path, names, header, columns.delimiter, gzipped, threads=False)
    first_line = 2 if header else 1
    skipped = sorted(number for number, _, _ in invalid)
    everything = np.arange(first_line, first_line + table.num_rows + len(skipped), dtype=np.int64)
    rows = np.setdiff1d(everything, np.asarray(skipped, np.int64)) if skipped else everything
    problems = [
        Problem(
            file=str(path),
            row=number,
            column="",
            value=text[:80],
            message=f"has {count} fields where the file has {len(names)} columns",
            fix="fix the line's delimiters or quoting, or remove the line",
        )
        for number, text, count in sorted(invalid)
    ]
    table, rows = _trim_blank_tail(table, rows, notes)
    return RawTable(str(path), table, rows, columns, problems, notes)


def _parse_csv(
    path: Path, names: list[str], header: bool, delimiter: str, gzipped: bool, *, threads: bool
) -> tuple[pa.Table, list[tuple[int, str, int]]]:
    """All columns as strings; lines with the wrong number of fields are skipped and
    returned as (line number, text, field count)."""
    invalid: list[tuple[int, str, int]] = []

    def on_invalid(row: pa_csv.InvalidRow) -> str:
        invalid.append((row.number or 0, row.text, row.actual_columns))
        return "skip"

    try:
        table = pa_csv.read_csv(
            pa.input_stream(str(path), compression="gzip" if gzipped else None),
            read_options=pa_csv.ReadOptions(
                column_names=names, skip_rows=1 if header else 0, use_threads=threads
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, ignore_empty_lines=False, invalid_row_handler=on_invalid
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
            ),
        )
    except (pa.ArrowException, OSError, EOFError) as exc:
        raise ReadError(f"is not a readable CSV file ({exc})", "check the file's format") from None
    return table, invalid


def _trim_blank_tail(
    table: pa.Table, rows: NDArray[np.int64], notes: list[str]
) -> tuple[pa.Table, NDArray[np.int64]]:
    """Drop trailing rows in which every field is empty (blank lines at the end of a file)."""
    end = table.num_rows
    while end > 0 and all(table.column(c)[end - 1].as_py() == "" for c in range(table.num_columns)):
        end -= 1
    if end < table.num_rows:
        notes.append(f"ignored {table.num_rows - end} blank line(s) at the end of the file")
        return table.slice(0, end), rows[:end]
    return table, rows
