"""Orders: spec validation and the one transition table, driven only through ``apply``."""

from __future__ import annotations

import uuid
from fractions import Fraction

import msgspec
import pytest

from ironkeel.model import events as events_module
from ironkeel.model.enums import OrderSide, OrderStatus, OrderType, TimeInForce
from ironkeel.model.errors import IllegalTransitionError, InvalidInputError, OverfillError
from ironkeel.model.events import (
    OrderAccepted,
    OrderCancelRejected,
    OrderEvent,
    OrderModifyRejected,
    OrderPendingCancel,
    OrderPendingUpdate,
    OrderSubmitted,
    OrderUpdated,
)
from ironkeel.model.identifiers import ClientOrderId, VenueOrderId
from ironkeel.model.orders import (
    CLOSED_STATES,
    FULL,
    PARTIAL,
    PREVIOUS,
    SAME,
    TRANSITIONS,
    Order,
    Transition,
)

S = OrderStatus
EVENT_TYPES: dict[str, type[OrderEvent]] = {
    name: getattr(events_module, name)
    for name in events_module.__all__
    if issubclass(getattr(events_module, name), OrderEvent) and name != "OrderEvent"
}
#: Every trigger the table could name: each event type, with a fill split by what it leaves.
TRIGGERS = [*sorted(name for name in EVENT_TYPES if name != "OrderFilled"), PARTIAL, FULL]

#: A shortest path from INITIALIZED to each state (each working state passes ACCEPTED).
PATHS: dict[OrderStatus, list[str]] = {
    S.INITIALIZED: [],
    S.DENIED: ["OrderDenied"],
    S.SUBMITTED: ["OrderSubmitted"],
    S.REJECTED: ["OrderSubmitted", "OrderRejected"],
    S.ACCEPTED: ["OrderSubmitted", "OrderAccepted"],
    S.TRIGGERED: ["OrderSubmitted", "OrderAccepted", "OrderTriggered"],
    S.PENDING_UPDATE: ["OrderSubmitted", "OrderAccepted", "OrderPendingUpdate"],
    S.PENDING_CANCEL: ["OrderSubmitted", "OrderAccepted", "OrderPendingCancel"],
    S.PARTIALLY_FILLED: ["OrderSubmitted", "OrderAccepted", PARTIAL],
    S.FILLED: ["OrderSubmitted", "OrderAccepted", FULL],
    S.CANCELED: ["OrderSubmitted", "OrderAccepted", "OrderCanceled"],
    S.EXPIRED: ["OrderSubmitted", "OrderAccepted", "OrderExpired"],
}


def event_for(events, order: Order, trigger: str) -> OrderEvent:
    """An event that stands for ``trigger`` on ``order`` as it is now."""
    if trigger == PARTIAL:
        return events.fill(1)
    if trigger == FULL:
        return events.fill(order.quantity - order.filled_qty)
    return events.make(EVENT_TYPES[trigger])


def order_in(events, status: OrderStatus) -> Order:
    order = events.order()
    for trigger in PATHS[status]:
        order.apply(event_for(events, order, trigger))
    assert order.status is status
    return order


def snapshot(order: Order) -> tuple[object, ...]:
    """Everything ``apply`` may change."""
    return (
        order.status,
        order.previous_status,
        order.quantity,
        order.price,
        order.trigger_price,
        order.filled_qty,
        order.leaves_qty,
        order.cost,
        order.commission_raw,
        frozenset(order.trade_ids),
        order.venue_order_id,
        order.account_id,
        order.ts_last,
        tuple(order.history),
    )


ILLEGAL = [(s, t) for s in S for t in TRIGGERS if (s, t) not in TRANSITIONS]


# --- the table itself ---------------------------------------------------------------------


def test_paths_cover_every_status():
    assert set(PATHS) == set(S)


def test_table_names_only_known_states_and_triggers():
    for (state, trigger), target in TRANSITIONS.items():
        assert state in S
        assert trigger in TRIGGERS
        assert isinstance(target, OrderStatus) or target in (PREVIOUS, SAME)


LATE_FILL_STATES = (S.CANCELED, S.EXPIRED)


def test_when_state_is_terminal_then_only_a_late_fill_of_a_canceled_or_expired_order_exits():
    exits = {key: TRANSITIONS[key] for key in TRANSITIONS if key[0].is_terminal}
    assert exits == {
        (state, trigger): target
        for state in LATE_FILL_STATES
        for trigger, target in ((PARTIAL, SAME), (FULL, S.FILLED))
    }


def test_previous_is_only_a_target_from_a_pending_state():
    for (state, _), target in TRANSITIONS.items():
        if target == PREVIOUS:
            assert state in (S.PENDING_UPDATE, S.PENDING_CANCEL)


def test_every_state_is_reachable_from_initialized():
    reached, frontier = {S.INITIALIZED}, [S.INITIALIZED]
    while frontier:
        state = frontier.pop()
        for (source, _), target in TRANSITIONS.items():
            if source is state and isinstance(target, OrderStatus) and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(S)


def test_every_non_terminal_state_has_a_direct_exit_to_a_terminal_state():
    for state in S:
        if not state.is_terminal:
            exits = [TRANSITIONS[key] for key in TRANSITIONS if key[0] is state]
            assert any(isinstance(t, OrderStatus) and t.is_terminal for t in exits)


# --- every pair, legal or not -------------------------------------------------------------


@pytest.mark.parametrize(("state", "trigger"), ILLEGAL, ids=lambda v: getattr(v, "name", v))
def test_when_pair_is_not_in_the_table_then_illegal_and_order_unchanged(events, state, trigger):
    order = order_in(events, state)
    before = snapshot(order)
    event = event_for(events, order, trigger)
    with pytest.raises(IllegalTransitionError) as caught:
        order.apply(event)
    assert snapshot(order) == before
    assert caught.value.state == state.name
    assert caught.value.trigger == order.trigger_of(event)
    assert str(order.client_order_id) in str(caught.value)


@pytest.mark.parametrize(
    ("state", "trigger"), sorted(TRANSITIONS, key=str), ids=lambda v: getattr(v, "name", v)
)
def test_when_pair_is_in_the_table_then_apply_moves_to_its_target(events, state, trigger):
    order = order_in(events, state)
    event = event_for(events, order, trigger)
    expected = TRANSITIONS[(state, trigger)]
    if expected == PREVIOUS:
        expected = S.ACCEPTED  # every PATHS entry to a pending state starts from ACCEPTED
    elif expected == SAME:
        expected = state
    assert order.next_status(event) is expected
    history = len(order.history)
    order.apply(event)
    assert order.status is expected
    assert order.history[-1] == Transition(event.ts_event, state, expected, trigger)
    assert len(order.history) == history + 1
    assert order.ts_last == event.ts_event


@pytest.mark.parametrize("state", [s for s in S if s.is_terminal], ids=lambda s: s.name)
def test_when_terminal_then_no_trigger_but_a_late_fill_leaves_the_state(events, state):
    order = order_in(events, state)
    before = snapshot(order)
    for trigger in TRIGGERS:
        if state in LATE_FILL_STATES and trigger in (PARTIAL, FULL):
            continue
        with pytest.raises(IllegalTransitionError):
            order.apply(event_for(events, order, trigger))
    assert snapshot(order) == before
    assert order.leaves_qty == 0
    assert order.is_closed
    assert not order.is_open


@pytest.mark.parametrize("state", LATE_FILL_STATES, ids=lambda s: s.name)
def test_when_a_fill_arrives_after_the_cancel_then_it_is_booked_and_the_order_stays_closed(
    events, state
):
    order = order_in(events, state)
    order.apply(event_for(events, order, PARTIAL))
    assert order.status is state
    assert order.filled_qty > 0
    assert order.leaves_qty == 0
    order.apply(events.fill(order.quantity - order.filled_qty))
    assert order.status is S.FILLED


def test_next_status_does_not_change_the_order(events):
    order = order_in(events, S.ACCEPTED)
    before = snapshot(order)
    assert order.next_status(events.fill(10)) is S.FILLED
    assert snapshot(order) == before


# --- previous: back to the state before the pending request -------------------------------

PENDING_ROUNDS = {
    "update-updated": [OrderPendingUpdate, OrderUpdated],
    "update-modify-rejected": [OrderPendingUpdate, OrderModifyRejected],
    "cancel-rejected": [OrderPendingCancel, OrderCancelRejected],
    "update-then-cancel-rejected": [OrderPendingUpdate, OrderPendingCancel, OrderCancelRejected],
}


@pytest.mark.parametrize(
    "start", [S.SUBMITTED, S.ACCEPTED, S.TRIGGERED, S.PARTIALLY_FILLED], ids=lambda s: s.name
)
@pytest.mark.parametrize("round_trip", PENDING_ROUNDS.values(), ids=PENDING_ROUNDS.keys())
def test_when_a_pending_request_is_answered_then_previous_restores_the_state(
    events, start, round_trip
):
    order = order_in(events, start)
    for kind in round_trip:
        order.apply(events.make(kind))
    assert order.status is start


def test_when_accepted_while_pending_cancel_then_a_cancel_reject_restores_accepted(events):
    order = order_in(events, S.SUBMITTED)
    order.apply(events.make(OrderPendingCancel))
    order.apply(events.make(OrderAccepted, venue_order_id=VenueOrderId("V-9")))
    assert order.status is S.PENDING_CANCEL
    order.apply(events.make(OrderCancelRejected))
    assert order.status is S.ACCEPTED
    assert order.venue_order_id == VenueOrderId("V-9")


def test_when_partially_filled_while_pending_then_new_request_remembers_the_fill(events):
    order = order_in(events, S.PENDING_CANCEL)
    order.apply(events.fill(4))
    assert order.status is S.PARTIALLY_FILLED
    order.apply(events.make(OrderPendingUpdate))
    order.apply(events.make(OrderModifyRejected))
    assert order.status is S.PARTIALLY_FILLED


# --- fills --------------------------------------------------------------------------------


def test_fills_accumulate_exactly(events):
    order = order_in(events, S.ACCEPTED)
    order.apply(events.fill(3, last_px=1_000))
    order.apply(events.fill(4, last_px=1_003))
    assert (order.filled_qty, order.leaves_qty) == (7, 3)
    assert order.avg_px == Fraction(3 * 1_000 + 4 * 1_003, 7)
    assert order.commission_raw == 14
    assert order.status is S.PARTIALLY_FILLED
    assert order.is_open


def test_before_any_fill_avg_px_is_none(events):
    assert events.order().avg_px is None


@pytest.mark.parametrize(("filled", "last_qty"), [(0, 11), (6, 5), (9, 2)])
def test_when_a_fill_would_overfill_then_overfill_error_and_nothing_changes(
    events, filled, last_qty
):
    order = order_in(events, S.ACCEPTED)
    if filled:
        order.apply(events.fill(filled))
    before = snapshot(order)
    with pytest.raises(OverfillError) as caught:
        order.apply(events.fill(last_qty))
    assert snapshot(order) == before
    assert (caught.value.quantity, caught.value.filled, caught.value.last_qty) == (
        10,
        filled,
        last_qty,
    )


@pytest.mark.parametrize(
    ("fill_kw", "field"),
    [
        ({"last_qty": 0}, "OrderFilled.last_qty"),
        ({"last_qty": -1}, "OrderFilled.last_qty"),
        ({"last_qty": 1, "side": OrderSide.SELL}, "OrderFilled.side"),
    ],
)
def test_when_a_fill_is_malformed_then_rejected_and_nothing_changes(events, fill_kw, field):
    order = order_in(events, S.ACCEPTED)
    before = snapshot(order)
    with pytest.raises(InvalidInputError) as caught:
        order.apply(events.fill(**fill_kw))
    assert caught.value.field == field
    assert snapshot(order) == before


def test_when_the_same_fill_is_applied_twice_then_the_order_counts_it_twice(events):
    """Order.apply does not dedupe trade ids: the OMS must, before calling apply."""
    order = order_in(events, S.ACCEPTED)
    fill = events.fill(2, trade_id="T-dup")
    order.apply(fill)
    order.apply(fill)
    assert order.filled_qty == 4
    assert order.trade_ids == {fill.trade_id}


def test_a_fill_records_the_venue_order_id_and_trade_id(events):
    order = order_in(events, S.SUBMITTED)
    fill = events.fill(10)
    order.apply(fill)
    assert order.status is S.FILLED
    assert order.venue_order_id == fill.venue_order_id
    assert fill.trade_id in order.trade_ids


# --- other guarded events -----------------------------------------------------------------


def test_when_an_event_belongs_to_another_order_then_rejected(events):
    order = events.order()
    other = ClientOrderId(str(uuid.UUID(int=99, version=4)))
    event = msgspec.structs.replace(events.make(OrderSubmitted), client_order_id=other)
    with pytest.raises(InvalidInputError, match="belongs to another order"):
        order.apply(event)
    assert order.status is S.INITIALIZED


@pytest.mark.parametrize("new_quantity", [4, 3])
def test_when_update_quantity_is_not_above_filled_then_rejected(events, new_quantity):
    order = order_in(events, S.ACCEPTED)
    order.apply(events.fill(4))
    before = snapshot(order)
    with pytest.raises(InvalidInputError, match=r"OrderUpdated\.quantity"):
        order.apply(events.make(OrderUpdated, quantity=new_quantity))
    assert snapshot(order) == before


def test_when_updated_then_quantity_and_prices_change(events):
    order = order_in(events, S.PENDING_UPDATE)
    order.apply(events.make(OrderUpdated, quantity=12, price=990))
    assert (order.quantity, order.price, order.leaves_qty) == (12, 990, 12)
    assert order.status is S.ACCEPTED


def test_submit_and_accept_record_the_account_and_venue_ids(events):
    order = events.order()
    order.apply(events.make(OrderSubmitted))
    assert order.account_id is not None
    assert order.venue_order_id is None
    order.apply(events.make(OrderAccepted))
    assert order.venue_order_id == VenueOrderId("V-1")


def test_history_stamps_every_transition_in_order(events):
    order = events.order()
    trail = ["OrderSubmitted", "OrderAccepted", PARTIAL, "OrderPendingCancel", FULL]
    stamps = []
    for trigger in trail:
        event = event_for(events, order, trigger)
        stamps.append(event.ts_event)
        order.apply(event)
    assert [t.trigger for t in order.history] == ["OrderInitialized", *trail]
    assert [t.ts_ns for t in order.history] == [order.init.ts_init, *stamps]
    assert [t.to_state for t in order.history] == [
        S.INITIALIZED,
        S.SUBMITTED,
        S.ACCEPTED,
        S.PARTIALLY_FILLED,
        S.PENDING_CANCEL,
        S.FILLED,
    ]
    assert all(
        a.to_state is b.from_state for a, b in zip(order.history, order.history[1:], strict=False)
    )


def test_a_new_order_copies_its_spec(events):
    order = events.order(side=OrderSide.SELL, quantity=7, price=1_234)
    assert (order.side, order.quantity, order.price, order.filled_qty) == (
        OrderSide.SELL,
        7,
        1_234,
        0,
    )
    assert order.status is S.INITIALIZED
    assert order.leaves_qty == 7
    assert not order.is_open
    assert not order.is_closed
    assert "SELL 7 limit, INITIALIZED, filled=0" in repr(order)


# --- order spec validation ----------------------------------------------------------------

VALID_SPECS = {
    "market": {"order_type": OrderType.MARKET, "price": None},
    "limit": {},
    "stop-market": {"order_type": OrderType.STOP_MARKET, "price": None, "trigger_price": 990},
    "stop-limit": {"order_type": OrderType.STOP_LIMIT, "trigger_price": 990},
    "gtd": {"time_in_force": TimeInForce.GTD, "expire_time_ns": 10**12},
    "post-only-gtc": {"post_only": True},
    "reduce-only-ioc": {"reduce_only": True, "time_in_force": TimeInForce.IOC},
}


@pytest.mark.parametrize("spec", VALID_SPECS.values(), ids=VALID_SPECS.keys())
def test_when_spec_is_consistent_then_order_is_created(events, spec):
    assert events.order(**spec).status is S.INITIALIZED


INVALID_SPECS = {
    "zero-quantity": ({"quantity": 0}, "quantity"),
    "negative-quantity": ({"quantity": -1}, "quantity"),
    "float-quantity": ({"quantity": 1.0}, "quantity"),
    "bool-quantity": ({"quantity": True}, "quantity"),
    "limit-without-price": ({"price": None}, "price"),
    "market-with-price": ({"order_type": OrderType.MARKET}, "price"),
    "stop-limit-without-price": (
        {"order_type": OrderType.STOP_LIMIT, "price": None, "trigger_price": 1},
        "price",
    ),
    "stop-without-trigger": ({"order_type": OrderType.STOP_MARKET, "price": None}, "trigger_price"),
    "limit-with-trigger": ({"trigger_price": 990}, "trigger_price"),
    "gtd-without-expiry": ({"time_in_force": TimeInForce.GTD}, "expire_time_ns"),
    "gtc-with-expiry": ({"expire_time_ns": 10**12}, "expire_time_ns"),
    "expiry-not-after-creation": (
        {"time_in_force": TimeInForce.GTD, "expire_time_ns": 1_001},
        "expire_time_ns",
    ),
    "post-only-market": (
        {"order_type": OrderType.MARKET, "price": None, "post_only": True},
        "post_only",
    ),
    "post-only-ioc": ({"post_only": True, "time_in_force": TimeInForce.IOC}, "post_only"),
    "post-only-fok": ({"post_only": True, "time_in_force": TimeInForce.FOK}, "post_only"),
}


@pytest.mark.parametrize(("spec", "field"), INVALID_SPECS.values(), ids=INVALID_SPECS.keys())
def test_when_spec_is_inconsistent_then_error_names_the_order_and_field(events, spec, field):
    init = events.init(**spec)
    with pytest.raises(InvalidInputError) as caught:
        Order(init)
    assert caught.value.field == f"order {init.client_order_id}.{field}"
    assert caught.value.fix


def test_history_is_a_list_of_transitions_that_changes_only_through_apply(events):
    order = events.order()
    history = order.history
    assert all(type(t) is Transition for t in history)
    history.append(Transition(0, S.FILLED, S.FILLED, "x"))  # a copy: the order is unchanged
    assert len(order.history) == 1
    order.apply(events.make(OrderSubmitted))
    assert order.history == [
        Transition(order.init.ts_init, S.INITIALIZED, S.INITIALIZED, "OrderInitialized"),
        Transition(order.ts_last, S.INITIALIZED, S.SUBMITTED, "OrderSubmitted"),
    ]
    assert order.history[-1].to_state is order.status


def test_closed_states_are_the_terminal_states(events):
    assert {s for s in S if s.is_terminal} == CLOSED_STATES
    for status in S:
        order = order_in(events, status)
        assert order.is_closed is status.is_terminal
        if status.is_terminal:
            assert order.leaves_qty == 0
        else:
            assert order.leaves_qty == order.quantity - order.filled_qty > 0
