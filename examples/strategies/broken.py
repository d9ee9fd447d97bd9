"""A deliberately broken strategy: it passes the static checks and fails the fault gates.

Every ``every`` bars it buys ``size`` when it thinks it is flat and sells what it
thinks it holds otherwise. Two bugs, both common in real scripts:

- it resubmits a rejected order at once, with no backoff and no limit, so a venue
  that rejects (a reject burst, an outage) makes it flood orders;
- it assumes every order fills in one piece: each fill adds the whole order size to
  its own count ``tracked_position``, so partial fills make it disagree with the
  portfolio (and later sell more than it holds).

``ironkeel validate examples/strategies/broken.py`` shows both; do not trade it.
"""

from decimal import Decimal

from ironkeel import Param, Strategy
from ironkeel.strategy import Fill, MarketBar, OrderUpdate


class Broken(Strategy):
    every: int = Param(7, ge=1, doc="bars between trades")
    size: Decimal = Param(Decimal("0.1"), ge=0, doc="quantity of each buy")

    def on_start(self) -> None:
        self.tracked_position = Decimal(0)
        self.count = 0
        self.working = None
        self.working_size = Decimal(0)
        self.working_side = "buy"

    def on_bar(self, bar: MarketBar) -> None:
        self.count += 1
        if self.count % self.every or self.working is not None:
            return
        if self.tracked_position <= 0:
            self._send("buy", self.size)
        else:
            self._send("sell", self.tracked_position)

    def _send(self, side: str, size: Decimal) -> None:
        self.working_side, self.working_size = side, size
        self.working = self.buy(size) if side == "buy" else self.sell(size)

    def on_order(self, update: OrderUpdate) -> None:
        if update.event == "OrderRejected":
            self._send(self.working_side, self.working_size)  # the bug: no backoff, no limit

    def on_fill(self, fill: Fill) -> None:
        # The bug: the whole order is assumed filled by its first fill.
        if fill.client_order_id == self.working:
            signed = self.working_size if self.working_side == "buy" else -self.working_size
            self.tracked_position += signed
            self.working = None
