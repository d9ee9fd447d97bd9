"""Assemble a ``ControlSet`` from limits already in engine units.

``ScopeLimits`` holds the limits of all strategies together or of one strategy,
``InstrumentScope`` those of one instrument: lots, ns, money raw and exact ratios, no
TOML. ``ironkeel.risk.config.build_controls`` converts a ``RiskConfig`` into these;
tests or the engine may build them directly.

Per (strategy, instrument) the tuple is, cheapest and stateless first and the stateful
throttles last (a token is taken only by an order that every other control passed):
trading hours, reduce-only mode, order quantity, order notional, collar, duplicates,
strategy position, instrument position, then gross, net, leverage and concentration of
the strategy and of all strategies, then the strategy's and the global submit
throttle. A per-order limit set at several scopes is the least of them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from fractions import Fraction
from typing import TypeVar

from ironkeel.model.identifiers import InstrumentId, StrategyId
from ironkeel.risk.controls.base import Control
from ironkeel.risk.controls.collar import PriceCollar
from ironkeel.risk.controls.control_set import ControlSet, UnknownInstrument
from ironkeel.risk.controls.duplicate import DuplicateOrders
from ironkeel.risk.controls.exposure import (
    MaxConcentration,
    MaxGrossExposure,
    MaxLeverage,
    MaxNetExposure,
)
from ironkeel.risk.controls.hours import ALWAYS_OPEN, TradingHours
from ironkeel.risk.controls.position import MaxPosition, MaxStrategyPosition
from ironkeel.risk.controls.reduce_only import ReduceOnlyMode
from ironkeel.risk.controls.size import MaxOrderNotional, MaxOrderQty
from ironkeel.risk.controls.throttle import ModifyThrottle, SubmitThrottle

__all__ = ["Assembly", "InstrumentScope", "Rate", "ScopeLimits", "assemble"]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Rate:
    """A token bucket: ``rate`` messages per ``per_ns``, at most ``burst`` at once."""

    rate: int
    per_ns: int
    burst: int


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ScopeLimits:
    """The limits of all strategies together, or of one strategy (None: not set)."""

    reduce_only: str | None = None  # where the mode was set, e.g. "global.reduce_only"
    max_order_notional: int | None = None  # money raw
    max_gross_exposure: int | None = None  # money raw
    max_net_exposure: int | None = None  # money raw
    max_leverage: Fraction | None = None
    max_concentration: Fraction | None = None
    submit: Rate | None = None
    modify: Rate | None = None
    duplicate: tuple[int, int] | None = None  # (count, window_ns)
    #: This strategy in one instrument: (max_order_qty, max_position) in lots.
    instruments: Mapping[InstrumentId, tuple[int | None, int | None]] = dataclasses.field(
        default_factory=dict
    )


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class InstrumentScope:
    """The limits of one instrument, all strategies (None: not set)."""

    calendar: str = ALWAYS_OPEN
    calendar_start: dt.date = dt.date(2000, 1, 1)
    calendar_end: dt.date = dt.date(2035, 12, 31)
    reduce_only: str | None = None
    max_order_qty: int | None = None  # lots
    max_order_notional: int | None = None  # money raw
    max_position: int | None = None  # lots, all strategies
    max_strategy_position: int | None = None  # lots, any one strategy
    price_collar: Fraction | None = None  # a fraction of the reference price
    reference_max_age_ns: int | None = None  # with no collar: freshness only


class _Scope:
    """A scope's limits with its stateful throttles, made once and shared."""

    __slots__ = ("limits", "modify", "submit")

    def __init__(
        self, limits: ScopeLimits, *, per_strategy: bool, keep: _Scope | None = None
    ) -> None:
        self.limits = limits
        self.submit: SubmitThrottle | None
        self.modify: ModifyThrottle | None
        # A scope whose limits are replaced keeps its buckets while their rates stay: the
        # tokens a strategy used are not handed back by a change of its size limits.
        if keep is not None and keep.limits.submit == limits.submit:
            self.submit = keep.submit
        else:
            self.submit = _bucket(SubmitThrottle, limits.submit, per_strategy)
        if keep is not None and keep.limits.modify == limits.modify:
            self.modify = keep.modify
        else:
            self.modify = _bucket(ModifyThrottle, limits.modify, per_strategy)


class _Instrument:
    __slots__ = ("collar", "hours", "limits")

    def __init__(self, limits: InstrumentScope) -> None:
        self.limits = limits
        self.hours = None
        if limits.calendar != ALWAYS_OPEN:
            self.hours = TradingHours(
                limits.calendar, start=limits.calendar_start, end=limits.calendar_end
            )
        self.collar = None
        if limits.reference_max_age_ns is not None:
            self.collar = PriceCollar(limits.price_collar, max_age_ns=limits.reference_max_age_ns)


class Assembly:
    """The scopes a ``ControlSet`` builds its tuples from: ``platform`` for all strategies
    together, ``strategies`` per strategy, ``default`` for every other strategy, controls
    for ``instruments`` only (any other instrument is denied, UNKNOWN_INSTRUMENT).

    ``replace`` swaps strategies' limits in place (the volatility and correlation
    scaling): the instruments' calendars are not loaded again and the throttles keep
    their buckets."""

    __slots__ = ("_every", "_fallback", "_made", "_own", "_unknown")

    def __init__(
        self,
        platform: ScopeLimits,
        default: ScopeLimits,
        strategies: Mapping[StrategyId, ScopeLimits],
        instruments: Mapping[InstrumentId, InstrumentScope],
    ) -> None:
        self._every = _Scope(platform, per_strategy=False)
        # One bucket per strategy, shared configuration.
        self._fallback = _Scope(default, per_strategy=True)
        self._own = {sid: _Scope(limits, per_strategy=True) for sid, limits in strategies.items()}
        self._made = {iid: _Instrument(limits) for iid, limits in instruments.items()}
        self._unknown: tuple[Control, ...] = (UnknownInstrument(),)

    @property
    def platform(self) -> ScopeLimits:
        """The limits of all strategies together."""
        return self._every.limits

    def limits(self, strategy_id: StrategyId) -> ScopeLimits:
        """The limits ``strategy_id`` is held to: its own, else the defaults."""
        return self._own.get(strategy_id, self._fallback).limits

    def replace(self, strategies: Mapping[StrategyId, ScopeLimits]) -> None:
        """Hold each strategy of ``strategies`` to its new limits from now on (a
        ``ControlSet`` built on this assembly must then drop its tuples: ``changed``)."""
        for strategy_id, limits in strategies.items():
            before = self._own.get(strategy_id, self._fallback)
            self._own[strategy_id] = _Scope(limits, per_strategy=True, keep=before)

    def submit(self, strategy_id: StrategyId, instrument_id: InstrumentId) -> tuple[Control, ...]:
        """The ordered controls of an order of ``strategy_id`` in ``instrument_id``."""
        instrument = self._made.get(instrument_id)
        if instrument is None:
            return self._unknown
        one = self._own.get(strategy_id, self._fallback)
        return _controls(self._every, one, instrument, instrument_id)

    def modify(self, strategy_id: StrategyId) -> tuple[ModifyThrottle, ...]:
        """The modify throttles of ``strategy_id``."""
        scope = self._own.get(strategy_id, self._fallback)
        return tuple(t for t in (scope.modify, self._every.modify) if t is not None)

    def control_set(self, digest: str) -> ControlSet:
        """A ``ControlSet`` over these scopes; ``digest`` names the limits for the audit."""
        return ControlSet(self.submit, self.modify, digest=digest)


def assemble(
    platform: ScopeLimits,
    default: ScopeLimits,
    strategies: Mapping[StrategyId, ScopeLimits],
    instruments: Mapping[InstrumentId, InstrumentScope],
    *,
    digest: str,
) -> ControlSet:
    """The ``ControlSet`` of these scopes (``Assembly``)."""
    return Assembly(platform, default, strategies, instruments).control_set(digest)


def _controls(
    every: _Scope, one: _Scope, instrument: _Instrument, instrument_id: InstrumentId
) -> tuple[Control, ...]:
    g, s, i = every.limits, one.limits, instrument.limits
    qty, position = s.instruments.get(instrument_id, (None, None))
    found: list[Control | None] = [instrument.hours]
    source = g.reduce_only or s.reduce_only or i.reduce_only
    found.append(None if source is None else ReduceOnlyMode(source))
    found.append(_make(MaxOrderQty, _least(i.max_order_qty, qty)))
    found.append(
        _make(
            MaxOrderNotional,
            _least(g.max_order_notional, s.max_order_notional, i.max_order_notional),
        )
    )
    found.append(instrument.collar)
    duplicates = [d for d in (g.duplicate, s.duplicate) if d is not None]
    if duplicates:  # the least count and the widest window
        found.append(DuplicateOrders(min(c for c, _ in duplicates), max(w for _, w in duplicates)))
    found.append(_make(MaxStrategyPosition, _least(i.max_strategy_position, position)))
    found.append(_make(MaxPosition, i.max_position))
    for limits, per_strategy in ((s, True), (g, False)):
        if limits.max_gross_exposure is not None:
            found.append(MaxGrossExposure(limits.max_gross_exposure, per_strategy=per_strategy))
        if limits.max_net_exposure is not None:
            found.append(MaxNetExposure(limits.max_net_exposure, per_strategy=per_strategy))
        if limits.max_leverage is not None:
            found.append(MaxLeverage(limits.max_leverage, per_strategy=per_strategy))
        if limits.max_concentration is not None:
            found.append(MaxConcentration(limits.max_concentration, per_strategy=per_strategy))
    found += [one.submit, every.submit]
    return tuple(c for c in found if c is not None)


Throttle = TypeVar("Throttle", SubmitThrottle, ModifyThrottle)


def _bucket(cls: type[Throttle], rate: Rate | None, per_strategy: bool) -> Throttle | None:
    if rate is None:
        return None
    return cls(rate.rate, rate.per_ns, rate.burst, per_strategy=per_strategy)


def _make(
    cls: type[MaxOrderQty | MaxOrderNotional | MaxPosition | MaxStrategyPosition],
    limit: int | None,
) -> Control | None:
    return None if limit is None else cls(limit)


def _least(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None
