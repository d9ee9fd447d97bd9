"""The venue's own record of an order: the OMS's ``Order`` is never touched.

The record is copied from the order when ``submit`` is called. It says what the
venue knows: the leaves, the current price and trigger, whether a stop has been
triggered, and the fees the order has been charged (for the per-order minimum).
"""

from __future__ import annotations

from typing import Final

from ironkeel.model.enums import OrderSide, OrderStatus, OrderType, TimeInForce
from ironkeel.model.identifiers import ClientOrderId, InstrumentId, StrategyId, VenueOrderId
from ironkeel.model.orders import OPEN_STATES, Order

__all__ = ["SimOrder"]

# Sets: ``in`` hashes an enum member by identity, where a tuple compares it with each item.
_STOPS: Final = frozenset({OrderType.STOP_MARKET, OrderType.STOP_LIMIT})
_ONCE: Final = frozenset({TimeInForce.IOC, TimeInForce.FOK})
# Members read once: an enum member read through its class costs ~100 ns in CPython 3.11.
_MARKET: Final = OrderType.MARKET
_STOP_MARKET: Final = OrderType.STOP_MARKET
_SUBMITTED: Final = OrderStatus.SUBMITTED
_BUY: Final = OrderSide.BUY
#: Beyond any price in ticks: a reach band that every bar (or no bar) meets.
_ALWAYS: Final = 1 << 100
_MINUS_ALWAYS: Final = -_ALWAYS


class SimOrder:
    """An order as the simulated venue sees it; quantities in lots, prices in ticks."""

    __slots__ = (
        "arrival_ns",
        "awaits_trigger",
        "client_order_id",
        "expire_time_ns",
        "fee_accrued_raw",
        "fee_paid_raw",
        "filled",
        "fresh",
        "instrument_id",
        "is_market",
        "once",
        "order_type",
        "post_only",
        "price",
        "quantity",
        "reach_high",
        "reach_low",
        "reduce_only",
        "side",
        "status",
        "strategy_id",
        "time_in_force",
        "trigger_price",
        "triggered",
        "venue_order_id",
    )

    def __init__(self, order: Order) -> None:
        self.client_order_id: ClientOrderId = order.client_order_id
        self.strategy_id: StrategyId = order.strategy_id
        self.instrument_id: InstrumentId = order.instrument_id
        self.side: OrderSide = order.side
        self.order_type: OrderType = order.order_type
        self.quantity: int = order.quantity
        self.price: int | None = order.price
        self.trigger_price: int | None = order.trigger_price
        self.time_in_force: TimeInForce = order.time_in_force
        self.expire_time_ns: int | None = order.expire_time_ns
        self.reduce_only: bool = order.reduce_only
        self.post_only: bool = order.post_only
        self.filled = 0
        self.status = _SUBMITTED
        self.venue_order_id: VenueOrderId | None = None
        self.arrival_ns = 0
        self.triggered = False
        #: A stop whose trigger price has not been reached yet.
        self.awaits_trigger = order.order_type in _STOPS
        #: Fills at any price once active: a market order or a triggered stop-market.
        self.is_market = order.order_type is _MARKET
        #: IOC or FOK: one chance to match, then the rest is canceled.
        self.once = order.time_in_force in _ONCE
        #: True until the order has had its first chance to match since it became
        #: active (arrived, was modified or triggered): a marketable order then takes.
        self.fresh = True
        self.fee_accrued_raw = 0
        self.fee_paid_raw = 0
        if self.once or self.is_market:  # what refresh_reach() sets for them, without the call
            self.reach_low, self.reach_high = _ALWAYS, _MINUS_ALWAYS
        else:
            self.reach_low = self.reach_high = 0
            self.refresh_reach()

    def __repr__(self) -> str:
        return (
            f"SimOrder({self.venue_order_id or self.client_order_id}, {self.side.name} "
            f"{self.filled}/{self.quantity} {self.order_type.value}, {self.status.name})"
        )

    @property
    def leaves(self) -> int:
        return self.quantity - self.filled

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    def set_triggered(self) -> None:
        """The stop's trigger was reached: it now works as a market or a limit order."""
        self.triggered = True
        self.awaits_trigger = False
        self.is_market = self.order_type is _STOP_MARKET
        self.fresh = True
        self.refresh_reach()

    def refresh_reach(self) -> None:
        """Recompute the band a bar must reach for this order to act (after any change).

        A bar from ``low`` to ``high`` can trigger, fill or cancel the order only
        if ``low <= reach_low or high >= reach_high``: a buy limit needs the low
        at its price, a buy stop the high at its trigger (a sell: the mirror);
        market and IOC/FOK orders always act. It lets ``on_bar`` skip the full
        path match with two comparisons per working order.
        """
        if self.once or self.is_market:
            self.reach_low, self.reach_high = _ALWAYS, _MINUS_ALWAYS
            return
        price: int = self.trigger_price if self.awaits_trigger else self.price  # type: ignore[assignment]
        rises = (self.side is _BUY) == self.awaits_trigger  # buy stop, sell limit
        if rises:
            self.reach_low, self.reach_high = _MINUS_ALWAYS, price
        else:
            self.reach_low, self.reach_high = price, _ALWAYS

    @property
    def takes_when_fresh(self) -> bool:
        """Whether a fresh marketable order takes liquidity (post-only orders never do)."""
        return self.fresh and not self.post_only
