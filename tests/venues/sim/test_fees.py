"""Fee models: per unit, bps, maker/taker, the per-order minimum and half-up rounding."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ironkeel.model import Currency, InvalidInputError, LiquiditySide, Money
from ironkeel.model.values import MONEY_DECIMALS, round_div
from ironkeel.venues.sim import BpsFee, MakerTakerFee, NoFee, PerUnitFee, order_commission_raw

from ._factories import BUY, USD, exchange, instrument, order, quote, run_steps, snapshot

MAKER = LiquiditySide.MAKER
TAKER = LiquiditySide.TAKER


def usd(amount: str) -> int:
    return Money(amount, USD).raw


@pytest.mark.parametrize(
    ("model", "liquidity", "qty", "px", "expected"),
    [
        pytest.param(NoFee(), TAKER, 10, 100, "0", id="no-fee"),
        pytest.param(PerUnitFee("0.005"), TAKER, 101, 100, "0.51", id="per-unit-rounds-half-up"),
        pytest.param(PerUnitFee("0.01"), MAKER, 7, 100, "0.07", id="per-unit-maker-same"),
        pytest.param(BpsFee(10), TAKER, 10, 101, "1.01", id="bps-of-notional"),
        pytest.param(BpsFee(50), TAKER, 1, 1, "0.01", id="bps-tie-rounds-up"),
        pytest.param(BpsFee(40), TAKER, 1, 1, "0", id="bps-below-half-cent-rounds-down"),
        pytest.param(MakerTakerFee(), TAKER, 100, 100, "5.00", id="instrument-taker-rate"),
        pytest.param(MakerTakerFee(), MAKER, 100, 100, "2.00", id="instrument-maker-rate"),
        pytest.param(
            MakerTakerFee(maker_bps=-1, taker_bps=5), MAKER, 100, 100, "-1.00", id="maker-rebate"
        ),
        pytest.param(
            MakerTakerFee(maker_bps=1, taker_bps=5), TAKER, 100, 100, "5.00", id="explicit-taker"
        ),
    ],
)
def test_fee_of_one_fill(
    model: object, liquidity: LiquiditySide, qty: int, px: int, expected: str
) -> None:
    inst = instrument(maker_fee="0.0002", taker_fee="0.0005")

    assert model.fee_raw(inst, liquidity, qty, px) == usd(expected)  # type: ignore[attr-defined]


def test_fee_is_rounded_to_the_quote_currency_precision() -> None:
    inst = instrument(price_increment="0.0001")

    raw = BpsFee(1).fee_raw(inst, TAKER, 3, 12345)  # notional 3.7035 USD, fee 0.00037035

    assert raw == 0
    assert BpsFee(100).fee_raw(inst, TAKER, 3, 12345) == usd("0.04")  # 0.037035 -> 0.04


@pytest.mark.parametrize(
    ("fees", "accrued", "paid", "minimum", "charge"),
    [
        pytest.param(50, 0, 0, 100, 100, id="first-fill-pays-the-minimum"),
        pytest.param(80, 50, 100, 100, 30, id="later-fill-pays-only-above-minimum"),
        pytest.param(20, 30, 100, 100, 0, id="later-fill-still-under-minimum-pays-nothing"),
        pytest.param(150, 0, 0, 100, 150, id="above-minimum-pays-the-fee"),
        pytest.param(50, 0, 0, 0, 50, id="no-minimum"),
    ],
)
def test_order_commission_with_minimum(
    fees: int, accrued: int, paid: int, minimum: int, charge: int
) -> None:
    assert order_commission_raw(fees, accrued, paid, minimum) == charge


def test_minimum_per_order_is_charged_on_first_fill_and_topped_up_later() -> None:
    ex, rec, clock = exchange(fees=BpsFee(10, minimum="1.00"))
    book = snapshot(bids=[(99, 5)], asks=[(100, 5), (160, 5)])

    run_steps(ex, rec, clock, [book, order(BUY, 10)])

    assert [f.commission_raw for f in rec.fills] == [usd("1.00"), usd("0.30")]  # fees 0.50 and 0.80
    assert rec.fills[0].commission == Money("1.00", USD)


def test_minimum_applies_to_each_order() -> None:
    ex, rec, clock = exchange(fees=PerUnitFee("0.01", minimum="1"))

    run_steps(ex, rec, clock, [quote(99, 101), order(BUY, 1), order(BUY, 1)])

    assert [f.commission_raw for f in rec.fills] == [usd("1"), usd("1")]


def test_default_fee_model_uses_instrument_rates() -> None:
    ex, rec, clock = exchange(fees=None, instruments=[instrument(taker_fee="0.001")])
    ex_fee = MakerTakerFee()

    run_steps(ex, rec, clock, [quote(99, 100), order(BUY, 10)])

    assert rec.fills[0].commission_raw == usd("1.00")
    assert ex_fee.maker_bps is None


@pytest.mark.parametrize(
    ("build", "field"),
    [
        pytest.param(lambda: BpsFee(-1), "BpsFee.bps", id="negative-bps"),
        pytest.param(lambda: PerUnitFee("-0.01"), "PerUnitFee.per_unit", id="negative-per-unit"),
        pytest.param(lambda: BpsFee(1, minimum=-1), "BpsFee.minimum", id="negative-minimum"),
        pytest.param(
            lambda: MakerTakerFee(taker_bps=-1), "MakerTakerFee.taker_bps", id="negative-taker"
        ),
        pytest.param(
            lambda: MakerTakerFee(maker_bps=-6, taker_bps=5),
            "MakerTakerFee.maker_bps",
            id="rebate-too-big",
        ),
        pytest.param(lambda: BpsFee(0.1), "BpsFee.bps", id="float-bps"),  # type: ignore[arg-type]
    ],
)
def test_fee_model_validation(build: object, field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        build()  # type: ignore[operator]

    assert info.value.field == field


def test_fee_models_keep_their_rate_exact() -> None:
    assert BpsFee("2.5").bps == Decimal("2.5")


@given(
    maker_bps=st.none() | st.integers(-5, 0),
    taker_bps=st.none() | st.integers(5, 30),
    rate=st.sampled_from(["0", "0.0002", "0.00035", "-0.0001"]),
    precision=st.integers(0, 8),
    liquidity=st.sampled_from([MAKER, TAKER]),
    qty=st.integers(1, 10**6),
    px=st.integers(-(10**7), 10**7),
)
def test_maker_taker_fee_is_the_exact_half_up_rounding_of_the_rate(
    maker_bps: int | None,
    taker_bps: int | None,
    rate: str,
    precision: int,
    liquidity: LiquiditySide,
    qty: int,
    px: int,
) -> None:
    inst = instrument(
        quote_currency=Currency(f"C{precision}X", precision),
        price_increment="0.01",
        maker_fee=rate,
        taker_fee="0.0005",
    )
    assume(maker_bps is None or maker_bps >= -(taker_bps or 0))  # a rebate needs a taker fee
    model = MakerTakerFee(maker_bps=maker_bps, taker_bps=taker_bps)
    bps = maker_bps if liquidity is MAKER else taker_bps
    if bps is None:
        fraction = Fraction(inst.maker_fee if liquidity is MAKER else inst.taker_fee)
    else:
        fraction = Fraction(bps, 10_000)
    step = 10 ** (MONEY_DECIMALS - precision)
    exact = abs(px * qty * inst.unit_raw) * fraction / step
    expected = round_div(exact.numerator, exact.denominator, "half_up") * step

    assert model.fee_raw(inst, liquidity, qty, px) == expected
    assert model.fee_raw(inst, liquidity, qty, px) == expected  # the cached rates agree


def test_one_maker_taker_model_keeps_each_instruments_own_rate() -> None:
    model = MakerTakerFee()
    cheap, dear = instrument(taker_fee="0.0001"), instrument(taker_fee="0.001")
    for _ in range(2):
        assert model.fee_raw(cheap, TAKER, 100, 100) == usd("1.00")
        assert model.fee_raw(dear, TAKER, 100, 100) == usd("10.00")
