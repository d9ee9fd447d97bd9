"""The intrabar path and searching along it."""

from __future__ import annotations

import pytest

from ironkeel.venues.sim.path import START, bar_path, first_at_or_above, first_at_or_below, price_at

from ._factories import bar

UP = (100, 97, 104, 102)  # O-L-H-C
DOWN = (100, 104, 97, 98)  # O-H-L-C


@pytest.mark.parametrize(
    ("ohlc", "path"),
    [
        pytest.param((100, 104, 97, 102), UP, id="close-above-open-goes-low-first"),
        pytest.param((100, 104, 97, 100), (100, 97, 104, 100), id="close-at-open-goes-low-first"),
        pytest.param((100, 104, 97, 98), DOWN, id="close-below-open-goes-high-first"),
    ],
)
def test_bar_path(ohlc: tuple[int, int, int, int], path: tuple[int, ...]) -> None:
    assert bar_path(bar(*ohlc)) == path


@pytest.mark.parametrize(
    ("path", "start", "price", "below", "above"),
    [
        pytest.param(UP, START, 100, START, START, id="at-start"),
        pytest.param(UP, START, 98, (0, 2), START, id="on-the-way-down"),
        pytest.param(UP, START, 103, START, (1, 6), id="only-on-the-way-up"),
        pytest.param(UP, (1, 2), 98, None, (1, 2), id="behind-the-position-is-not-found"),
        pytest.param(UP, (1, 2), 103, (1, 2), (1, 6), id="ahead-of-the-position"),
        pytest.param(UP, START, 96, None, START, id="below-the-low"),
        pytest.param(DOWN, START, 103, START, (0, 3), id="down-bar-goes-up-first"),
        pytest.param(DOWN, (1, 1), 98, (1, 6), (1, 1), id="down-bar-later-segment"),
        pytest.param((100,), START, 99, None, START, id="one-point-path"),
    ],
)
def test_first_reach(
    path: tuple[int, ...],
    start: tuple[int, int],
    price: int,
    below: tuple[int, int] | None,
    above: tuple[int, int] | None,
) -> None:
    assert first_at_or_below(path, start, price) == below
    assert first_at_or_above(path, start, price) == above
    for pos in (below, above):
        if pos is not None and pos != start:
            assert price_at(path, pos) == price
