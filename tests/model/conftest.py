"""Fixtures for the model tests: a currency, an instrument and an order-event factory."""

from __future__ import annotations

import random
from typing import Any

import pytest

from ironkeel.model import (
    AccountId,
    AssetClass,
    ClientOrderId,
    Currency,
    FillDuplicateIgnored,
    Instrument,
    InstrumentId,
    LiquiditySide,
    Order,
    OrderAccepted,
    OrderCancelRejected,
    OrderDenied,
    OrderEvent,
    OrderFilled,
    OrderInitialized,
    OrderModifyRejected,
    OrderRejected,
    OrderSide,
    OrderSubmitted,
    OrderTransitionRefused,
    OrderType,
    OrderUpdated,
    OverfillRefused,
    StrategyId,
    TradeId,
    Venue,
    VenueOrderId,
    new_client_order_id,
)

USD = Currency("USD", 2)
VENUE = Venue("SIM")
INSTRUMENT_ID = InstrumentId("BTCUSDT", VENUE)
STRATEGY_ID = StrategyId("sma-1")
ACCOUNT_ID = AccountId("SIM-001")


@pytest.fixture
def usd() -> Currency:
    return USD


@pytest.fixture
def eur() -> Currency:
    return Currency("EUR", 2)


@pytest.fixture
def btcusdt() -> Instrument:
    """Tick 0.1, lot 0.001: one tick times one lot is 0.0001 USD."""
    return Instrument(
        id=INSTRUMENT_ID,
        asset_class=AssetClass.CRYPTO,
        base_currency=Currency("BTC", 8),
        quote_currency=USD,
        price_increment="0.1",
        size_increment="0.001",
        min_quantity="0.001",
        max_quantity="100",
        maker_fee="0.0002",
        taker_fee="0.0004",
    )


class OrderEvents:
    """Builds the events of one order: same ids, each stamped one ns after the last."""

    def __init__(self, client_order_id: ClientOrderId) -> None:
        self.client_order_id = client_order_id
        self.ts = 1_000
        self.trades = 0

    def _base(self) -> dict[str, Any]:
        self.ts += 1
        return {
            "strategy_id": STRATEGY_ID,
            "instrument_id": INSTRUMENT_ID,
            "client_order_id": self.client_order_id,
            "ts_event": self.ts,
            "ts_init": self.ts,
        }

    def init(self, **overrides: Any) -> OrderInitialized:
        fields: dict[str, Any] = {
            "side": OrderSide.BUY,
            "order_type": OrderType.LIMIT,
            "quantity": 10,
            "price": 1_000,
        }
        fields.update(overrides)
        return OrderInitialized(**{**self._base(), **fields})

    def order(self, **overrides: Any) -> Order:
        return Order(self.init(**overrides))

    def fill(
        self, last_qty: int, *, last_px: int = 1_000, trade_id: str | None = None, **kw: Any
    ) -> OrderFilled:
        self.trades += 1
        fields: dict[str, Any] = {
            "venue": VENUE,
            "venue_order_id": VenueOrderId("V-1"),
            "account_id": ACCOUNT_ID,
            "trade_id": TradeId(trade_id or f"T-{self.trades}"),
            "side": OrderSide.BUY,
            "last_qty": last_qty,
            "last_px": last_px,
            "liquidity_side": LiquiditySide.MAKER,
            "commission_raw": 7,
            "commission_currency": USD,
        }
        fields.update(kw)
        return OrderFilled(**self._base(), **fields)

    def make(self, kind: type[OrderEvent], **overrides: Any) -> OrderEvent:
        """Any order event with plausible values for its own fields."""
        if kind is OrderFilled:
            return self.fill(overrides.pop("last_qty", 1), **overrides)
        if kind is OrderInitialized:
            return self.init(**overrides)
        fields = {**_EXTRA_FIELDS.get(kind, {}), **overrides}
        return kind(**self._base(), **fields)


_EXTRA_FIELDS: dict[type[OrderEvent], dict[str, Any]] = {
    OrderDenied: {"reason_code": "MAX_NOTIONAL", "reason": "too big"},
    OrderSubmitted: {"account_id": ACCOUNT_ID},
    OrderAccepted: {"venue_order_id": VenueOrderId("V-1"), "account_id": ACCOUNT_ID},
    OrderRejected: {"reason": "no margin"},
    OrderUpdated: {"quantity": 10, "price": 1_001},
    OrderModifyRejected: {"reason": "too late"},
    OrderCancelRejected: {"reason": "too late"},
    OrderTransitionRefused: {"state": "FILLED", "trigger": "OrderCanceled"},
    FillDuplicateIgnored: {"venue": VENUE, "trade_id": TradeId("T-1"), "duplicates_seen": 1},
    OverfillRefused: {"trade_id": TradeId("T-1"), "quantity": 10, "filled_qty": 10, "last_qty": 1},
}


@pytest.fixture
def events() -> OrderEvents:
    return OrderEvents(new_client_order_id(random.Random(7)))
