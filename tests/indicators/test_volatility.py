"""RollingStd, ZScore, Bollinger and ATR against pandas/numpy references on the same series."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ironkeel.indicators import ATR, Bollinger, RollingStd, ZScore

from . import _reference as ref

PLAIN = ref.random_walk(1500, seed=31)
# a flat stretch of 40 equal values: windows inside it have a std of exactly 0
SERIES = ref.with_flat_stretch(PLAIN, start=700, length=40)
ARGS = [(x,) for x in SERIES.tolist()]
BARS = ref.bars(1500, seed=37)
WINDOWS = [(1, 0), (2, 0), (2, 1), (3, 1), (5, 3), (20, 0), (20, 1), (50, 1)]


@pytest.mark.parametrize(("period", "ddof"), WINDOWS)
def test_rolling_std_matches_numpy_two_pass_std(period: int, ddof: int) -> None:
    got = ref.feed(RollingStd(period, ddof=ddof), ARGS, "value", "mean", "variance")
    expected = ref.window_std(SERIES, period, ddof)
    ref.assert_matches(got["value"], expected)
    ref.assert_matches(got["variance"], expected**2)
    ref.assert_matches(got["mean"], ref.window_mean(SERIES, period))


@pytest.mark.parametrize(("period", "ddof"), WINDOWS)
def test_rolling_std_matches_pandas_rolling_std(period: int, ddof: int) -> None:
    got = ref.feed(RollingStd(period, ddof=ddof), [(x,) for x in PLAIN.tolist()], "value")
    ref.assert_matches(got["value"], PLAIN.rolling(period).std(ddof=ddof))


@pytest.mark.parametrize(("period", "ddof"), [(p, d) for p, d in WINDOWS if p > d])
def test_zscore_matches_numpy_and_is_nan_where_std_is_zero(period: int, ddof: int) -> None:
    got = ref.feed(ZScore(period, ddof=ddof), ARGS, "value", "std")
    ref.assert_matches(got["value"], ref.zscore(SERIES, period, ddof))
    ref.assert_matches(got["std"], ref.window_std(SERIES, period, ddof))


def test_when_window_is_constant_then_std_is_exactly_zero_and_zscore_nan() -> None:
    std, z = RollingStd(3), ZScore(3)
    for x in [1.5, 7.25, 2.0, 2.0, 2.0]:
        std.update(x)
        z.update(x)
    assert (std.value, std.variance, std.mean) == (0.0, 0.0, 2.0)
    assert math.isnan(z.value)
    assert z.ready
    assert z.std == 0.0


def test_when_a_large_value_leaves_then_a_nearly_constant_window_keeps_its_precision() -> None:
    std = RollingStd(3, ddof=0)
    tiny = [100.0, 100.0 + 1e-9, 100.0 - 1e-9]
    for x in [1e6, *tiny]:
        std.update(x)
    expected = ref.window_std(pd.Series(tiny), 3, 0)[-1]
    assert std.value == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(("period", "k"), [(20, 2.0), (5, 1.5), (1, 2.0), (50, 3.0)])
def test_bollinger_matches_numpy_population_std_bands(period: int, k: float) -> None:
    got = ref.feed(Bollinger(period, k=k), ARGS, "middle", "upper", "lower", "value")
    expected = ref.bollinger(SERIES, period, k)
    for name in ["middle", "upper", "lower"]:
        ref.assert_matches(got[name], expected[name])
    ref.assert_matches(got["value"], expected["middle"])


def test_bollinger_matches_pandas_rolling_mean_and_std_ddof_0() -> None:
    got = ref.feed(Bollinger(20, k=2.0), [(x,) for x in PLAIN.tolist()], "upper", "lower")
    middle, std = PLAIN.rolling(20).mean(), PLAIN.rolling(20).std(ddof=0)
    ref.assert_matches(got["upper"], middle + 2.0 * std)
    ref.assert_matches(got["lower"], middle - 2.0 * std)


@pytest.mark.parametrize("period", [1, 2, 14, 40])
def test_atr_matches_wilder_reference(period: int) -> None:
    got = ref.feed(ATR(period), ref.rows(BARS, ["high", "low", "close"]), "value")
    ref.assert_matches(got["value"], ref.atr(BARS, period))


def test_true_range_reaches_back_to_the_previous_close() -> None:
    atr = ATR(1)
    atr.update(10.0, 9.0, 9.5)
    assert atr.value == 1.0  # the first bar: high - low
    atr.update(12.0, 11.0, 11.5)  # gap up: from the previous close 9.5
    assert atr.value == 2.5
    atr.update(9.0, 8.0, 8.5)  # gap down: to the previous close 11.5
    assert atr.value == 3.5
