"""Round trips: bars written as CSV or Parquet load back identical; the generic entry points."""

from __future__ import annotations

import pandas as pd
import pytest

from ironkeel.data import DataError, load, load_columns, synthetic_bars
from ironkeel.model import Bar, InvalidInputError, QuoteTick


def frame_of(bars, inst, *, open_stamped: bool) -> pd.DataFrame:
    interval = bars[0].bar_type.interval_ns
    stamp = [b.ts_event - (interval if open_stamped else 0) for b in bars]
    return pd.DataFrame(
        {
            "timestamp": pd.to_datetime(stamp, unit="ns", utc=True),
            **{
                k: [str(getattr(b, k) * inst.price_increment) for b in bars]
                for k in ("open", "high", "low", "close")
            },
            "volume": [str(b.volume * inst.size_increment) for b in bars],
        }
    )


@pytest.mark.parametrize("open_stamped", [True, False])
def test_when_bars_are_written_as_csv_then_they_load_back_identical(tmp_path, inst, open_stamped):
    bars = synthetic_bars(inst, 20_000, seed=9)
    path = tmp_path / "bars.csv"
    frame_of(bars, inst, open_stamped=open_stamped).to_csv(path, index=False)
    result = load(path, inst, "bars", timestamp_is="open" if open_stamped else "close")
    assert result.items == bars
    assert result.report.ok


def test_when_bars_are_written_as_parquet_floats_then_they_load_back_identical(tmp_path, inst):
    bars = synthetic_bars(inst, 5_000, seed=10)
    frame = frame_of(bars, inst, open_stamped=True)
    for name in ("open", "high", "low", "close", "volume"):
        frame[name] = frame[name].astype(float)
    path = tmp_path / "bars.parquet"
    frame.to_parquet(path)
    assert load(path, inst, "bars").items == bars


def test_load_columns_gives_int_arrays_without_objects(write_csv, inst):
    path = write_csv("timestamp,bid,ask\n2024-01-01 00:00:00,10,10.5\n2024-01-01 00:00:01,10.5,11")
    data = load_columns(path, inst, "quotes")
    assert len(data) == 2
    assert data.values["bid"].tolist() == [20, 21]
    assert data.values["ts_event"].dtype.name == "int64"
    result = load(path, inst, "quotes")
    assert all(isinstance(q, QuoteTick) for q in result.items)
    assert not any(isinstance(q, Bar) for q in result.items)


def test_when_options_are_wrong_then_the_error_says_what_to_pass(write_csv, inst):
    path = write_csv("timestamp,open,high,low,close\n2024-01-01,1,1,1,1")
    with pytest.raises(InvalidInputError, match="is not a data type"):
        load(path, inst, "candles")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="is neither 'open' nor 'close'"):
        load(path, inst, "bars", timestamp_is="middle")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="fewer than 2 bars"):
        load(path, inst, "bars")
    assert (
        load(path, inst, "bars", bar_interval_ns=86_400 * 10**9).items[0].ts_event
        == 1_704_153_600 * 10**9
    )
