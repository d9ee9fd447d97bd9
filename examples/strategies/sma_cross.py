"""Moving-average crossover: long when the fast SMA crosses above the slow one.

On each bar, diff = SMA(fast) - SMA(slow) of the close. When the previous diff is
<= 0 and the current one > 0 and the strategy is flat, it buys ``size`` at
market; when the previous diff is >= 0 and the current one < 0 and it is long,
it sells to flat at market. Orders fill at the next bar's open by default.
"""

from decimal import Decimal

from ironkeel import Param, Strategy
from ironkeel.indicators import SMA
from ironkeel.strategy import MarketBar


class SmaCross(Strategy):
    fast: int = Param(10, ge=1, doc="period of the fast SMA")
    slow: int = Param(30, ge=2, doc="period of the slow SMA")
    size: Decimal = Param(Decimal(1), ge=0, doc="quantity bought on a cross up")

    def on_start(self) -> None:
        if self.fast >= self.slow:
            raise ValueError(f"fast ({self.fast}) must be below slow ({self.slow})")
        self.fast_sma = SMA(self.fast)
        self.slow_sma = SMA(self.slow)
        self.previous: float | None = None

    def on_bar(self, bar: MarketBar) -> None:
        self.fast_sma.update(bar.close)
        self.slow_sma.update(bar.close)
        if not self.slow_sma.ready:
            return
        diff = self.fast_sma.value - self.slow_sma.value
        previous, self.previous = self.previous, diff
        if previous is None:
            return
        # Float literals: the SMAs are floats, and a float-to-float comparison is the
        # interpreter's fast path (a float against an int literal is a generic compare).
        if previous <= 0.0 < diff and self.is_flat():
            self.buy(self.size)
        elif previous >= 0.0 > diff and self.position() > 0:
            self.close_position()
