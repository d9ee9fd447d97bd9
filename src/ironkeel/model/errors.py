"""The error hierarchy, grouped by what the caller should do.

- ``InvalidInputError``: the caller passed something wrong; fix the input. The
  message names the field, the value, what is wrong and how to fix it.
- ``UnitMismatchError``: two values of different units or currencies were mixed;
  it is a ``TypeError`` because it is a programming error, not bad data.
- ``StateError``: an operation is not allowed in the current state (an illegal
  order transition, an overfill); the engine turns these into events and alerts.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "IllegalTransitionError",
    "InvalidInputError",
    "IronkeelError",
    "OverfillError",
    "StateError",
    "UnitMismatchError",
]


class IronkeelError(Exception):
    """Base of every error ironkeel raises on purpose."""


class InvalidInputError(IronkeelError, ValueError):
    """A value given by the caller is wrong: the message says where and how to fix it."""

    def __init__(self, field: str, value: Any, problem: str, fix: str) -> None:
        self.field = field
        self.value = value
        self.problem = problem
        self.fix = fix
        super().__init__(f"{field}={value!r}: {problem}. Fix: {fix}")


class UnitMismatchError(IronkeelError, TypeError):
    """Two values of different kinds (price and quantity, USD and EUR) were mixed."""


class StateError(IronkeelError):
    """An operation that the current state does not allow."""


class IllegalTransitionError(StateError):
    """An order event that the order's state machine does not allow from its state."""

    def __init__(self, subject: str, state: str, trigger: str) -> None:
        self.subject = subject
        self.state = state
        self.trigger = trigger
        super().__init__(f"{subject}: {trigger} is not allowed in state {state}")


class OverfillError(StateError):
    """A fill would take an order's cumulative filled quantity above its quantity."""

    def __init__(self, subject: str, quantity: int, filled: int, last_qty: int) -> None:
        self.subject = subject
        self.quantity = quantity
        self.filled = filled
        self.last_qty = last_qty
        super().__init__(
            f"{subject}: fill of {last_qty} lots would overfill "
            f"(filled {filled} of {quantity} lots); the fill was refused"
        )
