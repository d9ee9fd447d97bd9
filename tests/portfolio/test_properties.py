"""Property tests: random fills, allocations and marks keep the books exact.

A plain reference model (cash flows, quantities and marks, nothing else) is
run beside the portfolio. After every event:

1. ``equity == cash + Σ position values``, exactly, per ledger and per account,
   and every figure equals the model's;
2. ``unallocated + Σ ledgers == account`` for cash and equity;
3. whenever a position returns to flat (or flips through zero), the realized
   P&L of that round trip equals its sell notional minus its buy notional;
4. ``realized + unrealized - fees == equity - capital`` (allocation for a
   ledger, starting cash for an account);

and the high-water marks equal the running maximum of the model's equity.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ironkeel.model import (
    AccountId,
    Currency,
    Instrument,
    InvalidInputError,
    Money,
    OrderSide,
    StrategyId,
)
from ironkeel.portfolio import Portfolio, Position

from ._factories import (
    A1,
    A2,
    AAPL,
    BNB,
    EUR,
    INSTRUMENTS,
    S1,
    S2,
    S3,
    USD,
    bar,
    fill,
    quote,
    trade,
)

DOLLAR = 10**12
STARTING = {A1: {USD: 1_000_000 * DOLLAR, EUR: 100_000 * DOLLAR}, A2: {USD: 50_000 * DOLLAR}}
STRATEGIES = (S1, S2, S3)

prices = st.integers(min_value=-200, max_value=30_000)
fills = st.tuples(
    st.just("fill"),
    st.sampled_from(tuple(STARTING)),
    st.sampled_from(STRATEGIES),
    st.sampled_from(INSTRUMENTS),
    st.sampled_from([OrderSide.BUY, OrderSide.SELL]),
    st.integers(min_value=1, max_value=40),
    prices,
    st.integers(min_value=-(10**10), max_value=5 * DOLLAR),  # rebates too
    st.sampled_from([None, None, None, BNB]),  # mostly the instrument's currency
)
marks = st.tuples(
    st.sampled_from(["bar", "trade", "quote"]),
    st.sampled_from(INSTRUMENTS),
    prices,
    st.integers(min_value=0, max_value=25),  # the quote's spread
)
allocations = st.tuples(
    st.just("allocate"),
    st.sampled_from(tuple(STARTING)),
    st.sampled_from(STRATEGIES),
    st.sampled_from([USD, EUR]),
    st.integers(min_value=1, max_value=400_000 * DOLLAR),
)
events = st.lists(st.one_of(fills, fills, marks, marks, allocations), max_size=60)

Key = tuple[AccountId, StrategyId]


@dataclass
class Model:
    """What the books must say, from cash flows, quantities and marks alone."""

    unallocated: dict[tuple[AccountId, Currency], int] = field(default_factory=dict)
    cash: dict[tuple[Key, Currency], int] = field(default_factory=lambda: defaultdict(int))
    allocated: dict[tuple[Key, Currency], int] = field(default_factory=lambda: defaultdict(int))
    fees: dict[tuple[Key, Currency], int] = field(default_factory=lambda: defaultdict(int))
    qty: dict[tuple[Key, Instrument], int] = field(default_factory=lambda: defaultdict(int))
    marks: dict[Instrument, tuple[int, int]] = field(default_factory=dict)
    market: set[Instrument] = field(default_factory=set)  # has had a market price
    ledgers: list[Key] = field(default_factory=list)
    hwm: dict[object, int] = field(default_factory=lambda: defaultdict(int))
    # round trip of each position: realized when it began, sell - buy notional since
    trips: dict[tuple[Key, Instrument], tuple[int, int]] = field(default_factory=dict)

    def value(self, key: Key, instrument: Instrument) -> int:
        qty = self.qty[key, instrument]
        if qty == 0:
            return 0
        long_px, short_px = self.marks[instrument]
        return qty * (long_px if qty > 0 else short_px) * instrument.unit_raw

    def ledger_equity(self, key: Key, currency: Currency) -> int:
        values = (self.value(key, i) for i in INSTRUMENTS if i.quote_currency == currency)
        return self.cash[key, currency] + sum(values)

    def account_figure(self, account: AccountId, currency: Currency, equity: bool) -> int:
        ledgers = [k for k in self.ledgers if k[0] == account]
        figure = self.ledger_equity if equity else (lambda k, c: self.cash[k, c])
        return self.unallocated.get((account, currency), 0) + sum(
            figure(k, currency) for k in ledgers
        )


CURRENCIES = (USD, EUR, BNB)


def new_books() -> tuple[Portfolio, Model]:
    accounts = [
        (a, [Money.from_raw(raw, c) for c, raw in cash.items()]) for a, cash in STARTING.items()
    ]
    model = Model()
    for account, cash in STARTING.items():
        for currency, raw in cash.items():
            model.unallocated[account, currency] = raw
            model.hwm[account, currency] = raw
    return Portfolio(INSTRUMENTS, accounts), model


def apply(book: Portfolio, model: Model, event: tuple) -> None:
    kind = event[0]
    if kind == "fill":
        apply_fill(book, model, event)
    elif kind == "allocate":
        _, account, strategy, currency, raw = event
        money = Money.from_raw(raw, currency)
        if raw > model.unallocated.get((account, currency), 0):
            with pytest.raises(InvalidInputError):
                book.allocate(strategy, money, account)
            return
        book.allocate(strategy, money, account)
        if (account, strategy) not in model.ledgers:
            model.ledgers.append((account, strategy))
        model.unallocated[account, currency] -= raw
        model.cash[(account, strategy), currency] += raw
        model.allocated[(account, strategy), currency] += raw
    else:
        _, instrument, px, spread = event
        model.market.add(instrument)
        if kind == "bar":
            book.on_bar(bar(px, instrument))
            model.marks[instrument] = (px, px)
        elif kind == "trade":
            book.on_trade(trade(px, instrument))
            model.marks[instrument] = (px, px)
        else:
            book.on_quote(quote(px, px + spread, instrument))
            model.marks[instrument] = (px, px + spread)


def apply_fill(book: Portfolio, model: Model, event: tuple) -> None:
    _, account, strategy, instrument, side, qty, px, commission, fee_currency = event
    key = (account, strategy)
    book.on_fill(
        fill(
            side,
            qty,
            px,
            instrument=instrument,
            strategy=strategy,
            account=account,
            commission_raw=commission,
            commission_currency=fee_currency,
        )
    )
    if key not in model.ledgers:
        model.ledgers.append(key)
    currency = instrument.quote_currency
    signed = qty if side is OrderSide.BUY else -qty
    before = model.qty[key, instrument]
    model.qty[key, instrument] = before + signed
    model.cash[key, currency] -= signed * px * instrument.unit_raw
    model.cash[key, fee_currency or currency] -= commission
    model.fees[key, fee_currency or currency] += commission
    if instrument not in model.market:  # fills mark only until a market price arrives
        model.marks[instrument] = (px, px)
    check_round_trip(book, model, key, instrument, before, signed, px)


def check_round_trip(
    book: Portfolio,
    model: Model,
    key: Key,
    instrument: Instrument,
    before: int,
    signed: int,
    px: int,
) -> None:
    """Property 3: a round trip's realized P&L is its sell notional minus its buy notional."""
    realized = book.position(key[1], instrument.id, key[0]).realized_raw
    start, flow = model.trips.get((key, instrument), (0, 0))
    unit = instrument.unit_raw
    closing = 0 if before * signed >= 0 else min(abs(before), abs(signed))
    opening = abs(signed) - closing
    direction = 1 if signed > 0 else -1
    flow -= direction * closing * px * unit
    if closing and closing == abs(before):  # back to flat (and maybe beyond)
        assert realized - start == flow
        start, flow = realized, 0
    flow -= direction * opening * px * unit
    model.trips[key, instrument] = (start, flow)


def check(book: Portfolio, model: Model) -> None:
    for key in model.ledgers:
        check_ledger(book, model, key)
    for account in STARTING:
        check_account(book, model, account)


def check_ledger(book: Portfolio, model: Model, key: Key) -> None:
    account, strategy = key
    ledger = book.ledger(strategy, account)
    for instrument in INSTRUMENTS:
        position = ledger.position(instrument.id) or Position(instrument, strategy, account)
        assert position.qty == model.qty[key, instrument]
        assert position.value_raw == model.value(key, instrument)
    for currency in CURRENCIES:
        equity = ledger.equity(currency).raw
        cash = ledger.cash(currency).raw
        values = sum(p.value_raw for p in ledger.positions.values() if p.currency == currency)
        assert equity == cash + values  # (1)
        assert cash == model.cash[key, currency]
        assert equity == model.ledger_equity(key, currency)
        assert ledger.allocated(currency).raw == model.allocated[key, currency]
        assert ledger.fees(currency).raw == model.fees[key, currency]
        pnl = ledger.realized(currency).raw + ledger.unrealized(currency).raw
        assert pnl - ledger.fees(currency).raw == equity - model.allocated[key, currency]  # (4)
        model.hwm[key, currency] = max(model.hwm[key, currency], equity)
        assert ledger.hwm(currency).raw == model.hwm[key, currency]
        assert ledger.drawdown(currency).raw == model.hwm[key, currency] - equity


def check_account(book: Portfolio, model: Model, account_id: AccountId) -> None:
    account = book.account(account_id)
    ledgers = account.ledgers.values()
    for currency in CURRENCIES:
        unallocated = account.unallocated(currency).raw
        cash = account.cash(currency).raw
        equity = account.equity(currency).raw
        assert cash == unallocated + sum(g.cash(currency).raw for g in ledgers)  # (2)
        assert equity == unallocated + sum(g.equity(currency).raw for g in ledgers)  # (2)
        values = sum(
            p.value_raw for g in ledgers for p in g.positions.values() if p.currency == currency
        )
        assert equity == cash + values  # (1)
        assert cash == model.account_figure(account_id, currency, equity=False)
        assert equity == model.account_figure(account_id, currency, equity=True)
        pnl = account.realized(currency).raw + account.unrealized(currency).raw
        starting = account.starting_cash(currency).raw
        assert pnl - account.fees(currency).raw == equity - starting  # (4)
        model.hwm[account_id, currency] = max(model.hwm[account_id, currency], equity)
        assert account.hwm(currency).raw == model.hwm[account_id, currency]
    for currency in (USD, EUR):  # the same sums through the Portfolio's queries
        total = sum(book.equity(currency, s, account_id).raw for s in book.strategies)
        unallocated = book.unallocated(currency, account_id).raw
        assert book.equity(currency, account_id=account_id).raw == total + unallocated


@settings(max_examples=300)
@given(events)
def test_random_books_stay_exact_after_every_event(sequence: list[tuple]) -> None:
    book, model = new_books()
    for event in sequence:
        apply(book, model, event)
        check(book, model)


def reference_fifo(units: deque[tuple[int, int]], signed: int, px: int) -> int:
    """Realized ticks of a fill, one lot at a time: ``units`` holds (side, entry px) per lot."""
    realized = 0
    direction = 1 if signed > 0 else -1
    for _ in range(abs(signed)):
        if units and units[0][0] != direction:  # the oldest open lot is of the other side
            side, entry = units.popleft()
            realized += side * (px - entry)
        else:
            units.append((direction, px))
    return realized


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(st.sampled_from([1, -1]), st.integers(1, 30), st.integers(0, 500)), max_size=80
    )
)
def test_fifo_position_realizes_exactly_lot_by_lot_and_per_round_trip(
    trades: list[tuple[int, int, int]],
) -> None:
    position = Position(AAPL, S1, A1)
    units: deque[tuple[int, int]] = deque()
    start, flow, before = 0, 0, 0
    for direction, qty, px in trades:
        signed = direction * qty
        realized = position._apply(signed, px)
        assert realized == reference_fifo(units, signed, px) * AAPL.unit_raw
        closing = 0 if before * signed >= 0 else min(abs(before), qty)
        flow -= direction * closing * px
        if closing and closing == abs(before):  # (3): a round trip ends
            assert position.realized_raw - start == flow * AAPL.unit_raw
            start, flow = position.realized_raw, 0
        flow -= direction * (qty - closing) * px
        before += signed
        assert position.qty == before == sum(lots for lots, _ in position.open_lots)
        assert position.cost_raw == sum(n * p for n, p in position.open_lots) * AAPL.unit_raw
        if before:
            assert position.avg_px is not None
            assert position.avg_px * before * AAPL.unit_raw == position.cost_raw
            assert all((lots > 0) == (before > 0) for lots, _ in position.open_lots)
