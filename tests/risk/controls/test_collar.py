"""The price collar: exact against Fractions on 10,000 generated pairs, boundaries in
ticks and ns, and fail closed on a missing, stale, zero or negative reference."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ironkeel.model import InvalidInputError, OrderType
from ironkeel.risk.controls import PriceCollar
from ironkeel.risk.ticket import Ticket
from tests.risk.controls._orders import BTC_ID, SECOND, buy, sell, view

MAX_AGE = 5 * SECOND


PAIRS = st.tuples(st.integers(-(10**12), 10**12), st.integers(1, 10**12))


@settings(max_examples=100)
@given(
    pairs=st.lists(PAIRS, min_size=100, max_size=100),
    bps=st.one_of(st.integers(1, 20_000), st.decimals("0.01", "20000", places=2)),
)
def test_collar_when_price_and_reference_are_generated_then_it_matches_exact_fractions(pairs, bps):
    """100 examples x 100 (price, reference) pairs: 10,000 pairs, each against Fractions.
    (Batched: hypothesis's overhead per example would cost ~15 s for 10,000 of them.)"""
    screen = view()
    collar = PriceCollar.from_bps(bps, max_age_ns=MAX_AGE)
    band = Fraction(bps) / 10_000
    for price, reference in pairs:
        screen.set_reference(BTC_ID, reference, screen.now)
        denial = collar.check(Ticket(buy(1, price)), screen)
        inside = abs(Fraction(price - reference, reference)) <= band
        assert (denial is None) is inside, (price, reference, bps)
        if not inside:
            assert denial.code == "PRICE_COLLAR"


@settings(max_examples=200)
@given(
    reference=st.integers(1, 10**9),
    bps=st.integers(1, 20_000),
    side=st.sampled_from([-1, 1]),
)
def test_collar_when_price_is_exactly_on_or_one_tick_past_the_edge(reference, bps, side):
    """The generated pairs rarely land on the edge; here every pair is on it."""
    screen = view()
    screen.set_reference(BTC_ID, reference, screen.now)
    collar = PriceCollar.from_bps(bps, max_age_ns=MAX_AGE)
    edge = reference * bps // 10_000  # the widest whole-tick distance inside the band
    assert collar.check(Ticket(buy(1, reference + side * edge)), screen) is None
    assert collar.check(Ticket(buy(1, reference + side * (edge + 1))), screen) is not None


@pytest.mark.parametrize(("offset", "passes"), [(-1, True), (0, True), (1, False)])
@pytest.mark.parametrize("direction", [1, -1])
def test_collar_when_price_is_around_the_band_edge_in_ticks(offset, passes, direction):
    screen = view()  # reference 1,000 ticks; 500 bps = 50 ticks
    order = buy(1, 1_000 + direction * (50 + offset))
    denial = PriceCollar.from_bps(500, max_age_ns=MAX_AGE).check(Ticket(order), screen)
    assert (denial is None) is passes
    if not passes:
        assert "51 ticks (510 bps) from the reference 1000 ticks" in denial.reason
        assert "collar of 500 bps" in denial.reason


def test_collar_when_stop_order_then_the_stop_price_is_collared_too():
    collar = PriceCollar(Decimal("0.05"), max_age_ns=MAX_AGE)
    stop_limit = sell(1, 1_000, order_type=OrderType.STOP_LIMIT, trigger_price=940)
    assert collar.check(Ticket(stop_limit), view()).code == "PRICE_COLLAR"
    stop = sell(1, None, order_type=OrderType.STOP_MARKET, trigger_price=950)
    assert collar.check(Ticket(stop), view()) is None


@pytest.mark.parametrize(("offset", "code"), [(-1, None), (0, None), (1, "STALE_REFERENCE")])
@pytest.mark.parametrize("price", [1_000, None])
def test_collar_when_reference_age_is_around_max_age_in_ns(offset, code, price):
    screen = view()
    screen.set_reference(BTC_ID, 1_000, screen.now - MAX_AGE - offset)
    denial = PriceCollar.from_bps(500, max_age_ns=MAX_AGE).check(Ticket(buy(1, price)), screen)
    assert (denial and denial.code) == code
    if code:
        assert f"is {MAX_AGE + 1} ns old, older than the allowed {MAX_AGE} ns" in denial.reason


@pytest.mark.parametrize("price", [1_000, None])
def test_collar_when_reference_is_missing_then_denied_fail_closed(price):
    screen = view()
    screen.clear_reference(BTC_ID)
    denial = PriceCollar.from_bps(500, max_age_ns=MAX_AGE).check(Ticket(buy(1, price)), screen)
    assert denial.code == "NO_REFERENCE"


@pytest.mark.parametrize("reference", [0, -5])
def test_collar_when_reference_is_not_positive_then_denied_fail_closed(reference):
    screen = view()
    screen.set_reference(BTC_ID, reference, screen.now)
    denial = PriceCollar.from_bps(500, max_age_ns=MAX_AGE).check(Ticket(buy(1, 0)), screen)
    assert denial.code == "NO_REFERENCE"
    assert "not positive" in denial.reason


def test_collar_when_market_order_and_fresh_reference_then_it_passes():
    assert PriceCollar.from_bps(1, max_age_ns=MAX_AGE).check(Ticket(buy(1, None)), view()) is None


def test_freshness_only_when_no_deviation_then_any_price_passes_but_stale_is_denied():
    collar = PriceCollar(None, max_age_ns=MAX_AGE)
    screen = view()
    assert collar.check(Ticket(buy(1, 10**9)), screen) is None
    screen.now += MAX_AGE + 1
    assert collar.check(Ticket(buy(1, 1_000)), screen).code == "STALE_REFERENCE"


def test_collar_when_emergency_exit_and_stale_reference_then_the_flatten_passes():
    screen = view()
    screen.set_position(buy().strategy_id, BTC_ID, 5)
    screen.now += MAX_AGE + 1
    flatten = sell(5, None, reduce_only=True, emergency=True)
    assert PriceCollar.from_bps(500, max_age_ns=MAX_AGE).check(Ticket(flatten), screen) is None
    grow = buy(5, None, emergency=True)
    assert PriceCollar.from_bps(500, max_age_ns=MAX_AGE).check(Ticket(grow), screen) is not None


@pytest.mark.parametrize("bad", [0, -3, Decimal("NaN"), 0.5])
def test_collar_when_deviation_is_not_positive_and_exact_then_refused(bad):
    with pytest.raises(InvalidInputError):
        PriceCollar(bad, max_age_ns=MAX_AGE)
