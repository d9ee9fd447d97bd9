"""The intrabar price path and searching along it.

A bar's prices are visited in a documented order: a bar that closes at or above
its open goes open, low, high, close (O-L-H-C: down first, then up); a bar
that closes below its open goes open, high, low, close (O-H-L-C). Between two
points the price moves through every tick. A trade tick is a path of one point.

A position on the path is ``(segment, ticks travelled along it)``; positions
compare as tuples, so sorting by position is sorting by time within the bar.

The search functions work on a *signed* path: for a sell order every price is
negated, so "the price falls to the limit" is the same search for both sides.
"""

from __future__ import annotations

from typing import Final

from ironkeel.model.data import Bar

__all__ = ["START", "Position", "bar_path", "first_at_or_above", "first_at_or_below", "price_at"]

Position = tuple[int, int]
START: Final[Position] = (0, 0)


def bar_path(bar: Bar) -> tuple[int, int, int, int]:
    """The bar's intrabar path: O-L-H-C if close >= open, else O-H-L-C."""
    if bar.close >= bar.open:
        return (bar.open, bar.low, bar.high, bar.close)
    return (bar.open, bar.high, bar.low, bar.close)


def price_at(path: tuple[int, ...], pos: Position) -> int:
    """The price at ``pos``."""
    seg, off = pos
    if off == 0:
        return path[seg]
    return path[seg] + off if path[seg + 1] > path[seg] else path[seg] - off


def first_at_or_below(path: tuple[int, ...], start: Position, price: int) -> Position | None:
    """The first position at or after ``start`` where the path is at or below ``price``."""
    if price_at(path, start) <= price:
        return start
    return _first_reach(path, start, price)


def first_at_or_above(path: tuple[int, ...], start: Position, price: int) -> Position | None:
    """The first position at or after ``start`` where the path is at or above ``price``."""
    if price_at(path, start) >= price:
        return start
    return _first_reach(path, start, price)


def _first_reach(path: tuple[int, ...], start: Position, price: int) -> Position | None:
    # Only called when the price at ``start`` is on the other side of ``price``:
    # the path is continuous, so the first time it is at or past ``price`` it equals it.
    seg, off = start
    last = len(path) - 1
    while seg < last:
        a = path[seg]
        b = path[seg + 1]
        if min(a, b) <= price <= max(a, b):
            travelled = abs(price - a)
            if travelled >= off:
                return (seg, travelled)
        seg += 1
        off = 0
    return None
