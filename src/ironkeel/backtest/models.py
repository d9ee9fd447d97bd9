"""Fee and slippage models from their one-line text form (CLI flags and run files).

Fees:      ``none`` | ``maker_taker`` (the instrument's own rates) |
           ``maker_taker:MAKER_BPS/TAKER_BPS`` | ``bps:4`` | ``per_unit:0.01``,
           each optionally followed by ``,min:AMOUNT`` (a per-order minimum).
Slippage:  ``none`` | ``fixed_bps:2`` | ``half_spread:TICKS`` |
           ``volume_share:IMPACT`` | ``sqrt_impact:COEFF_BPS``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

from ironkeel.model.errors import InvalidInputError
from ironkeel.venues.sim import (
    BpsFee,
    FeeModel,
    FixedBpsSlippage,
    HalfSpreadSlippage,
    MakerTakerFee,
    NoFee,
    NoSlippage,
    PerUnitFee,
    SlippageModel,
    SquareRootImpactSlippage,
    VolumeShareSlippage,
)

__all__ = ["parse_fees", "parse_slippage"]


def _split(text: str, field: str, names: list[str]) -> tuple[str, str | None, str]:
    parts = [p.strip() for p in text.split(",")]
    name, _, arg = parts[0].partition(":")
    minimum = "0"
    for extra in parts[1:]:
        key, _, value = extra.partition(":")
        if key != "min" or not value:
            raise InvalidInputError(
                field, text, f"has an unknown option {extra!r}", "use ,min:AMOUNT"
            )
        minimum = value
    name = name.strip().lower()
    if name not in names:
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"use one of {names}"
        raise InvalidInputError(field, text, f"names no model {name!r}", hint)
    return name, (arg.strip() or None), minimum


def parse_fees(text: str) -> FeeModel:
    """A fee model from its text form (see the module doc)."""
    builders: dict[str, Callable[[str | None, str], FeeModel]] = {
        "none": lambda arg, minimum: NoFee(),
        "maker_taker": _maker_taker,
        "bps": lambda arg, minimum: BpsFee(_needed(arg, "fees", "bps:4"), minimum=minimum),
        "per_unit": lambda arg, minimum: PerUnitFee(
            _needed(arg, "fees", "per_unit:0.01"), minimum=minimum
        ),
    }
    name, arg, minimum = _split(text, "fees", list(builders))
    return builders[name](arg, minimum)


def _maker_taker(arg: str | None, minimum: str) -> FeeModel:
    if arg is None:
        return MakerTakerFee(minimum=minimum)
    maker, slash, taker = arg.partition("/")
    if not slash:
        raise InvalidInputError("fees", arg, "is not MAKER/TAKER", "write e.g. maker_taker:2/5")
    return MakerTakerFee(maker.strip(), taker.strip(), minimum=minimum)


def parse_slippage(text: str) -> SlippageModel:
    """A slippage model from its text form (see the module doc)."""
    builders: dict[str, Callable[[str | None], SlippageModel]] = {
        "none": lambda arg: NoSlippage(),
        "fixed_bps": lambda arg: FixedBpsSlippage(_needed(arg, "slippage", "fixed_bps:2")),
        "half_spread": lambda arg: HalfSpreadSlippage(int(arg or 0)),
        "volume_share": lambda arg: VolumeShareSlippage(arg or "0.1"),
        "sqrt_impact": lambda arg: SquareRootImpactSlippage(
            _needed(arg, "slippage", "sqrt_impact:10")
        ),
    }
    name, arg, minimum = _split(text, "slippage", list(builders))
    if minimum != "0":
        raise InvalidInputError("slippage", text, "takes no ,min option", "drop it")
    try:
        return builders[name](arg)
    except ValueError as error:
        if isinstance(error, InvalidInputError):
            raise
        raise InvalidInputError(
            "slippage", text, "has a bad number", "write e.g. half_spread:1"
        ) from None


def _needed(arg: str | None, field: str, example: str) -> str:
    if arg is None:
        raise InvalidInputError(field, arg, "needs a value", f"write e.g. {example}")
    return arg
