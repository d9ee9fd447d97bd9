"""``Denial``: what a pre-trade control answers when it refuses an order.

A module of its own because it is a msgspec Struct: the controls around it are compiled
(decision 0015), and a compiled module cannot define one.
"""

from __future__ import annotations

import msgspec

__all__ = ["Denial"]


class Denial(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Why a control refused an order: a reason code and a sentence with the exact
    figures and the limit (it becomes ``OrderDenied.reason_code`` / ``reason``)."""

    code: str
    reason: str
