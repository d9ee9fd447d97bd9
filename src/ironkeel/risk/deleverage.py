"""Scaling a strategy's limits: correlation deleveraging and volatility targeting.

A strategy's factor (``LimitScaler``: 1/2 while it is correlated above the threshold,
times its volatility target's scale) multiplies its own size and leverage limits, taken
as the engine holds them (money raw, lots, exact ratios): ``max_order_notional``,
``max_gross_exposure``, ``max_net_exposure``, ``max_leverage`` and, per instrument,
``max_order_qty`` and ``max_position``. The limits are the strategy's own table merged
over ``[strategy_defaults]``; a strategy with no such limits has nothing to scale, so
configure ``[strategy_defaults]`` (or give it an allocation, which bounds its gross
exposure) for the scaling to bite. Platform-wide and instrument-wide limits, the
throttles and the duplicate window are left as they are.

Exact: money and lots are floored (``floor(limit * p / q)``, never rounded up) and the
leverage is the exact product. A limit is never scaled below one unit (a lot, or the
currency's smallest amount): the grid cannot express less, and a zero order-quantity
limit would also deny the orders that close a position. Such a floor binds only a
strategy whose limit was one or two lots to begin with; its money limits still scale.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from fractions import Fraction
from typing import Final

from ironkeel.model.identifiers import InstrumentId
from ironkeel.risk.controls.assembly import ScopeLimits

__all__ = ["SCALED_FIELDS", "scaled_limits"]

#: The money and leverage limits a factor scales (with the per-instrument lot limits).
SCALED_FIELDS: Final = (
    "max_order_notional",
    "max_gross_exposure",
    "max_net_exposure",
    "max_leverage",
)


def _floor(value: int | None, numerator: int, denominator: int) -> int | None:
    if value is None:
        return None
    return max(1, value * numerator // denominator)


def scaled_limits(limits: ScopeLimits, factor: Fraction) -> ScopeLimits:
    """``limits`` with the size and leverage limits multiplied by ``factor`` (> 0)."""
    if factor == 1:
        return limits
    p, q = factor.numerator, factor.denominator
    leverage = limits.max_leverage
    instruments: Mapping[InstrumentId, tuple[int | None, int | None]] = {
        instrument_id: (_floor(qty, p, q), _floor(position, p, q))
        for instrument_id, (qty, position) in limits.instruments.items()
    }
    return dataclasses.replace(
        limits,
        max_order_notional=_floor(limits.max_order_notional, p, q),
        max_gross_exposure=_floor(limits.max_gross_exposure, p, q),
        max_net_exposure=_floor(limits.max_net_exposure, p, q),
        max_leverage=None if leverage is None else leverage * factor,
        instruments=instruments,
    )
