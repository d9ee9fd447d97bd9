"""``Ticket``: the order a ``ControlSet`` checks, its fields read once.

Compiled, each attribute read of a msgspec Struct is a generic lookup (~160 instructions,
decision 0020); the ten controls of a check read the order's side, quantity, prices and
ids some forty times. A ``Ticket`` reads them all in one ``astuple`` call into native
fields, so every later read is a field load (decision 0021). It also keeps what several
controls derive from the order and that cannot change while it is checked: its notional
and the reference price of its instrument.

The engine keeps the tickets of the orders that passed (``PreTradeView.recent_orders``),
so the duplicate-order control compares native fields too.
"""

from __future__ import annotations

from typing import Any, Final

from msgspec.structs import astuple

from ironkeel.model.enums import OrderSide, OrderType
from ironkeel.model.events import OrderInitialized
from ironkeel.model.identifiers import ClientOrderId, InstrumentId, StrategyId

__all__ = ["Ticket"]

_BUY: Final = OrderSide.BUY
_fields_of: Final = astuple
_FIELDS: Final = OrderInitialized.__struct_fields__
_TS_INIT: Final = _FIELDS.index("ts_init")
_STRATEGY_ID: Final = _FIELDS.index("strategy_id")
_INSTRUMENT_ID: Final = _FIELDS.index("instrument_id")
_CLIENT_ORDER_ID: Final = _FIELDS.index("client_order_id")
_SIDE: Final = _FIELDS.index("side")
_ORDER_TYPE: Final = _FIELDS.index("order_type")
_QUANTITY: Final = _FIELDS.index("quantity")
_PRICE: Final = _FIELDS.index("price")
_TRIGGER_PRICE: Final = _FIELDS.index("trigger_price")
_REDUCE_ONLY: Final = _FIELDS.index("reduce_only")
_EMERGENCY: Final = _FIELDS.index("emergency")


class Ticket:
    """One order under check: the fields the controls read, and what they derive once."""

    def __init__(self, order: OrderInitialized) -> None:
        spec: tuple[Any, ...] = _fields_of(order)
        #: The order itself (for what the fields below leave out, and for denials).
        self.order = order
        self.client_order_id: ClientOrderId = spec[_CLIENT_ORDER_ID]
        self.strategy_id: StrategyId = spec[_STRATEGY_ID]
        self.instrument_id: InstrumentId = spec[_INSTRUMENT_ID]
        self.side: OrderSide = spec[_SIDE]
        self.buy: bool = self.side is _BUY
        self.order_type: OrderType = spec[_ORDER_TYPE]
        #: Lots (> 0).
        self.quantity: int = spec[_QUANTITY]
        #: The limit price and the stop price, in ticks (None: the order has none).
        self.price: int | None = spec[_PRICE]
        self.trigger_price: int | None = spec[_TRIGGER_PRICE]
        self.reduce_only: bool = spec[_REDUCE_ONLY]
        self.emergency: bool = spec[_EMERGENCY]
        self.ts_init: int = spec[_TS_INIT]
        #: The order's notional, money raw, once a control computed it (``notional_known``;
        #: None: a market order with no reference price).
        self.notional: int | None = None
        self.notional_known = False
        #: The reference price in ticks and its ``ts_event`` of the instrument, once read
        #: (``reference_known``); ``has_reference`` False: there is none yet.
        self.reference_known = False
        self.has_reference = False
        self.reference_price = 0
        self.reference_ts = 0

    def set_reference(self, price: int, ts: int) -> None:
        """The instrument's reference, read (``PreTradeView.load_reference``)."""
        self.reference_price, self.reference_ts = price, ts
        self.has_reference = self.reference_known = True

    def set_no_reference(self) -> None:
        """The instrument has no reference price yet."""
        self.has_reference = False
        self.reference_known = True

    def signed(self, amount: int) -> int:
        """``amount`` with the order's sign: as is for a buy, negated for a sell (the
        side's ``+1``/``-1`` without a generic enum product)."""
        return amount if self.buy else -amount

    def __repr__(self) -> str:
        return f"Ticket({self.order!r})"
