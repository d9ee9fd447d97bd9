"""The breaker state machine's types: its states, its ONE transition table, its events
and snapshots, and the exact helpers the breaker computes with (integers only: no float,
no true division). ``ironkeel.risk.breaker`` re-exports the public names."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Final, Literal, Protocol

import msgspec

from ironkeel.model.errors import IllegalTransitionError, InvalidInputError
from ironkeel.model.values import MONEY_DECIMALS, to_decimal
from ironkeel.risk.hwm import HwmState

Level = Literal["strategy", "portfolio", "platform"]
Basis = Literal["capital", "hwm"]
LEVELS: Final = ("strategy", "portfolio", "platform")
BASES: Final = ("capital", "hwm")
#: The platform breaker's default: total equity 15% below its peak, against total capital.
PLATFORM_MAX_DRAWDOWN: Final = Decimal("0.15")


class BreakerRecorder(Protocol):
    """Where a breaker journals itself (``ironkeel.risk.journal.BreakerRecorder``)."""

    def record(
        self, snapshot: BreakerSnapshot, transitions: tuple[BreakerTransition, ...] = ()
    ) -> None: ...


class BreakerState(Enum):
    ARMED = "armed"
    MONITORING = "monitoring"
    WARNING = "warning"
    TRIGGERED = "triggered"
    COOLING_DOWN = "cooling_down"
    RESET = "reset"
    HALTED = "halted"


S = BreakerState
START: Final = "start"
WARN: Final = "warn"
RECOVER: Final = "recover"
TRIP: Final = "trip"
COOLED: Final = "cooled"
RESET: Final = "reset"
REARM: Final = "rearm"
HALT: Final = "halt"
RESUME: Final = "resume"


def _table() -> dict[tuple[BreakerState, str], BreakerState]:
    table = {
        (S.ARMED, START): S.MONITORING,
        (S.MONITORING, WARN): S.WARNING,
        (S.WARNING, RECOVER): S.MONITORING,
        (S.MONITORING, TRIP): S.TRIGGERED,
        (S.WARNING, TRIP): S.TRIGGERED,
        (S.TRIGGERED, COOLED): S.COOLING_DOWN,
        (S.TRIGGERED, RESET): S.RESET,
        (S.COOLING_DOWN, RESET): S.RESET,
        (S.RESET, REARM): S.MONITORING,
        (S.HALTED, RESUME): S.MONITORING,
    }
    for state in S:
        if state is not S.HALTED:
            table[(state, HALT)] = S.HALTED
    return table


#: The breaker state machine: (state, trigger) -> next state. Nothing else moves a breaker.
BREAKER_TRANSITIONS: Final = _table()


class IllegalBreakerTransitionError(IllegalTransitionError):
    """A trigger the breaker's state does not allow; the breaker was left unchanged."""

    def __init__(self, subject: str, state: str, trigger: str, allowed: list[str]) -> None:
        super().__init__(subject, state, trigger)
        self.allowed = allowed
        message = (
            f"breaker {subject}: {trigger} is not allowed in state {state}; "
            f"allowed here: {', '.join(allowed) or 'nothing'}"
        )
        self.args = (message,)


class BreakerTransition(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A breaker moved from one state to another (an event: journal it, alert on it)."""

    breaker: str
    level: Level
    scope: str
    from_state: BreakerState
    to_state: BreakerState
    trigger: str
    #: What happened, with the exact figures (money in currency units).
    reason: str
    ts_ns: int
    #: Who did it; "" when the breaker moved by itself.
    operator: str = ""


class BreakerSnapshot(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Everything a breaker is, configuration and state, to journal and restore it."""

    name: str
    level: Level
    scope: str
    capital_raw: int
    max_drawdown: Decimal
    daily_loss: Decimal | None
    warn_at: Decimal
    rearm_below: Decimal
    drawdown_basis: Basis
    day_boundary_ns: int
    state: BreakerState
    trips: int
    halted_from: BreakerState | None
    rebase_pending: bool
    peak_raw: int
    day: int
    day_start_raw: int
    last_equity_raw: int
    hwm: HwmState | None


def _money(raw: int) -> str:
    """A raw amount as an exact decimal string of currency units."""
    whole, frac = divmod(abs(raw), 10**MONEY_DECIMALS)
    text = f"{whole}.{frac:0{MONEY_DECIMALS}d}".rstrip("0").rstrip(".")
    return f"-{text}" if raw < 0 else text


def _pct(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


def _fraction(field: str, value: object, *, below_one: bool, example: str) -> Decimal:
    """A Decimal in (0, 1] (or (0, 1) when ``below_one``), floats refused."""
    result = to_decimal(value, field)
    if result <= 0:
        raise InvalidInputError(field, value, "must be above 0", f"pass e.g. Decimal('{example}')")
    if below_one and result >= 1:
        raise InvalidInputError(
            field,
            value,
            "is at or above 100% of the limit: the warning would come with or after the trip",
            f"pass a fraction of the limit below 1, e.g. Decimal('{example}')",
        )
    if result > 1:
        raise InvalidInputError(
            field,
            value,
            "is above 100%: a loss cannot exceed the whole basis, so it would never trip",
            f"pass a fraction in (0, 1], e.g. Decimal('{example}') for {_pct(Decimal(example))}",
        )
    return result


def _ceil(frac: Fraction, basis: int) -> int:
    """``ceil(frac * basis)`` exactly: the smallest int loss that reaches ``frac`` of ``basis``."""
    return -((-frac.numerator * basis) // frac.denominator)


def _nonempty(field: str, value: object, fix: str) -> str:
    if type(value) is not str or not value.strip():
        raise InvalidInputError(field, value, "is empty", fix)
    return value


def _check_int(field: str, value: object) -> int:
    """``value`` if it is an int, else InvalidInputError naming ``field``."""
    if type(value) is not int:
        raise InvalidInputError(
            field,
            value,
            f"must be an int, not {type(value).__name__}",
            "pass money as an int raw (10**-12 units) and time as int ns",
        )
    return value
