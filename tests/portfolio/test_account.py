"""Account: starting cash per currency, unallocated cash, ledgers that add up to it."""

from __future__ import annotations

import pytest

from ironkeel.model import InvalidInputError, Money
from ironkeel.portfolio import Account, Portfolio

from ._factories import A1, A2, AAPL, EUR, INSTRUMENTS, S1, S2, USD, bar, buy, portfolio, sell, usd


def test_when_created_then_every_currency_is_unallocated_and_is_the_hwm() -> None:
    account = Account(A1, [usd("1000"), Money("50", EUR)])
    assert account.currencies == (USD, EUR)
    assert account.starting_cash(USD) == usd("1000")
    assert account.unallocated(EUR) == Money("50", EUR)
    assert account.cash(USD) == account.equity(USD) == account.hwm(USD) == usd("1000")
    assert dict(account.ledgers) == {}
    assert "A1" in repr(account)


@pytest.mark.parametrize(
    ("cash", "problem"),
    [
        (["1000"], "is a str"),
        ([usd(1), usd(2)], "repeats the currency USD"),
        ([usd(-1)], "is negative"),
    ],
)
def test_when_starting_cash_is_wrong_then_error_names_the_item(cash: list, problem: str) -> None:
    with pytest.raises(InvalidInputError, match=problem) as caught:
        Account(A1, cash)
    assert caught.value.field.startswith("A1.starting_cash[")


def test_when_allocated_then_unallocated_drops_and_account_totals_do_not_move() -> None:
    book = portfolio("1000")
    book.allocate(S1, usd("600"))
    account = book.account()
    assert account.unallocated(USD) == usd("400")
    assert account.cash(USD) == usd("1000")
    assert account.equity(USD) == usd("1000")
    assert account.hwm(USD) == usd("1000")
    assert list(account.ledgers) == [S1]


def test_when_allocation_exceeds_unallocated_then_refused_and_nothing_moves() -> None:
    book = portfolio("1000")
    book.allocate(S1, usd("600"))
    with pytest.raises(InvalidInputError, match="exceeds the 400 USD unallocated"):
        book.allocate(S2, usd("400.01"))
    assert book.unallocated(USD) == usd("400")
    assert book.equity(USD, S2) == usd(0)


def test_when_allocating_a_currency_the_account_lacks_then_refused() -> None:
    with pytest.raises(InvalidInputError, match="exceeds the 0 EUR"):
        portfolio("1000").allocate(S1, Money("1", EUR))


@pytest.mark.parametrize("money", [usd(0), usd(-5), "5"])
def test_when_allocation_is_not_positive_money_then_refused(money: object) -> None:
    with pytest.raises(InvalidInputError, match="positive Money"):
        portfolio().allocate(S1, money)  # type: ignore[arg-type]


def test_ledgers_plus_unallocated_add_up_to_the_account() -> None:
    book = portfolio("100000")
    book.allocate(S1, usd("30000"))
    book.allocate(S2, usd("20000"))
    book.on_fill(buy(100, 10_000, strategy=S1, commission_raw=10**12))
    book.on_fill(sell(40, 10_000, strategy=S2, commission_raw=10**12))
    book.on_bar(bar(10_250))
    account = book.account()
    ledgers = account.ledgers.values()
    for figure in ("cash", "equity"):
        total = sum(getattr(g, figure)(USD).raw for g in ledgers) + account.unallocated(USD).raw
        assert getattr(account, figure)(USD).raw == total
    assert account.realized(USD) == usd(0)
    assert account.fees(USD) == usd(2)
    assert account.unrealized(USD) == usd(250 - 100)
    assert account.equity(USD) - account.starting_cash(USD) == usd(250 - 100 - 2)


def test_when_strategies_offset_then_account_hwm_is_not_lifted_in_passing() -> None:
    book = portfolio("100000")
    book.on_fill(buy(10, 10_000, strategy=S1))
    book.on_fill(sell(10, 10_000, strategy=S2))
    book.on_bar(bar(12_000))  # s1 +200, s2 -200: the account does not move
    account = book.account()
    assert book.ledger(S1).hwm(USD) == usd("200")
    assert account.equity(USD) == usd("100000")
    assert account.hwm(USD) == usd("100000")
    book.on_bar(bar(9_000))
    assert account.hwm(USD) == usd("100000")
    assert book.ledger(S2).hwm(USD) == usd("100")


def test_portfolio_with_two_accounts_keeps_them_apart() -> None:
    book = Portfolio(INSTRUMENTS, [(A1, [usd("100")]), (A2, [usd("50")])])
    book.on_fill(buy(1, 1_000, account=A2))
    assert book.account(A2).cash(USD) == usd("40")
    assert book.account(A1).cash(USD) == usd("100")
    assert book.cash(USD) == usd("140")
    assert book.equity(USD) == usd("150")
    assert book.equity(USD, S1) == usd(0)
    assert book.equity(USD, S1, account_id=A1) == usd(0)
    assert book.position(S1, AAPL.id, account_id=A2).qty == 1
    assert book.position(S1, AAPL.id, account_id=A1).qty == 0
    assert book.unallocated(USD) == usd("150")
    assert book.unallocated(USD, A2) == usd("50")
