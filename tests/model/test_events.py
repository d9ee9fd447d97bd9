"""Events: frozen, past tense, stamped in ns, and they round-trip through msgspec."""

from __future__ import annotations

import msgspec
import pytest

from ironkeel.model import events as events_module
from ironkeel.model.events import Event, OrderEvent, OrderFilled, TimeEvent
from ironkeel.model.values import Money

ORDER_EVENT_TYPES = [
    getattr(events_module, name)
    for name in events_module.__all__
    if issubclass(getattr(events_module, name), OrderEvent)
    and getattr(events_module, name) is not OrderEvent
]


def test_every_order_event_type_is_exported():
    assert set(OrderEvent.__subclasses__()) == set(ORDER_EVENT_TYPES)


@pytest.mark.parametrize("kind", ORDER_EVENT_TYPES, ids=lambda k: k.__name__)
def test_when_an_event_is_built_then_it_is_frozen_and_time_stamped(events, kind):
    event = events.make(kind)
    assert event.ts_init >= event.ts_event > 0
    with pytest.raises(AttributeError):
        event.ts_event = 0


@pytest.mark.parametrize("kind", ORDER_EVENT_TYPES, ids=lambda k: k.__name__)
def test_when_encoded_then_decoding_the_event_union_gives_it_back(events, kind):
    event = events.make(kind)
    decoded = msgspec.msgpack.decode(msgspec.msgpack.encode(event), type=_union())
    assert decoded == event
    assert type(decoded) is kind


def _union():
    union = TimeEvent
    for kind in ORDER_EVENT_TYPES:
        union = union | kind
    return union


def test_when_an_event_has_an_unknown_field_then_it_cannot_be_built():
    with pytest.raises(TypeError):
        TimeEvent(name="t", ts_event=1, ts_init=1, extra=1)  # type: ignore[call-arg]


def test_events_are_keyword_only():
    with pytest.raises(TypeError):
        TimeEvent(1, 1, "t")  # type: ignore[misc]


def test_fill_commission_is_money_in_its_currency(events):
    fill = events.fill(3)
    assert isinstance(fill, OrderFilled)
    assert fill.commission == Money.from_raw(7, fill.commission_currency)


@pytest.mark.parametrize("kind", ORDER_EVENT_TYPES, ids=lambda k: k.__name__)
def test_event_names_are_past_tense(kind):
    assert issubclass(kind, Event)
    name = kind.__name__
    assert name.endswith(("ed", "Ignored", "Refused")) or name.startswith("OrderPending")
