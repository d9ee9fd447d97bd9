"""The message bus: events by type (base classes included), commands to one handler."""

from __future__ import annotations

import pytest

from ironkeel.core.bus import MessageBus
from ironkeel.model.commands import CancelAllOrders, CancelOrder, Command, SubmitOrder
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.events import Event, OrderEvent, TimeEvent
from ironkeel.model.identifiers import StrategyId


@pytest.fixture
def bus() -> MessageBus:
    return MessageBus()


@pytest.fixture
def time_event() -> TimeEvent:
    return TimeEvent(name="bar", ts_event=1, ts_init=1)


def test_when_publishing_then_subscribers_of_the_type_and_its_bases_receive_it(bus, time_event):
    received: list[str] = []
    bus.subscribe(TimeEvent, lambda e: received.append("exact"))
    bus.subscribe(Event, lambda e: received.append("base"))
    bus.subscribe(object, lambda e: received.append("object"))
    bus.subscribe(OrderEvent, lambda e: received.append("unrelated"))
    bus.publish(time_event)
    assert received == ["exact", "base", "object"]
    assert bus.published == 1


def test_handlers_run_in_subscription_order_not_by_type_specificity(bus, time_event):
    received: list[str] = []
    bus.subscribe(Event, lambda e: received.append("base-first"))
    bus.subscribe(TimeEvent, lambda e: received.append("exact-second"))
    bus.subscribe(Event, lambda e: received.append("base-third"))
    bus.publish(time_event)
    assert received == ["base-first", "exact-second", "base-third"]


def test_when_subscribing_after_a_publish_then_the_new_handler_is_used(bus, time_event):
    received: list[TimeEvent] = []
    bus.publish(time_event)
    bus.subscribe(TimeEvent, received.append)
    bus.publish(time_event)
    assert received == [time_event]
    assert bus.published == 2


def test_when_nobody_subscribes_then_publish_is_a_no_op(bus, time_event):
    bus.publish(time_event)
    assert bus.published == 1


def test_when_unsubscribed_then_handler_no_longer_receives(bus, time_event):
    received: list[TimeEvent] = []
    bus.subscribe(TimeEvent, received.append)
    bus.publish(time_event)
    bus.unsubscribe(TimeEvent, received.append)
    bus.publish(time_event)
    assert received == [time_event]


def test_when_unsubscribing_an_unknown_handler_then_error_names_the_type(bus):
    bus.subscribe(Event, print)
    with pytest.raises(InvalidInputError, match="is not subscribed to TimeEvent"):
        bus.unsubscribe(TimeEvent, print)


def test_when_a_command_is_sent_then_its_one_handler_receives_it(bus):
    received: list[Command] = []
    bus.register(CancelAllOrders, received.append)
    command = CancelAllOrders(strategy_id=StrategyId("sma-1"), ts_init=3)
    bus.send(command)
    assert received == [command]


def test_when_a_second_handler_registers_for_a_command_then_refused(bus):
    bus.register(CancelOrder, print)
    with pytest.raises(InvalidInputError, match="already has a handler"):
        bus.register(CancelOrder, print)


def test_when_a_command_has_no_handler_then_error_lists_the_handled_types(bus):
    bus.register(SubmitOrder, print)
    bus.register(CancelOrder, print)
    with pytest.raises(InvalidInputError) as caught:
        bus.send(CancelAllOrders(strategy_id=StrategyId("sma-1"), ts_init=3))
    assert caught.value.value == "CancelAllOrders"
    assert "['CancelOrder', 'SubmitOrder']" in caught.value.fix


def test_commands_are_not_published_to_event_subscribers(bus):
    received: list[object] = []
    bus.subscribe(object, received.append)
    bus.register(CancelAllOrders, lambda c: None)
    bus.send(CancelAllOrders(strategy_id=StrategyId("sma-1"), ts_init=3))
    assert received == []
    assert bus.published == 0


def test_when_a_handler_publishes_then_the_inner_message_is_delivered_at_once(bus):
    received: list[str] = []

    def on_time(event: TimeEvent) -> None:
        received.append(f"first saw {event.name}")
        if event.name == "outer":
            bus.publish(TimeEvent(name="inner", ts_event=1, ts_init=1))

    bus.subscribe(TimeEvent, on_time)
    bus.subscribe(Event, lambda e: received.append(f"second saw {e.name}"))
    bus.publish(TimeEvent(name="outer", ts_event=1, ts_init=1))
    assert received == [
        "first saw outer",
        "first saw inner",
        "second saw inner",
        "second saw outer",
    ]
