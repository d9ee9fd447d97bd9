"""Column mapping: auto-detected names, explicit names or positions, headerless files."""

from __future__ import annotations

import gzip
from decimal import Decimal

import msgspec
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ironkeel.data import ColumnMap, DataError, load_bars
from ironkeel.data.columns import normalise
from ironkeel.model import InvalidInputError

ROWS = ["2024-01-02 00:00,10,11,9,10.5,1.5", "2024-01-02 00:01,10.5,12,10,11,2"]
EXPECTED = [(20, 22, 18, 21, 150), (21, 24, 20, 22, 200)]


def ohlcv(result):
    return [(b.open, b.high, b.low, b.close, b.volume) for b in result.items]


@pytest.mark.parametrize(
    "header",
    [
        "timestamp,open,high,low,close,volume",
        "Date,Open,High,Low,Close,Volume",
        "DATETIME,OPEN,HIGH,LOW,CLOSE,VOL",
        "Time (UTC),o,h,l,c,v",
        "timestamp_utc,open_price,high_price,low_price,close_price,base_volume",
        ",open,high,low,close,volume",  # pandas' unnamed date index
    ],
)
def test_when_columns_have_common_names_then_they_are_found(write_csv, inst, header):
    result = load_bars(write_csv("\n".join([header, *ROWS])), inst)
    assert ohlcv(result) == EXPECTED


def test_when_names_are_odd_then_an_explicit_mapping_wins(write_csv, inst):
    path = write_csv("\n".join(["when,first,top,bottom,last,close,qty", *(r + ",0" for r in ROWS)]))
    columns = ColumnMap(
        timestamp="WHEN", open="first", high="top", low="bottom", close="last", volume=5
    )
    result = load_bars(path, inst, columns=columns)
    assert ohlcv(result) == EXPECTED
    assert "columns: timestamp='when', open='first'" in result.report.notes[1]


def test_when_a_mapped_column_is_absent_then_the_closest_is_suggested(write_csv, inst):
    path = write_csv("\n".join(["timestamp,open,high,low,close,volume", *ROWS]))
    with pytest.raises(DataError, match="is not a column of the file; did you mean 'close'"):
        load_bars(path, inst, columns=ColumnMap(close="clsoe"))
    with pytest.raises(DataError, match="position 9 is outside the file's 6 columns"):
        load_bars(path, inst, columns=ColumnMap(volume=9))


def test_when_two_columns_could_be_one_field_then_it_is_an_error(write_csv, inst):
    path = write_csv("\n".join(["timestamp,Open,open,high,low,close", "2024-01-02,1,1,1,1,1"]))
    with pytest.raises(DataError, match=r"several columns could be open: \['Open', 'open'\]"):
        load_bars(path, inst)


def test_when_headerless_then_positions_or_names_map_the_columns(write_csv, inst):
    path = write_csv("\n".join(ROWS))
    by_position = ColumnMap(timestamp=0, open=1, high=2, low=3, close=4, volume=5)
    assert ohlcv(load_bars(path, inst, columns=by_position)) == EXPECTED
    by_name = ColumnMap(names=("t", "open", "high", "low", "close", "volume"), timestamp="t")
    assert ohlcv(load_bars(path, inst, columns=by_name)) == EXPECTED
    with pytest.raises(DataError, match="no column for timestamp"):
        load_bars(path, inst)


def test_when_the_delimiter_is_a_semicolon_then_it_can_be_set(write_csv, inst):
    path = write_csv(
        "\n".join(["timestamp;open;high;low;close;volume", *(r.replace(",", ";") for r in ROWS)])
    )
    assert ohlcv(load_bars(path, inst, columns=ColumnMap(delimiter=";"))) == EXPECTED


def test_when_the_csv_is_gzipped_then_it_is_read(tmp_path, inst):
    path = tmp_path / "bars.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(["timestamp,open,high,low,close,volume", *ROWS]) + "\n")
    assert ohlcv(load_bars(path, inst)) == EXPECTED


def test_when_parquet_has_a_date_index_then_it_is_the_timestamp(tmp_path, inst):
    frame = pd.DataFrame(
        {
            "Open": [10.0, 10.5],
            "High": [11.0, 12.0],
            "Low": [9.0, 10.0],
            "Close": [10.5, 11.0],
            "Volume": [1.5, 2.0],
        },
        index=pd.DatetimeIndex(["2024-01-02 00:00", "2024-01-02 00:01"], name="Date"),
    )
    named = tmp_path / "named.parquet"
    frame.to_parquet(named)
    assert ohlcv(load_bars(named, inst)) == EXPECTED
    unnamed = tmp_path / "unnamed.parquet"
    frame.rename_axis(None).to_parquet(unnamed)
    assert ohlcv(load_bars(unnamed, inst)) == EXPECTED


def test_when_parquet_prices_are_strings_or_decimals_then_they_are_exact(tmp_path, inst):
    table = pa.table(
        {
            "timestamp": pa.array([1_704_153_600_000, 1_704_153_660_000]),
            "open": pa.array(["10", "10.5"]),
            "high": pa.array([Decimal("11"), Decimal("12")], pa.decimal128(10, 2)),
            "low": pa.array([9, 10]),
            "close": pa.array([10.5, 11.0]),
            "volume": pa.array([Decimal("1.5"), Decimal("2")], pa.decimal128(10, 4)),
        }
    )
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)
    assert ohlcv(load_bars(path, inst)) == EXPECTED


def test_when_a_column_map_has_an_unknown_key_then_decoding_it_fails():
    with pytest.raises(msgspec.ValidationError, match="unknown field `clsoe`"):
        msgspec.convert({"clsoe": "last"}, ColumnMap)
    with pytest.raises(InvalidInputError, match="is not a known time zone"):
        ColumnMap(tz="Mars/Olympus")


def test_normalise():
    assert normalise(" Time (UTC) ") == "time_utc"
    assert normalise("__index_level_0__") == "index_level_0"
