"""Fee and slippage models from their one-line text forms (CLI flags, run files)."""

from __future__ import annotations

import pytest

from ironkeel.backtest.models import parse_fees, parse_slippage
from ironkeel.model import InvalidInputError


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("none", "NoFee()"),
        ("maker_taker", "MakerTakerFee(maker_bps=None, taker_bps=None, minimum=0)"),
        ("maker_taker:2/5", "MakerTakerFee(maker_bps=2, taker_bps=5, minimum=0)"),
        ("bps:4", "BpsFee(4, minimum=0)"),
        (" BPS:4 , min:0.5", "BpsFee(4, minimum=0.5)"),
        ("per_unit:0.01,min:1", "PerUnitFee(0.01, minimum=1)"),
    ],
)
def test_when_a_fee_text_is_valid_then_it_builds_that_model(text: str, model: str) -> None:
    assert repr(parse_fees(text)) == model


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("none", "NoSlippage()"),
        ("fixed_bps:2", "FixedBpsSlippage(2)"),
        ("half_spread:1", "HalfSpreadSlippage(default_spread_ticks=1)"),
        ("volume_share", "VolumeShareSlippage(price_impact=0.1)"),
        ("sqrt_impact:10", "SquareRootImpactSlippage(coefficient_bps=10)"),
    ],
)
def test_when_a_slippage_text_is_valid_then_it_builds_that_model(text: str, model: str) -> None:
    assert repr(parse_slippage(text)) == model


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ("maker-taker", "did you mean 'maker_taker'?"),
        ("bsp:4", "did you mean 'bps'?"),
        ("maker_taker:2", "write e.g. maker_taker:2/5"),
        ("per_unit", "write e.g. per_unit:0.01"),
        ("bps:4,max:1", "use ,min:AMOUNT"),
        ("bps:-1", ""),
    ],
)
def test_when_a_fee_text_is_bad_then_the_error_says_how_to_write_it(text: str, fix: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_fees(text)

    assert fix in caught.value.fix


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ("fixed_bsp:2", "did you mean 'fixed_bps'?"),
        ("fixed_bps", "write e.g. fixed_bps:2"),
        ("fixed_bps:2,min:1", "drop it"),
        ("half_spread:x", "write e.g. half_spread:1"),
        ("slipp", "use one of ['none', 'fixed_bps'"),
    ],
)
def test_when_a_slippage_text_is_bad_then_the_error_says_how_to_write_it(
    text: str, fix: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_slippage(text)

    assert fix in caught.value.fix
