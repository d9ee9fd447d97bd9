"""The engine's ``PreTradeView``: running totals the pre-trade controls read in O(1).

Working orders are counted from the moment they are sent (so an order in flight counts
before the venue acknowledges it) until they are done: from ``accepted``, as the risk
engine hands an approved order to the OMS (an order that reaches the OMS another way,
from its ``OrderSubmitted``). Each later order event replaces that order's contribution
(side, leaves in lots, leaves notional) in the totals of its strategy and of all
strategies. The contribution also keeps the reference price the order was sent at, which
its fills' slippage is measured against (``Tripwires``), for as long as the order works.

Reference prices are the last market data seen per instrument (a bar's close, a trade's
price, a quote's mid rounded down to the tick) with its time; positions, equity and
capital come from the portfolio.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

from ironkeel.core.clock import Clock
from ironkeel.core.exact import mul
from ironkeel.core.loop import Handler
from ironkeel.model.data import Bar, QuoteTick, TradeTick
from ironkeel.model.enums import OrderSide
from ironkeel.model.events import (
    OrderAccepted,
    OrderEvent,
    OrderFilled,
    OrderInitialized,
    OrderSubmitted,
)
from ironkeel.model.identifiers import ClientOrderId, InstrumentId, StrategyId
from ironkeel.model.instruments import Instrument
from ironkeel.model.orders import FILLED_EVENT, Order
from ironkeel.model.values import Currency
from ironkeel.portfolio import Portfolio
from ironkeel.portfolio.portfolio import EquityReader
from ironkeel.portfolio.position import Position
from ironkeel.risk.reference import BAR, QUOTE, TRADE, Reference
from ironkeel.risk.ticket import Ticket
from ironkeel.risk.view import RECENT_ORDERS, PreTradeView

__all__ = ["ExposureTracker"]

_Key = tuple[StrategyId | None, InstrumentId]
_ACCEPTED: Final = OrderAccepted
_INITIALIZED: Final = OrderInitialized
_SUBMITTED: Final = OrderSubmitted
_NO_TICKETS: Final[list[Ticket]] = []  # never appended to (``recent_orders``)
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
    the order's own price it was valued at (None: a market order, at the reference); and
    ``sent_at``, the reference price in ticks its fills' slippage is measured against
    (0: never measured)."""

    __slots__ = ("book", "lots", "notional", "price", "sell", "sent_at")

    def __init__(
        self, sell: bool, lots: int, notional: int, price: int | None, book: _Book, *, sent_at: int
    ) -> None:
        self.sell = sell
        self.lots = lots
        self.notional = notional
        self.price = price
        self.book = book
        self.sent_at = sent_at

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


class _Keep(Handler):
    """A stream's handler that keeps its instrument's latest item (``Reference``): one
    field store per item, the price read only when an order asks for it."""

    __slots__ = ("_kind", "_reference")

    def __init__(self, reference: Reference, kind: int) -> None:
        self._reference = reference
        self._kind = kind

    def handle(self, item: Any) -> None:
        self._reference.keep(item, self._kind)  # a native call when compiled


class _Seat:
    """What a check of one (strategy, instrument) reads, found once per pair: its book of
    working totals, the instrument, its ``unit_raw`` and reference, the strategy's index
    in the equity reader (-1: none), its recent orders, its Position (None until it
    exists) and whether the exposures count it (``held``: the pair was filled). The view's
    methods answer the pair of the order under check from here, with no key to hash (ids
    compared by identity)."""

    __slots__ = (
        "book",
        "equity_index",
        "held",
        "instrument",
        "instrument_id",
        "position",
        "recent",
        "reference",
        "strategy_id",
        "unit_raw",
    )

    def __init__(
        self,
        strategy_id: StrategyId,
        instrument: Instrument,
        book: _Book,
        reference: Reference,
        *,
        equity_index: int,
        recent: list[Ticket],
    ) -> None:
        self.strategy_id = strategy_id
        self.instrument_id = instrument.id
        self.instrument = instrument
        self.unit_raw: int = instrument.unit_raw
        self.book = book
        self.reference = reference
        self.equity_index = equity_index
        self.recent = recent  # the strategy's recent orders (the tracker's own list)
        self.position: Position | None = None  # the portfolio keeps it once it exists
        self.held = False

    def held_position(self, portfolio: Portfolio) -> Position | None:
        """The pair's Position, asked of the portfolio until it exists, then kept (the
        portfolio updates it in place)."""
        position = self.position
        if position is None:
            position = self.position = portfolio.held(self.strategy_id, self.instrument_id)
        return position


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
        self._recent: dict[StrategyId, list[Ticket]] = {}
        self._capital: dict[StrategyId | None, int] = {}
        self._read: EquityReader | None = None  # equity of the total and the strategies
        self._equity_at: dict[StrategyId | None, int] = {}
        # Gross exposures kept during one check (``begin_check``): of all strategies, and
        # of the one strategy ``_gross_of`` (identity: a check sees one strategy id).
        self._gross_all: int | None = None
        self._gross_of: StrategyId | None = None
        self._gross_one = 0
        # The pairs checked so far, and the one under check (or checked last).
        self._seats: dict[tuple[StrategyId, InstrumentId], _Seat] = {}
        self._seat: _Seat | None = None
        # What the exposures sum over: the seat of every filled (strategy, instrument), all
        # of them and per strategy; found by walking the portfolio once (at the first
        # exposure asked), then from the fills.
        self._walked = False
        self._held_all: list[_Seat] = []
        self._held_by: dict[StrategyId, list[_Seat]] = {}

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

    def on_order_event(self, event: OrderEvent) -> int:
        """Refresh the contribution of the event's order to the working totals; a fill
        makes its (strategy, instrument) one the exposures sum over. For a fill, returns
        the reference price in ticks its order was sent at (``accepted``), which the
        fill's slippage is measured against; otherwise, or with none, 0."""
        kind = type(event)
        if kind is _INITIALIZED:
            return 0  # published before the order exists or is sent: nothing works yet
        cid = event.client_order_id
        share = self._contribution.get(cid)
        if share is not None and (kind is _SUBMITTED or kind is _ACCEPTED):
            return 0  # counted since ``accepted``: neither changes its leaves or its price
        order: Order | None = self._order_of(cid)
        sent_at = 0 if share is None else share.sent_at
        if order is not None:
            self._set(order, share)
        elif share is not None:  # refused before the OMS kept it (an invalid order)
            del self._contribution[cid]
            share.count(-1)
        if type(event) is FILLED_EVENT:  # not ``kind``: mypy narrows ``event`` on this test
            if self._walked:
                if order is not None:  # the order's ids: native reads
                    self._hold(order.strategy_id, order.instrument_id)
                else:
                    fill: OrderFilled = event
                    self._hold(fill.strategy_id, fill.instrument_id)
            return sent_at
        return 0

    def accepted(self, ticket: Ticket, sent_at: int) -> None:
        """An order passed the checks and is about to be sent: it joins the strategy's
        recent orders, and counts among the working orders from now, as its
        ``OrderSubmitted`` would count it (so that event changes nothing), keeping
        ``sent_at``: the reference price in ticks its fills' slippage is measured against
        (0: none)."""
        seat = self._seat_for(ticket.strategy_id, ticket.instrument_id)
        recent = self._recent_of(ticket.strategy_id) if seat is None else seat.recent
        recent.append(ticket)
        if len(recent) >= 2 * RECENT_ORDERS:  # trimmed once per RECENT_ORDERS orders
            del recent[:RECENT_ORDERS]
        if seat is None:  # an instrument the limits do not know: never valued
            return
        lots, own = ticket.quantity, ticket.price
        notional = self._valued(seat, lots, own)
        share = _Share(not ticket.buy, lots, notional, own, seat.book, sent_at=sent_at)
        if self._contribution.setdefault(ticket.client_order_id, share) is not share:
            return  # a working order has this id: the OMS denies this one as a duplicate
        share.count(1)

    def _recent_of(self, strategy_id: StrategyId) -> list[Ticket]:
        recent = self._recent.get(strategy_id)
        if recent is None:
            recent = self._recent[strategy_id] = []
        return recent

    def set_capital(self, strategy_id: StrategyId | None, raw: int) -> None:
        self._capital[strategy_id] = raw

    def _set(self, order: Order, share: _Share | None) -> None:
        """Count ``order`` (its current ``share``, None: not counted) at its leaves."""
        leaves = order.leaves_qty if order.is_open else 0
        if not leaves:  # closed, or not yet open
            if share is not None:
                del self._contribution[order.client_order_id]
                share.count(-1)
            return
        own = order.price
        if share is not None and share.lots == leaves and share.price == own:
            return  # most events (accepted, triggered...) change nothing
        # An order is sent right after its check: usually the current seat.
        seat = self._seat_for(order.strategy_id, order.instrument_id)
        if seat is None:  # an instrument the limits do not know: never valued
            return
        notional = self._valued(seat, leaves, own)
        if share is None:
            share = _Share(order.side is not BUY, leaves, notional, own, seat.book, sent_at=0)
            self._contribution[order.client_order_id] = share
        else:
            share.count(-1)
            share.lots = leaves
            share.notional = notional
            share.price = own
        share.count(1)

    @staticmethod
    def _valued(seat: _Seat, lots: int, own: int | None) -> int:
        """Working notional of ``lots`` at the order's own price, or (a market order) at
        the reference (0 with none yet)."""
        price = own
        if price is None:
            reference = seat.reference
            price = reference.price if reference.priced else 0
        if price < 0:  # negated natively (``abs`` of an int is a generic call compiled)
            price = -price
        return mul(mul(lots, price), seat.unit_raw)

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

    def _hold(self, strategy_id: StrategyId, instrument_id: InstrumentId) -> None:
        """Count (strategy, instrument) in the exposures from now on (once); an instrument
        the limits do not know is never valued."""
        seat = self._seat_for(strategy_id, instrument_id)
        if seat is None or seat.held:
            return
        seat.held = True
        self._held_all.append(seat)
        self._held_by.setdefault(strategy_id, []).append(seat)

    def _walk_holdings(self) -> None:
        """The first exposure asked: every position the portfolio has, then the fills."""
        self._walked = True
        for strategy_id in self._portfolio.strategies:
            for instrument_id in self._instruments:
                if self._portfolio.held(strategy_id, instrument_id) is not None:
                    self._hold(strategy_id, instrument_id)

    # --- PreTradeView -----------------------------------------------------------------------

    def now_ns(self) -> int:
        return self._clock.timestamp_ns()

    def instrument(self, instrument_id: InstrumentId) -> Instrument:
        seat = self._seat
        if seat is not None and instrument_id is seat.instrument_id:
            return seat.instrument
        return self._instruments[instrument_id]

    def position(self, strategy_id: StrategyId, instrument_id: InstrumentId) -> int:
        seat = self._seat
        if (
            seat is not None
            and strategy_id is seat.strategy_id
            and instrument_id is seat.instrument_id
        ):
            held = seat.held_position(self._portfolio)  # the pair under check: no key hashed
        else:
            found = self._seat_of(strategy_id, instrument_id)
            held = (
                self._portfolio.held(strategy_id, instrument_id)
                if found is None
                else found.held_position(self._portfolio)
            )
        return 0 if held is None else held.qty

    def net_position(self, instrument_id: InstrumentId) -> int:
        return self._portfolio.net_position(instrument_id)

    def working(
        self, strategy_id: StrategyId | None, instrument_id: InstrumentId
    ) -> tuple[int, int]:
        seat = self._seat
        totals: _Pair | None
        if seat is not None and instrument_id is seat.instrument_id:
            if strategy_id is None:
                totals = seat.book.all_lots
            elif strategy_id is seat.strategy_id:
                totals = seat.book.lots
            else:
                totals = self._lots.get((strategy_id, instrument_id))
        else:
            totals = self._lots.get((strategy_id, instrument_id))
        return (0, 0) if totals is None else (totals.buy, totals.sell)

    def working_notional(self, strategy_id: StrategyId | None) -> tuple[int, int]:
        seat = self._seat
        money: _Pair | None
        if seat is not None and strategy_id is None:
            money = seat.book.all_money
        elif seat is not None and strategy_id is seat.strategy_id:
            money = seat.book.money
        else:
            money = self._notional.get(strategy_id)
        return (0, 0) if money is None else (money.buy, money.sell)

    def _reference_for(self, instrument_id: InstrumentId) -> Reference | None:
        seat = self._seat
        if seat is not None and instrument_id is seat.instrument_id:
            return seat.reference
        return self._references.get(instrument_id)

    def reference(self, instrument_id: InstrumentId) -> tuple[int, int] | None:
        reference = self._reference_for(instrument_id)
        if reference is None or not reference.priced:
            return None
        return reference.price, reference.ts

    def load_reference(self, ticket: Ticket) -> None:
        reference = self._reference_for(ticket.instrument_id)
        if reference is None or not reference.priced:
            ticket.set_no_reference()
        else:
            ticket.set_reference(reference.price, reference.ts)

    def equity(self, strategy_id: StrategyId | None) -> int:
        read = self._read
        if read is not None:
            seat = self._seat
            if strategy_id is None:
                return read.value(0)
            if seat is not None and strategy_id is seat.strategy_id and seat.equity_index > 0:
                return read.value(seat.equity_index)
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
        for seat in self._seats.values():  # seats made before keep their place
            seat.equity_index = self._equity_index(seat.strategy_id)

    def capital(self, strategy_id: StrategyId | None) -> int:
        if strategy_id is None and None not in self._capital:
            return sum(v for k, v in self._capital.items() if k is not None)
        return self._capital.get(strategy_id, 0)

    def begin_check(self, ticket: Ticket) -> None:
        super().begin_check(ticket)
        self._gross_all = None
        self._gross_of = None
        self._seat = self._seat_for(ticket.strategy_id, ticket.instrument_id)

    def _seat_for(self, strategy_id: StrategyId, instrument_id: InstrumentId) -> _Seat | None:
        """The pair's seat: the current one when it is that pair (ids by identity)."""
        seat = self._seat
        if (
            seat is not None
            and strategy_id is seat.strategy_id
            and instrument_id is seat.instrument_id
        ):
            return seat
        return self._seat_of(strategy_id, instrument_id)

    def _seat_of(self, strategy_id: StrategyId, instrument_id: InstrumentId) -> _Seat | None:
        """The pair's ``_Seat`` (made on first use); None for an instrument the limits do
        not know (every figure is then found by key, as for any other pair)."""
        key = (strategy_id, instrument_id)
        seat = self._seats.get(key)
        if seat is None:
            instrument = self._instruments.get(instrument_id)
            if instrument is None:
                return None
            seat = self._seats[key] = _Seat(
                strategy_id,
                instrument,
                self._book(strategy_id, instrument.id),
                self.reference_of(instrument.id),
                equity_index=self._equity_index(strategy_id),
                recent=self._recent_of(strategy_id),
            )
        return seat

    def _equity_index(self, strategy_id: StrategyId) -> int:
        """The strategy's index in the equity reader; -1 while there is none."""
        index = self._equity_at.get(strategy_id) if self._read is not None else None
        return -1 if index is None else index

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

    def recent_orders(self, strategy_id: StrategyId) -> list[Ticket]:
        seat = self._seat
        if seat is not None and strategy_id is seat.strategy_id:
            return seat.recent
        found = self._recent.get(strategy_id)
        return _NO_TICKETS if found is None else found

    def _exposure(self, strategy_id: StrategyId | None, *, gross: bool) -> int:
        if not self._walked:
            self._walk_holdings()
        if strategy_id is None:
            holdings = self._held_all
        else:
            found = self._held_by.get(strategy_id)
            if found is None:
                return 0
            holdings = found
        total = 0
        for seat in holdings:
            position = seat.held_position(self._portfolio)
            if position is None:  # filled, but the portfolio had not booked it yet
                continue
            lots = position.qty
            reference = seat.reference
            if lots and reference.priced:
                value = mul(mul(lots, reference.price), seat.unit_raw)
                total += abs(value) if gross else value
        return total
