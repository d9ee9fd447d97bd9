"""Builders shared by the portfolio tests: currencies, instruments, fills and prices."""

from __future__ import annotations

from typing import Any

from ironkeel.model import (
    AccountId,
    AggressorSide,
    AssetClass,
    Bar,
    BarType,
    ClientOrderId,
    Currency,
    Instrument,
    InstrumentId,
    LiquiditySide,
    Money,
    OrderFilled,
    OrderSide,
    QuoteTick,
    StrategyId,
    TradeId,
    TradeTick,
    Venue,
    VenueOrderId,
)
from ironkeel.portfolio import Portfolio

USD = Currency("USD", 2)
EUR = Currency("EUR", 2)
BNB = Currency("BNB", 8)
SIM = Venue("SIM")

#: An equity: 0.01 USD ticks, 1-share lots; one tick*lot is 10**10 raw units.
AAPL = Instrument(
    id=InstrumentId("AAPL", SIM),
    asset_class=AssetClass.EQUITY,
    quote_currency=USD,
    price_increment="0.01",
    size_increment="1",
)
#: A future: 0.25 point ticks, multiplier 50: one tick*lot is 12.50 USD.
ES = Instrument(
    id=InstrumentId("ES", SIM),
    asset_class=AssetClass.FUTURE,
    quote_currency=USD,
    price_increment="0.25",
    size_increment="1",
    multiplier=50,
)
#: Settled in EUR: 0.01 EUR ticks, 10-unit lots.
SAP = Instrument(
    id=InstrumentId("SAP", SIM),
    asset_class=AssetClass.EQUITY,
    quote_currency=EUR,
    price_increment="0.01",
    size_increment="10",
)
INSTRUMENTS = (AAPL, ES, SAP)

A1 = AccountId("A1")
A2 = AccountId("A2")
S1 = StrategyId("s1")
S2 = StrategyId("s2")
S3 = StrategyId("s3")

_ORDER_ID = ClientOrderId("00000000-0000-4000-8000-000000000000")


def usd(amount: str | int) -> Money:
    return Money(amount, USD)


def portfolio(cash: str = "100000", *instruments: Instrument) -> Portfolio:
    """One account A1 with ``cash`` USD."""
    return Portfolio(instruments or INSTRUMENTS, [(A1, [usd(cash)])])


def fill(
    side: OrderSide,
    qty: int,
    px: int,
    *,
    instrument: Instrument = AAPL,
    strategy: StrategyId = S1,
    account: AccountId = A1,
    commission_raw: int = 0,
    commission_currency: Currency | None = None,
) -> OrderFilled:
    """A fill of ``qty`` lots at ``px`` ticks."""
    return OrderFilled(
        ts_event=0,
        ts_init=0,
        strategy_id=strategy,
        instrument_id=instrument.id,
        client_order_id=_ORDER_ID,
        venue=SIM,
        venue_order_id=VenueOrderId("v-1"),
        account_id=account,
        trade_id=TradeId("t-1"),
        side=side,
        last_qty=qty,
        last_px=px,
        liquidity_side=LiquiditySide.TAKER,
        commission_raw=commission_raw,
        commission_currency=commission_currency or instrument.quote_currency,
    )


def buy(qty: int, px: int, **kwargs: Any) -> OrderFilled:
    return fill(OrderSide.BUY, qty, px, **kwargs)


def sell(qty: int, px: int, **kwargs: Any) -> OrderFilled:
    return fill(OrderSide.SELL, qty, px, **kwargs)


def bar(close: int, instrument: Instrument = AAPL) -> Bar:
    return Bar(BarType(instrument.id, 60_000_000_000), close, close, close, close, 1, 0, 0)


def trade(px: int, instrument: Instrument = AAPL) -> TradeTick:
    return TradeTick(instrument.id, px, 1, AggressorSide.NONE, "x-1", 0, 0)


def quote(bid: int, ask: int, instrument: Instrument = AAPL) -> QuoteTick:
    return QuoteTick(instrument.id, bid, ask, 1, 1, 0, 0)
