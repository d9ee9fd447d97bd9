"""The breaker's states as module constants, read on every evaluation.

A compiled module of its own (``breaker_types`` defines msgspec Structs and stays
interpreted): compiled, each constant here is a static read where a name of an
interpreted module is a dict lookup per use, and an enum attribute read costs ~100 ns in
CPython 3.11 (decision 0019).
"""

from __future__ import annotations

from typing import Final

from ironkeel.risk.breaker_types import BreakerState, BreakerTransition

_ARMED: Final = BreakerState.ARMED
_MONITORING: Final = BreakerState.MONITORING
_WARNING: Final = BreakerState.WARNING
_TRIGGERED: Final = BreakerState.TRIGGERED
_COOLING: Final = BreakerState.COOLING_DOWN
_RESET: Final = BreakerState.RESET
_HALTED: Final = BreakerState.HALTED
_LATCHED: Final = (BreakerState.TRIGGERED, BreakerState.COOLING_DOWN)
_TRADING: Final = frozenset(
    (BreakerState.ARMED, BreakerState.MONITORING, BreakerState.WARNING, BreakerState.RESET)
)
_NONE: Final[tuple[BreakerTransition, ...]] = ()
