"""The Parquet catalog: exact round trips, the layout, range queries, idempotent re-imports."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from ironkeel.data import Catalog, DataError, import_file, synthetic_bars
from ironkeel.model import (
    AggressorSide,
    BarType,
    InstrumentId,
    InvalidInputError,
    PriceType,
    QuoteTick,
    TradeTick,
    Venue,
)

from .conftest import BTC, FIXTURES, instrument

DAY = 86_400 * 10**9
START = 1_704_067_200 * 10**9  # 2024-01-01 00:00 UTC


@pytest.fixture
def bars(inst):
    """Three days and a bit of hourly bars from 2024-01-01 01:00 (close times)."""
    return synthetic_bars(inst, 80, seed=7, start_ns=START, interval_ns=3_600 * 10**9)


def test_when_bars_are_written_then_they_come_back_identical(tmp_path, inst, bars):
    catalog = Catalog(tmp_path)
    written = catalog.write(inst, bars)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        f"bars-1h-last/TEST.SIM/date=2024-01-0{d}/part-0.parquet" for d in (1, 2, 3, 4)
    ]
    assert catalog.query(inst.id, "bars") == bars
    assert catalog.query("TEST.SIM", BarType(inst.id, 3_600 * 10**9)) == bars
    assert catalog.instruments() == [inst]
    assert catalog.data_types(inst.id) == ["bars-1h-last"]
    metadata = pq.read_schema(written[0]).metadata
    assert metadata[b"ironkeel.price_increment"] == b"0.5"


def test_when_querying_a_range_then_start_is_inclusive_and_end_exclusive(tmp_path, inst, bars):
    catalog = Catalog(tmp_path)
    catalog.write(inst, bars)
    start, end = bars[20].ts_event, bars[50].ts_event
    assert catalog.query(inst.id, "bars", start, end) == bars[20:50]
    assert catalog.query(inst.id, "bars", start_ns=bars[-1].ts_event) == bars[-1:]
    assert catalog.query(inst.id, "bars", end_ns=bars[0].ts_event) == []
    assert catalog.query(inst.id, "bars", START + 10 * DAY) == []


def test_when_a_day_is_written_again_then_it_is_replaced_and_other_days_kept(tmp_path, inst, bars):
    catalog = Catalog(tmp_path)
    catalog.write(inst, bars)
    catalog.write(inst, bars)  # idempotent
    assert catalog.query(inst.id, "bars") == bars
    day_two = [b for b in bars if START + DAY <= b.ts_event < START + 2 * DAY]
    catalog.write(inst, day_two[:5])
    stored = catalog.query(inst.id, "bars")
    assert len(stored) == len(bars) - len(day_two) + 5
    assert catalog.query(inst.id, "bars", START + DAY, START + 2 * DAY) == day_two[:5]
    assert not list(tmp_path.rglob("*.tmp"))


def test_when_quotes_and_trades_are_written_then_they_round_trip(tmp_path, inst):
    catalog = Catalog(tmp_path)
    quotes = [QuoteTick(inst.id, 20, 21, 100, 0, START + i, START + i) for i in (0, 0, 5)]
    trades = [
        TradeTick(inst.id, 20, 3, AggressorSide.BUYER, "a", START, START),
        TradeTick(inst.id, 21, 1, AggressorSide.SELLER, "b", START, START),
        TradeTick(inst.id, 21, 2, AggressorSide.NONE, "c", START + DAY, START + DAY),
    ]
    catalog.write(inst, quotes)
    catalog.write(inst, trades)
    assert catalog.query(inst.id, "quotes") == quotes
    assert catalog.query(inst.id, "trades") == trades
    assert catalog.query(inst.id, "trades", START + 1) == trades[2:]
    assert catalog.data_types(inst.id) == ["quotes", "trades"]


def test_when_the_instrument_changes_definition_then_the_catalog_refuses(tmp_path, inst, bars):
    catalog = Catalog(tmp_path)
    catalog.write(inst, bars)
    finer = instrument("TEST", "0.25", "0.01")
    with pytest.raises(InvalidInputError, match="different definition"):
        catalog.write(finer, bars)
    assert catalog.instrument(inst.id) == inst


def test_when_the_symbol_has_a_slash_then_the_folder_is_escaped(tmp_path):
    pair = instrument("BTC/USDT", "0.5", "0.01")
    catalog = Catalog(tmp_path)
    bars = synthetic_bars(pair, 3, start_ns=START)
    catalog.write(pair, bars)
    assert (tmp_path / "bars-1m-last" / "BTC%2FUSDT.SIM").is_dir()
    assert catalog.query(InstrumentId("BTC/USDT", Venue("SIM")), "bars") == bars


def test_when_bar_types_differ_then_bars_must_name_one(tmp_path, inst, bars):
    catalog = Catalog(tmp_path)
    catalog.write(inst, bars)
    catalog.write(inst, synthetic_bars(inst, 3, start_ns=START))
    with pytest.raises(InvalidInputError, match="ambiguous"):
        catalog.query(inst.id, "bars")
    minute = BarType(inst.id, 60 * 10**9)
    assert len(catalog.query(inst.id, minute)) == 3
    assert catalog.query(inst.id, BarType(inst.id, 60 * 10**9, PriceType.BID)) == []


def test_when_items_are_out_of_order_or_mixed_then_write_refuses(tmp_path, inst, bars):
    catalog = Catalog(tmp_path)
    with pytest.raises(InvalidInputError, match="not in ts_event order"):
        catalog.write(inst, bars[::-1])
    other = instrument("OTHER", "0.5", "0.01")
    with pytest.raises(InvalidInputError, match=r"are not all of OTHER\.SIM"):
        catalog.write(other, bars)


def test_when_a_file_is_imported_then_it_is_queryable_and_the_report_says_where(tmp_path):
    adabtc = instrument("ADABTC", "0.00000001", "0.1", quote=BTC)
    catalog = Catalog(tmp_path / "catalog")
    report = import_file(FIXTURES / "ADABTC-1m-2021-11-27.csv", catalog, adabtc)
    assert report.rows_loaded == 10
    assert report.notes[-1] == "catalog: wrote 10 rows to 1 day file(s) (2021-11-27..2021-11-27)"
    bars = catalog.query(adabtc.id, "bars")
    assert [b.close for b in bars][:3] == [2854, 2859, 2859]
    assert Catalog(tmp_path / "catalog").instrument("ADABTC.SIM") == adabtc


def test_when_an_import_is_rejected_then_nothing_is_written(tmp_path, write_csv, inst):
    catalog = Catalog(tmp_path / "catalog")
    path = write_csv("timestamp,open,high,low,close\n2024-01-01,1,1,1,1.25\n2024-01-02,1,1,1,1")
    with pytest.raises(DataError):
        import_file(path, catalog, inst)
    assert not (tmp_path / "catalog").exists()
