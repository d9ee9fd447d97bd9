"""The portfolio: accounts, strategy ledgers and positions, booked from fills, marked from prices.

Everything is exact int arithmetic in money raw units (10**-12 of a currency);
``Money`` appears only at the API boundary.

Cash accounting, for every instrument: a buy of q lots at p ticks moves cash by
``-(q * p * unit_raw) - commission``, a sell by ``+(q * p * unit_raw) - commission``,
and a position is worth ``signed_lots * mark * unit_raw``. So, per currency,
``equity = cash + Σ position values`` holds exactly at all times, for longs and
shorts, in every ledger and every account, and ``unallocated + Σ ledgers = account``.

Marks: a bar marks its instrument at its close, a trade tick at its price, a
quote marks longs at the bid and shorts at the ask (their liquidation value,
so a position bought at the ask is worth the bid at once). Until an instrument
has a market price, its fills mark it: every position in it is valued at the
last fill price. Once it has one, a fill does not move the mark (a position
opened then is valued at the market mark at once).

Mark-to-market is incremental: each instrument keeps its mark and the open
positions holding it; a price event revalues only those (O(k) for k holders),
adding each change to the position's ledger and account. With no open
position a price event stores the price and returns.

There is no FX conversion yet: equity, cash and P&L are reported per currency.
The portfolio does not deduplicate fills (the OMS does); it books what it is given.
"""

from __future__ import annotations

import difflib
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Final

from ironkeel.model.data import Bar, BarType, QuoteTick, TradeTick
from ironkeel.model.enums import OrderSide
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.events import OrderFilled
from ironkeel.model.identifiers import AccountId, InstrumentId, StrategyId
from ironkeel.model.instruments import Instrument
from ironkeel.model.values import Currency, Money
from ironkeel.portfolio._balance import Balance, Figures
from ironkeel.portfolio._mark import Mark, MarkAtClose
from ironkeel.portfolio.account import Account
from ironkeel.portfolio.ledger import StrategyLedger
from ironkeel.portfolio.position import Position

__all__ = ["EquityReader", "Portfolio"]

# Enum members read through the class cost ~100 ns each in CPython 3.11; on_fill reads these.
_BUY: Final = OrderSide.BUY
_SELL: Final = OrderSide.SELL
# A fill's booked fields read untyped, so a malformed fill reaches the checks that name
# the field (compiled code would raise a bare TypeError at a typed attribute read).
_fill_fields: Callable[[OrderFilled], tuple[object, object, object, object]] = operator.attrgetter(
    "last_qty", "last_px", "commission_raw", "side"
)

#: What one fill books into: its strategy, account and instrument ids, then the mark,
#: account, ledger, position and the ledger's and account's balance of its currency.
_Books = tuple[
    StrategyId,
    AccountId,
    InstrumentId,
    Mark,
    Account,
    StrategyLedger,
    Position,
    Balance,
    Balance,
]


class EquityReader:
    """Reads the current equity of a fixed list of balances: ``reader.values()`` is
    ``[total, *per_strategy]`` in money raw units (what the equity recorder and the risk
    engine's breakers read after every event)."""

    __slots__ = ("_balances",)

    def __init__(self, balances: list[Balance]) -> None:
        self._balances = balances

    def values(self) -> list[int]:
        """``[total, *per_strategy]`` (a method, not ``__call__``: compiled callers call a
        method natively)."""
        return [balance.equity for balance in self._balances]

    def value(self, index: int) -> int:
        """The equity of one balance (``reader.values()[index]`` without building the list)."""
        return self._balances[index].equity


class Portfolio:
    """Books fills into per-account, per-strategy ledgers and marks them to market.

    ``accounts`` gives each account its starting cash, one ``Money`` per currency.
    Methods taking an optional ``account_id`` read it as: for totals
    (``equity``, ``cash``, ``unallocated``) None means summed over every
    account; for one object (``ledger``, ``position``, ``allocate``) None means
    the portfolio's only account, and is an error when there are several.
    """

    def __init__(
        self,
        instruments: Iterable[Instrument],
        accounts: Iterable[tuple[AccountId, Iterable[Money]]],
    ) -> None:
        self._marks: dict[InstrumentId, Mark] = {}
        for index, instrument in enumerate(instruments):
            if not isinstance(instrument, Instrument):
                raise InvalidInputError(
                    f"instruments[{index}]",
                    instrument,
                    f"is a {type(instrument).__name__}",
                    "pass Instrument objects",
                )
            if instrument.id in self._marks:
                raise InvalidInputError(
                    f"instruments[{index}]", str(instrument.id), "is listed twice", "list it once"
                )
            self._marks[instrument.id] = Mark(instrument)
        self._last_bar_type: BarType | None = None  # the one-entry cache of on_bar
        self._last_bar_mark: Mark | None = None
        self._accounts: dict[AccountId, Account] = {}
        for account_id, starting_cash in accounts:
            if not isinstance(account_id, AccountId):
                raise InvalidInputError(
                    "accounts.account_id",
                    account_id,
                    "is not an AccountId",
                    "wrap it: AccountId(..)",
                )
            if account_id in self._accounts:
                raise InvalidInputError(
                    "accounts.account_id", str(account_id), "is listed twice", "list it once"
                )
            self._accounts[account_id] = Account(account_id, starting_cash)
        if not self._accounts:
            raise InvalidInputError(
                "accounts", [], "is empty", "pass at least one (AccountId, [Money, ...])"
            )
        #: The account that ``account_id=None`` means, when there is only one.
        self._only: Account | None = None
        if len(self._accounts) == 1:
            self._only = next(iter(self._accounts.values()))
        self._ledgers: dict[StrategyId, list[StrategyLedger]] = {}  # in every account
        self._last_books: _Books | None = None  # the one-entry cache of on_fill

    # --- inputs -----------------------------------------------------------------------

    def allocate(
        self, strategy_id: StrategyId, money: Money, account_id: AccountId | None = None
    ) -> None:
        """Move ``money`` from the account's unallocated cash into the strategy's ledger.

        Refused (``InvalidInputError``) when it exceeds the unallocated cash of
        that currency, or is not positive.
        """
        if not isinstance(money, Money) or money.raw <= 0:
            raise InvalidInputError(
                "allocate.money", money, "is not a positive Money", "pass e.g. Money('1000', USD)"
            )
        account = self._account(account_id)
        self._ledger_in(account, strategy_id)
        account._allocate(strategy_id, money)

    def on_fill(self, fill: OrderFilled) -> None:
        """Book one execution into its strategy's ledger and account.

        The position is valued at the instrument's market mark, or at the fill's
        price (with every other holder) while the instrument has no market price.
        Refused with ``InvalidInputError``, before anything is booked, for an
        unknown instrument or account, a non-positive or non-int ``last_qty``, a
        non-int ``last_px`` or ``commission_raw``, or a side that is not an OrderSide.
        """
        qty, px, commission, side = _fill_fields(fill)
        if (
            type(qty) is not int
            or qty <= 0
            or type(px) is not int
            or type(commission) is not int
            or (side is not _BUY and side is not _SELL)
        ):
            raise self._invalid_fill(fill)
        books = self._last_books
        if (
            books is None
            or books[0] is not fill.strategy_id
            or books[1] is not fill.account_id
            or books[2] is not fill.instrument_id
        ):
            books = self._books_of(fill)
        _, _, _, mark, account, ledger, position, ledger_balance, account_balance = books
        was_open = position._qty != 0

        signed = qty if side is _BUY else -qty
        realized = position._apply(signed, px)
        # Cash pays the notional and the fee; the position is worth its market mark, or
        # the fill's price while the instrument has no market price yet.
        currency = position.currency
        fee_currency = fill.commission_currency
        fee = commission if fee_currency is currency or fee_currency == currency else 0
        position._fees += fee
        cash = -signed * px * position.unit_raw - fee
        long_px, short_px = mark.long_px, mark.short_px
        if long_px is None or short_px is None:
            long_px = short_px = px
        value = position._exposure * (long_px if position._qty > 0 else short_px)
        equity_change = cash + value - position._value
        position._value = value
        ledger_balance.cash += cash
        ledger_balance.equity += equity_change
        ledger_balance.realized += realized
        ledger_balance.fees += fee
        account_balance.cash += cash
        account_balance.equity += equity_change
        account_balance.realized += realized
        account_balance.fees += fee
        fee_balances = () if fee == commission else _charge_other(fill, ledger, account)

        if position._qty and not was_open:
            mark.hold(position, ledger_balance, account_balance)
        elif was_open and not position._qty:
            mark.release(position)
        if mark.long_px is None:  # every holder is worth the last fill price until a market price
            mark.revalue(px, px)
        # Balance.touch of both, inlined
        if ledger_balance.equity > ledger_balance.hwm:  # noqa: PLR1730 - max() costs a call
            ledger_balance.hwm = ledger_balance.equity
        if account_balance.equity > account_balance.hwm:  # noqa: PLR1730 - max() costs a call
            account_balance.hwm = account_balance.equity
        for balance in fee_balances:
            balance.touch()

    def _books_of(self, fill: OrderFilled) -> _Books:
        """What a fill books into, found (and created) by its ids; kept for the next fill.

        Marks, accounts, ledgers, positions and balances are created once and never
        replaced, so the entry stays valid; it is keyed by the ids' identity (a strategy's
        fills usually share the id objects) and holds them, so no other id reuses them.
        """
        mark = self._marks.get(fill.instrument_id)
        account = self._accounts.get(fill.account_id)
        if mark is None or account is None:
            raise self._invalid_fill(fill)
        ledger = self._ledger_in(account, fill.strategy_id)
        position = ledger._position(mark.instrument)
        books = self._last_books = (
            fill.strategy_id,
            fill.account_id,
            fill.instrument_id,
            mark,
            account,
            ledger,
            position,
            ledger._balance(position.currency),
            account._balance(position.currency),
        )
        return books

    def on_bar(self, bar: Bar) -> None:
        """Mark the bar's instrument at its close."""
        bar_type = bar.bar_type
        if bar_type is self._last_bar_type:
            mark: Mark = self._last_bar_mark  # type: ignore[assignment]  # set with the type
        else:
            mark = self._bar_mark(bar_type)
            self._last_bar_type, self._last_bar_mark = bar_type, mark
        mark.close_at(bar.close)

    def bar_handler(self, bar_type: BarType) -> Callable[[Bar], None]:
        """``on_bar`` for one bar stream, with its instrument's mark looked up now: what the
        event loop calls per bar when the stream is known at subscription."""
        return MarkAtClose(self._bar_mark(bar_type))

    def _bar_mark(self, bar_type: BarType) -> Mark:
        try:
            return self._marks[bar_type.instrument_id]
        except KeyError:
            raise self._unknown_instrument(bar_type.instrument_id, "Bar") from None

    def on_trade(self, tick: TradeTick) -> None:
        """Mark the instrument at the trade's price."""
        try:
            mark = self._marks[tick.instrument_id]
        except KeyError:
            raise self._unknown_instrument(tick.instrument_id, "TradeTick") from None
        px = mark.long_px = mark.short_px = tick.price
        if mark.holders:
            mark.revalue(px, px)

    def on_quote(self, tick: QuoteTick) -> None:
        """Mark longs at the bid and shorts at the ask: what closing them would fetch."""
        try:
            mark = self._marks[tick.instrument_id]
        except KeyError:
            raise self._unknown_instrument(tick.instrument_id, "QuoteTick") from None
        mark.long_px = tick.bid
        mark.short_px = tick.ask
        if mark.holders:
            mark.revalue(tick.bid, tick.ask)

    # --- queries ----------------------------------------------------------------------

    @property
    def accounts(self) -> tuple[AccountId, ...]:
        return tuple(self._accounts)

    @property
    def strategies(self) -> tuple[StrategyId, ...]:
        """Every strategy with a ledger (allocated or traded), in the order first seen."""
        return tuple(self._ledgers)

    def account(self, account_id: AccountId | None = None) -> Account:
        return self._account(account_id)

    def ledger(
        self, strategy_id: StrategyId, account_id: AccountId | None = None
    ) -> StrategyLedger:
        account = self._account(account_id)
        ledger = account._ledgers.get(strategy_id)
        if ledger is None:
            known = [str(s) for s in account._ledgers]
            raise InvalidInputError(
                "strategy_id",
                str(strategy_id),
                f"has no ledger in account {account.account_id}",
                _did_you_mean(str(strategy_id), known, "allocate to it or book a fill first"),
            )
        return ledger

    def position(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        account_id: AccountId | None = None,
    ) -> Position:
        """The strategy's position in the instrument (a flat one if it never traded it)."""
        position = self.held(strategy_id, instrument_id, account_id)
        if position is None:
            instrument = self._mark(instrument_id, "instrument_id").instrument
            return Position(instrument, strategy_id, self._account(account_id).account_id)
        return position

    def position_qty(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        account_id: AccountId | None = None,
    ) -> int:
        """The strategy's signed open lots in the instrument (0 if it never traded it):
        ``position(...).qty`` without building a flat Position to say so."""
        position = self.held(strategy_id, instrument_id, account_id)
        return 0 if position is None else position._qty

    def held(
        self,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        account_id: AccountId | None = None,
    ) -> Position | None:
        """The strategy's live Position in the instrument, None if it never traded it.
        Once it exists the portfolio keeps it (flat or not) and updates it in place."""
        self._mark(instrument_id, "instrument_id")
        ledger = self._account(account_id)._ledgers.get(strategy_id)
        return None if ledger is None else ledger._positions.get(instrument_id)

    def mark_px(self, instrument_id: InstrumentId) -> tuple[int, int] | None:
        """The instrument's mark in ticks as (for longs, for shorts); None before any price.

        Both are the bar close or trade price; a quote gives (bid, ask). Fills do not count.
        """
        mark = self._mark(instrument_id, "instrument_id")
        if mark.long_px is None or mark.short_px is None:
            return None
        return mark.long_px, mark.short_px

    def net_position(self, instrument_id: InstrumentId) -> int:
        """Signed lots held in the instrument, summed over every strategy and account."""
        return sum(h[0]._qty for h in self._mark(instrument_id, "instrument_id").holders)

    def equity(
        self,
        currency: Currency,
        strategy_id: StrategyId | None = None,
        account_id: AccountId | None = None,
    ) -> Money:
        """Cash + position values in ``currency``: of a strategy or, if None, of the accounts."""
        return Money.from_raw(self.equity_raw(currency, strategy_id, account_id), currency)

    def equity_raw(
        self,
        currency: Currency,
        strategy_id: StrategyId | None = None,
        account_id: AccountId | None = None,
    ) -> int:
        """``equity(...)`` in money raw units (10**-12), without building a Money."""
        return sum(f._read(currency).equity for f in self._figures(strategy_id, account_id))

    def cash(
        self,
        currency: Currency,
        strategy_id: StrategyId | None = None,
        account_id: AccountId | None = None,
    ) -> Money:
        """Cash in ``currency``: of a strategy or, if None, of the accounts (allocated or not)."""
        raw = sum(f._read(currency).cash for f in self._figures(strategy_id, account_id))
        return Money.from_raw(raw, currency)

    def equity_reader(self, currency: Currency, strategy_ids: Sequence[StrategyId]) -> EquityReader:
        """A reader of raw equity (10**-12 units) in ``currency`` of the only account and of
        each strategy, ``[total, *per_strategy]``: cheap enough to record an equity curve on
        every event (no Money objects). Creates the strategies' ledgers if needed."""
        account = self._account(None)
        return EquityReader(
            [account._balance(currency)]
            + [self._ledger_in(account, s)._balance(currency) for s in strategy_ids]
        )

    def unallocated(self, currency: Currency, account_id: AccountId | None = None) -> Money:
        accounts = self._accounts.values() if account_id is None else [self._account(account_id)]
        return Money.from_raw(sum(a._unallocated.get(currency, 0) for a in accounts), currency)

    # --- helpers ----------------------------------------------------------------------

    def _figures(
        self, strategy_id: StrategyId | None, account_id: AccountId | None
    ) -> list[Figures]:
        if account_id is not None:
            self._account(account_id)  # validates it
        if strategy_id is None:
            return [a for a in self._accounts.values() if account_id in (None, a.account_id)]
        ledgers = self._ledgers.get(strategy_id, [])
        return [g for g in ledgers if account_id in (None, g.account_id)]

    def _ledger_in(self, account: Account, strategy_id: StrategyId) -> StrategyLedger:
        ledger = account._ledgers.get(strategy_id)
        if ledger is None:
            if not isinstance(strategy_id, StrategyId):
                raise InvalidInputError(
                    "strategy_id", strategy_id, "is not a StrategyId", "wrap it: StrategyId(..)"
                )
            ledger = account._ledger(strategy_id)
            self._ledgers.setdefault(strategy_id, []).append(ledger)
        return ledger

    def _account(self, account_id: AccountId | None) -> Account:
        if account_id is None:
            only = self._only
            if only is not None:
                return only
            raise InvalidInputError(
                "account_id",
                None,
                f"is needed: the portfolio has {len(self._accounts)} accounts",
                f"pass one of {sorted(str(a) for a in self._accounts)}",
            )
        account = self._accounts.get(account_id)
        if account is None:
            raise self._unknown_account(account_id, "account_id")
        return account

    def _invalid_fill(self, fill: OrderFilled) -> InvalidInputError:
        """The error for a fill ``on_fill`` refused: the first thing wrong with it."""
        try:
            self._mark(fill.instrument_id, "OrderFilled.instrument_id")
            if fill.account_id not in self._accounts:
                raise self._unknown_account(fill.account_id, "OrderFilled.account_id")
            _check_fill(fill)
        except InvalidInputError as error:
            return error
        raise AssertionError("on_fill refused a valid fill")  # pragma: no cover

    def _mark(self, instrument_id: InstrumentId, field: str) -> Mark:
        mark = self._marks.get(instrument_id)
        if mark is None:
            raise self._unknown_instrument(instrument_id, field)
        return mark

    def _unknown_instrument(self, instrument_id: object, field: str) -> InvalidInputError:
        known = [str(i) for i in self._marks]
        return InvalidInputError(
            field,
            str(instrument_id),
            "is not an instrument of this portfolio",
            _did_you_mean(str(instrument_id), known, "add the instrument to Portfolio(...)"),
        )

    def _unknown_account(self, account_id: object, field: str) -> InvalidInputError:
        known = [str(a) for a in self._accounts]
        return InvalidInputError(
            field,
            str(account_id),
            "is not an account of this portfolio",
            _did_you_mean(str(account_id), known, "add the account to Portfolio(...)"),
        )


def _check_fill(fill: OrderFilled) -> None:
    qty, px, commission, side = _fill_fields(fill)
    if type(qty) is not int or qty <= 0:
        raise InvalidInputError(
            "OrderFilled.last_qty", qty, "is not a positive int of lots", "fill at least 1 lot"
        )
    if type(px) is not int:
        raise InvalidInputError(
            "OrderFilled.last_px", px, "is not an int of ticks", "convert it with Instrument.ticks"
        )
    if type(commission) is not int:
        raise InvalidInputError(
            "OrderFilled.commission_raw",
            commission,
            "is not an int of money raw units",
            "use Money.raw (10**-12 units)",
        )
    if side is not _BUY and side is not _SELL:
        raise InvalidInputError(
            "OrderFilled.side", side, "is not an OrderSide", "use OrderSide.BUY or OrderSide.SELL"
        )


def _charge_other(
    fill: OrderFilled, ledger: StrategyLedger, account: Account
) -> tuple[Balance, Balance]:
    """Book a commission charged in a currency other than the instrument's (a fee
    paid in the venue's token): in that currency's figures only, not the position's.
    """
    currency, commission = fill.commission_currency, fill.commission_raw
    balances = (ledger._balance(currency), account._balance(currency))
    for balance in balances:
        balance.cash -= commission
        balance.equity -= commission
        balance.fees += commission
    return balances


def _did_you_mean(name: str, known: list[str], otherwise: str) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"did you mean {close[0]!r}? Otherwise {otherwise}"
    return f"{otherwise} (known: {sorted(known)})"
