"""Test set-up for the pre-trade controls: instruments, an order maker and a view.

BTC: tick 0.1, lot 0.001, so one tick x one lot is 0.0001 USD = 10**8 money raw.
An order of ``q`` lots at ``p`` ticks has a notional of ``p * q * 10**8`` raw.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

from ironkeel.model import (
    AssetClass,
    Currency,
    Instrument,
    InstrumentId,
    OrderInitialized,
    OrderSide,
    OrderType,
    StrategyId,
    Venue,
    new_client_order_id,
)
from ironkeel.risk.view import StaticView

USD = Currency("USD", 2)
SIM = Venue("SIM")
BTC_ID = InstrumentId("BTCUSDT", SIM)
AAPL_ID = InstrumentId("AAPL", Venue("XNAS"))
ALPHA = StrategyId("alpha")
BETA = StrategyId("beta")
UNIT = 10**8  # BTC unit_raw
SECOND = 1_000_000_000

BTC = Instrument(
    id=BTC_ID,
    asset_class=AssetClass.CRYPTO,
    base_currency=Currency("BTC", 8),
    quote_currency=USD,
    price_increment="0.1",
    size_increment="0.001",
)
AAPL = Instrument(
    id=AAPL_ID,
    asset_class=AssetClass.EQUITY,
    quote_currency=USD,
    price_increment="0.01",
    size_increment="1",
)

_rng = random.Random(11)
_ts = itertools.count(1)


def order(
    side: OrderSide = OrderSide.BUY,
    quantity: int = 10,
    price: int | None = 1_000,
    *,
    strategy: StrategyId = ALPHA,
    instrument: InstrumentId = BTC_ID,
    order_type: OrderType | None = None,
    ts: int | None = None,
    **extra: Any,
) -> OrderInitialized:
    """An order; a limit order when ``price`` is given, else a market order."""
    stamp = next(_ts) if ts is None else ts
    kind = order_type or (OrderType.LIMIT if price is not None else OrderType.MARKET)
    return OrderInitialized(
        strategy_id=strategy,
        instrument_id=instrument,
        client_order_id=new_client_order_id(_rng),
        side=side,
        order_type=kind,
        quantity=quantity,
        price=price,
        ts_event=stamp,
        ts_init=stamp,
        **extra,
    )


def buy(quantity: int = 10, price: int | None = 1_000, **kw: Any) -> OrderInitialized:
    return order(OrderSide.BUY, quantity, price, **kw)


def sell(quantity: int = 10, price: int | None = 1_000, **kw: Any) -> OrderInitialized:
    return order(OrderSide.SELL, quantity, price, **kw)


def view(now: int = 100 * SECOND) -> StaticView:
    """A view of BTC and AAPL with a fresh BTC reference of 1,000 ticks (100 USD)."""
    made = StaticView([BTC, AAPL], now_ns=now)
    made.set_reference(BTC_ID, 1_000, now)
    return made
