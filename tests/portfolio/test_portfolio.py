"""Portfolio: marks from bars, trades, quotes and fills; routing; clear errors."""

from __future__ import annotations

import msgspec
import pytest

from ironkeel.model import InstrumentId, InvalidInputError, Money, StrategyId
from ironkeel.portfolio import Portfolio

from ._factories import (
    A1,
    A2,
    AAPL,
    BNB,
    ES,
    INSTRUMENTS,
    S1,
    S2,
    SAP,
    SIM,
    USD,
    bar,
    buy,
    portfolio,
    quote,
    sell,
    trade,
    usd,
)

UNIT = AAPL.unit_raw


# --- marks ----------------------------------------------------------------------------


def test_when_no_price_yet_then_position_is_valued_at_its_fill_price() -> None:
    book = portfolio()
    book.on_fill(buy(3, 1_000))
    position = book.position(S1, AAPL.id)
    assert position.mark_px == 1_000
    assert position.value_raw == 3 * 1_000 * UNIT
    assert position.unrealized_raw == 0


def test_when_bar_arrives_then_position_marks_at_its_close() -> None:
    book = portfolio()
    book.on_fill(buy(3, 1_000))
    book.on_bar(bar(1_020))
    position = book.position(S1, AAPL.id)
    assert position.mark_px == 1_020
    assert position.value_raw == 3 * 1_020 * UNIT
    assert position.unrealized_raw == 3 * 20 * UNIT
    assert book.equity(USD) == usd("100000.60")


def test_a_bar_streams_bound_handler_marks_exactly_like_on_bar() -> None:
    by_call, bound = portfolio(), portfolio()
    mark_close = bound.bar_handler(bar(1).bar_type)
    for book in (by_call, bound):
        book.on_fill(buy(3, 1_000))
    for close in (1_020, 990, 990, 1_500):
        by_call.on_bar(bar(close))
        mark_close(bar(close))
        expected, got = by_call.position(S1, AAPL.id), bound.position(S1, AAPL.id)
        assert (
            (got.mark_px, got.value_raw)
            == (expected.mark_px, expected.value_raw)
            == (
                close,
                3 * close * UNIT,
            )
        )
        assert bound.equity(USD) == by_call.equity(USD)
    assert bound.equity(USD) == usd("100015.00")


def test_a_bar_handler_for_an_unknown_instrument_is_refused_when_bound() -> None:
    with pytest.raises(InvalidInputError, match="is not an instrument of this portfolio"):
        portfolio("1", AAPL).bar_handler(bar(1, ES).bar_type)


def test_when_trade_arrives_then_position_marks_at_its_price() -> None:
    book = portfolio()
    book.on_fill(sell(2, 1_000))
    book.on_trade(trade(990))
    position = book.position(S1, AAPL.id)
    assert position.mark_px == 990
    assert position.unrealized_raw == 2 * 10 * UNIT


def test_when_quote_arrives_then_longs_mark_at_bid_and_shorts_at_ask() -> None:
    book = portfolio()
    book.on_fill(buy(2, 1_000, strategy=S1))
    book.on_fill(sell(5, 1_000, strategy=S2))
    book.on_quote(quote(998, 1_003))
    assert book.position(S1, AAPL.id).mark_px == 998
    assert book.position(S2, AAPL.id).mark_px == 1_003
    assert book.equity(USD, S1) == Money.from_raw(-2 * 2 * UNIT, USD)
    assert book.equity(USD, S2) == Money.from_raw(-5 * 3 * UNIT, USD)


def test_when_market_has_a_price_then_a_new_position_is_valued_at_it_at_once() -> None:
    book = portfolio()
    book.on_quote(quote(998, 1_003))
    book.on_fill(buy(1, 1_003))  # pays the spread: worth the bid at once
    assert book.position(S1, AAPL.id).mark_px == 998
    assert book.equity(USD, S1) == Money.from_raw(-5 * UNIT, USD)
    book.on_quote(quote(999, 1_002))
    assert book.position(S1, AAPL.id).mark_px == 999
    assert book.mark_px(AAPL.id) == (999, 1_002)


def test_when_instrument_has_no_market_price_then_fills_mark_every_holder() -> None:
    book = portfolio()
    book.on_fill(buy(1, 1_000, strategy=S1))
    book.on_fill(buy(1, 1_050, strategy=S2))
    assert book.position(S1, AAPL.id).mark_px == 1_050
    assert book.equity(USD, S1) == Money.from_raw(50 * UNIT, USD)
    assert book.mark_px(AAPL.id) is None  # a fill is not a market price


def test_when_instrument_has_a_market_price_then_fills_do_not_move_it() -> None:
    book = portfolio()
    book.on_trade(trade(1_000))
    book.on_fill(buy(1, 1_000, strategy=S1))
    book.on_fill(buy(1, 1_050, strategy=S2))
    assert book.position(S1, AAPL.id).mark_px == 1_000
    assert book.position(S2, AAPL.id).mark_px == 1_000
    assert book.equity(USD, S2) == Money.from_raw(-50 * UNIT, USD)
    assert book.mark_px(AAPL.id) == (1_000, 1_000)


def test_when_other_instrument_moves_then_position_does_not() -> None:
    book = portfolio()
    book.on_fill(buy(1, 1_000))
    book.on_bar(bar(20_000, ES))
    book.on_trade(trade(500, ES))
    book.on_quote(quote(100, 101, ES))
    assert book.position(S1, AAPL.id).mark_px == 1_000


def test_when_position_is_closed_then_later_marks_do_not_touch_the_ledger() -> None:
    book = portfolio()
    book.on_fill(buy(1, 1_000))
    book.on_fill(sell(1, 1_010))
    equity = book.equity(USD, S1)
    book.on_bar(bar(5_000))
    assert book.equity(USD, S1) == equity == Money.from_raw(10 * UNIT, USD)
    assert book.position(S1, AAPL.id).value_raw == 0


def test_net_position_sums_every_strategy_and_account() -> None:
    book = Portfolio(INSTRUMENTS, [(A1, [usd(1)]), (A2, [usd(1)])])
    book.on_fill(buy(5, 100, strategy=S1))
    book.on_fill(sell(2, 100, strategy=S2))
    book.on_fill(buy(4, 100, strategy=S1, account=A2))
    assert book.net_position(AAPL.id) == 7
    assert book.net_position(ES.id) == 0


# --- multi-currency and fees ----------------------------------------------------------


def test_when_instrument_settles_in_another_currency_then_figures_stay_in_it() -> None:
    book = portfolio()
    book.on_fill(buy(2, 5_000, instrument=SAP))  # 2 lots of 10 @ 50.00 EUR
    eur = SAP.quote_currency
    assert book.cash(eur) == Money("-1000", eur)
    assert book.equity(eur) == Money(0, eur)
    assert book.cash(USD) == usd("100000")
    assert book.account().currencies == (USD, eur)


def test_when_commission_is_in_another_currency_then_only_that_currency_pays_it() -> None:
    book = portfolio()
    book.on_fill(buy(1, 1_000, commission_raw=5 * 10**9, commission_currency=BNB))
    ledger = book.ledger(S1)
    assert ledger.fees(BNB) == Money("0.005", BNB)
    assert ledger.cash(BNB) == Money("-0.005", BNB)
    assert ledger.fees(USD) == usd(0)
    assert book.position(S1, AAPL.id).fees_raw == 0
    assert book.account().fees(BNB) == Money("0.005", BNB)


def test_when_commission_is_a_rebate_then_fees_are_negative_and_cash_grows() -> None:
    book = portfolio()
    book.on_fill(buy(1, 1_000, commission_raw=-(10**10)))
    assert book.ledger(S1).fees(USD) == usd("-0.01")
    assert book.equity(USD, S1) == usd("0.01")


# --- queries --------------------------------------------------------------------------


def test_strategies_and_accounts_list_what_the_portfolio_knows() -> None:
    book = portfolio()
    book.on_fill(buy(1, 100, strategy=S2))
    book.allocate(S1, usd(1))
    assert book.strategies == (S2, S1)
    assert book.accounts == (A1,)


def test_position_of_an_instrument_never_traded_is_flat() -> None:
    position = portfolio().position(S1, ES.id)
    assert position.is_flat
    assert position.instrument_id == ES.id


def test_equity_of_an_unknown_strategy_is_zero() -> None:
    assert portfolio().equity(USD, StrategyId("nobody")) == usd(0)


def test_when_ledger_is_unknown_then_error_suggests_the_close_name() -> None:
    book = portfolio()
    book.allocate(StrategyId("momentum"), usd(1))
    with pytest.raises(InvalidInputError, match="did you mean 'momentum'"):
        book.ledger(StrategyId("momentun"))


def test_when_several_accounts_then_single_object_queries_need_the_account() -> None:
    book = Portfolio(INSTRUMENTS, [(A1, [usd(1)]), (A2, [usd(1)])])
    for call in (
        lambda: book.ledger(S1),
        lambda: book.position(S1, AAPL.id),
        lambda: book.allocate(S1, usd(1)),
    ):
        with pytest.raises(InvalidInputError, match="pass one of \\['A1', 'A2'\\]"):
            call()
    book.allocate(S1, usd(1), A2)
    assert book.ledger(S1, A2).allocated(USD) == usd(1)


# --- errors ---------------------------------------------------------------------------

UNKNOWN = InstrumentId("AAPX", SIM)


@pytest.mark.parametrize(
    "event",
    [bar(1, ES), trade(1, ES), quote(1, 2, ES), buy(1, 1, instrument=ES)],
    ids=["bar", "trade", "quote", "fill"],
)
def test_when_instrument_is_unknown_then_every_input_says_so(event: object) -> None:
    book = portfolio("1", AAPL)
    handler = {
        "Bar": book.on_bar,
        "TradeTick": book.on_trade,
        "QuoteTick": book.on_quote,
        "OrderFilled": book.on_fill,
    }[type(event).__name__]
    with pytest.raises(InvalidInputError, match="is not an instrument of this portfolio"):
        handler(event)


def test_when_instrument_id_is_close_to_a_known_one_then_error_suggests_it() -> None:
    with pytest.raises(InvalidInputError, match=r"did you mean 'AAPL\.SIM'"):
        portfolio().position(S1, UNKNOWN)


def test_when_fill_account_is_unknown_then_refused_and_nothing_booked() -> None:
    book = portfolio()
    with pytest.raises(InvalidInputError, match="is not an account") as caught:
        book.on_fill(buy(1, 100, account=A2))
    assert caught.value.field == "OrderFilled.account_id"
    assert book.strategies == ()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"last_qty": 0}, "last_qty"),
        ({"last_qty": -3}, "last_qty"),
        ({"last_qty": 1.0}, "last_qty"),
        ({"last_qty": True}, "last_qty"),
        ({"last_px": 100.5}, "last_px"),
        ({"commission_raw": 0.5}, "commission_raw"),
        ({"side": 1}, "side"),
    ],
)
def test_when_fill_is_malformed_then_refused_naming_the_field(change: dict, field: str) -> None:
    book = portfolio()
    bad = msgspec.structs.replace(buy(1, 100), **change)
    with pytest.raises(InvalidInputError) as caught:
        book.on_fill(bad)
    assert caught.value.field == f"OrderFilled.{field}"
    assert book.strategies == ()


@pytest.mark.parametrize(
    ("instruments", "accounts", "problem"),
    [
        ([AAPL, AAPL], [(A1, [])], "is listed twice"),
        (["AAPL"], [(A1, [])], "is a str"),
        ([AAPL], [("A1", [])], "is not an AccountId"),
        ([AAPL], [(A1, []), (A1, [])], "is listed twice"),
        ([AAPL], [], "is empty"),
    ],
)
def test_when_constructed_wrongly_then_error_says_what(
    instruments: list, accounts: list, problem: str
) -> None:
    with pytest.raises(InvalidInputError, match=problem):
        Portfolio(instruments, accounts)


def test_when_strategy_id_is_a_string_then_refused() -> None:
    with pytest.raises(InvalidInputError, match="is not a StrategyId"):
        portfolio().allocate("s1", usd(1))  # type: ignore[arg-type]


def test_when_account_id_is_unknown_then_queries_say_so() -> None:
    with pytest.raises(InvalidInputError, match="is not an account"):
        portfolio().equity(USD, account_id=A2)


# --- the fill path's shortcuts give what the full lookups give ------------------------


def test_when_fills_carry_equal_but_distinct_ids_then_they_book_into_the_same_books() -> None:
    book = portfolio()
    book.on_fill(buy(3, 1_000))
    book.on_fill(
        sell(
            1,
            1_010,
            strategy=StrategyId(S1.value),
            account=msgspec.structs.replace(A1),
            instrument=AAPL,
        )
    )
    book.on_fill(buy(2, 1_020, strategy=S2))
    book.on_fill(sell(2, 1_030))
    assert book.position(S1, AAPL.id).qty == 0
    assert book.position(S2, AAPL.id).qty == 2
    assert book.ledger(S1).realized(USD) == Money.from_raw((10 + 2 * 30) * UNIT, USD)
    assert book.strategies == (S1, S2)


def test_when_the_only_holder_goes_flat_and_another_opens_then_bars_mark_the_new_one() -> None:
    book = portfolio()
    book.on_fill(buy(1, 1_000, strategy=S1))
    book.on_fill(sell(1, 1_000, strategy=S1))
    book.on_fill(sell(2, 1_000, strategy=S2))
    book.on_bar(bar(990))
    assert book.position(S1, AAPL.id).value_raw == 0
    assert book.position(S2, AAPL.id).value_raw == -2 * 990 * UNIT
    assert book.ledger(S2).hwm(USD) == Money.from_raw(20 * UNIT, USD)
    book.on_fill(buy(1, 990, strategy=S1))  # two holders: the general revaluation
    book.on_bar(bar(1_000))
    assert book.position(S1, AAPL.id).value_raw == 1_000 * UNIT
    assert book.net_position(AAPL.id) == -1
