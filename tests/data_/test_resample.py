"""Resampling agrees with pandas' resample (closed left, labelled right) on the same data."""

from __future__ import annotations

import pandas as pd
import pytest

from ironkeel.data import (
    bars_to_bars,
    load_bars,
    load_quotes,
    load_trades,
    quotes_to_bars,
    synthetic_bars,
    trades_to_bars,
)
from ironkeel.model import AssetClass, InvalidInputError, PriceType

from .conftest import BTC, FIXTURES, USDT, instrument

SECOND = 10**9
MINUTE = 60 * SECOND
AGG = {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}


def expected(frame: pd.DataFrame, rule: str) -> list[tuple[int, ...]]:
    """pandas' bars: (close time ns, open, high, low, close, volume) per non-empty bucket."""
    out = frame.resample(rule, closed="left", label="right").agg(AGG).dropna()
    return [
        (int(t.value), *(int(v) for v in row))
        for t, row in zip(
            out.index.as_unit("ns"), out[list(AGG)].itertuples(index=False), strict=True
        )
    ]


def actual(bars) -> list[tuple[int, ...]]:
    return [(b.ts_event, b.open, b.high, b.low, b.close, b.volume) for b in bars]


def bar_frame(bars) -> pd.DataFrame:
    opens = pd.to_datetime([b.ts_event - b.bar_type.interval_ns for b in bars], unit="ns")
    return pd.DataFrame({k: [getattr(b, k) for b in bars] for k in AGG}, index=opens)


@pytest.mark.parametrize(
    ("interval", "rule"), [(10 * SECOND, "10s"), (MINUTE, "1min"), (SECOND, "1s")]
)
def test_when_real_trades_are_resampled_then_bars_match_pandas(interval, rule):
    btcusdt = instrument("BTCUSDT", "0.01", "0.000001", quote=USDT)
    trades = load_trades(FIXTURES / "binance-btcusdt-trades.parquet", btcusdt).items
    frame = pd.DataFrame(
        {"price": [t.price for t in trades], "volume": [t.size for t in trades]},
        index=pd.to_datetime([t.ts_event for t in trades], unit="ns"),
    )
    ohlc = frame["price"].resample(rule, closed="left", label="right").ohlc()
    ohlc["volume"] = frame["volume"].resample(rule, closed="left", label="right").sum()
    ohlc = ohlc.dropna()
    want = [
        (int(t.value), *map(int, row))
        for t, row in zip(ohlc.index.as_unit("ns"), ohlc.itertuples(index=False), strict=True)
    ]
    bars = trades_to_bars(trades, interval)
    assert actual(bars) == want
    assert bars[0].bar_type.price_type is PriceType.LAST


@pytest.mark.parametrize(
    ("interval", "rule"), [(5 * MINUTE, "5min"), (60 * MINUTE, "1h"), (1_440 * MINUTE, "1D")]
)
def test_when_minute_bars_are_resampled_then_they_match_pandas(inst, interval, rule):
    bars = synthetic_bars(inst, 4_000, seed=11, start_ns=1_704_067_200 * SECOND + 17 * MINUTE)
    assert actual(bars_to_bars(bars, interval)) == expected(bar_frame(bars), rule)


def test_when_real_bars_with_gaps_are_resampled_then_they_match_pandas():
    adabtc = instrument("ADABTC", "0.00000001", "0.1", quote=BTC)
    bars = load_bars(FIXTURES / "ADABTC-1m-2021-11-28.csv", adabtc).items
    five = bars_to_bars(bars, 5 * MINUTE)
    assert actual(five) == expected(bar_frame(bars), "5min")
    assert len(five) < len(bars)


def test_when_real_quotes_are_resampled_then_bid_and_ask_bars_match_pandas():
    usdjpy = instrument("USDJPY", "0.001", "1", asset=AssetClass.FX)
    quotes = load_quotes(FIXTURES / "truefx-usdjpy-ticks.csv", usdjpy).items
    index = pd.to_datetime([q.ts_event for q in quotes], unit="ns")
    for price_type, side in ((PriceType.BID, "bid"), (PriceType.ASK, "ask")):
        series = pd.Series([getattr(q, side) for q in quotes], index=index)
        ohlc = series.resample("1min", closed="left", label="right").ohlc().dropna()
        want = [
            (int(t.value), *map(int, row), 0)
            for t, row in zip(ohlc.index.as_unit("ns"), ohlc.itertuples(index=False), strict=True)
        ]
        bars = quotes_to_bars(quotes, MINUTE, price_type)
        assert actual(bars) == want
        assert bars[0].bar_type.price_type is price_type


def test_when_partial_edges_are_dropped_then_only_full_first_and_last_buckets_remain(inst):
    bars = synthetic_bars(inst, 170, start_ns=1_704_067_200 * SECOND + 30 * MINUTE)
    kept = bars_to_bars(bars, 60 * MINUTE)
    dropped = bars_to_bars(bars, 60 * MINUTE, partial="drop")
    assert len(kept) == 4  # 00:30-01:00 (partial), 01-02, 02-03, 03:00-03:20 (partial)
    assert dropped == kept[1:3]
    assert bars_to_bars(bars[30:150], 60 * MINUTE, partial="drop") == kept[1:3]  # both full
    assert bars_to_bars(bars[:10], 60 * MINUTE, partial="drop") == []


def test_when_an_item_is_at_a_boundary_then_it_opens_the_next_bucket(inst):
    bars = synthetic_bars(inst, 2, start_ns=0)  # close times 1 and 2 minutes
    trades_like = bars_to_bars(bars, 2 * MINUTE)
    assert [b.ts_event for b in trades_like] == [2 * MINUTE]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda bars: bars_to_bars(bars, 90 * SECOND), "is not a larger multiple"),
        (lambda bars: bars_to_bars(bars, MINUTE), "is not a larger multiple"),
        (lambda bars: bars_to_bars(bars[::-1], 5 * MINUTE), "sort the bars by ts_event"),
        (lambda bars: bars_to_bars(bars, 0), "must be a positive int"),
    ],
)
def test_when_resampling_is_not_possible_then_the_error_says_why(inst, call, message):
    with pytest.raises(InvalidInputError, match=message):
        call(synthetic_bars(inst, 10))


def test_when_mid_bars_are_asked_for_then_they_are_refused():
    with pytest.raises(InvalidInputError, match="a mid price can fall between two ticks"):
        quotes_to_bars([], MINUTE, PriceType.MID)
