"""The narrow port between a strategy and the engine that hosts it.

A strategy sees the engine only through this protocol: it can place and cancel
its own orders, read its own positions, equity and cash, set timers and log. It
never holds a venue, the portfolio or another strategy. The in-process host
implements it directly; the sandboxed host (a separate process) implements it
over IPC, so every argument and result is plain data.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

import msgspec

from ironkeel.model.enums import OrderSide, OrderType, TimeInForce
from ironkeel.model.identifiers import ClientOrderId, InstrumentId, StrategyId
from ironkeel.model.instruments import Instrument
from ironkeel.model.values import Currency, Money
from ironkeel.strategy.views import OrderInfo

__all__ = ["OrderRequest", "StrategyContext"]


class OrderRequest(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A strategy's request for a new order (lots and ticks); the engine adds the id."""

    instrument_id: InstrumentId
    side: OrderSide
    quantity: int
    order_type: OrderType = OrderType.MARKET
    price: int | None = None
    trigger_price: int | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    expire_time_ns: int | None = None
    reduce_only: bool = False
    post_only: bool = False


class StrategyContext(Protocol):
    """What a hosted strategy may ask of the engine. Quantities in lots, prices in ticks."""

    @property
    def strategy_id(self) -> StrategyId: ...

    @property
    def instruments(self) -> Sequence[Instrument]:
        """The instruments this strategy trades, in the run's order."""
        ...

    @property
    def log(self) -> logging.LoggerAdapter[logging.Logger]: ...

    def now_ns(self) -> int: ...

    def submit(self, request: OrderRequest) -> ClientOrderId: ...

    def modify(
        self,
        client_order_id: ClientOrderId,
        quantity: int | None,
        price: int | None,
        trigger_price: int | None,
    ) -> None: ...

    def cancel(self, client_order_id: ClientOrderId) -> None: ...

    def cancel_all(self, instrument_id: InstrumentId | None) -> None: ...

    def position_lots(self, instrument_id: InstrumentId) -> int: ...

    def open_orders(self, instrument_id: InstrumentId | None) -> list[OrderInfo]: ...

    def equity(self, currency: Currency | None) -> Money: ...

    def cash(self, currency: Currency | None) -> Money: ...

    def set_timer(self, name: str, interval_ns: int, start_ns: int | None) -> None: ...

    def set_alarm(self, name: str, ts_ns: int) -> None: ...

    def cancel_timer(self, name: str) -> None: ...
