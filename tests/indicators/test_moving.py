"""SMA, EMA and WMA against pandas/numpy references on the same random series."""

from __future__ import annotations

import pytest

from ironkeel.indicators import EMA, SMA, WMA

from . import _reference as ref

PERIODS = [1, 2, 3, 14, 50]
SERIES = ref.random_walk(1500, seed=11)
ARGS = [(x,) for x in SERIES.tolist()]


@pytest.mark.parametrize("period", PERIODS)
def test_sma_matches_pandas_rolling_mean(period: int) -> None:
    got = ref.feed(SMA(period), ARGS, "value")
    ref.assert_matches(got["value"], ref.sma(SERIES, period))


@pytest.mark.parametrize("period", PERIODS)
def test_ema_matches_pandas_ewm_seeded_with_the_sma(period: int) -> None:
    got = ref.feed(EMA(period), ARGS, "value")
    ref.assert_matches(got["value"], ref.ema(SERIES, period))


@pytest.mark.parametrize("period", PERIODS)
def test_wma_matches_numpy_weighted_windows(period: int) -> None:
    got = ref.feed(WMA(period), ARGS, "value")
    ref.assert_matches(got["value"], ref.wma(SERIES, period))


def test_when_ema_seeded_then_value_is_the_sma_of_the_first_period_values() -> None:
    ema = EMA(4)
    for x in [1.0, 2.0, 3.0, 6.0]:
        ema.update(x)
    assert ema.value == 3.0
    ema.update(8.0)
    assert ema.value == pytest.approx(3.0 + 0.4 * (8.0 - 3.0), rel=1e-15)
    assert ema.alpha == 0.4


def test_when_wma_full_then_newest_value_weighs_period() -> None:
    wma = WMA(3)
    for x in [3.0, 1.0, 2.0]:
        wma.update(x)
    assert wma.value == pytest.approx((1 * 3.0 + 2 * 1.0 + 3 * 2.0) / 6, rel=1e-15)
