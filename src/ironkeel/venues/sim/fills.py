"""The fill model: does a limit order fill when the market only touches its price?

When bar or trade data reaches a resting limit order's price exactly, but not
one tick through it, whether the order filled depends on its place in the queue,
which bar and trade data cannot show. ``fill_on_touch=True`` (the default) says
it fills; ``False`` says it needs a print one tick through; ``touch_probability``
fills a touch with that probability, drawn from ``random.Random(seed)`` in
integer arithmetic, so the same seed and data give the same fills. A price
through the limit always fills. Quotes and books show the size at each price,
so the touch rule does not apply to them. Stops always trigger on a touch.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Protocol

from ironkeel.model.errors import InvalidInputError
from ironkeel.model.values import to_decimal

__all__ = ["FillModel", "TouchPolicy"]

Number = Decimal | int | str


class TouchPolicy(Protocol):
    """One question per touch: did the resting limit order fill?"""

    def touch_fills(self) -> bool: ...


class FillModel:
    """Touch fills always, never, or with a seeded probability (one instance per run)."""

    __slots__ = ("_den", "_num", "_rng", "fill_on_touch", "seed", "touch_probability")

    def __init__(
        self,
        *,
        fill_on_touch: bool = True,
        touch_probability: Number | None = None,
        seed: int = 0,
    ) -> None:
        if type(fill_on_touch) is not bool:
            raise InvalidInputError(
                "FillModel.fill_on_touch", fill_on_touch, "must be a bool", "pass True or False"
            )
        if type(seed) is not int:
            raise InvalidInputError("FillModel.seed", seed, "must be an int", "pass e.g. 42")
        probability = None
        if touch_probability is not None:
            probability = to_decimal(touch_probability, "FillModel.touch_probability")
            if not Decimal(0) <= probability <= Decimal(1):
                raise InvalidInputError(
                    "FillModel.touch_probability",
                    touch_probability,
                    "must be in [0, 1]",
                    "pass e.g. '0.5'",
                )
            if not fill_on_touch:
                raise InvalidInputError(
                    "FillModel.touch_probability",
                    touch_probability,
                    "is set while fill_on_touch=False (touches never fill)",
                    "drop touch_probability or set fill_on_touch=True",
                )
        self.fill_on_touch = fill_on_touch
        self.touch_probability = probability
        self.seed = seed
        self._num, self._den = (1, 1) if probability is None else probability.as_integer_ratio()
        # Simulation randomness, seeded for reproducibility; not used for security.
        self._rng = random.Random(seed)  # noqa: S311

    def touch_fills(self) -> bool:
        """Whether a touch (price reached, not traded through) fills the order."""
        if not self.fill_on_touch:
            return False
        if self.touch_probability is None:
            return True
        return self._rng.randrange(self._den) < self._num

    def __repr__(self) -> str:
        return (
            f"FillModel(fill_on_touch={self.fill_on_touch}, "
            f"touch_probability={self.touch_probability}, seed={self.seed})"
        )
