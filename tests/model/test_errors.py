"""The error hierarchy: grouped by what the caller should do, messages say how to fix."""

from __future__ import annotations

import pytest

from ironkeel.model.errors import (
    IllegalTransitionError,
    InvalidInputError,
    IronkeelError,
    OverfillError,
    StateError,
    UnitMismatchError,
)


@pytest.mark.parametrize(
    ("error", "bases"),
    [
        (InvalidInputError, (IronkeelError, ValueError)),
        (UnitMismatchError, (IronkeelError, TypeError)),
        (StateError, (IronkeelError,)),
        (IllegalTransitionError, (StateError,)),
        (OverfillError, (StateError,)),
    ],
)
def test_errors_are_grouped_by_how_the_caller_reacts(error, bases):
    assert issubclass(error, bases)


def test_invalid_input_message_names_field_value_problem_and_fix():
    error = InvalidInputError("Bar.high", 80, "is below low=90", "swap high/low")
    assert str(error) == "Bar.high=80: is below low=90. Fix: swap high/low"
    assert (error.field, error.value, error.problem, error.fix) == (
        "Bar.high",
        80,
        "is below low=90",
        "swap high/low",
    )


def test_illegal_transition_message_names_order_trigger_and_state():
    error = IllegalTransitionError("order-1", "FILLED", "OrderCanceled")
    assert str(error) == "order-1: OrderCanceled is not allowed in state FILLED"
    assert (error.subject, error.state, error.trigger) == ("order-1", "FILLED", "OrderCanceled")


def test_overfill_message_names_the_lots():
    error = OverfillError("order-1", quantity=10, filled=8, last_qty=3)
    assert "fill of 3 lots would overfill (filled 8 of 10 lots)" in str(error)
    assert (error.quantity, error.filled, error.last_qty) == (10, 8, 3)
