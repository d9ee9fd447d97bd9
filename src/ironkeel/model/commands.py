"""Commands: immutable requests named in the imperative, stamped ``ts_init`` (ns)."""

from __future__ import annotations

import msgspec

from ironkeel.model.events import OrderInitialized
from ironkeel.model.identifiers import ClientOrderId, InstrumentId, StrategyId

__all__ = ["CancelAllOrders", "CancelOrder", "Command", "ModifyOrder", "SubmitOrder"]


class Command(msgspec.Struct, frozen=True, kw_only=True, tag=True, gc=False):
    ts_init: int


class SubmitOrder(Command, frozen=True, kw_only=True, tag=True, gc=False):
    """Create the order described by ``order`` and send it to its venue."""

    order: OrderInitialized


class ModifyOrder(Command, frozen=True, kw_only=True, tag=True, gc=False):
    """Change a working order's quantity, price or trigger price (None keeps the value)."""

    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    quantity: int | None = None
    price: int | None = None
    trigger_price: int | None = None


class CancelOrder(Command, frozen=True, kw_only=True, tag=True, gc=False):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId


class CancelAllOrders(Command, frozen=True, kw_only=True, tag=True, gc=False):
    """Cancel every open order of a strategy, optionally on one instrument only."""

    strategy_id: StrategyId
    instrument_id: InstrumentId | None = None
