"""One hosted strategy: its context (``StrategyContext`` implemented over the host's
clock, bus, OMS and portfolio), its instruments, timers and state."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, Final

from msgspec.structs import astuple

from ironkeel.execution.factory import OrderFactory
from ironkeel.model.commands import CancelAllOrders, CancelOrder, ModifyOrder, SubmitOrder
from ironkeel.model.errors import InvalidInputError, StateError
from ironkeel.model.events import StrategyFailed, TimeEvent
from ironkeel.model.identifiers import ClientOrderId, InstrumentId, StrategyId
from ironkeel.model.instruments import Instrument
from ironkeel.model.orders import Order
from ironkeel.model.values import Currency, Money
from ironkeel.portfolio.position import Position
from ironkeel.strategy.base import Strategy
from ironkeel.strategy.context import OrderRequest
from ironkeel.strategy.views import OrderInfo

if TYPE_CHECKING:
    from ironkeel.strategy.host import StrategyHost

__all__ = ["Slot", "SlotStatus"]

# A request's fields in one call, read by position: compiled, each attribute read of a
# msgspec Struct is a generic lookup, a tuple item a native read.
_fields_of: Final = astuple
_REQUEST: Final = OrderRequest.__struct_fields__
_INSTRUMENT_ID: Final = _REQUEST.index("instrument_id")
_SIDE: Final = _REQUEST.index("side")
_QUANTITY: Final = _REQUEST.index("quantity")
_ORDER_TYPE: Final = _REQUEST.index("order_type")
_PRICE: Final = _REQUEST.index("price")
_TRIGGER_PRICE: Final = _REQUEST.index("trigger_price")
_TIME_IN_FORCE: Final = _REQUEST.index("time_in_force")
_EXPIRE_TIME_NS: Final = _REQUEST.index("expire_time_ns")
_REDUCE_ONLY: Final = _REQUEST.index("reduce_only")
_POST_ONLY: Final = _REQUEST.index("post_only")


class SlotStatus(Enum):
    READY = "ready"
    RUNNING = "running"
    FAILED = "failed"
    STOPPED = "stopped"


class Slot:
    """One hosted strategy: its context (this object), its instruments and its state."""

    def __init__(
        self,
        host: StrategyHost,
        *,
        strategy_id: StrategyId,
        strategy: Strategy,
        instruments: Sequence[Instrument],
        currency: Currency,
        seed: int,
    ) -> None:
        self.host = host
        self._id = strategy_id
        self.strategy = strategy
        self._instruments = tuple(instruments)
        self.currency = currency
        self.factory = OrderFactory(strategy_id, host.clock, seed)
        self.status = SlotStatus.READY
        # Hooks are methods of the class: one the class leaves to the base (a no-op) is not
        # worth a view per order event, so the host skips building it.
        kind = type(strategy)
        self.hears_orders = kind.on_order is not Strategy.on_order
        self.hears_fills = kind.on_fill is not Strategy.on_fill
        self.failure: StrategyFailed | None = None
        self.timers: set[str] = set()
        self._held: dict[InstrumentId, Position] = {}
        self._log = logging.LoggerAdapter(
            logging.getLogger(f"ironkeel.strategy.{strategy_id}"), {"strategy": str(strategy_id)}
        )

    # --- StrategyContext ----------------------------------------------------------------

    @property
    def strategy_id(self) -> StrategyId:
        return self._id

    @property
    def instruments(self) -> Sequence[Instrument]:
        return self._instruments

    @property
    def log(self) -> logging.LoggerAdapter[logging.Logger]:
        return self._log

    def now_ns(self) -> int:
        return self.host.clock.timestamp_ns()

    def submit(self, request: OrderRequest) -> ClientOrderId:
        self._check_running()
        fields: tuple[Any, ...] = _fields_of(request)
        instrument_id: InstrumentId = fields[_INSTRUMENT_ID]
        self._own(instrument_id)
        init = self.factory.create(
            instrument_id,
            fields[_SIDE],
            fields[_QUANTITY],
            fields[_ORDER_TYPE],
            price=fields[_PRICE],
            trigger_price=fields[_TRIGGER_PRICE],
            time_in_force=fields[_TIME_IN_FORCE],
            expire_time_ns=fields[_EXPIRE_TIME_NS],
            reduce_only=fields[_REDUCE_ONLY],
            post_only=fields[_POST_ONLY],
        )
        self.host.bus.send(SubmitOrder(order=init, ts_init=init.ts_init))
        return init.client_order_id

    def modify(
        self,
        client_order_id: ClientOrderId,
        quantity: int | None,
        price: int | None,
        trigger_price: int | None,
    ) -> None:
        self._check_running()
        order = self._own_order(client_order_id)
        self.host.bus.send(
            ModifyOrder(
                strategy_id=self._id,
                instrument_id=order.instrument_id,
                client_order_id=client_order_id,
                quantity=quantity,
                price=price,
                trigger_price=trigger_price,
                ts_init=self.now_ns(),
            )
        )

    def cancel(self, client_order_id: ClientOrderId) -> None:
        order = self._own_order(client_order_id)
        self.host.bus.send(
            CancelOrder(
                strategy_id=self._id,
                instrument_id=order.instrument_id,
                client_order_id=client_order_id,
                ts_init=self.now_ns(),
            )
        )

    def _own_order(self, client_order_id: ClientOrderId) -> Order:
        """The strategy's own order with this id, or the error that says it is not one."""
        order = self.host.oms.order(client_order_id)
        if order is None or order.strategy_id != self._id:
            raise InvalidInputError(
                "order_id", str(client_order_id), "is not an order of this strategy", "check it"
            )
        return order

    def cancel_all(self, instrument_id: InstrumentId | None) -> None:
        self.host.bus.send(
            CancelAllOrders(
                strategy_id=self._id, instrument_id=instrument_id, ts_init=self.now_ns()
            )
        )

    def position_lots(self, instrument_id: InstrumentId) -> int:
        position = self._held.get(instrument_id)
        if position is None:  # kept once it exists: the portfolio updates it in place
            position = self.host.portfolio.held(self._id, instrument_id)
            if position is None:
                return 0
            self._held[instrument_id] = position
        return position.qty

    def open_orders(self, instrument_id: InstrumentId | None) -> list[OrderInfo]:
        result = []
        for order in self.host.oms.open_orders(self._id, instrument_id):
            instrument = self.host.instruments[order.instrument_id]
            lot, tick = instrument.size_increment, instrument.price_increment
            result.append(
                OrderInfo(
                    client_order_id=order.client_order_id,
                    instrument_id=order.instrument_id,
                    side=order.side,
                    order_type=order.order_type,
                    quantity=order.quantity * lot,
                    filled=order.filled_qty * lot,
                    price=None if order.price is None else order.price * tick,
                    trigger_price=None
                    if order.trigger_price is None
                    else order.trigger_price * tick,
                    status=order.status,
                )
            )
        return result

    def equity(self, currency: Currency | None) -> Money:
        return self.host.portfolio.equity(currency or self.currency, self._id)

    def cash(self, currency: Currency | None) -> Money:
        return self.host.portfolio.cash(currency or self.currency, self._id)

    def set_timer(self, name: str, interval_ns: int, start_ns: int | None) -> None:
        self._check_running()
        self.host.clock.set_timer(
            self._timer_name(name), interval_ns, self._timer_callback(name), start_ns=start_ns
        )
        self.timers.add(name)

    def set_alarm(self, name: str, ts_ns: int) -> None:
        self._check_running()
        self.host.clock.set_alarm(self._timer_name(name), ts_ns, self._timer_callback(name))
        self.timers.add(name)

    def cancel_timer(self, name: str) -> None:
        self.host.clock.cancel_timer(self._timer_name(name))
        self.timers.discard(name)

    # --- internals ----------------------------------------------------------------------

    def _timer_name(self, name: str) -> str:
        return f"strategy:{self._id}:{name}"

    def _timer_callback(self, name: str) -> Callable[[TimeEvent], None]:
        def fire(event: TimeEvent) -> None:
            if self.status is not SlotStatus.RUNNING:
                return
            mine = TimeEvent(name=name, ts_event=event.ts_event, ts_init=event.ts_init)
            self.host.call(self, "on_timer", self.strategy.on_timer, mine)

        return fire

    def _check_running(self) -> None:
        if self.status not in (SlotStatus.RUNNING, SlotStatus.READY):
            raise StateError(f"strategy {self._id} is {self.status.value}: it cannot trade")

    def _own(self, instrument_id: InstrumentId) -> None:
        if all(i.id != instrument_id for i in self._instruments):
            raise InvalidInputError(
                "instrument",
                str(instrument_id),
                "is not one of this strategy's instruments",
                f"use one of {[str(i.id) for i in self._instruments]}",
            )
