"""The equity recorder: one row per distinct timestamp; a later item at the same time is the row."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from ironkeel.backtest.recording import EquityRecorder
from ironkeel.portfolio._balance import Balance
from ironkeel.portfolio.portfolio import EquityReader


def _recorder(figures: int) -> tuple[EquityRecorder, list[Balance]]:
    balances = [Balance(1_000 * (k + 1)) for k in range(figures)]
    return EquityRecorder(EquityReader(balances)), balances


def test_when_items_share_a_time_then_the_last_one_is_the_row():
    recorder, (total, strategy) = _recorder(2)
    recorder(SimpleNamespace(ts_init=10))
    total.equity, strategy.equity = 900, 1_500
    recorder(SimpleNamespace(ts_init=10))
    recorder(SimpleNamespace(ts_init=20))
    total.equity = 1_100
    recorder(SimpleNamespace(ts_init=30))
    assert recorder.ts == [10, 20, 30]
    assert recorder.rows() == [(900, 1_500), (900, 1_500), (1_100, 1_500)]
    assert recorder.columns == [[900, 900, 1_100], [1_500, 1_500, 1_500]]


def test_when_nothing_was_recorded_then_the_curve_is_empty():
    recorder, _ = _recorder(3)
    assert recorder.ts == []
    assert recorder.columns == [[], [], []]
    assert recorder.rows() == []


def test_when_a_value_changes_and_changes_back_in_one_row_then_the_row_holds_the_last():
    recorder, (total,) = _recorder(1)
    recorder(SimpleNamespace(ts_init=1))
    total.equity = 5
    recorder(SimpleNamespace(ts_init=2))
    total.equity = 1_000  # back to the first row's value, at the same time
    recorder(SimpleNamespace(ts_init=2))
    assert recorder.columns == [[1_000, 1_000]]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.integers(0, 2), st.integers(-(10**20), 10**20)),
        min_size=1,
        max_size=60,
    )
)
def test_the_rebuilt_curve_equals_reading_every_figure_at_every_item(steps):
    # A reference that stores the whole row per item (what the recorder replaced).
    recorder, balances = _recorder(3)
    times: list[int] = []
    rows: list[tuple[int, ...]] = []
    ts = 0
    for advance, figure, value in steps:
        ts += int(advance)
        balances[figure].equity = value
        recorder(SimpleNamespace(ts_init=ts))
        row = tuple(b.equity for b in balances)
        if times and times[-1] == ts:
            rows[-1] = row
        else:
            times.append(ts)
            rows.append(row)
    assert recorder.ts == times
    assert recorder.rows() == rows
    assert recorder.columns == [list(column) for column in zip(*rows, strict=True)]
