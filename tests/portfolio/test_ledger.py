"""StrategyLedger: allocated cash, equity, fees, P&L, high-water mark and drawdown."""

from __future__ import annotations

from fractions import Fraction

from ironkeel.model import Money

from ._factories import AAPL, EUR, S1, S2, USD, bar, buy, portfolio, sell, usd

UNIT = AAPL.unit_raw
DOLLAR = 10**12


def test_when_allocated_then_ledger_holds_the_cash_and_its_hwm() -> None:
    book = portfolio("100000")
    book.allocate(S1, usd("10000"))
    ledger = book.ledger(S1)
    assert ledger.allocated(USD) == usd("10000")
    assert ledger.cash(USD) == usd("10000")
    assert ledger.equity(USD) == usd("10000")
    assert ledger.hwm(USD) == usd("10000")
    assert ledger.drawdown(USD) == usd(0)
    assert ledger.drawdown_fraction(USD) == 0
    assert ledger.currencies == (USD,)


def test_when_allocated_twice_then_allocations_add_up() -> None:
    book = portfolio("100000")
    book.allocate(S1, usd("10000"))
    book.allocate(S1, usd("2500.5"))
    assert book.ledger(S1).allocated(USD) == usd("12500.5")


def test_when_bought_then_cash_pays_notional_and_fee_and_equity_drops_by_the_fee() -> None:
    book = portfolio()
    book.allocate(S1, usd("10000"))
    book.on_fill(buy(10, 10_000, commission_raw=DOLLAR))  # 10 @ 100.00, 1 USD fee
    ledger = book.ledger(S1)
    assert ledger.cash(USD) == usd("8999")
    assert ledger.equity(USD) == usd("9999")
    assert ledger.fees(USD) == usd(1)
    assert ledger.realized(USD) == usd(0)
    assert ledger.unrealized(USD) == usd(0)
    assert ledger.hwm(USD) == usd("10000")
    assert ledger.drawdown(USD) == usd(1)


def test_when_price_moves_then_hwm_follows_the_peak_and_drawdown_is_exact() -> None:
    book = portfolio()
    book.allocate(S1, usd("10000"))
    book.on_fill(buy(10, 10_000))
    book.on_bar(bar(11_000))  # +100 USD
    ledger = book.ledger(S1)
    assert ledger.equity(USD) == usd("10100")
    assert ledger.hwm(USD) == usd("10100")
    book.on_bar(bar(9_000))  # -200 USD from the peak
    assert ledger.equity(USD) == usd("9900")
    assert ledger.hwm(USD) == usd("10100")
    assert ledger.drawdown(USD) == usd("200")
    assert ledger.drawdown_fraction(USD) == Fraction(200, 10100)
    assert ledger.unrealized(USD) == usd("-100")


def test_when_closed_then_realized_excludes_fees_and_equity_includes_them() -> None:
    book = portfolio()
    book.allocate(S1, usd("10000"))
    book.on_fill(buy(10, 10_000, commission_raw=DOLLAR))
    book.on_fill(sell(10, 10_500, commission_raw=2 * DOLLAR))
    ledger = book.ledger(S1)
    assert ledger.realized(USD) == usd("50")
    assert ledger.fees(USD) == usd("3")
    assert ledger.equity(USD) == usd("10047")
    assert ledger.cash(USD) == ledger.equity(USD)
    position = ledger.position(AAPL.id)
    assert position is not None
    assert position.is_flat
    assert position.fees_raw == 3 * DOLLAR


def test_when_strategy_was_never_allocated_then_its_fill_books_and_cash_goes_negative() -> None:
    book = portfolio()
    book.on_fill(buy(1, 10_000, strategy=S2))
    ledger = book.ledger(S2)
    assert ledger.allocated(USD) == usd(0)
    assert ledger.cash(USD) == usd("-100")
    assert ledger.equity(USD) == usd(0)
    book.on_bar(bar(9_000))
    assert ledger.equity(USD) == usd("-10")
    assert ledger.hwm(USD) == usd(0)
    assert ledger.drawdown(USD) == usd("10")
    assert ledger.drawdown_fraction(USD) is None  # no positive peak to measure against


def test_when_currency_never_seen_then_figures_are_zero() -> None:
    book = portfolio()
    book.allocate(S1, usd("10"))
    ledger = book.ledger(S1)
    assert ledger.equity(EUR) == Money(0, EUR)
    assert ledger.hwm(EUR) == Money(0, EUR)
    assert ledger.drawdown_fraction(EUR) is None


def test_positions_lists_every_instrument_traded_including_flat_ones() -> None:
    book = portfolio()
    book.on_fill(buy(1, 100))
    book.on_fill(sell(1, 100))
    ledger = book.ledger(S1)
    assert list(ledger.positions) == [AAPL.id]
    assert ledger.positions[AAPL.id].is_flat
    assert ledger.position(AAPL.id) is ledger.positions[AAPL.id]
    assert "s1" in repr(ledger)
