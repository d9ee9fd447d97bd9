"""The engine's ``PreTradeView``: running totals the pre-trade controls read in O(1).

Working orders are counted from the moment they are sent (``OrderSubmitted``, so an
order in flight counts before the venue acknowledges it) until they are done: each
order event replaces that order's contribution (side, leaves in lots, leaves notional)
in the totals of its strategy and of all strategies. Reference prices are the last
market data seen per instrument (a bar's close, a trade's price, a quote's mid rounded
down to the tick) with its time; positions, equity and capital come from the portfolio.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

from ironkeel.core.clock import Clock
from ironkeel.core.exact import mul
from ironkeel.model.data import Bar, QuoteTick, TradeTick
from ironkeel.model.enums import OrderSide
from ironkeel.model.events import OrderEvent
from ironkeel.model.identifiers import ClientOrderId, InstrumentId, StrategyId
from ironkeel.model.instruments import Instrument
from ironkeel.model.orders import Order
from ironkeel.model.values import Currency
from ironkeel.portfolio import Portfolio
from ironkeel.portfolio.portfolio import EquityReader
from ironkeel.portfolio.position import Position
from ironkeel.risk.reference import BAR, QUOTE, TRADE, Reference
from ironkeel.risk.ticket import Ticket
from ironkeel.risk.view import PreTradeView

__all__ = ["ExposureTracker"]

_Key = tuple[StrategyId | None, InstrumentId]
RECENT: Final = 64
BUY: Final = OrderSide.BUY


class _Pair:
    """A running total per side, as native int fields (no list of boxed ints to update)."""

    __slots__ = ("buy", "sell")

    def __init__(self) -> None:
        self.buy = 0
        self.sell = 0


class _Book:
    """The running totals an order of one (strategy, instrument) counts in: working lots
    of the strategy and of all strategies in the instrument, working notional of the
    strategy and of all strategies."""

    __slots__ = ("all_lots", "all_money", "lots", "money")

    def __init__(self, lots: _Pair, all_lots: _Pair, money: _Pair, all_money: _Pair) -> None:
        self.lots = lots
        self.all_lots = all_lots
        self.money = money
        self.all_money = all_money


class _Share:
    """One working order's part of its book's totals: its side, leaves and notional, and
    the order's own price it was valued at (None: a market order, at the reference)."""

    __slots__ = ("book", "lots", "notional", "price", "sell")

    def __init__(
        self, sell: bool, lots: int, notional: int, price: int | None, book: _Book
    ) -> None:
        self.sell = sell
        self.lots = lots
        self.notional = notional
        self.price = price
        self.book = book

    def count(self, sign: int) -> None:
        """Add (sign 1) or remove (sign -1) this share from the totals."""
        book = self.book
        # Negated, not multiplied: compiled, a product with a negative factor or one above
        # 2**30 goes through Python int objects (core.exact).
        lots, notional = (self.lots, self.notional) if sign > 0 else (-self.lots, -self.notional)
        if self.sell:
            book.lots.sell += lots
            book.all_lots.sell += lots
            book.money.sell += notional
            book.all_money.sell += notional
        else:
            book.lots.buy += lots
            book.all_lots.buy += lots
            book.money.buy += notional
            book.all_money.buy += notional


class _Keep:
    """A stream's handler that keeps its instrument's latest item (``Reference``): one
    field store per item, the price read only when an order asks for it."""

    __slots__ = ("_kind", "_reference")

    def __init__(self, reference: Reference, kind: int) -> None:
        self._reference = reference
        self._kind = kind

    def __call__(self, item: Any) -> None:
        self._reference.keep(item, self._kind)  # a native call when compiled


class ExposureTracker(PreTradeView):
    """Implements ``PreTradeView`` over the live engine (see the module doc)."""

    def __init__(
        self,
        *,
        clock: Clock,
        portfolio: Portfolio,
        instruments: Iterable[Instrument],
        currency: Currency,
        order_of: Any,
    ) -> None:
        super().__init__()
        self._clock = clock
        self._portfolio = portfolio
        self._instruments = {i.id: i for i in instruments}
        self._currency = currency
        self._order_of = order_of  # ClientOrderId -> Order | None (the OMS's lookup)
        self._lots: dict[_Key, _Pair] = {}
        self._notional: dict[StrategyId | None, _Pair] = {}
        self._contribution: dict[ClientOrderId, _Share] = {}
        self._books: dict[tuple[StrategyId, InstrumentId], _Book] = {}
        self._references: dict[InstrumentId, Reference] = {}
        self._recent: dict[StrategyId, deque[Ticket]] = {}
        self._capital: dict[StrategyId | None, int] = {}
        self._held: dict[tuple[StrategyId, InstrumentId], Position] = {}  # kept once they exist
        # The pair ``position`` found last and its Position (ids compared by identity).
        self._last_strategy: StrategyId | None = None
        self._last_instrument: InstrumentId | None = None
        self._last_held: Position | None = None
        self._read: EquityReader | None = None  # equity of the total and the strategies
        self._equity_at: dict[StrategyId | None, int] = {}
        # Gross exposures kept during one check (``begin_check``): of all strategies, and
        # of the one strategy ``_gross_of`` (identity: a check sees one strategy id).
        self._gross_all: int | None = None
        self._gross_of: StrategyId | None = None
        self._gross_one = 0

    # --- feeding ----------------------------------------------------------------------------

    def handler(self, sample: Any) -> Callable[[Any], None] | None:
        """The loop handler of a stream whose items look like ``sample``: it keeps the
        instrument's reference price (a bar's close, a trade's price, a quote's mid
        rounded down). Subscribe it before the strategies, so their orders are checked
        at the price they saw. None for data that carries no price (book updates)."""
        instrument = self._instruments.get(sample.instrument_id)
        key = sample.instrument_id if instrument is None else instrument.id  # one key object
        kind = type(sample)
        if kind is Bar:
            return _Keep(self.reference_of(key), BAR)
        if kind is TradeTick:
            return _Keep(self.reference_of(key), TRADE)
        if kind is QuoteTick:
            return _Keep(self.reference_of(key), QUOTE)
        return None

    def reference_of(self, instrument_id: InstrumentId) -> Reference:
        """The instrument's ``Reference`` object (the one its price handler updates)."""
        found = self._references.get(instrument_id)
        if found is None:
            found = self._references[instrument_id] = Reference()
        return found

    def on_order_event(self, event: OrderEvent) -> None:
        """Refresh the contribution of the event's order to the working totals."""
        order: Order | None = self._order_of(event.client_order_id)
        if order is None:
            return
        self._set(order)

    def accepted(self, ticket: Ticket) -> None:
        """An order passed the checks: keep it among the strategy's recent orders."""
        recent = self._recent.get(ticket.strategy_id)
        if recent is None:
            recent = self._recent[ticket.strategy_id] = deque(maxlen=RECENT)
        recent.append(ticket)

    def set_capital(self, strategy_id: StrategyId | None, raw: int) -> None:
        self._capital[strategy_id] = raw

    def _set(self, order: Order) -> None:
        cid = order.client_order_id
        share = self._contribution.get(cid)
        leaves = order.leaves_qty if order.is_open else 0
        if not leaves:
            if share is not None:
                del self._contribution[cid]
                share.count(-1)
            return
        own = order.price
        if share is not None and share.lots == leaves and share.price == own:
            return  # most events (accepted, triggered...) change nothing
        price = own
        if price is None:  # a market order: at the reference when sent or when it fills
            reference = self._references.get(order.instrument_id)
            price = reference.price if reference is not None and reference.priced else 0
        notional = mul(mul(leaves, abs(price)), self._instruments[order.instrument_id].unit_raw)
        if share is None:
            book = self._book(order.strategy_id, order.instrument_id)
            share = _Share(order.side is not BUY, leaves, notional, own, book)
            self._contribution[cid] = share
        else:
            share.count(-1)
            share.lots = leaves
            share.notional = notional
            share.price = own
        share.count(1)

    def _book(self, strategy_id: StrategyId, instrument_id: InstrumentId) -> _Book:
        """The four totals an order of ``strategy_id`` in ``instrument_id`` counts in."""
        key = (strategy_id, instrument_id)
        book = self._books.get(key)
        if book is None:
            book = self._books[key] = _Book(
                self._totals(self._lots, key),
                self._totals(self._lots, (None, instrument_id)),
                self._totals(self._notional, strategy_id),
                self._totals(self._notional, None),
            )
        return book

    @staticmethod
    def _totals(where: dict[Any, _Pair], key: object) -> _Pair:
        totals = where.get(key)
        if totals is None:
            totals = where[key] = _Pair()
        return totals

    # --- PreTradeView -----------------------------------------------------------------------

    def now_ns(self) -> int:
        return self._clock.timestamp_ns()

    def instrument(self, instrument_id: InstrumentId) -> Instrument:
        return self._instruments[instrument_id]

    def position(self, strategy_id: StrategyId, instrument_id: InstrumentId) -> int:
        held = self._last_held
        if (
            held is not None
            and strategy_id is self._last_strategy
            and instrument_id is self._last_instrument
        ):
            return held.qty  # the pair asked last (ids by identity): no key to hash
        key = (strategy_id, instrument_id)
        held = self._held.get(key)
        if held is None:  # the portfolio keeps a Position once it exists and updates it
            held = self._portfolio.held(strategy_id, instrument_id)
            if held is None:
                return 0
            self._held[key] = held
        self._last_strategy, self._last_instrument, self._last_held = (
            strategy_id,
            instrument_id,
            held,
        )
        return held.qty

    def net_position(self, instrument_id: InstrumentId) -> int:
        return self._portfolio.net_position(instrument_id)

    def working(
        self, strategy_id: StrategyId | None, instrument_id: InstrumentId
    ) -> tuple[int, int]:
        totals = self._lots.get((strategy_id, instrument_id))
        return (0, 0) if totals is None else (totals.buy, totals.sell)

    def working_notional(self, strategy_id: StrategyId | None) -> tuple[int, int]:
        money = self._notional.get(strategy_id)
        return (0, 0) if money is None else (money.buy, money.sell)

    def reference(self, instrument_id: InstrumentId) -> tuple[int, int] | None:
        reference = self._references.get(instrument_id)
        if reference is None or not reference.priced:
            return None
        return reference.price, reference.ts

    def equity(self, strategy_id: StrategyId | None) -> int:
        read = self._read
        if read is not None:
            index = self._equity_at.get(strategy_id)
            if index is not None:
                return read.value(index)
        return self._portfolio.equity_raw(self._currency, strategy_id)

    def read_equity_from(self, read: EquityReader, strategy_ids: Sequence[StrategyId]) -> None:
        """Answer ``equity`` from ``read`` (the portfolio's reader of ``[total, *per
        strategy]`` in the tracker's currency, ``strategy_ids`` in its order)."""
        self._read = read
        self._equity_at = {None: 0}
        for index, strategy_id in enumerate(strategy_ids):
            self._equity_at[strategy_id] = index + 1

    def capital(self, strategy_id: StrategyId | None) -> int:
        if strategy_id is None and None not in self._capital:
            return sum(v for k, v in self._capital.items() if k is not None)
        return self._capital.get(strategy_id, 0)

    def begin_check(self, ticket: Ticket) -> None:
        super().begin_check(ticket)
        self._gross_all = None
        self._gross_of = None

    def gross_exposure(self, strategy_id: StrategyId | None) -> int:
        if self.checking is None:
            return self._exposure(strategy_id, gross=True)
        if strategy_id is None:
            if self._gross_all is None:
                self._gross_all = self._exposure(None, gross=True)
            return self._gross_all
        if self._gross_of is not strategy_id:
            self._gross_one = self._exposure(strategy_id, gross=True)
            self._gross_of = strategy_id
        return self._gross_one

    def net_exposure(self, strategy_id: StrategyId | None) -> int:
        return self._exposure(strategy_id, gross=False)

    def recent_orders(self, strategy_id: StrategyId) -> Sequence[Ticket]:
        return self._recent.get(strategy_id, ())

    def _exposure(self, strategy_id: StrategyId | None, *, gross: bool) -> int:
        strategies = self._portfolio.strategies if strategy_id is None else (strategy_id,)
        total = 0
        for instrument_id, instrument in self._instruments.items():
            reference = self._references.get(instrument_id)
            if reference is None or not reference.priced:
                continue
            price = reference.price
            for sid in strategies:
                lots = self.position(sid, instrument_id)
                if lots:
                    value = mul(mul(lots, price), instrument.unit_raw)
                    total += abs(value) if gross else value
        return total
