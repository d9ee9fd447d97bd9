"""Slippage models: adverse whole ticks, taker fills only, never past the limit."""

from __future__ import annotations

import pytest

from ironkeel.model import InvalidInputError, OrderSide
from ironkeel.venues.sim import (
    FixedBpsSlippage,
    HalfSpreadSlippage,
    NoSlippage,
    SlipContext,
    SquareRootImpactSlippage,
    VolumeShareSlippage,
)

from ._factories import (
    BUY,
    MAKER,
    SELL,
    TAKER,
    exchange,
    limit,
    order,
    quote,
    run_bars,
    run_steps,
    trade,
)

BAR_CTX = SlipContext(volume=100, spread=None, at_touch=False)


@pytest.mark.parametrize(
    ("model", "px", "qty", "ctx", "ticks"),
    [
        pytest.param(NoSlippage(), 100, 1, BAR_CTX, 0, id="none"),
        pytest.param(FixedBpsSlippage(10), 10_000, 1, BAR_CTX, 10, id="fixed-bps-exact"),
        pytest.param(FixedBpsSlippage(10), 10_001, 1, BAR_CTX, 11, id="fixed-bps-rounds-up"),
        pytest.param(FixedBpsSlippage(0), 10_001, 1, BAR_CTX, 0, id="fixed-zero-bps"),
        pytest.param(HalfSpreadSlippage(3), 100, 1, BAR_CTX, 2, id="half-default-spread-rounds-up"),
        pytest.param(
            HalfSpreadSlippage(3), 100, 1, BAR_CTX._replace(spread=4), 2, id="half-known-spread"
        ),
        pytest.param(
            HalfSpreadSlippage(3),
            100,
            1,
            BAR_CTX._replace(at_touch=True),
            0,
            id="half-spread-at-touch",
        ),
        pytest.param(VolumeShareSlippage("0.1"), 1_000, 50, BAR_CTX, 25, id="volume-share-squared"),
        pytest.param(
            VolumeShareSlippage("0.1"), 1_000, 500, BAR_CTX, 100, id="volume-share-capped-at-1"
        ),
        pytest.param(
            VolumeShareSlippage("0.1"),
            1_000,
            5,
            BAR_CTX._replace(volume=0),
            100,
            id="volume-share-no-volume",
        ),
        pytest.param(
            SquareRootImpactSlippage(100), 10_000, 25, BAR_CTX, 50, id="sqrt-impact-exact-root"
        ),
        pytest.param(
            SquareRootImpactSlippage(100),
            10_000,
            100,
            BAR_CTX._replace(volume=300),
            58,
            id="sqrt-impact-rounds-up",
        ),
    ],
)
def test_slippage_ticks(model: object, px: int, qty: int, ctx: SlipContext, ticks: int) -> None:
    for side in (OrderSide.BUY, OrderSide.SELL):
        assert model.slip_ticks(side, px, qty, ctx) == ticks  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("o", "slippage", "expected"),
    [
        pytest.param(order(BUY, 1), FixedBpsSlippage(150), (103, TAKER), id="buy-market-pays-more"),
        pytest.param(
            order(SELL, 1), FixedBpsSlippage(150), (99, TAKER), id="sell-market-gets-less"
        ),
        pytest.param(order(BUY, 1), HalfSpreadSlippage(2), (102, TAKER), id="half-spread-on-bars"),
        pytest.param(
            limit(BUY, 1, 102), FixedBpsSlippage(500), (102, TAKER), id="clamped-to-limit"
        ),
        pytest.param(
            limit(BUY, 1, 99), FixedBpsSlippage(500), (99, MAKER), id="maker-fill-has-none"
        ),
    ],
)
def test_slippage_on_bar_fills(o: object, slippage: object, expected: tuple[int, object]) -> None:
    ex, rec, clock = exchange(slippage=slippage)

    fills = run_bars(ex, rec, clock, [(100, 101, 99, 100), (101, 103, 98, 102)], {0: [o]})  # type: ignore[list-item]

    assert [(px, liq) for _, px, _, liq in fills] == [expected]


def test_half_spread_does_not_apply_at_the_touch() -> None:
    ex, rec, clock = exchange(slippage=HalfSpreadSlippage(10))

    assert run_steps(ex, rec, clock, [quote(99, 101), order(BUY, 1)]) == [(101, 1, TAKER)]


def test_half_spread_uses_default_spread_for_trade_fills() -> None:
    ex, rec, clock = exchange(slippage=HalfSpreadSlippage(4))

    fills = run_steps(ex, rec, clock, [trade(100), order(BUY, 1), trade(100)])

    assert fills == [(102, 1, TAKER)]


@pytest.mark.parametrize(
    ("build", "field"),
    [
        pytest.param(lambda: FixedBpsSlippage(-1), "FixedBpsSlippage.bps", id="negative-bps"),
        pytest.param(
            lambda: VolumeShareSlippage("-0.1"),
            "VolumeShareSlippage.price_impact",
            id="negative-impact",
        ),
        pytest.param(
            lambda: SquareRootImpactSlippage(-5),
            "SquareRootImpactSlippage.coefficient_bps",
            id="negative-coefficient",
        ),
        pytest.param(
            lambda: HalfSpreadSlippage(-1),
            "HalfSpreadSlippage.default_spread_ticks",
            id="negative-spread",
        ),
    ],
)
def test_slippage_model_validation(build: object, field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        build()  # type: ignore[operator]

    assert info.value.field == field
