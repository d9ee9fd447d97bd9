"""What a backtest keeps for its outputs: the equity curve, the fills, each fill's
slippage, strategy failures.

The equity recorder is the last handler of every stream: after the venue, the
portfolio and the strategies have handled an item, it stores the equity of the
account and of each strategy (raw ints, no Money objects). Items at the same
timestamp overwrite one row, so the curve has one row per distinct time.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from ironkeel.model.enums import LiquiditySide, OrderSide
from ironkeel.model.events import OrderFilled
from ironkeel.model.identifiers import TradeId
from ironkeel.portfolio.portfolio import EquityReader
from ironkeel.venues.sim.slippage import SlipContext, SlippageModel

__all__ = ["EquityRecorder", "FillRecorder", "SlippageLog"]


class EquityRecorder:
    """The equity curve: one row per distinct timestamp of ``[total, *per_strategy]`` in money
    raw units; an item at the time of the previous row overwrites that row.

    Kept as changes: per figure, the rows where its value changed and the new values. While
    nothing moves (a flat strategy) a row costs one timestamp and no new object; ``columns``
    and ``rows`` rebuild the full curve once, at the end."""

    def __init__(self, read: EquityReader) -> None:
        self._read = read
        self.ts: list[Any] = []  # the items' own timestamp objects: no new int per row
        self._last_ts = 0
        # Values as objects: each change is boxed once and the same int object kept in
        # ``_last`` and ``_values`` (compiled, an int stored in a list[int] is boxed anew).
        self._last: list[Any] = read.values()
        self._rows: list[list[int]] = [[] for _ in self._last]
        self._values: list[list[Any]] = [[] for _ in self._last]

    def __call__(self, item: Any) -> None:
        ts: Any = item.ts_init
        now: int = ts  # compared natively; the list keeps the item's own int object
        times = self.ts
        row = len(times)
        if row and now == self._last_ts:
            row -= 1
        else:
            times.append(ts)
            self._last_ts = now
        read = self._read
        last = self._last
        for index in range(len(last)):
            value = read.value(index)
            rows = self._rows[index]
            before: int = last[index]
            if rows and value == before:
                continue
            boxed: Any = value
            last[index] = boxed
            if rows and rows[-1] == row:
                self._values[index][-1] = boxed
            else:
                rows.append(row)
                self._values[index].append(boxed)

    @property
    def columns(self) -> list[list[int]]:
        """One list per figure, a value per row (each change carried forward)."""
        result = []
        for rows, values in zip(self._rows, self._values, strict=True):
            column: list[int] = []
            for k, start in enumerate(rows):
                end = rows[k + 1] if k + 1 < len(rows) else len(self.ts)
                column.extend([values[k]] * (end - start))
            result.append(column)
        return result

    def rows(self) -> list[tuple[int, ...]]:
        """The curve row by row: ``(total, *per_strategy)`` per timestamp."""
        return list(zip(*self.columns, strict=True))


class FillRecorder:
    """Every fill that took effect, in order (a bus subscriber to OrderFilled)."""

    def __init__(self) -> None:
        self.fills: list[OrderFilled] = []

    def __call__(self, fill: OrderFilled) -> None:
        self.fills.append(fill)


class SlippageLog:
    """A slippage model wrapped to record, per taker fill, how many ticks it cost.

    The simulated exchange asks the model for ticks, caps the price at the order's limit,
    and emits the fill at once; the log keeps each request's pre-slippage price, side and
    quantity, and when the matching taker fill arrives (a bus subscriber) stores the
    exact adverse ticks ``(fill price - price before) * side`` under its trade id.
    """

    def __init__(self, model: SlippageModel) -> None:
        self.model = model
        self._pending: deque[tuple[int, int, int]] = deque()
        self.ticks: dict[TradeId, int] = {}

    def slip_ticks(self, side: OrderSide, px: int, qty: int, ctx: SlipContext) -> int:
        self._pending.append((int(side), px, qty))
        return self.model.slip_ticks(side, px, qty, ctx)

    def __call__(self, fill: OrderFilled) -> None:
        if fill.liquidity_side is not LiquiditySide.TAKER or not self._pending:
            return
        side, px, qty = self._pending.popleft()
        if side == int(fill.side) and qty == fill.last_qty:
            self.ticks[fill.trade_id] = (fill.last_px - px) * side
