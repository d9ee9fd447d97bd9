"""What a backtest keeps for its outputs: the equity curve, the fills, strategy failures.

The equity recorder is the last handler of every stream: after the venue, the
portfolio and the strategies have handled an item, it stores the equity of the
account and of each strategy (raw ints, no Money objects). Items at the same
timestamp overwrite one row, so the curve has one row per distinct time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ironkeel.model.events import OrderFilled

__all__ = ["EquityRecorder", "FillRecorder"]


class EquityRecorder:
    """One row per distinct timestamp: (ts, [total, *per_strategy]) in money raw units."""

    def __init__(self, read: Callable[[], list[int]]) -> None:
        self._read = read
        self.ts: list[int] = []
        self.rows: list[list[int]] = []

    def __call__(self, item: Any) -> None:
        ts = item.ts_init
        if self.ts and self.ts[-1] == ts:
            self.rows[-1] = self._read()
        else:
            self.ts.append(ts)
            self.rows.append(self._read())


class FillRecorder:
    """Every fill that took effect, in order (a bus subscriber to OrderFilled)."""

    def __init__(self) -> None:
        self.fills: list[OrderFilled] = []

    def __call__(self, fill: OrderFilled) -> None:
        self.fills.append(fill)
