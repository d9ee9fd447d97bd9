"""Acceptance: every real bar, quote and trade file loads, with golden counts and values.

Timestamp conventions, from the data itself (see ironkeel.data.ingest):
- btc-perp and XCME 6E: bar CLOSE times. 6E: CME Globex trades 23:00-22:00 UTC;
  the file has bars stamped 22:00 and none stamped 23:00 (the first after the
  break is 23:01), so a stamp is the end of its minute. btc-perp starts at 23:01
  on 2021-12-31 (a day file starting at 23:00, UTC+1 midnight) the same way.
- FXCM GBP/USD and Binance klines: bar OPEN times. FX trades from Sunday 22:00
  to Friday 22:00 UTC (winter): the file's last Friday bar is 21:59 and its
  first Sunday bar 22:00; a Binance kline carries its open time (and close = open + 59.999 s).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from ironkeel.data import ColumnMap, DataError, load_bars, load_quotes, load_trades
from ironkeel.model import AggressorSide, AssetClass, PriceType

from .conftest import BTC, FIXTURES, USDT, instrument, shared

MINUTE = 60_000_000_000


def ns(text: str) -> int:
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1_000


def test_btc_perp_on_the_ftx_grid_drops_the_14_interpolated_bars():
    """FTX BTC-PERP has a tick of 1; 14 bars (two runs of linearly interpolated
    minutes, e.g. 46821.75) are off that grid and are dropped, each reported."""
    perp = instrument("BTC-PERP", "1", "0.0001")
    path = shared("btc-perp-20211231-20220201_1m.csv")
    result = load_bars(path, perp, timestamp_is="close", policy="drop")
    assert len(result.items) == 45_017
    assert result.report.rows_read == 45_031
    dropped = sorted({p.row for p in result.report.problems})
    assert dropped == [*range(244, 251), *range(17_524, 17_531)]
    first = result.items[0]
    assert (first.open, first.high, first.low, first.close) == (46_319, 46_385, 46_319, 46_377)
    assert first.volume == 23_004_137_295  # 2300413.7295 in lots of 0.0001
    assert first.ts_event == ns("2021-12-31T23:01:00")
    assert result.items[-1].close == 38_544
    assert result.items[-1].ts_event == ns("2022-02-01T05:31:00")


def test_btc_perp_rejects_by_default_listing_file_row_column_and_value():
    perp = instrument("BTC-PERP", "1", "0.0001")
    path = shared("btc-perp-20211231-20220201_1m.csv")
    with pytest.raises(DataError) as caught:
        load_bars(path, perp, timestamp_is="close")
    message = str(caught.value)
    assert f"{path}:244:open value='46821.75'" in message
    assert "nearest: 46821 or 46822" in message
    assert "55 problem(s) in 14 row(s)" in message


def test_btc_perp_repair_floors_the_six_float_noise_volumes():
    fine = instrument("BTC-PERP", "0.001", "0.000000001")
    path = shared("btc-perp-20211231-20220201_1m.csv")
    result = load_bars(path, fine, timestamp_is="close", policy="repair")
    assert len(result.items) == 45_031
    repairs = [(p.row, p.column, p.value, p.new_value) for p in result.report.repairs]
    assert repairs[0] == (249, "volume", "218102.59507500002", "218102.595075000")
    assert [r[0] for r in repairs] == [249, 250, 17_527, 17_528, 17_529, 17_530]
    assert result.items[249 - 2].volume == 218_102_595_075_000  # line 249: header is line 1


@pytest.mark.parametrize(
    ("side", "price_type", "first_ohlc", "last_close"),
    [
        ("bid", PriceType.BID, (157_597, 157_606, 157_576, 157_576), 159_208),
        ("ask", PriceType.ASK, (157_608, 157_610, 157_585, 157_585), 159_216),
    ],
)
def test_fxcm_gbpusd_bars_are_open_stamped(side, price_type, first_ohlc, last_close):
    gbpusd = instrument("GBPUSD", "0.00001", "1", asset=AssetClass.FX)
    path = shared(f"fxcm-gbpusd-m1-{side}-2012.csv")
    result = load_bars(path, gbpusd, price_type=price_type)
    assert len(result.items) == 30_117
    first = result.items[0]
    assert (first.open, first.high, first.low, first.close) == first_ohlc
    assert first.ts_event == ns("2012-02-01T00:01:00")  # opened 00:00, closed 00:01
    assert first.bar_type.price_type is price_type
    assert first.volume == 0
    assert "no volume column: volume is 0" in result.report.notes
    assert result.items[-1].close == last_close


def test_xcme_6e_gzip_bars_are_close_stamped():
    six_e = instrument("6EH4", "0.00005", "1", asset=AssetClass.FUTURE)
    path = shared("xcme-6EH4.XCME_1min_bars_20240101_20240131.csv.gz")
    result = load_bars(path, six_e, timestamp_is="close")
    assert len(result.items) == 29_996
    first, last = result.items[0], result.items[-1]
    assert (first.open, first.close, first.volume) == (22_152, 22_156, 205)  # 1.1076 / 0.00005
    assert first.ts_event == ns("2024-01-01T23:01:00")
    assert last.ts_event == ns("2024-01-31T23:59:00")
    assert sum(b.volume for b in result.items) == 4_310_578
    assert result.report.notes[0].startswith("CSV (gzip)")


@pytest.mark.parametrize(
    ("name", "count", "first_ts", "last_close"),
    [
        ("ADABTC-1m-2021-11-27.csv", 10, "2021-11-27T00:01:00", 2865),
        ("ADABTC-1m-2021-11-28.csv", 11, "2021-11-28T00:01:00", 2814),
    ],
)
def test_headerless_binance_klines_are_detected(name, count, first_ts, last_close):
    adabtc = instrument("ADABTC", "0.00000001", "0.1", quote=BTC)
    result = load_bars(FIXTURES / name, adabtc)
    assert len(result.items) == count
    assert result.items[0].ts_event == ns(first_ts)
    assert result.items[-1].close == last_close
    assert any("Binance kline" in note for note in result.report.notes)
    explicit = load_bars(FIXTURES / name, adabtc, columns=ColumnMap.binance_kline())
    assert explicit.items == result.items


def test_truefx_usdjpy_quotes_with_zoned_iso_times():
    usdjpy = instrument("USDJPY", "0.001", "1", asset=AssetClass.FX)
    result = load_quotes(FIXTURES / "truefx-usdjpy-ticks.csv", usdjpy)
    assert len(result.items) == 1_000
    first = result.items[0]
    assert (first.bid, first.ask) == (86_655, 86_728)
    assert first.ts_event == ns("2013-01-01T22:00:00.295000")
    assert result.items[-1].ts_event == ns("2013-01-01T22:35:13.494000")


def test_binance_quotes_parquet_with_float_noise_sizes():
    btcusdt = instrument("BTCUSDT", "0.01", "0.000001", quote=USDT)
    path = FIXTURES / "binance-btcusdt-quotes.parquet"
    result = load_quotes(path, btcusdt)
    assert len(result.items) == 451
    first = result.items[0]
    assert (first.bid, first.ask, first.bid_size, first.ask_size) == (
        3_943_299,
        3_943_362,
        3_100,
        66_851,
    )
    assert first.ts_event == ns("2021-01-08T00:00:01.076000")
    assert any("bid_size: 114 float value(s)" in note for note in result.report.notes)
    with pytest.raises(DataError) as caught:
        load_quotes(path, btcusdt, columns=ColumnMap(float_ulps=0))
    assert f"{path}:3:bid_size value='0.031035000000000004'" in str(caught.value)


def test_binance_trades_parquet_reads_buyer_maker_as_aggressor_side():
    btcusdt = instrument("BTCUSDT", "0.01", "0.000001", quote=USDT)
    result = load_trades(FIXTURES / "binance-btcusdt-trades.parquet", btcusdt)
    assert len(result.items) == 2_001
    first = result.items[0]
    assert (first.price, first.size, first.trade_id) == (3_943_248, 263, "553287559")
    assert first.aggressor_side is AggressorSide.SELLER  # buyer_maker=True
    sides = Counter(t.aggressor_side for t in result.items)
    assert sides == {AggressorSide.BUYER: 1_087, AggressorSide.SELLER: 914}
    assert sum(t.size for t in result.items) == 87_071_596
