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
    """One row per distinct timestamp, kept as columns: ``ts`` and, in ``columns``, one list
    per figure of ``[total, *per_strategy]`` in money raw units.

    Columns, not a list per row: a row costs three pointer appends instead of a list the
    garbage collector would track for the rest of the run."""

    def __init__(self, read: EquityReader) -> None:
        self._read = read
        self.ts: list[int] = []
        self.columns: list[list[int]] = [[] for _ in range(len(read))]

    def __call__(self, item: Any) -> None:
        ts: int = item.ts_init
        row = self._read()
        columns = self.columns
        times = self.ts
        if times and times[-1] == ts:
            for index, value in enumerate(row):
                columns[index][-1] = value
        else:
            times.append(ts)
            for index, value in enumerate(row):
                columns[index].append(value)

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
