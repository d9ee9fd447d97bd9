"""What a strategy's hooks receive: read-only views with float prices for indicators,
exact Decimal quantities and prices where money depends on them, and the raw model
object (int ticks and lots) in ``raw``.

A view's float prices are correctly rounded from the exact grid price (an int
division, not a float multiplication), so ``instrument.price(bar.close)`` accepts
them back exactly.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from ironkeel.model.data import Bar, QuoteTick, TradeTick
from ironkeel.model.enums import AggressorSide, LiquiditySide, OrderSide, OrderStatus, OrderType
from ironkeel.model.events import OrderEvent
from ironkeel.model.identifiers import ClientOrderId, InstrumentId
from ironkeel.model.values import Money

__all__ = ["Fill", "MarketBar", "MarketQuote", "MarketTrade", "OrderInfo", "OrderUpdate"]


class MarketBar(msgspec.Struct, frozen=True, gc=False):
    """A bar: ``ts`` is its close time (ns); prices and volume as floats."""

    instrument_id: InstrumentId
    ts: int
    open: float
    high: float
    low: float
    close: float
    volume: float
    raw: Bar


class MarketQuote(msgspec.Struct, frozen=True, gc=False):
    instrument_id: InstrumentId
    ts: int
    bid: float
    ask: float
    bid_size: float
    ask_size: float
    raw: QuoteTick


class MarketTrade(msgspec.Struct, frozen=True, gc=False):
    instrument_id: InstrumentId
    ts: int
    price: float
    size: float
    aggressor_side: AggressorSide
    raw: TradeTick


class Fill(msgspec.Struct, frozen=True, gc=False):
    """One execution of one of the strategy's orders, exact."""

    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    side: OrderSide
    quantity: Decimal
    price: Decimal
    commission: Money
    liquidity_side: LiquiditySide
    trade_id: str
    ts: int


class OrderUpdate(msgspec.Struct, frozen=True, gc=False):
    """A change to one of the strategy's orders: accepted, denied (with the reason code),
    rejected, canceled, expired, triggered, updated, modify/cancel rejected."""

    client_order_id: ClientOrderId
    instrument_id: InstrumentId
    status: OrderStatus
    event: str
    reason: str | None
    ts: int
    raw: OrderEvent


class OrderInfo(msgspec.Struct, frozen=True, gc=False):
    """A snapshot of an open order."""

    client_order_id: ClientOrderId
    instrument_id: InstrumentId
    side: OrderSide
    order_type: OrderType
    quantity: Decimal
    filled: Decimal
    price: Decimal | None
    trigger_price: Decimal | None
    status: OrderStatus
