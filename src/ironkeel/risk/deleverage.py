"""Correlation deleveraging: the risk configuration with some strategies' limits halved.

While two strategies' returns are correlated above the threshold (``CorrelationGuard``),
both strategies' own size and leverage limits are halved: ``max_order_notional``,
``max_gross_exposure``, ``max_net_exposure``, ``max_leverage`` and, per instrument,
``max_order_qty`` and ``max_position`` (rounded down onto the lot grid). The limits are
the strategy's own table merged over ``[strategy_defaults]``; a strategy with no such
limits has nothing to halve, so configure ``[strategy_defaults]`` for deleveraging to
bite. Platform-wide and instrument-wide limits are left as they are. The scaled
configuration is an ordinary ``RiskConfig``: it is validated, has its own digest and is
recorded as a configuration change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from typing import Final

import msgspec

from ironkeel.model.identifiers import InstrumentId, StrategyId
from ironkeel.model.instruments import Instrument
from ironkeel.risk.config import RiskConfig, StrategyInstrumentLimits, StrategyLimits

__all__ = ["HALVED_FIELDS", "scaled_config"]

HALVED_FIELDS: Final = (
    "max_order_notional",
    "max_gross_exposure",
    "max_net_exposure",
    "max_leverage",
)


def _scale(value: Decimal | None, factor: Fraction, step: Decimal | None = None) -> Decimal | None:
    if value is None:
        return None
    scaled = value * factor.numerator / factor.denominator
    if step is None:
        return scaled
    return (scaled / step).to_integral_value(rounding=ROUND_FLOOR) * step


def scaled_config(
    config: RiskConfig,
    strategies: Iterable[StrategyId] | Mapping[StrategyId, Fraction],
    instruments: Mapping[InstrumentId, Instrument],
    factor: Fraction = Fraction(1, 2),
    *,
    exposure_caps: Mapping[StrategyId, Decimal] | None = None,
) -> RiskConfig:
    """``config`` with the size and leverage limits of ``strategies`` scaled by ``factor``
    (or by each strategy's own factor, given a mapping). ``exposure_caps`` gives strategies
    without a ``max_gross_exposure`` of their own one (their allocation: the allocation
    bounds position sizes), which is then scaled like the others."""
    factors = (
        dict(strategies) if isinstance(strategies, Mapping) else dict.fromkeys(strategies, factor)
    )
    caps = dict(exposure_caps or {})
    tables = dict(config.strategies)
    defaults = config.strategy_defaults
    for strategy_id in sorted(set(factors) | set(caps), key=str):
        name = str(strategy_id)
        own = tables.get(name) or StrategyLimits()
        scale = factors.get(strategy_id, Fraction(1))
        changes = {}
        for field in HALVED_FIELDS:
            value = getattr(own, field)
            if value is None:
                value = getattr(defaults, field)
            if value is None and field == "max_gross_exposure":
                value = caps.get(strategy_id)
            changes[field] = _scale(value, scale)
        per_instrument = {}
        for symbol, limits in own.instruments.items():
            step = instruments[InstrumentId.parse(symbol)].size_increment
            per_instrument[symbol] = StrategyInstrumentLimits(
                max_order_qty=_scale(limits.max_order_qty, scale, step),
                max_position=_scale(limits.max_position, scale, step),
            )
        tables[name] = msgspec.structs.replace(own, instruments=per_instrument, **changes)
    return msgspec.structs.replace(config, strategies=tables)
