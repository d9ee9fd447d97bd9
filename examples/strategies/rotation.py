"""Momentum rotation across several instruments.

Every ``rebalance`` bars of the first instrument, it ranks the instruments by their
return over the last ``lookback`` bars and holds only the best one, sized to spend
``fraction`` of the strategy's equity (rounded down to the lot); when the best is
below ``min_return`` it holds nothing. Orders are market orders.
"""

from collections import deque
from decimal import ROUND_FLOOR, Decimal

from ironkeel import Param, Strategy
from ironkeel.strategy import MarketBar


class Rotation(Strategy):
    lookback: int = Param(120, ge=2, doc="bars in the momentum window")
    rebalance: int = Param(60, ge=1, doc="bars between rebalances")
    fraction: Decimal = Param(Decimal("0.9"), ge=0, le=1, doc="share of equity to hold")
    min_return: float = Param(0.0, doc="hold nothing when the best return is below this")

    def on_start(self) -> None:
        self.closes = {i.id: deque(maxlen=self.lookback + 1) for i in self.ctx.instruments}
        self.count = 0
        self.held = None

    def on_bar(self, bar: MarketBar) -> None:
        self.closes[bar.instrument_id].append(bar.close)
        if bar.instrument_id != self.instrument.id:
            return
        self.count += 1
        if self.count % self.rebalance:
            return
        ranked = sorted(
            (window[-1] / window[0] - 1.0, str(iid), iid)
            for iid, window in self.closes.items()
            if len(window) == window.maxlen
        )
        if not ranked:
            return
        best_return, _, best = ranked[-1]
        target = best if best_return >= self.min_return else None
        if target == self.held:
            return
        if self.held is not None:
            self.close_position(self.held)
        self.held = None
        if target is not None:
            instrument = self.get_instrument(target)
            price = Decimal(repr(self.closes[target][-1]))
            budget = self.equity().amount * self.fraction
            lots = (budget / price / instrument.size_increment).to_integral_value(ROUND_FLOOR)
            if lots > 0:
                self.buy(lots * instrument.size_increment, target)
                self.held = target
