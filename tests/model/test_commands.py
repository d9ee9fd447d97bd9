"""Commands: imperative, frozen, keyword-only, stamped ts_init; they round-trip."""

from __future__ import annotations

import msgspec
import pytest

from ironkeel.model.commands import CancelAllOrders, CancelOrder, Command, ModifyOrder, SubmitOrder
from ironkeel.model.identifiers import InstrumentId, StrategyId


@pytest.fixture
def commands(events):
    init = events.init()
    ids = {
        "strategy_id": init.strategy_id,
        "instrument_id": init.instrument_id,
        "client_order_id": init.client_order_id,
    }
    return [
        SubmitOrder(order=init, ts_init=5),
        ModifyOrder(**ids, quantity=5, ts_init=6),
        CancelOrder(**ids, ts_init=7),
        CancelAllOrders(strategy_id=StrategyId("sma-1"), ts_init=8),
        CancelAllOrders(
            strategy_id=StrategyId("sma-1"), instrument_id=InstrumentId.parse("X.SIM"), ts_init=9
        ),
    ]


def test_commands_round_trip_through_the_command_union(commands):
    union = SubmitOrder | ModifyOrder | CancelOrder | CancelAllOrders
    for command in commands:
        decoded = msgspec.json.decode(msgspec.json.encode(command), type=union)
        assert decoded == command
        assert type(decoded) is type(command)


def test_commands_are_frozen_and_stamped(commands):
    for command in commands:
        assert isinstance(command, Command)
        assert command.ts_init > 0
        with pytest.raises(AttributeError):
            command.ts_init = 0


def test_modify_leaves_unset_fields_as_none(events):
    init = events.init()
    modify = ModifyOrder(
        strategy_id=init.strategy_id,
        instrument_id=init.instrument_id,
        client_order_id=init.client_order_id,
        price=99,
        ts_init=1,
    )
    assert (modify.quantity, modify.price, modify.trigger_price) == (None, 99, None)


def test_commands_are_keyword_only(events):
    with pytest.raises(TypeError):
        SubmitOrder(events.init(), 1)  # type: ignore[misc]
