"""VWAP, rolling VWAP and OBV against pandas references on the same bars."""

from __future__ import annotations

import math

import pytest

from ironkeel.indicators import OBV, VWAP, RollingVWAP

from . import _reference as ref

BARS = ref.bars(1500, seed=41)
HLCV = ref.rows(BARS, ["high", "low", "close", "volume"])


def test_vwap_matches_pandas_cumulative_reference() -> None:
    got = ref.feed(VWAP(), HLCV, "value")
    ref.assert_matches(got["value"], ref.vwap(BARS))


def test_when_reset_at_a_session_boundary_then_vwap_restarts() -> None:
    vwap = VWAP()
    first, second = BARS.iloc[:500], BARS.iloc[500:1000].reset_index(drop=True)
    ref.feed(vwap, ref.rows(first, ["high", "low", "close", "volume"]), "value")
    vwap.reset()
    got = ref.feed(vwap, ref.rows(second, ["high", "low", "close", "volume"]), "value")
    ref.assert_matches(got["value"], ref.vwap(second))
    assert vwap.count == 500


def test_when_no_volume_yet_then_vwap_is_not_ready() -> None:
    vwap = VWAP()
    vwap.update(11.0, 9.0, 10.0, 0.0)
    assert (vwap.ready, vwap.count) == (False, 1)
    assert math.isnan(vwap.value)
    vwap.update(12.0, 9.0, 12.0, 5.0)
    assert (vwap.ready, vwap.value) == (True, 11.0)


@pytest.mark.parametrize("period", [1, 2, 20, 100])
def test_rolling_vwap_matches_pandas_rolling_sums(period: int) -> None:
    got = ref.feed(RollingVWAP(period), HLCV, "value")
    ref.assert_matches(got["value"], ref.rolling_vwap(BARS, period))


def test_when_window_has_no_volume_then_rolling_vwap_is_nan_until_volume_returns() -> None:
    rolling = RollingVWAP(2)
    for volume in [0.1, 0.2, 0.0, 0.0]:
        rolling.update(3.0, 1.0, 2.0, volume)
    assert rolling.ready
    assert math.isnan(rolling.value)
    rolling.update(6.0, 3.0, 3.0, 0.3)
    assert rolling.value == 4.0


def test_obv_matches_pandas_signed_volume_cumsum() -> None:
    got = ref.feed(OBV(), ref.rows(BARS, ["close", "volume"]), "value")
    ref.assert_matches(got["value"], ref.obv(BARS))


def test_obv_starts_at_zero_and_ignores_unchanged_closes() -> None:
    obv = OBV()
    values = []
    for close, volume in [(10.0, 5.0), (11.0, 3.0), (11.0, 7.0), (9.0, 2.0)]:
        obv.update(close, volume)
        values.append(obv.value)
    assert values == [0.0, 3.0, 3.0, 1.0]
