"""A deliberately broken strategy: it ignores its own fills and keeps buying.

It buys ``size`` at market on every bar, whatever it already holds and whatever
its cash. It exists to prove that the risk engine and the validation pipeline
stop such a strategy; do not trade it.
"""

from decimal import Decimal

from ironkeel import Param, Strategy
from ironkeel.strategy import MarketBar


class Runaway(Strategy):
    size: Decimal = Param(Decimal(1), ge=0, doc="quantity bought on every bar")

    def on_bar(self, bar: MarketBar) -> None:
        self.buy(self.size)  # never looks at position(), fills or cash: the bug
