"""The order management system: the one owner of every order's state.

Commands come in over the bus (SubmitOrder, ModifyOrder, CancelOrder,
CancelAllOrders); venue answers come in through ``on_venue_event``. Each order
event is applied to its ``Order`` through the one transition table and then
published, so every subscriber (portfolio, strategies, journal) sees exactly the
events that took effect, in order. What is refused is published too, as an
alert event and a log line:

- an invalid order is denied (``OrderDenied`` with a reason code) and never
  reaches a venue: it enters fully or not at all;
- a fill whose (venue, trade id) was already applied is ignored and counted
  (``FillDuplicateIgnored``);
- a fill that would overfill is refused (``OverfillRefused``);
- an event the state machine does not allow is refused (``OrderTransitionRefused``).

``OrderSubmitted`` is published before the venue is called, so a journal that
subscribes to the bus records the order before it leaves the process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any, Final, Protocol, TypeVar

from ironkeel.core.bus import MessageBus
from ironkeel.core.clock import Clock
from ironkeel.model.commands import CancelAllOrders, CancelOrder, ModifyOrder, SubmitOrder
from ironkeel.model.errors import IllegalTransitionError, InvalidInputError, OverfillError
from ironkeel.model.events import (
    FillDuplicateIgnored,
    OrderCancelRejected,
    OrderDenied,
    OrderEvent,
    OrderFilled,
    OrderInitialized,
    OrderModifyRejected,
    OrderPendingCancel,
    OrderPendingUpdate,
    OrderSubmitted,
    OrderTransitionRefused,
    OverfillRefused,
)
from ironkeel.model.identifiers import ClientOrderId, InstrumentId, StrategyId, TradeId, Venue
from ironkeel.model.instruments import Instrument
from ironkeel.model.orders import CLOSED_STATES, Order
from ironkeel.venues.port import VenueAdapter

__all__ = ["DenialCode", "OrderManager"]

log = logging.getLogger("ironkeel.execution")

E = TypeVar("E", bound=OrderEvent)


class _OrderRef(Protocol):
    @property
    def strategy_id(self) -> StrategyId: ...
    @property
    def instrument_id(self) -> InstrumentId: ...
    @property
    def client_order_id(self) -> ClientOrderId: ...


class DenialCode:
    """Reason codes of the OMS's own denials (the risk engine adds its own)."""

    INVALID_ORDER: Final = "INVALID_ORDER"
    DUPLICATE_CLIENT_ORDER_ID: Final = "DUPLICATE_CLIENT_ORDER_ID"
    UNKNOWN_INSTRUMENT: Final = "UNKNOWN_INSTRUMENT"
    NO_VENUE: Final = "NO_VENUE"
    QUANTITY_BELOW_MIN: Final = "QUANTITY_BELOW_MIN"
    QUANTITY_ABOVE_MAX: Final = "QUANTITY_ABOVE_MAX"


class OrderManager:
    """Owns orders: validates, routes to venues, applies venue events exactly once."""

    def __init__(
        self,
        clock: Clock,
        bus: MessageBus,
        instruments: Iterable[Instrument],
        venues: Iterable[VenueAdapter],
        *,
        route_orders: bool = True,
    ) -> None:
        self._clock = clock
        self._bus = bus
        self._instruments: Mapping[InstrumentId, Instrument] = {i.id: i for i in instruments}
        self._venues: dict[Venue, VenueAdapter] = {}
        for venue in venues:
            self._venues[venue.venue] = venue
            venue.connect(self)
        self._orders: dict[ClientOrderId, Order] = {}
        self._open: dict[ClientOrderId, Order] = {}
        self._fills_seen: set[tuple[Venue, TradeId]] = set()
        self.duplicate_fills = 0
        self.overfills = 0
        self.refused_transitions = 0
        self.denials = 0
        if route_orders:  # else the risk engine receives them and calls submit/modify/deny
            bus.register(SubmitOrder, self.submit)
            bus.register(ModifyOrder, self.modify)
        bus.register(CancelOrder, self.cancel)
        bus.register(CancelAllOrders, self.cancel_all)

    # --- queries --------------------------------------------------------------------------

    def order(self, client_order_id: ClientOrderId) -> Order | None:
        return self._orders.get(client_order_id)

    def orders(self, strategy_id: StrategyId | None = None) -> list[Order]:
        """Every order, in creation order (optionally of one strategy)."""
        return [o for o in self._orders.values() if strategy_id in (None, o.strategy_id)]

    def open_orders(
        self, strategy_id: StrategyId | None = None, instrument_id: InstrumentId | None = None
    ) -> list[Order]:
        """Orders that can still fill, in creation order."""
        return [
            o
            for o in self._open.values()
            if strategy_id in (None, o.strategy_id) and instrument_id in (None, o.instrument_id)
        ]

    # --- commands -------------------------------------------------------------------------

    def submit(self, command: SubmitOrder) -> None:
        """Create the order and send it to its venue, or deny it with a reason code."""
        init = command.order
        self._bus.publish(init)
        client_order_id = init.client_order_id
        if client_order_id in self._orders:
            self._deny(init, DenialCode.DUPLICATE_CLIENT_ORDER_ID, "client order id already used")
            return
        try:
            order = Order(init)  # checks the order's own consistency
        except InvalidInputError as error:
            self._deny(init, DenialCode.INVALID_ORDER, str(error))
            return
        self._orders[client_order_id] = order
        venue = self._route(init)
        if isinstance(venue, tuple):
            self._deny(init, *venue, order=order)
            return
        now = self._clock.timestamp_ns()
        self._apply(
            order,
            OrderSubmitted(
                strategy_id=init.strategy_id,
                instrument_id=init.instrument_id,
                client_order_id=client_order_id,
                account_id=venue.account_id,
                ts_event=now,
                ts_init=now,
            ),
        )
        self._open[client_order_id] = order
        venue.submit(order)

    def deny(self, init: OrderInitialized, reason_code: str, reason: str) -> None:
        """Deny an order that never entered (used by pre-trade risk in front of the OMS)."""
        self._bus.publish(init)
        order = None
        if init.client_order_id not in self._orders:
            try:
                order = Order(init)
            except InvalidInputError:
                order = None
            else:
                self._orders[order.client_order_id] = order
        self._deny(init, reason_code, reason, order=order)

    def modify(self, command: ModifyOrder) -> None:
        order = self._open.get(command.client_order_id)
        if order is None:
            reason = self._not_open(command.client_order_id)
            self._bus.publish(self._event(OrderModifyRejected, command, reason=reason))
            return
        if self._apply(order, self._event(OrderPendingUpdate, command)):
            self._venues[order.instrument_id.venue].modify(command)

    def refuse_modify(self, command: ModifyOrder, reason: str) -> None:
        """Refuse a modify before it reaches the venue (a risk control said no)."""
        self._bus.publish(self._event(OrderModifyRejected, command, reason=reason))

    def cancel(self, command: CancelOrder) -> None:
        order = self._open.get(command.client_order_id)
        if order is None:
            reason = self._not_open(command.client_order_id)
            self._bus.publish(self._event(OrderCancelRejected, command, reason=reason))
            return
        if self._apply(order, self._event(OrderPendingCancel, command)):
            self._venues[order.instrument_id.venue].cancel(command)

    def cancel_all(self, command: CancelAllOrders) -> None:
        for order in self.open_orders(command.strategy_id, command.instrument_id):
            if order.client_order_id in self._open:  # an earlier cancel may have closed it
                self.cancel(
                    CancelOrder(
                        strategy_id=order.strategy_id,
                        instrument_id=order.instrument_id,
                        client_order_id=order.client_order_id,
                        ts_init=command.ts_init,
                    )
                )

    # --- venue events ---------------------------------------------------------------------

    def on_venue_event(self, event: OrderEvent) -> None:
        """Apply one venue event exactly once, then publish it."""
        order = self._orders.get(event.client_order_id)
        if order is None:
            self._refuse(event, "UNKNOWN", "event for an order this engine never sent")
            return
        if type(event) is OrderFilled:
            key = (event.venue, event.trade_id)
            if key in self._fills_seen:
                self.duplicate_fills += 1
                log.warning("duplicate fill ignored: %s %s", event.venue, event.trade_id)
                self._bus.publish(
                    self._event(
                        FillDuplicateIgnored,
                        event,
                        venue=event.venue,
                        trade_id=event.trade_id,
                        duplicates_seen=self.duplicate_fills,
                    )
                )
                return
            if self._apply(order, event):
                self._fills_seen.add(key)
            return
        self._apply(order, event)

    # --- internals ------------------------------------------------------------------------

    def _apply(self, order: Order, event: OrderEvent) -> bool:
        try:
            order.apply(event)
        except OverfillError as error:
            self.overfills += 1
            log.error("overfill refused: %s", error)  # noqa: TRY400 - an alert, not a crash
            self._bus.publish(
                self._event(
                    OverfillRefused,
                    event,
                    trade_id=event.trade_id,  # type: ignore[attr-defined]  # only fills overfill
                    quantity=order.quantity,
                    filled_qty=order.filled_qty,
                    last_qty=error.last_qty,
                )
            )
            return False
        except IllegalTransitionError as error:
            self._refuse(event, error.state, str(error))
            return False
        if order.status in CLOSED_STATES:
            self._open.pop(order.client_order_id, None)
        self._bus.publish(event)
        return True

    def _refuse(self, event: OrderEvent, state: str, reason: str) -> None:
        self.refused_transitions += 1
        log.warning("order event refused: %s (%s)", reason, type(event).__name__)
        self._bus.publish(
            self._event(OrderTransitionRefused, event, state=state, trigger=type(event).__name__)
        )

    def _route(self, init: OrderInitialized) -> VenueAdapter | tuple[str, str]:
        """The venue adapter to send this well-formed order to, or why the engine cannot
        send it: (reason code, reason)."""
        instrument = self._instruments.get(init.instrument_id)
        if instrument is None:
            return DenialCode.UNKNOWN_INSTRUMENT, f"instrument {init.instrument_id} is not loaded"
        venue = self._venues.get(init.instrument_id.venue)
        if venue is None:
            return DenialCode.NO_VENUE, f"no venue adapter for {init.instrument_id.venue}"
        if init.quantity < instrument.min_quantity:
            return (
                DenialCode.QUANTITY_BELOW_MIN,
                f"quantity {init.quantity} lots is below the minimum {instrument.min_quantity}",
            )
        if instrument.max_quantity is not None and init.quantity > instrument.max_quantity:
            return (
                DenialCode.QUANTITY_ABOVE_MAX,
                f"quantity {init.quantity} lots is above the maximum {instrument.max_quantity}",
            )
        return venue

    def _deny(
        self, init: OrderInitialized, code: str, reason: str, order: Order | None = None
    ) -> None:
        """Publish the denial; a well-formed order is kept, DENIED, for the record."""
        self.denials += 1
        log.info("order %s denied: %s (%s)", init.client_order_id, code, reason)
        denied = self._event(OrderDenied, init, reason_code=code, reason=reason)
        if order is not None:
            order.apply(denied)
        self._bus.publish(denied)

    def _not_open(self, client_order_id: ClientOrderId) -> str:
        order = self._orders.get(client_order_id)
        if order is None:
            return f"order {client_order_id} is unknown"
        return f"order {client_order_id} is {order.status.name}, not open"

    def _event(self, cls: type[E], source: _OrderRef, **fields: Any) -> E:
        """An event of ``cls`` about ``source``'s order, stamped now."""
        now = self._clock.timestamp_ns()
        return cls(
            strategy_id=source.strategy_id,
            instrument_id=source.instrument_id,
            client_order_id=source.client_order_id,
            ts_event=now,
            ts_init=now,
            **fields,
        )
