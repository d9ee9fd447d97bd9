"""RSI, MACD and the stochastic oscillator against pandas references on the same series."""

from __future__ import annotations

import pytest

from ironkeel.indicators import MACD, RSI, Stochastic

from . import _reference as ref

SERIES = ref.random_walk(1500, seed=23)
ARGS = [(x,) for x in SERIES.tolist()]
BARS = ref.bars(1500, seed=29)
HLC = ref.rows(BARS, ["high", "low", "close"])


@pytest.mark.parametrize("period", [1, 2, 5, 14, 30])
def test_rsi_matches_wilder_reference(period: int) -> None:
    got = ref.feed(RSI(period), ARGS, "value")
    ref.assert_matches(got["value"], ref.rsi(SERIES, period))


def test_when_no_losses_then_rsi_is_100_and_when_flat_then_50() -> None:
    rising, flat = RSI(3), RSI(3)
    for x in [1.0, 2.0, 3.0, 4.0]:
        rising.update(x)
        flat.update(5.0)
    assert (rising.value, flat.value) == (100.0, 50.0)
    rising.update(3.5)
    assert 0.0 < rising.value < 100.0


@pytest.mark.parametrize(
    ("fast", "slow", "signal"), [(12, 26, 9), (3, 10, 1), (1, 2, 2), (5, 35, 5)]
)
def test_macd_matches_pandas_ewm_reference(fast: int, slow: int, signal: int) -> None:
    got = ref.feed(MACD(fast=fast, slow=slow, signal=signal), ARGS, "macd", "signal", "histogram")
    expected = ref.macd(SERIES, fast, slow, signal)
    for name in ["macd", "signal", "histogram"]:
        ref.assert_matches(got[name], expected[name])


def test_macd_value_is_the_macd_line() -> None:
    macd = MACD(fast=2, slow=3, signal=2)
    for x in SERIES.tolist()[:10]:
        macd.update(x)
    assert macd.value == macd.macd
    assert macd.histogram == macd.macd - macd.signal


@pytest.mark.parametrize(("k_period", "d_period"), [(14, 3), (5, 1), (1, 1), (1, 4), (30, 5)])
def test_stochastic_matches_pandas_rolling_reference(k_period: int, d_period: int) -> None:
    got = ref.feed(Stochastic(k_period=k_period, d_period=d_period), HLC, "k", "d")
    expected = ref.stochastic(BARS, k_period, d_period)
    ref.assert_matches(got["k"], expected["k"])
    ref.assert_matches(got["d"], expected["d"])


def test_when_range_is_zero_then_stochastic_k_is_50() -> None:
    stochastic = Stochastic(k_period=3, d_period=2)
    for _ in range(4):
        stochastic.update(10.0, 10.0, 10.0)
    assert (stochastic.k, stochastic.d, stochastic.value) == (50.0, 50.0, 50.0)


def test_stochastic_window_forgets_an_old_extreme() -> None:
    stochastic = Stochastic(k_period=2, d_period=1)
    stochastic.update(100.0, 0.0, 50.0)  # an extreme bar, then two quiet ones
    stochastic.update(11.0, 9.0, 10.0)
    assert stochastic.k == pytest.approx(100.0 * 10.0 / 100.0)
    stochastic.update(12.0, 10.0, 11.0)
    assert stochastic.k == pytest.approx(100.0 * (11.0 - 9.0) / (12.0 - 9.0))
