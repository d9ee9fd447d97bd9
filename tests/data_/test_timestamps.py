"""Timestamps of every common format become int ns UTC; bad ones are reported per row."""

from __future__ import annotations

import pyarrow as pa
import pytest

from ironkeel.data import ColumnMap, load_quotes
from ironkeel.data.timestamps import parse_timestamps

T0 = 1_704_164_645_000_000_000  # 2024-01-02 03:04:05 UTC


@pytest.mark.parametrize(
    ("values", "unit", "described"),
    [
        ([1_704_164_645], "s", "epoch s (detected)"),
        ([1_704_164_645_000], "ms", "epoch ms (detected)"),
        ([1_704_164_645_000_000], "us", "epoch us (detected)"),
        ([T0], "ns", "epoch ns (detected)"),
    ],
)
def test_when_epoch_ints_then_the_unit_is_detected_by_magnitude(values, unit, described):
    for column in (pa.array(values), pa.array([str(v) for v in values])):
        parsed = parse_timestamps(column)
        assert parsed.ns.tolist() == [T0]
        assert parsed.description == described
        assert not parsed.bad


def test_when_the_unit_is_given_then_it_is_used():
    parsed = parse_timestamps(pa.array([1_704_164_645]), unit="s")
    assert parsed.ns.tolist() == [T0]
    assert parsed.description == "epoch s (given)"


def test_when_one_epoch_has_another_magnitude_then_that_row_is_reported():
    parsed = parse_timestamps(pa.array([1_704_164_645_000, 1_704_164_645, 1_704_164_646_000]))
    assert parsed.bad == {1: "looks like epoch s while the column is epoch ms"}
    assert parsed.ns[2] == T0 + 1_000_000_000


def test_when_an_epoch_is_too_small_then_it_is_reported_not_guessed():
    parsed = parse_timestamps(pa.array(["20240102"]))
    assert "is too small for an epoch timestamp" in parsed.bad[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02", T0 - (3 * 3600 + 4 * 60 + 5) * 10**9),
        ("2024-01-02 03:04", T0 - 5 * 10**9),
        ("2024-01-02 03:04:05", T0),
        ("2024-01-02T03:04:05", T0),
        ("2024-01-02 03:04:05.123456789", T0 + 123_456_789),
        ("2024-01-02T03:04:05Z", T0),
        ("2024-01-02T03:04:05.5Z", T0 + 500_000_000),
        ("2024-01-02 04:04:05+01:00", T0),
        ("2024-01-01 22:04:05-0500", T0),
        ("2024-01-02 03:04:05+00:00", T0),
    ],
)
def test_when_iso_strings_then_zones_are_honoured_and_naive_is_utc(text, expected):
    parsed = parse_timestamps(pa.array([text]))
    assert parsed.ns.tolist() == [expected]
    assert not parsed.bad


def test_when_a_zone_is_given_then_naive_times_are_local_to_it():
    parsed = parse_timestamps(
        pa.array(["2024-01-01 22:04:05", "2024-07-01 23:04:05"]), tz="America/New_York"
    )
    assert parsed.ns[0] == T0  # EST, UTC-5
    assert parsed.ns[1] == 1_719_889_445_000_000_000  # 2024-07-02 03:04:05 UTC: EDT, UTC-4
    assert "read as America/New_York" in parsed.description


def test_when_a_local_time_falls_in_a_dst_gap_then_it_is_reported():
    parsed = parse_timestamps(pa.array(["2024-03-10 02:30:00"]), tz="America/New_York")
    assert "does not exist in America/New_York" in parsed.bad[0]


def test_when_zoned_and_naive_strings_mix_then_each_is_read_its_way():
    parsed = parse_timestamps(pa.array(["2024-01-02 03:04:05", "2024-01-02 04:04:06+01:00"]))
    assert parsed.ns.tolist() == [T0, T0 + 10**9]


def test_when_some_strings_are_not_times_then_only_those_rows_are_bad():
    parsed = parse_timestamps(pa.array(["2024-01-02 03:04:05", "soon", "", "NaN", "2024-13-45"]))
    assert parsed.ns[0] == T0
    assert parsed.bad == {
        1: "is not a timestamp (ISO 8601 or epoch s/ms/us/ns)",
        2: "is empty",
        3: "is NaN",
        4: "is not a timestamp (ISO 8601 or epoch s/ms/us/ns)",
    }


def test_when_arrow_timestamps_then_units_and_zones_are_converted():
    aware = pa.array([T0 // 10**6], pa.timestamp("ms", tz="Europe/Paris"))
    assert parse_timestamps(aware).ns.tolist() == [T0]
    naive = pa.array([T0], pa.timestamp("ns"))
    assert parse_timestamps(naive).ns.tolist() == [T0]
    assert parse_timestamps(naive, tz="Europe/Paris").ns.tolist() == [T0 - 3_600 * 10**9]
    dates = pa.array([19_724], pa.date32())  # 2024-01-02
    assert parse_timestamps(dates).ns.tolist() == [T0 - (3 * 3600 + 4 * 60 + 5) * 10**9]
    with_null = parse_timestamps(pa.array([T0, None], pa.timestamp("ns")))
    assert with_null.bad == {1: "is empty"}


def test_when_float_epochs_are_whole_then_they_are_read(tmp_path):
    parsed = parse_timestamps(pa.array([1_704_164_645_000.0, 1.5e12 + 0.5, float("nan")]))
    assert parsed.ns[0] == T0
    assert "has a fraction" in parsed.bad[1]
    assert parsed.bad[2] == "is empty or NaN"


def test_when_loading_then_the_timestamp_options_come_from_the_column_map(write_csv, inst):
    path = write_csv("when,bid,ask\n1704164645,10,10.5\n1704164646,10,10.5")
    result = load_quotes(path, inst, columns=ColumnMap(timestamp="when", timestamp_unit="s"))
    assert [q.ts_event for q in result.items] == [T0, T0 + 10**9]
    assert "timestamps: epoch s (given)" in result.report.notes
