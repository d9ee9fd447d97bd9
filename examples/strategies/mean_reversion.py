"""Mean reversion with limit orders: buy a stretch below the mean, sell back at the mean.

The z-score of the close over ``window`` bars measures the stretch. When it falls
below ``-entry`` and the strategy is flat with nothing working, it bids ``size``
with a limit order ``offset_bps`` below the close (rounded down onto the grid),
good for ``patience`` bars, after which an unfilled bid is canceled. Once long,
it offers the position with a limit at the rolling mean (rounded up), and closes
at market if the z-score falls below ``-stop``.
"""

import math
from decimal import Decimal

from ironkeel import Param, Strategy
from ironkeel.indicators import SMA, ZScore
from ironkeel.strategy import Fill, MarketBar, OrderUpdate


class MeanReversion(Strategy):
    window: int = Param(60, ge=5, doc="bars in the mean and the z-score")
    entry: float = Param(2.0, ge=0.1, doc="z-score below -entry opens a bid")
    stop: float = Param(4.0, ge=0.1, doc="z-score below -stop closes at market")
    offset_bps: int = Param(5, ge=0, doc="bid this many bps below the close")
    patience: int = Param(10, ge=1, doc="bars a bid may rest before it is canceled")
    size: Decimal = Param(Decimal(1), ge=0, doc="quantity of each entry")

    def on_start(self) -> None:
        self.zscore = ZScore(self.window)
        self.mean = SMA(self.window)
        self.bid_id = None
        self.bid_age = 0
        self.offer_id = None
        self.fills = 0

    def on_bar(self, bar: MarketBar) -> None:
        self.zscore.update(bar.close)
        self.mean.update(bar.close)
        if not self.zscore.ready:
            return
        z = self.zscore.value
        if self.bid_id is not None:
            self.bid_age += 1
            if self.bid_age >= self.patience:
                self.cancel(self.bid_id)
                self.bid_id = None
        if self.position() > 0:
            if not math.isnan(z) and z < -self.stop:
                self.cancel_all()
                self.offer_id = None
                self.close_position()
            elif self.offer_id is None:
                target = self.round_price(self.mean.value, up=True)
                self.offer_id = self.sell(self.position(), limit=target, reduce_only=True)
        elif self.bid_id is None and not math.isnan(z) and z < -self.entry:
            price = self.round_price(bar.close * (1 - self.offset_bps / 10_000), up=False)
            self.bid_id = self.buy(self.size, limit=price)
            self.bid_age = 0

    def on_fill(self, fill: Fill) -> None:
        self.fills += 1
        if fill.client_order_id == self.bid_id and self.open_orders() == []:
            self.bid_id = None
        if fill.client_order_id == self.offer_id and self.position() == 0:
            self.offer_id = None

    def on_order(self, update: OrderUpdate) -> None:
        if update.event in ("OrderCanceled", "OrderExpired", "OrderRejected", "OrderDenied"):
            if update.client_order_id == self.bid_id:
                self.bid_id = None
            if update.client_order_id == self.offer_id:
                self.offer_id = None
