"""A shock path: cumulative moves at time offsets, validated; and the scenario error."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import msgspec

from ironkeel.model.errors import IronkeelError

__all__ = ["ScenarioError", "ShockPath", "build_path", "parse_offset"]

_PART = re.compile(r"(?P<n>\d+(?:\.\d+)?)(?P<unit>[smhdw])")
_OFFSET = re.compile(r"^(?:\d+(?:\.\d+)?[smhdw])+$")
_UNIT_NS = {"s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9, "d": 86_400 * 10**9}
_UNIT_NS["w"] = 7 * _UNIT_NS["d"]


class ScenarioError(IronkeelError, ValueError):
    """A scenario file or series is invalid: the message names the file, key, value and fix."""


class ShockPath(msgspec.Struct, frozen=True, kw_only=True):
    """Cumulative moves at offsets (ns from the start); the first point is (0, 0)."""

    name: str
    reference: str
    offsets_ns: tuple[int, ...]
    moves: tuple[Decimal, ...]
    sources: tuple[str, ...] = ()
    approximate: bool = False
    notes: str = ""

    @property
    def duration_ns(self) -> int:
        return self.offsets_ns[-1]

    @property
    def end_move(self) -> Decimal:
        return self.moves[-1]


def parse_offset(text: object, where: str) -> int:
    """``"15m"``, ``"2d17h30m"`` -> nanoseconds; units s, m, h, d, w."""
    if not isinstance(text, str) or not _OFFSET.match(text):
        raise ScenarioError(
            f"{where}: offset {text!r} is not numbers with units. "
            'Fix: write e.g. "0m", "15m", "6h", "3d", "2w" or "2d17h30m"'
        )
    total = sum(Decimal(m["n"]) * _UNIT_NS[m["unit"]] for m in _PART.finditer(text))
    return int(total)


def build_path(
    name: str, offsets: list[int], moves: list[Decimal], where: str, **info: Any
) -> ShockPath:
    """A validated path: at least two points, starting at (0, 0), offsets increasing."""
    if len(offsets) < 2:
        raise ScenarioError(f"{where}: a path needs at least two points. Fix: add the end point")
    if offsets[0] != 0 or moves[0] != 0:
        raise ScenarioError(
            f"{where}: the first point is ({offsets[0]} ns, {moves[0]}). "
            'Fix: start the path at ["0m", "0"] (the anchor price)'
        )
    for index in range(1, len(offsets)):
        if offsets[index] <= offsets[index - 1]:
            raise ScenarioError(
                f"{where}[{index}]: offset {offsets[index]} ns is not after the previous "
                f"point ({offsets[index - 1]} ns). Fix: list points in time order"
            )
    return ShockPath(name=name, offsets_ns=tuple(offsets), moves=tuple(moves), **info)
