"""Events: immutable facts in the past tense, each stamped ``ts_event`` and ``ts_init`` (ns).

Order events drive the order state machine (``Order.apply``). Alert events
(``OrderTransitionRefused``, ``FillDuplicateIgnored``, ``OverfillRefused``)
report what the engine refused to do, so nothing is ever silently dropped.
"""

from __future__ import annotations

import msgspec

from ironkeel.model.enums import LiquiditySide, OrderSide, OrderType, TimeInForce
from ironkeel.model.identifiers import (
    AccountId,
    ClientOrderId,
    InstrumentId,
    StrategyId,
    TradeId,
    Venue,
    VenueOrderId,
)
from ironkeel.model.values import Currency, Money

__all__ = [
    "Event",
    "FillDuplicateIgnored",
    "OrderAccepted",
    "OrderCancelRejected",
    "OrderCanceled",
    "OrderDenied",
    "OrderEvent",
    "OrderExpired",
    "OrderFilled",
    "OrderInitialized",
    "OrderModifyRejected",
    "OrderPendingCancel",
    "OrderPendingUpdate",
    "OrderRejected",
    "OrderSubmitted",
    "OrderTransitionRefused",
    "OrderTriggered",
    "OrderUpdated",
    "OverfillRefused",
    "StrategyFailed",
    "TimeEvent",
]


class Event(msgspec.Struct, frozen=True, kw_only=True, tag=True, gc=False):
    """Base of every event: when it happened and when the engine learned of it."""

    ts_event: int
    ts_init: int


class OrderEvent(Event, frozen=True, kw_only=True, tag=True, gc=False):
    """An event about one order."""

    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId


class OrderInitialized(OrderEvent, frozen=True, kw_only=True, tag=True, gc=False):
    """An order was created; it carries the whole order specification."""

    side: OrderSide
    order_type: OrderType
    quantity: int
    price: int | None = None
    trigger_price: int | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    expire_time_ns: int | None = None
    reduce_only: bool = False
    post_only: bool = False
    emergency: bool = False


class OrderDenied(OrderEvent, frozen=True, kw_only=True, tag=True, gc=False):
    """The engine refused the order before it reached a venue (``reason_code`` says why)."""

    reason_code: str
    reason: str


class OrderSubmitted(OrderEvent, frozen=True, kw_only=True, tag=True, gc=False):
    account_id: AccountId


class OrderAccepted(OrderEvent, frozen=True, kw_only=True, tag=True, gc=False):
    venue_order_id: VenueOrderId
    account_id: AccountId


class OrderRejected(OrderEvent, frozen=True, kw_only=True, tag=True, gc=False):
    """The venue refused the order."""

    reason: str


class OrderTriggered(OrderEvent, frozen=True, kw_only=True, tag=True, gc=False):
    """A stop order's trigger price was reached."""


class OrderPendingUpdate(OrderEvent, frozen=True, kw_only=True, tag=True, gc=False):
    """A modify request was sent and awaits the venue's answer."""


class OrderPendingCancel(OrderEvent, frozen=True, kw_only=True, tag=True, gc=False):
    """A cancel request was sent and awaits the venue's answer."""


class OrderUpdated(OrderEvent, frozen=True, kw_only=True, tag=True, gc=False):
    quantity: int
    price: int | None = None
    trigger_price: int | None = None


class OrderModifyRejected(OrderEvent, frozen=True, kw_only=True, tag=True, gc=False):
    reason: str


class OrderCancelRejected(OrderEvent, frozen=True, kw_only=True, tag=True, gc=False):
    reason: str


class OrderCanceled(OrderEvent, frozen=True, kw_only=True, tag=True, gc=False):
    pass


class OrderExpired(OrderEvent, frozen=True, kw_only=True, tag=True, gc=False):
    pass


class OrderFilled(OrderEvent, frozen=True, kw_only=True, tag=True, gc=False):
    """One execution: ``last_qty`` lots at ``last_px`` ticks; commission in money units."""

    venue: Venue
    venue_order_id: VenueOrderId
    account_id: AccountId
    trade_id: TradeId
    side: OrderSide
    last_qty: int
    last_px: int
    liquidity_side: LiquiditySide
    commission_raw: int
    commission_currency: Currency

    @property
    def commission(self) -> Money:
        return Money.from_raw(self.commission_raw, self.commission_currency)


class OrderTransitionRefused(OrderEvent, frozen=True, kw_only=True, tag=True, gc=False):
    """An order event arrived that the order's state does not allow; it was not applied."""

    state: str
    trigger: str


class FillDuplicateIgnored(OrderEvent, frozen=True, kw_only=True, tag=True, gc=False):
    """A fill whose (venue, trade id) was already applied arrived again and was ignored."""

    venue: Venue
    trade_id: TradeId
    duplicates_seen: int


class OverfillRefused(OrderEvent, frozen=True, kw_only=True, tag=True, gc=False):
    """A fill would have taken the order above its quantity; it was refused (an alert)."""

    trade_id: TradeId
    quantity: int
    filled_qty: int
    last_qty: int


class StrategyFailed(Event, frozen=True, kw_only=True, tag=True, gc=False):
    """A strategy raised inside a hook: it was stopped, its orders canceled and its
    positions flattened, while the other strategies went on."""

    strategy_id: StrategyId
    hook: str
    error: str
    location: str


class TimeEvent(Event, frozen=True, kw_only=True, tag=True, gc=False):
    """A timer or alarm went off; ``name`` is the timer's name."""

    name: str
