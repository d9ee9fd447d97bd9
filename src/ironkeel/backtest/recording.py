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

from ironkeel.core.loop import Handler
from ironkeel.model.enums import LiquiditySide, OrderSide
from ironkeel.model.events import OrderFilled
from ironkeel.model.identifiers import TradeId
from ironkeel.portfolio.portfolio import EquityReader
from ironkeel.venues.sim.slippage import SlipContext, SlippageModel

__all__ = ["EquityRecorder", "FillRecorder", "SlippageLog"]


class EquityRecorder(Handler):
    """The equity curve: one row per distinct timestamp of ``[total, *per_strategy]`` in money
    raw units; an item at the time of the previous row overwrites that row.

    Kept as one list per figure with one item per row. A figure that did not move since the
    previous row appends the previous row's int object again (no new object); one that moved
    is boxed once, and that object is both the row's item and what the next row compares
    with. The timestamps are the items' own int objects."""

    def __init__(self, read: EquityReader) -> None:
        self._read = read
        self.ts: list[Any] = []
        self._last_ts = 0
        self._last: list[Any] = read.values()  # each figure's latest value, as its object
        self._columns: list[list[Any]] = [[] for _ in self._last]

    def handle(self, item: Any) -> None:
        ts: Any = item.ts_init
        now: int = ts  # compared natively; the list keeps the item's own int object
        times = self.ts
        read = self._read
        last = self._last
        columns = self._columns
        if times and now == self._last_ts:  # the same time: this item's figures are the row
            for index in range(len(last)):
                value = read.value(index)
                before: int = last[index]
                if value != before:
                    boxed: Any = value
                    last[index] = boxed
                    columns[index][-1] = boxed
            return
        times.append(ts)
        self._last_ts = now
        for index in range(len(last)):
            value = read.value(index)
            kept: Any = last[index]
            previous: int = kept
            if value != previous:
                kept = value  # boxed once: the row's item and the next comparison's
                last[index] = kept
            columns[index].append(kept)

    @property
    def columns(self) -> list[list[int]]:
        """One list per figure, a value per row (copies: the recorder keeps its own)."""
        return [list(column) for column in self._columns]

    def rows(self) -> list[tuple[int, ...]]:
        """The curve row by row: ``(total, *per_strategy)`` per timestamp."""
        return list(zip(*self._columns, strict=True))


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
