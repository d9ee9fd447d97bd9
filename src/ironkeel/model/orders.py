"""Orders and their one state machine.

``TRANSITIONS`` is the only place that says which event may move an order from
which state to which. ``Order.apply(event)`` is the only way an order changes;
an event the table does not allow raises ``IllegalTransitionError`` and leaves
the order untouched, and so does a fill that would overfill the order
(``OverfillError``). Every transition is kept, stamped in ns, in ``history``.
"""

from __future__ import annotations

import copy
from fractions import Fraction
from typing import Any, Final, NamedTuple

from msgspec.structs import astuple

from ironkeel.model.enums import OrderSide, OrderStatus, OrderType, TimeInForce
from ironkeel.model.errors import IllegalTransitionError, InvalidInputError, OverfillError
from ironkeel.model.events import (
    OrderAccepted,
    OrderEvent,
    OrderFilled,
    OrderInitialized,
    OrderSubmitted,
    OrderUpdated,
)
from ironkeel.model.identifiers import (
    AccountId,
    ClientOrderId,
    InstrumentId,
    StrategyId,
    TradeId,
    VenueOrderId,
)

__all__ = [
    "ACCEPTED_EVENT",
    "CLOSED_STATES",
    "FILLED_EVENT",
    "OPEN_STATES",
    "SUBMITTED_EVENT",
    "TRANSITIONS",
    "UPDATED_EVENT",
    "Order",
    "Transition",
    "validate_order_spec",
]

S = OrderStatus
#: Triggers: the event's class name; a fill is "PartialFill" or "FullFill" by what it leaves.
PARTIAL: Final = "PartialFill"
FULL: Final = "FullFill"
#: Special targets: back to the state before the pending request, or stay where it is.
PREVIOUS: Final = "previous"
SAME: Final = "same"

_OPEN_WORKING: Final = (S.ACCEPTED, S.TRIGGERED, S.PARTIALLY_FILLED)
# A set: ``in`` hashes an enum member by identity, where a tuple compares it with each item.
_PENDING: Final = frozenset({S.PENDING_UPDATE, S.PENDING_CANCEL})
_INITIALIZED: Final = S.INITIALIZED
_ACCEPTED: Final = S.ACCEPTED
#: The terminal states, as a set: ``status in CLOSED_STATES`` is the cheap form of
#: ``status.is_terminal`` (a property read through the enum, ~8x slower).
CLOSED_STATES: Final = frozenset(s for s in S if s.is_terminal)
#: The working states (``status.is_open``), as a set for the same reason.
OPEN_STATES: Final = frozenset(s for s in S if s.is_open)
#: The event classes as module constants: compiled, a name imported from an interpreted
#: module is a dict lookup on every use, a Final one (here or imported from here by another
#: compiled module) a static read (decision 0019).
FILLED_EVENT: Final = OrderFilled
ACCEPTED_EVENT: Final = OrderAccepted
SUBMITTED_EVENT: Final = OrderSubmitted
UPDATED_EVENT: Final = OrderUpdated


def _table() -> dict[tuple[OrderStatus, str], OrderStatus | str]:
    t: dict[tuple[OrderStatus, str], OrderStatus | str] = {
        (S.INITIALIZED, "OrderDenied"): S.DENIED,
        (S.INITIALIZED, "OrderSubmitted"): S.SUBMITTED,
        (S.INITIALIZED, "OrderCanceled"): S.CANCELED,
        (S.SUBMITTED, "OrderAccepted"): S.ACCEPTED,
        (S.SUBMITTED, "OrderRejected"): S.REJECTED,
        (S.SUBMITTED, "OrderCanceled"): S.CANCELED,
        (S.SUBMITTED, "OrderExpired"): S.EXPIRED,
        (S.SUBMITTED, "OrderPendingCancel"): S.PENDING_CANCEL,
        (S.SUBMITTED, "OrderPendingUpdate"): S.PENDING_UPDATE,
        (S.SUBMITTED, "OrderTriggered"): S.TRIGGERED,
        (S.SUBMITTED, PARTIAL): S.PARTIALLY_FILLED,
        (S.SUBMITTED, FULL): S.FILLED,
        (S.TRIGGERED, "OrderRejected"): S.REJECTED,
        (S.PENDING_UPDATE, "OrderUpdated"): PREVIOUS,
        (S.PENDING_UPDATE, "OrderModifyRejected"): PREVIOUS,
        (S.PENDING_UPDATE, "OrderAccepted"): S.ACCEPTED,
        (S.PENDING_UPDATE, "OrderTriggered"): S.TRIGGERED,
        (S.PENDING_UPDATE, "OrderPendingCancel"): S.PENDING_CANCEL,
        (S.PENDING_UPDATE, "OrderCanceled"): S.CANCELED,
        (S.PENDING_UPDATE, "OrderExpired"): S.EXPIRED,
        (S.PENDING_UPDATE, PARTIAL): S.PARTIALLY_FILLED,
        (S.PENDING_UPDATE, FULL): S.FILLED,
        (S.PENDING_CANCEL, "OrderCanceled"): S.CANCELED,
        (S.PENDING_CANCEL, "OrderCancelRejected"): PREVIOUS,
        (S.PENDING_CANCEL, "OrderExpired"): S.EXPIRED,
        (S.PENDING_CANCEL, "OrderAccepted"): S.PENDING_CANCEL,
        (S.PENDING_CANCEL, PARTIAL): S.PARTIALLY_FILLED,
        (S.PENDING_CANCEL, FULL): S.FILLED,
    }
    for state in _OPEN_WORKING:
        t[(state, "OrderPendingUpdate")] = S.PENDING_UPDATE
        t[(state, "OrderPendingCancel")] = S.PENDING_CANCEL
        t[(state, "OrderUpdated")] = SAME
        t[(state, "OrderModifyRejected")] = SAME
        t[(state, "OrderCancelRejected")] = SAME
        t[(state, "OrderCanceled")] = S.CANCELED
        t[(state, "OrderExpired")] = S.EXPIRED
        t[(state, PARTIAL)] = S.PARTIALLY_FILLED
        t[(state, FULL)] = S.FILLED
    t[(S.ACCEPTED, "OrderTriggered")] = S.TRIGGERED
    # Late fills: a venue may report an execution after it confirmed the cancel (or the
    # expiry) of the rest; the lots were executed, so the fill is applied. The order stays
    # closed (nothing works at the venue any more), or is FILLED if that completes it.
    for closed in (S.CANCELED, S.EXPIRED):
        t[(closed, PARTIAL)] = SAME
        t[(closed, FULL)] = S.FILLED
    return t


#: The order state machine: (state, trigger) -> next state. Nothing else moves an order.
TRANSITIONS: Final = _table()


class Transition(NamedTuple):
    """One recorded step of an order's life."""

    ts_ns: int
    from_state: OrderStatus
    to_state: OrderStatus
    trigger: str


# Members read once here: ``OrderType.LIMIT`` costs ~100 ns per read in CPython 3.11.
_MARKET: Final = OrderType.MARKET
_LIMIT: Final = OrderType.LIMIT
_PRICED: Final = (OrderType.LIMIT, OrderType.STOP_LIMIT)
_STOPS: Final = (OrderType.STOP_MARKET, OrderType.STOP_LIMIT)
_GTD: Final = TimeInForce.GTD
_ONCE: Final = (TimeInForce.IOC, TimeInForce.FOK)


_as_transition = Transition._make


# Every field of a spec in one call, read by position: compiled, each attribute read of a
# msgspec Struct is a generic lookup, a tuple item a native read. The items are untyped, so
# a malformed spec reaches the checks below instead of a bare TypeError at a typed read.
_fields_of: Final = astuple
_SPEC_FIELDS: Final = OrderInitialized.__struct_fields__
_TS_INIT: Final = _SPEC_FIELDS.index("ts_init")
_STRATEGY_ID: Final = _SPEC_FIELDS.index("strategy_id")
_INSTRUMENT_ID: Final = _SPEC_FIELDS.index("instrument_id")
_CLIENT_ORDER_ID: Final = _SPEC_FIELDS.index("client_order_id")
_SIDE: Final = _SPEC_FIELDS.index("side")
_ORDER_TYPE: Final = _SPEC_FIELDS.index("order_type")
_QUANTITY: Final = _SPEC_FIELDS.index("quantity")
_PRICE: Final = _SPEC_FIELDS.index("price")
_TRIGGER_PRICE: Final = _SPEC_FIELDS.index("trigger_price")
_TIME_IN_FORCE: Final = _SPEC_FIELDS.index("time_in_force")
_EXPIRE_TIME_NS: Final = _SPEC_FIELDS.index("expire_time_ns")
_REDUCE_ONLY: Final = _SPEC_FIELDS.index("reduce_only")
_POST_ONLY: Final = _SPEC_FIELDS.index("post_only")
_EMERGENCY: Final = _SPEC_FIELDS.index("emergency")
_FILL_FIELDS: Final = OrderFilled.__struct_fields__
_FILL_TS_EVENT: Final = _FILL_FIELDS.index("ts_event")
_FILL_CLIENT_ORDER_ID: Final = _FILL_FIELDS.index("client_order_id")
_FILL_VENUE_ORDER_ID: Final = _FILL_FIELDS.index("venue_order_id")
_TRADE_ID: Final = _FILL_FIELDS.index("trade_id")
_FILL_SIDE: Final = _FILL_FIELDS.index("side")
_LAST_QTY: Final = _FILL_FIELDS.index("last_qty")
_LAST_PX: Final = _FILL_FIELDS.index("last_px")
_COMMISSION_RAW: Final = _FILL_FIELDS.index("commission_raw")


def validate_order_spec(init: OrderInitialized) -> None:
    """Check the order's own consistency (the grid and limits are checked by the OMS)."""
    _validate(init, _fields_of(init))


def _validate(init: OrderInitialized, spec: tuple[Any, ...]) -> None:
    quantity = spec[_QUANTITY]
    if type(quantity) is not int or quantity <= 0:
        raise InvalidInputError(
            f"{_name(init)}.quantity", quantity, "must be a positive number of lots", "pass qty > 0"
        )
    order_type = spec[_ORDER_TYPE]
    if (
        order_type is _MARKET
        and spec[_PRICE] is None
        and spec[_TRIGGER_PRICE] is None
        and spec[_EXPIRE_TIME_NS] is None
        and spec[_TIME_IN_FORCE] is not _GTD
        and not spec[_POST_ONLY]
    ):
        return  # a plain market order: nothing below can fail
    _check_prices_and_times(init, order_type)


def _name(init: OrderInitialized) -> str:
    return f"order {init.client_order_id}"


def _check_prices_and_times(init: OrderInitialized, order_type: OrderType) -> None:
    needs_price = order_type in _PRICED
    needs_trigger = order_type in _STOPS
    if needs_price != (init.price is not None):
        raise InvalidInputError(
            f"{_name(init)}.price",
            init.price,
            f"a {order_type.value} order {'needs' if needs_price else 'takes no'} limit price",
            "set price only for limit and stop-limit orders",
        )
    if needs_trigger != (init.trigger_price is not None):
        raise InvalidInputError(
            f"{_name(init)}.trigger_price",
            init.trigger_price,
            f"a {order_type.value} order {'needs' if needs_trigger else 'takes no'} trigger price",
            "set trigger_price only for stop orders",
        )
    if (init.time_in_force is _GTD) != (init.expire_time_ns is not None):
        raise InvalidInputError(
            f"{_name(init)}.expire_time_ns",
            init.expire_time_ns,
            "GTD orders need an expire time and other orders take none",
            "set expire_time_ns together with time_in_force=GTD",
        )
    if init.expire_time_ns is not None and init.expire_time_ns <= init.ts_init:
        raise InvalidInputError(
            f"{_name(init)}.expire_time_ns",
            init.expire_time_ns,
            f"is not after the order's creation time {init.ts_init}",
            "give an expire time in the future",
        )
    if init.post_only and order_type is not _LIMIT:
        raise InvalidInputError(
            f"{_name(init)}.post_only",
            init.post_only,
            "only a limit order can be post-only",
            "drop post_only",
        )
    if init.post_only and init.time_in_force in _ONCE:
        raise InvalidInputError(
            f"{_name(init)}.post_only",
            init.post_only,
            f"a post-only order cannot be {init.time_in_force.value}",
            "use GTC, DAY or GTD with post_only",
        )


#: Every attribute of an Order (its ``__slots__``; ``__deepcopy__`` copies them).
_ORDER_FIELDS: Final = (
    "_steps",
    "account_id",
    "client_order_id",
    "commission_raw",
    "cost",
    "emergency",
    "expire_time_ns",
    "filled_qty",
    "init",
    "instrument_id",
    "order_type",
    "post_only",
    "previous_status",
    "price",
    "quantity",
    "reduce_only",
    "side",
    "status",
    "strategy_id",
    "time_in_force",
    "trade_ids",
    "trigger_price",
    "ts_last",
    "venue_order_id",
)


class Order:
    """One order's state, changed only by ``apply``; quantities in lots, prices in ticks."""

    __slots__ = _ORDER_FIELDS

    def __init__(self, init: OrderInitialized) -> None:
        spec = _fields_of(init)
        _validate(init, spec)
        self.init = init
        self.client_order_id: ClientOrderId = spec[_CLIENT_ORDER_ID]
        self.strategy_id: StrategyId = spec[_STRATEGY_ID]
        self.instrument_id: InstrumentId = spec[_INSTRUMENT_ID]
        self.side: OrderSide = spec[_SIDE]
        self.order_type: OrderType = spec[_ORDER_TYPE]
        self.quantity: int = spec[_QUANTITY]
        self.price: int | None = spec[_PRICE]
        self.trigger_price: int | None = spec[_TRIGGER_PRICE]
        self.time_in_force: TimeInForce = spec[_TIME_IN_FORCE]
        self.expire_time_ns: int | None = spec[_EXPIRE_TIME_NS]
        self.reduce_only: bool = spec[_REDUCE_ONLY]
        self.post_only: bool = spec[_POST_ONLY]
        self.emergency: bool = spec[_EMERGENCY]
        self.status = _INITIALIZED
        self.previous_status = _INITIALIZED
        self.venue_order_id: VenueOrderId | None = None
        self.account_id: AccountId | None = None
        self.filled_qty = 0
        self.cost = 0  # sum of last_px * last_qty over fills: avg price = cost / filled_qty
        self.commission_raw = 0
        self.trade_ids: set[TradeId] = set()
        ts_init: int = spec[_TS_INIT]
        self.ts_last = ts_init
        # The history as plain tuples: building a NamedTuple costs ~4x a tuple, on every event.
        self._steps: list[tuple[int, OrderStatus, OrderStatus, str]] = [
            (ts_init, _INITIALIZED, _INITIALIZED, "OrderInitialized")
        ]

    def __repr__(self) -> str:
        return (
            f"Order({self.client_order_id}, {self.side.name} {self.quantity} "
            f"{self.order_type.value}, {self.status.name}, filled={self.filled_qty})"
        )

    @property
    def history(self) -> list[Transition]:
        """Every transition so far, oldest first, stamped in ns (a new list on each read)."""
        return list(map(_as_transition, self._steps))

    @property
    def leaves_qty(self) -> int:
        """Lots still to fill: quantity - filled (0 once the order is closed)."""
        return 0 if self.status in CLOSED_STATES else self.quantity - self.filled_qty

    @property
    def avg_px(self) -> Fraction | None:
        """The exact average fill price in ticks, or None before the first fill."""
        return Fraction(self.cost, self.filled_qty) if self.filled_qty else None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATES

    def trigger_of(self, event: OrderEvent) -> str:
        """The state-machine trigger an event stands for (a fill: partial or full)."""
        if isinstance(event, OrderFilled):
            return FULL if self.filled_qty + event.last_qty >= self.quantity else PARTIAL
        return type(event).__name__

    def next_status(self, event: OrderEvent) -> OrderStatus:
        """The state ``event`` would move this order to; raises if the table forbids it."""
        return self._target(self.trigger_of(event))

    def _target(self, trigger: str) -> OrderStatus:
        target = TRANSITIONS.get((self.status, trigger))
        if target is None:
            raise IllegalTransitionError(str(self.client_order_id), self.status.name, trigger)
        if isinstance(target, str):  # PREVIOUS or SAME
            return self.previous_status if target == PREVIOUS else self.status
        return target

    def __deepcopy__(self, memo: dict[int, Any]) -> Order:
        """An independent copy with the same state and history (the default protocol
        cannot rebuild the class when it is compiled)."""
        clone = Order(self.init)
        for name in _ORDER_FIELDS:
            setattr(clone, name, copy.deepcopy(getattr(self, name), memo))
        return clone

    def apply(self, event: OrderEvent) -> None:
        """Apply one event: all of it, or (on an error) none of it.

        The hot path of the engine (every order event of every order): one type
        dispatch, one table lookup, no enum reads through the class.
        """
        kind = type(event)
        status = self.status
        if kind is FILLED_EVENT:
            fill_fields = _fields_of(event)  # a fill's ten reads in one call
            cid = fill_fields[_FILL_CLIENT_ORDER_ID]
            last_qty: int = fill_fields[_LAST_QTY]
            trigger = FULL if self.filled_qty + last_qty >= self.quantity else PARTIAL
        else:
            fill_fields = ()
            cid = event.client_order_id
            last_qty = 0
            trigger = kind.__name__
        if cid is not self.client_order_id and cid != self.client_order_id:
            raise InvalidInputError(
                "event.client_order_id",
                str(event.client_order_id),
                f"belongs to another order than {self.client_order_id}",
                "route the event to its own order",
            )
        # ``self._target(trigger)``, inlined: this runs for every event of every order.
        target = TRANSITIONS.get((status, trigger))
        if target is None:
            raise IllegalTransitionError(str(self.client_order_id), status.name, trigger)
        if isinstance(target, str):  # PREVIOUS or SAME
            target = self.previous_status if target == PREVIOUS else status
        if kind is FILLED_EVENT:
            self._fill(fill_fields, last_qty)
        # A class whose name is a trigger is that event class: a subclass would be named
        # otherwise and refused by the table above.
        elif kind is ACCEPTED_EVENT:
            self.venue_order_id = event.venue_order_id  # type: ignore[attr-defined]
            self.account_id = event.account_id  # type: ignore[attr-defined]
        elif kind is SUBMITTED_EVENT:
            self.account_id = event.account_id  # type: ignore[attr-defined]
        elif kind is UPDATED_EVENT:
            self._apply_update(event)  # type: ignore[arg-type]  # checked just above
        if target in _PENDING:
            if status not in _PENDING:
                self.previous_status = status
            elif kind is ACCEPTED_EVENT:
                # Accepted while a request was pending: a reject now returns to ACCEPTED.
                self.previous_status = _ACCEPTED
        ts_event: int = fill_fields[_FILL_TS_EVENT] if kind is FILLED_EVENT else event.ts_event
        self._steps.append((ts_event, status, target, trigger))
        self.status = target
        self.ts_last = ts_event

    def _fill(self, fields: tuple[Any, ...], last_qty: int) -> None:
        """A fill's effect (``fields``: the OrderFilled's, by position), after its checks."""
        self._check_fill(last_qty, fields[_FILL_SIDE])
        self.filled_qty += last_qty
        last_px: int = fields[_LAST_PX]
        self.cost += last_px * last_qty
        commission_raw: int = fields[_COMMISSION_RAW]
        self.commission_raw += commission_raw
        self.trade_ids.add(fields[_TRADE_ID])
        self.venue_order_id = fields[_FILL_VENUE_ORDER_ID]

    def _check_fill(self, last_qty: int, side: OrderSide) -> None:
        if last_qty <= 0:
            raise InvalidInputError(
                "OrderFilled.last_qty", last_qty, "must be positive", "check the venue message"
            )
        if self.filled_qty + last_qty > self.quantity:
            raise OverfillError(str(self.client_order_id), self.quantity, self.filled_qty, last_qty)
        if side is not self.side:
            raise InvalidInputError(
                "OrderFilled.side",
                side.name,
                f"differs from the order's {self.side.name}",
                "check the venue message",
            )

    def _apply_update(self, event: OrderUpdated) -> None:
        if event.quantity <= self.filled_qty:
            raise InvalidInputError(
                "OrderUpdated.quantity",
                event.quantity,
                f"is not above the {self.filled_qty} lots already filled",
                "cancel the order instead of reducing it to its filled quantity",
            )
        self.quantity = event.quantity
        self.price = event.price
        self.trigger_price = event.trigger_price
