"""The analytics error: a series that cannot be analysed, with where and how to fix it."""

from __future__ import annotations

from ironkeel.model.errors import InvalidInputError

__all__ = ["AnalyticsError"]


class AnalyticsError(InvalidInputError):
    """A series or parameter given to an analytics function is wrong (NaN, too short,
    misaligned, out of range): the message names it, the position and the fix."""
