"""Gross and net exposure, leverage and concentration: boundaries in money raw, orders in
flight counted, reducing orders and a non-positive equity."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest

from ironkeel.model import InvalidInputError
from ironkeel.risk.controls import (
    MaxConcentration,
    MaxGrossExposure,
    MaxLeverage,
    MaxNetExposure,
)
from ironkeel.risk.ticket import Ticket
from tests.risk.controls._orders import ALPHA, BETA, BTC_ID, UNIT, buy, sell, view

USD = 10**12  # money raw of one USD
BOUNDARY = [(-1, True), (0, True), (1, False)]  # (projected - limit, passes)
SCOPES = [True, False]  # per strategy, all strategies


def _exposed(per_strategy: bool, gross: int, net: int):
    screen = view()
    scope = ALPHA if per_strategy else None
    screen.set_exposure(scope, gross=gross, net=net)
    return screen, scope


@pytest.mark.parametrize("per_strategy", SCOPES)
@pytest.mark.parametrize(("offset", "passes"), BOUNDARY)
def test_gross_exposure_when_positions_working_and_order_are_around_the_limit(
    offset, passes, per_strategy
):
    screen, _ = _exposed(per_strategy, gross=50 * USD + offset, net=0)
    screen.add_working(buy(20))  # 2 USD in flight
    screen.add_working(sell(30))  # 3 USD in flight: gross counts both sides
    denial = MaxGrossExposure(56 * USD, per_strategy=per_strategy).check(Ticket(buy(10)), screen)
    assert (denial is None) is passes
    if not passes:
        assert denial.code == "MAX_GROSS_EXPOSURE"
        assert "positions 50.000000000001 + working 5 + this order 1" in denial.reason


@pytest.mark.parametrize("per_strategy", SCOPES)
@pytest.mark.parametrize(("offset", "passes"), BOUNDARY)
def test_net_exposure_when_long_side_is_around_the_limit(offset, passes, per_strategy):
    screen, _ = _exposed(per_strategy, gross=100 * USD, net=40 * USD + offset)
    screen.add_working(buy(20))  # +2 USD
    screen.add_working(sell(500))  # the other side does not offset
    denial = MaxNetExposure(43 * USD, per_strategy=per_strategy).check(Ticket(buy(10)), screen)
    assert (denial is None) is passes


@pytest.mark.parametrize(("offset", "passes"), BOUNDARY)
def test_net_exposure_when_short_side_is_around_the_limit(offset, passes):
    screen, _ = _exposed(True, gross=100 * USD, net=-(40 * USD + offset))
    screen.add_working(sell(20))
    assert (
        MaxNetExposure(43 * USD, per_strategy=True).check(Ticket(sell(10)), screen) is None
    ) is passes


def test_net_exposure_when_order_moves_net_toward_zero_then_it_passes_even_over_the_limit():
    screen, _ = _exposed(True, gross=100 * USD, net=80 * USD)
    limit = MaxNetExposure(10 * USD, per_strategy=True)
    assert limit.check(Ticket(sell(10)), screen) is None  # 80 -> 79
    assert limit.check(Ticket(buy(10)), screen) is not None  # 80 -> 81
    assert limit.check(Ticket(sell(800)), screen) is None  # 80 -> 0
    assert (
        limit.check(Ticket(sell(900)), screen) is None
    )  # 80 -> -10: across zero, within the limit
    assert limit.check(Ticket(sell(901)), screen) is not None  # 80 -> -10.01: beyond it


@pytest.mark.parametrize("per_strategy", SCOPES)
@pytest.mark.parametrize(("offset", "passes"), BOUNDARY)
def test_leverage_when_gross_over_equity_is_around_the_limit(offset, passes, per_strategy):
    screen, scope = _exposed(per_strategy, gross=2_000 * USD + offset, net=0)
    screen.add_working(buy(4_000))  # 400 USD in flight
    screen.set_equity(scope, 1_000 * USD)
    control = MaxLeverage(Decimal("2.5"), per_strategy=per_strategy)  # 2,500 USD of gross
    denial = control.check(Ticket(buy(1_000)), screen)  # 100 USD
    assert (denial is None) is passes
    if not passes:
        assert denial.code == "MAX_LEVERAGE"
        assert "max_leverage 2.5" in denial.reason


@pytest.mark.parametrize("per_strategy", SCOPES)
@pytest.mark.parametrize(("offset", "passes"), BOUNDARY)
def test_concentration_when_share_of_equity_is_around_the_limit(offset, passes, per_strategy):
    screen = view()
    screen.set_position(ALPHA, BTC_ID, 200)
    screen.add_working(buy(100))
    value = (200 + 100 + 100) * 1_000 * UNIT  # worst case 400 lots at 1,000 ticks = 40 USD
    scope = ALPHA if per_strategy else None
    screen.set_equity(scope, 4 * (value - offset))  # a quarter of equity is value - offset
    control = MaxConcentration(Fraction(1, 4), per_strategy=per_strategy)
    denial = control.check(Ticket(buy(100)), screen)
    assert (denial is None) is passes
    if not passes:
        assert denial.code == "MAX_CONCENTRATION"


def test_concentration_when_other_strategy_offsets_then_only_the_global_scope_sees_it():
    screen = view()
    screen.set_position(ALPHA, BTC_ID, 1_000)
    screen.set_position(BETA, BTC_ID, -1_000)
    screen.set_equity(ALPHA, 1_000 * USD)
    screen.set_equity(None, 1_000 * USD)
    order = buy(1_000)  # alpha: 2,000 lots = 200 USD = 20 %; all: 1,000 lots = 10 %
    assert (
        MaxConcentration(Decimal("0.15"), per_strategy=True).check(Ticket(order), screen)
        is not None
    )
    assert (
        MaxConcentration(Decimal("0.15"), per_strategy=False).check(Ticket(order), screen) is None
    )


@pytest.mark.parametrize(
    "control",
    [
        MaxLeverage(10, per_strategy=True),
        MaxConcentration(Decimal("0.5"), per_strategy=True),
    ],
)
@pytest.mark.parametrize("equity", [0, -1 * USD])
def test_equity_ratios_when_equity_is_not_positive_then_growing_orders_are_denied(control, equity):
    screen = view()
    screen.set_equity(ALPHA, equity)
    screen.set_position(ALPHA, BTC_ID, 10)
    assert control.check(Ticket(buy(1)), screen) is not None
    assert control.check(Ticket(sell(5)), screen) is None  # reducing still passes


@pytest.mark.parametrize(
    "control",
    [
        MaxGrossExposure(1, per_strategy=True),
        MaxNetExposure(1, per_strategy=True),
        MaxLeverage(1, per_strategy=True),
        MaxConcentration(Decimal("0.01"), per_strategy=True),
    ],
)
def test_exposure_when_order_reduces_or_is_an_emergency_exit_then_it_passes(control):
    screen, _ = _exposed(True, gross=500 * USD, net=500 * USD)
    screen.set_position(ALPHA, BTC_ID, 50)
    screen.set_equity(ALPHA, 10 * USD)
    assert control.check(Ticket(sell(50)), screen) is None
    assert control.check(Ticket(buy(1)), screen) is not None
    screen.clear_reference(BTC_ID)
    assert control.check(Ticket(sell(50, None, reduce_only=True, emergency=True)), screen) is None
    denial = control.check(Ticket(buy(1, None)), screen)
    assert denial is not None
    assert denial.code in {"NO_REFERENCE", control.code}


@pytest.mark.parametrize("per_strategy", SCOPES)
def test_in_flight_when_100_submits_are_never_acknowledged_then_the_limit_is_never_exceeded(
    per_strategy,
):
    """Acknowledgements held back: each order that passes is working, none fills."""
    rng = random.Random(5)
    screen = view()
    limit = 250 * USD
    controls = (
        MaxGrossExposure(limit, per_strategy=per_strategy),
        MaxLeverage(Decimal(5), per_strategy=per_strategy),  # equity 60 USD: 300 USD gross
    )
    screen.set_equity(ALPHA if per_strategy else None, 60 * USD)
    passed = 0
    for _ in range(100):
        order = buy(rng.randint(1, 600), rng.randint(900, 1_100))
        if all(c.check(Ticket(order), screen) is None for c in controls):
            screen.add_working(order)
            passed += 1
        in_flight = sum(screen.working_notional(ALPHA if per_strategy else None))
        assert in_flight <= limit
    assert 0 < passed < 100
    assert sum(screen.working_notional(None)) > limit - 60 * 1_100 * UNIT  # it filled up


@pytest.mark.parametrize("bad", [0, -1, Decimal("-0.5"), Decimal("NaN"), 1.5, True])
def test_ratios_when_not_positive_and_exact_then_refused_at_construction(bad):
    with pytest.raises(InvalidInputError, match="max_leverage"):
        MaxLeverage(bad, per_strategy=True)
