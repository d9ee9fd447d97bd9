"""What every indicator shares: the protocol, parameter checks and the input-rejection errors.

The hot ``update`` methods test their inputs with one cheap expression (``x - x`` is
``0.0`` for a finite float and NaN, which is truthy, for NaN and ±inf) and call the
functions here only on the error path, so the checks cost nothing measurable.
"""

from __future__ import annotations

import math
from typing import Final, Protocol

from ironkeel.model.errors import InvalidInputError

__all__ = [
    "EXACT_EVERY",
    "Indicator",
    "check_bar",
    "check_period",
    "check_positive",
    "non_finite",
]

EXACT_EVERY: Final = 1024
"""Running sums are recomputed exactly (``math.fsum``) every ``max(period, EXACT_EVERY)``
updates, so rounding drift is bounded by that many steps however long the series is."""


class Indicator(Protocol):
    """The attributes every indicator has (``update`` differs: it takes what the indicator needs).

    ``value`` is ``math.nan`` until ``ready``; ``ready`` turns True after ``warmup`` accepted
    updates (VWAP: at the first bar with volume) and stays True until ``reset()``. ``count``
    is the number of accepted updates. The indicators here make them plain attributes (no
    property call on the hot path), read-only by convention.
    """

    @property
    def warmup(self) -> int:
        """How many accepted updates it takes to become ready."""

    @property
    def count(self) -> int:
        """How many updates were accepted since construction or ``reset()``."""

    @property
    def ready(self) -> bool:
        """True once ``warmup`` updates were accepted: the outputs are defined."""

    @property
    def value(self) -> float:
        """The main output, ``math.nan`` until ``ready``."""

    def reset(self) -> None:
        """Forget every update: back to the state right after construction."""


def check_period(
    owner: str, field: str, value: object, *, minimum: int = 1, reason: str = ""
) -> int:
    """``value`` as an int >= ``minimum``, or InvalidInputError naming ``owner.field``.

    ``reason`` says why the minimum is what it is, e.g. ``" (more than ddof=1)"``.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(
            f"{owner}.{field}",
            value,
            f"must be an int (a number of updates), not {type(value).__name__}",
            f"pass a whole number >= {minimum}, e.g. {max(minimum, 14)}",
        )
    if value < minimum:
        raise InvalidInputError(
            f"{owner}.{field}",
            value,
            f"must be >= {minimum}{reason}",
            f"pass a number >= {minimum}",
        )
    return value


def check_positive(owner: str, field: str, value: object) -> float:
    """``value`` as a finite float > 0, or InvalidInputError naming ``owner.field``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(
            f"{owner}.{field}", value, "must be a number", "pass a finite number > 0, e.g. 2.0"
        )
    if not (math.isfinite(value) and value > 0):
        raise InvalidInputError(
            f"{owner}.{field}", value, "must be finite and > 0", "pass a number > 0, e.g. 2.0"
        )
    return float(value)


def non_finite(indicator: str, field: str, value: float) -> InvalidInputError:
    """The error for a NaN or ±inf input: indicators never absorb a missing value silently."""
    return InvalidInputError(
        f"{indicator}.update({field})",
        value,
        "is not a finite number; indicators reject NaN and ±inf instead of carrying them on",
        "drop or fill the missing bar before updating the indicator",
    )


def check_bar(indicator: str, **fields: float) -> None:
    """Raise for the first non-finite field, for ``low > high`` or for a negative volume.

    Called by the multi-input ``update`` methods only when their cheap test failed; if every
    field is in fact valid (a sum of huge finite values overflowed), it returns quietly.
    """
    for name, value in fields.items():
        if not math.isfinite(value):
            raise non_finite(indicator, name, value)
    high, low = fields.get("high", math.inf), fields.get("low", -math.inf)
    if low > high:
        raise InvalidInputError(
            f"{indicator}.update(low)",
            low,
            f"is above high={high!r}",
            "pass the bar's high, low and close in that order, with low <= high",
        )
    volume = fields.get("volume", 0.0)
    if volume < 0:
        raise InvalidInputError(
            f"{indicator}.update(volume)",
            volume,
            "is negative",
            "pass the traded volume, >= 0 (0 for a bar without trades)",
        )
