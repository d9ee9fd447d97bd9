"""Drawdowns: the underwater curve, the maximum and its duration, the episode table."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from ironkeel.analytics import drawdown_episodes, max_drawdown, underwater

CURVE = np.array([100.0, 110.0, 99.0, 104.5, 110.0, 120.0, 90.0, 96.0])
TS = np.arange(CURVE.size, dtype=np.int64) * 10


def test_underwater_is_the_fraction_below_the_running_peak():
    np.testing.assert_allclose(underwater(CURVE), [0, 0, 0.1, 0.05, 0, 0, 0.25, 0.2])


def test_max_drawdown_depth_place_and_longest_duration():
    dd = max_drawdown(CURVE, TS)
    assert dd.depth == 0.25 and dd.peak_index == 5 and dd.trough_index == 6
    # the first episode runs from the peak at 1 to the recovery at 4 (3 steps); the open
    # one from 5 to the end at 7 (2 steps)
    assert dd.longest_bars == 3 and dd.longest_ns == 30


def test_episodes_deepest_first_with_recovery_or_open():
    table = drawdown_episodes(CURVE, TS)
    np.testing.assert_allclose(table["depth"], [0.25, 0.1])
    first, second = table.iloc[0], table.iloc[1]
    assert (first["peak_ns"], first["trough_ns"], bool(first["recovered"])) == (50, 60, False)
    assert first["recovery_ns"] is pd.NA
    assert (second["peak_ns"], second["trough_ns"], second["recovery_ns"]) == (10, 20, 40)
    assert second["bars"] == 3 and second["bars_to_trough"] == 1


def test_when_never_below_peak_then_no_episode_and_zero_drawdown():
    rising = np.array([1.0, 2.0, 3.0])
    assert drawdown_episodes(rising, np.arange(3)).empty
    assert max_drawdown(rising).depth == 0.0


@given(st.lists(st.floats(1.0, 1e6), min_size=1, max_size=200))
def test_max_drawdown_equals_brute_force(values):
    curve = np.array(values)
    best = max((1 - curve[j] / curve[: j + 1].max() for j in range(curve.size)), default=0.0)
    assert abs(max_drawdown(curve).depth - best) < 1e-12
    episodes = drawdown_episodes(curve, np.arange(curve.size))
    assert (episodes["depth"].max() if not episodes.empty else 0.0) == max_drawdown(curve).depth
