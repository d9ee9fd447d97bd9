"""Each validation rule, under each policy, on tiny CSVs (tick 0.5, lot 0.01).

Row numbers are file line numbers: the header is line 1, the first bar line 2.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ironkeel.data import Action, DataError, Policy, load_bars, load_quotes, load_trades
from ironkeel.model import InvalidInputError

HEADER = "timestamp,open,high,low,close,volume"
GOOD = "2024-01-01 00:00,10,11,9,10.5,1"


def bars_csv(write_csv, *lines: str, header: str = HEADER):
    return write_csv("\n".join([header, GOOD, *lines]))


def rejected(path, inst, **kw) -> str:
    with pytest.raises(DataError) as caught:
        load_bars(path, inst, **kw)
    return str(caught.value)


@pytest.mark.parametrize(
    ("line", "where", "message"),
    [
        ("2024-01-01 00:01,,11,9,10,1", ":3:open", "is empty"),
        ("2024-01-01 00:01,10,11,9,NaN,1", ":3:close value='NaN'", "is NaN"),
        ("2024-01-01 00:01,10,11,9,ten,1", ":3:close value='ten'", "is not a number"),
        ("2024-01-01 00:01,0,11,0,10,1", ":3:open value='0'", "is not positive"),
        ("2024-01-01 00:01,10,9,11,10,1", ":3:high value='9'", "is below the low 11"),
        ("2024-01-01 00:01,10.25,11,9,10,1", ":3:open value='10.25'", "(nearest: 10.0 or 10.5)"),
        ("2024-01-01 00:01,10,11,9,10,-1", ":3:volume value='-1'", "is negative"),
        ("2024-01-01 00:01,12,11,9,10,1", ":3:high value='11'", "is below the open 12"),
        ("2024-01-01 00:01,10,11,9,8,1", ":3:low value='9'", "is above the close 8"),
        ("2024-01-01 00:01,10,11,9,10,1.005", ":3:volume value='1.005'", "size increment 0.01"),
        ("yesterday,10,11,9,10,1", ":3:timestamp value='yesterday'", "is not a timestamp"),
        ("2023-12-31 23:59,10,11,9,10,1", ":3:timestamp", "is before the timestamp of row 2"),
        ("2024-01-01 00:00,10,11,9,10,1", ":3:timestamp", "has the same timestamp as row 2"),
    ],
)
def test_when_a_row_is_bad_then_reject_names_file_row_column_and_value(
    write_csv, inst, line, where, message
):
    path = bars_csv(write_csv, line)
    text = rejected(path, inst)
    assert f"{path}{where}" in text
    assert message in text
    assert "nothing was loaded (policy=reject)" in text
    assert "Fix:" in text


def test_when_rows_are_bad_then_drop_removes_exactly_them_and_reports_each(write_csv, inst):
    path = bars_csv(
        write_csv,
        "2024-01-01 00:01,,11,9,10,1",
        "2024-01-01 00:02,10,11,9,10,1",
        "2024-01-01 00:03,10,9,11,10,1",
        "2024-01-01 00:04,10,11,9,10,1",
    )
    result = load_bars(path, inst, policy="drop")
    assert [b.ts_event // 60_000_000_000 % 60 for b in result.items] == [1, 3, 5]
    assert [(p.row, p.column, p.action) for p in result.report.problems] == [
        (3, "open", Action.DROPPED),
        (5, "high", Action.DROPPED),
    ]
    assert result.report.rows_dropped == 2
    assert result.report.rows_read == 5


def test_when_a_row_jumps_ahead_then_drop_removes_the_later_rows_it_overtakes(write_csv, inst):
    minutes = [0, 1, 50, 3, 4, 51]
    lines = [f"2024-01-01 00:{m:02d},10,11,9,10,1" for m in minutes]
    result = load_bars(
        write_csv("\n".join([HEADER, *lines])), inst, policy="drop", bar_interval_ns=60_000_000_000
    )
    assert [b.ts_event // 60_000_000_000 % 60 - 1 for b in result.items] == [0, 1, 50, 51]
    assert [p.row for p in result.report.problems] == [5, 6]
    assert "is before the timestamp of row 4" in result.report.problems[0].message


def test_when_bars_are_obviously_fixable_then_repair_fixes_and_reports_each(write_csv, inst):
    path = bars_csv(
        write_csv,
        "2024-01-01 00:01,12,11,9,8,1.005",
        "2024-01-01 00:01,12,11,9,8,1.005",
        "2024-01-01 00:02,10,11,9,10,1",
    )
    result = load_bars(path, inst, policy=Policy.REPAIR)
    assert len(result.items) == 3
    bar = result.items[1]
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume) == (24, 24, 16, 16, 100)
    changes = [(p.row, p.column, p.value, p.new_value) for p in result.report.problems]
    assert changes == [
        (3, "high", "11", "12.0"),
        (3, "low", "9", "8.0"),
        (3, "volume", "1.005", "1.00"),
        (4, "timestamp", "2024-01-01 00:01", "(row removed)"),
    ]
    assert all(p.action is Action.REPAIRED for p in result.report.problems)
    assert "4 problems, 0 rows dropped, 4 values repaired" in result.report.summary()


@pytest.mark.parametrize(
    "line",
    [
        "2024-01-01 00:01,10.25,11,9,10,1",  # off grid: which way to round is not obvious
        "2023-12-31 23:59,10,11,9,10,1",  # out of order: sorting is not obvious
        "2024-01-01 00:00,10,12,9,10,1",  # same time, other values: which one is right?
        "2024-01-01 00:01,10,9,11,10,1",  # high < low
        "2024-01-01 00:01,10,11,9,10,-1",  # negative volume
    ],
)
def test_when_a_problem_is_not_obvious_then_repair_still_rejects(write_csv, inst, line):
    path = bars_csv(write_csv, line, "2024-01-01 00:02,12,11,9,10,1")
    text = rejected(path, inst, policy="repair")
    assert "policy='repair' cannot fix the problems listed first" in text
    assert text.index(":3:") < text.index(":4:high")  # the unrepairable row comes first


def test_when_a_line_has_the_wrong_field_count_then_later_rows_keep_their_line_numbers(
    write_csv, inst
):
    path = bars_csv(write_csv, "2024-01-01 00:01,10,11", "2024-01-01 00:02,10,11,9,10.25,1")
    text = rejected(path, inst)
    where = f"{path}:3 value='2024-01-01 00:01,10,11'"
    assert f"{where}: has 3 fields where the file has 6 columns" in text
    assert f"{path}:4:close value='10.25'" in text
    assert len(load_bars(path, inst, policy="drop", bar_interval_ns=60_000_000_000).items) == 1


def test_when_a_line_is_blank_then_it_is_an_empty_row_but_trailing_blanks_are_ignored(
    write_csv, inst, tmp_path
):
    path = tmp_path / "blank.csv"
    path.write_text(f"{HEADER}\n{GOOD}\n\n2024-01-01 00:02,10,11,9,10,1\n\n\n", encoding="utf-8")
    assert f"{path}:3:timestamp" in rejected(path, inst)
    result = load_bars(path, inst, policy="drop")
    assert len(result.items) == 2
    assert "ignored 2 blank line(s) at the end of the file" in result.report.notes


def test_when_there_are_many_problems_then_the_message_lists_20_and_counts_the_rest(
    write_csv, inst
):
    lines = [f"2024-01-01 00:{m:02d},10.25,11,9,10,1" for m in range(1, 31)]
    path = bars_csv(write_csv, *lines)
    with pytest.raises(DataError) as caught:
        load_bars(path, inst)
    text = str(caught.value)
    assert text.count(f"\n  {path}:") == 20
    assert "... and 10 more" in text
    assert len(caught.value.report.problems) == 30
    assert caught.value.report.rows_loaded == 0


def test_when_asked_then_the_report_is_written_as_csv_or_json(write_csv, inst, tmp_path):
    path = bars_csv(write_csv, "2024-01-01 00:01,12,11,9,10,1")
    report = load_bars(path, inst, policy="repair").report
    rows = report.write(tmp_path / "report.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "file,row,column,value,message,fix,action,new"
    assert rows[1].startswith(f"{path},3,high,11,is below the open 12.0,")
    assert rows[1].endswith(",repaired,12.0")
    document = json.loads(report.write(tmp_path / "report.json").read_text(encoding="utf-8"))
    assert document["problems"][0]["new_value"] == "12.0"
    assert document["rows_loaded"] == 2


def test_when_the_file_is_missing_or_not_data_then_the_error_says_so(tmp_path, inst):
    assert "the file does not exist" in rejected(tmp_path / "nope.csv", inst)
    fake = tmp_path / "fake.parquet"
    fake.write_bytes(b"PAR1 not really")
    assert "is not a readable Parquet file" in rejected(fake, inst)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert "is empty" in rejected(empty, inst)


def test_when_a_column_is_missing_then_the_error_lists_the_columns(write_csv, inst):
    path = write_csv("time,open,high,low,volume\n2024-01-01,1,1,1,1")
    text = rejected(path, inst)
    assert f"{path}:close: no column for close" in text
    assert "ColumnMap(close=...)" in text
    assert "['time', 'open', 'high', 'low', 'volume']" in text


def test_when_the_policy_is_misspelled_then_the_closest_is_suggested(write_csv, inst):
    with pytest.raises(InvalidInputError, match="did you mean 'repair'"):
        load_bars(bars_csv(write_csv), inst, policy="repiar")


QUOTES = "timestamp,bid,ask,bid_size,ask_size"


@pytest.mark.parametrize(
    ("line", "where", "message"),
    [
        ("2024-01-01 00:00:01,11,10.5,1,1", ":3:bid value='11'", "is above the ask 10.5 (crossed)"),
        ("2024-01-01 00:00:01,10,10.5,-1,1", ":3:bid_size value='-1'", "is negative"),
        ("2024-01-01 00:00:01,-10,10.5,1,1", ":3:bid value='-10'", "is not positive"),
        ("2023-01-01 00:00:01,10,10.5,1,1", ":3:timestamp", "is before the timestamp of row 2"),
    ],
)
def test_when_a_quote_is_bad_then_it_is_reported(write_csv, inst, line, where, message):
    path = write_csv(f"{QUOTES}\n2024-01-01 00:00:00,10,10.5,1,1\n{line}")
    with pytest.raises(DataError) as caught:
        load_quotes(path, inst)
    assert f"{path}{where}" in str(caught.value)
    assert message in str(caught.value)


def test_when_quotes_share_a_timestamp_then_that_is_fine(write_csv, inst):
    path = write_csv(f"{QUOTES}\n2024-01-01 00:00:00,10,10.5,1,1\n2024-01-01 00:00:00,10,11,1,1")
    assert len(load_quotes(path, inst).items) == 2


TRADES = "timestamp,price,size,side,trade_id"


@pytest.mark.parametrize(
    ("line", "where", "message"),
    [
        ("2024-01-01 00:00:01,10,0,buy,2", ":3:size value='0'", "is zero"),
        ("2024-01-01 00:00:01,10,1,hold,2", ":3:side value='hold'", "is not one of buy/sell/b/s"),
        (
            "2024-01-01 00:00:01,10,1,buy,1",
            ":3:trade_id value='1'",
            "repeats the trade id of row 2",
        ),
        ("2024-01-01 00:00:01,10,1,buy,", ":3:trade_id", "is empty"),
    ],
)
def test_when_a_trade_is_bad_then_it_is_reported(write_csv, inst, line, where, message):
    path = write_csv(f"{TRADES}\n2024-01-01 00:00:00,10,1,sell,1\n{line}")
    with pytest.raises(DataError) as caught:
        load_trades(path, inst)
    assert f"{path}{where}" in str(caught.value)
    assert message in str(caught.value)


def test_when_a_trade_line_repeats_then_repair_removes_it(write_csv, inst):
    line = "2024-01-01 00:00:00,10,1,sell,1"
    path = write_csv(f"{TRADES}\n{line}\n{line}\n2024-01-01 00:00:00,10.5,2,B,2")
    result = load_trades(path, inst, policy="repair")
    assert [(t.trade_id, t.price, t.size) for t in result.items] == [("1", 20, 100), ("2", 21, 200)]
    (change,) = result.report.problems
    assert (change.row, change.column, change.message) == (3, "trade_id", "repeats row 2")


def test_when_a_parquet_row_is_bad_then_its_row_is_the_0_based_index(tmp_path, inst):
    table = pa.table(
        {
            "timestamp": pa.array([0, 60_000, 120_000], pa.timestamp("ms", tz="UTC")),
            "open": [10.0, 10.0, 10.0],
            "high": [11.0, 11.0, 11.0],
            "low": [9.0, 9.0, 9.0],
            "close": [10.0, float("nan"), 10.0],
        }
    )
    path = tmp_path / "bars.parquet"
    pq.write_table(table, path)
    assert f"{path}:1:close value='nan': is NaN" in rejected(path, inst)
    result = load_bars(path, inst, policy="drop")
    assert [p.row for p in result.report.problems] == [1]
    assert "Parquet; rows are 0-based indices" in result.report.notes
