"""Position: FIFO lots, exact average price, realized P&L of every close, flips."""

from __future__ import annotations

from fractions import Fraction

from ironkeel.portfolio import Position

from ._factories import A1, AAPL, ES, S1

UNIT = AAPL.unit_raw  # 10**10: one cent on one share


def new() -> Position:
    return Position(AAPL, S1, A1)


def test_when_new_then_flat_with_no_price() -> None:
    position = new()
    assert position.is_flat
    assert position.qty == 0
    assert position.avg_px is None
    assert position.mark_px is None
    assert position.open_lots == ()
    assert (position.realized_raw, position.unrealized_raw, position.value_raw) == (0, 0, 0)
    assert position.currency == AAPL.quote_currency
    assert position.instrument_id == AAPL.id


def test_when_opened_long_then_qty_avg_and_lot_and_nothing_realized() -> None:
    position = new()
    assert position._apply(10, 10_000) == 0
    assert position.qty == 10
    assert position.avg_px == 10_000
    assert position.open_lots == ((10, 10_000),)
    assert position.cost_raw == 10 * 10_000 * UNIT


def test_when_added_then_avg_px_is_exact_fraction() -> None:
    position = new()
    position._apply(1, 100)
    position._apply(2, 101)
    assert position.avg_px == Fraction(302, 3)  # not representable as a decimal
    assert position.open_lots == ((1, 100), (2, 101))


def test_when_partly_closed_then_fifo_realizes_oldest_lot_first() -> None:
    position = new()
    position._apply(5, 100)
    position._apply(5, 110)
    realized = position._apply(-7, 120)  # 5 @100 then 2 @110
    assert realized == (5 * 20 + 2 * 10) * UNIT
    assert position.realized_raw == realized
    assert position.qty == 3
    assert position.open_lots == ((3, 110),)
    assert position.avg_px == 110


def test_when_fully_closed_then_flat_and_realized_is_sell_minus_buy_notional() -> None:
    position = new()
    position._apply(3, 100)
    position._apply(2, 103)
    position._apply(-4, 99)
    position._apply(-1, 105)
    assert position.is_flat
    assert position.open_lots == ()
    assert position.avg_px is None
    assert position.realized_raw == ((4 * 99 + 105) - (3 * 100 + 2 * 103)) * UNIT


def test_when_short_and_price_falls_then_short_realizes_a_gain() -> None:
    position = new()
    position._apply(-10, 200)
    assert position.qty == -10
    assert position.avg_px == 200
    assert position._apply(4, 150) == 4 * 50 * UNIT
    assert position._apply(6, 250) == -6 * 50 * UNIT
    assert position.is_flat
    assert position.realized_raw == (4 * 50 - 6 * 50) * UNIT


def test_when_fill_goes_through_zero_then_closes_fifo_and_opens_rest_at_fill_price() -> None:
    position = new()
    position._apply(2, 100)
    position._apply(3, 104)
    realized = position._apply(-8, 110)
    assert realized == (2 * 10 + 3 * 6) * UNIT
    assert position.qty == -3
    assert position.open_lots == ((-3, 110),)
    assert position.avg_px == 110
    assert position.cost_raw == -3 * 110 * UNIT


def test_when_short_flips_long_then_rest_opens_long() -> None:
    position = new()
    position._apply(-2, 50)
    assert position._apply(5, 40) == 2 * 10 * UNIT
    assert position.open_lots == ((3, 40),)


def test_when_prices_are_negative_then_pnl_is_still_exact() -> None:
    position = new()
    position._apply(4, -30)  # a spread trading below zero
    assert position._apply(-4, -10) == 4 * 20 * UNIT


def test_when_instrument_has_a_multiplier_then_pnl_uses_its_unit() -> None:
    position = Position(ES, S1, A1)
    position._apply(1, 20_000)  # 5000.00 points in 0.25 ticks
    assert position._apply(-1, 20_004) == 4 * ES.unit_raw  # four ticks = 50 USD
    assert ES.unit_raw * 4 == 50 * 10**12


def test_repr_names_strategy_instrument_and_qty() -> None:
    position = new()
    position._apply(1, 100)
    assert "s1" in repr(position)
    assert "qty=1" in repr(position)
