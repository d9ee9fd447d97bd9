"""Fault injection: a deterministic plan of what goes wrong at the simulated venue.

``FaultPlan`` says what to break; the exchange applies it:

- ``reject_next``: the next N orders that reach the venue at or after
  ``reject_from_ns`` are rejected ("fault injection: order rejected").
- ``duplicate_fill_every`` k: fill messages number k, 2k, ... (counted from 1 in
  emission order) are delivered twice, the same event with the same trade id.
- ``reorder_fill_every`` k: fill message number k, 2k, ... is held back and
  delivered right after the next fill message (the two swap). A held fill is
  released before any other kind of message, and at the latest when the clock
  next advances, so it is never lost.
- ``delay_fills_ns`` D: every fill message is delivered D ns after it happened,
  through ``clock.call_at``, with ``ts_init`` = the delivery time (``ts_event``
  stays the time of the fill); other messages are not delayed, so they may
  overtake the fill.
- ``outages``: windows ``[start_ns, end_ns)`` in which the venue is down.
  ``mode="reject"``: every request that reaches the venue is refused
  (OrderRejected / OrderModifyRejected / OrderCancelRejected, reason
  "venue outage"); ``mode="drop"``: requests vanish without an answer. In both
  modes no resting order is matched during the window.

A message is first duplicated, then held for a swap, then delayed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, Literal

import msgspec

from ironkeel.core.clock import Clock
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.events import OrderEvent, OrderFilled
from ironkeel.venues.sim.config import check_ns, decode_struct

__all__ = ["FaultPlan", "FaultState", "Outage", "OutageMode"]

OutageMode = Literal["reject", "drop"]
_MODES = ("reject", "drop")


class Outage(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The venue is down in ``[start_ns, end_ns)``: it rejects or drops every request."""

    start_ns: int
    end_ns: int
    mode: OutageMode = "reject"

    def __post_init__(self) -> None:
        check_ns("Outage", "start_ns", self.start_ns)
        check_ns("Outage", "end_ns", self.end_ns)
        if self.end_ns <= self.start_ns:
            raise InvalidInputError(
                "Outage.end_ns",
                self.end_ns,
                f"is not after start_ns={self.start_ns}",
                "give a window with start_ns < end_ns",
            )
        if self.mode not in _MODES:
            raise InvalidInputError(
                "Outage.mode", self.mode, "is not a mode", f"use one of {', '.join(_MODES)}"
            )


class FaultPlan(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the simulated venue should get wrong, and when (see the module doc)."""

    reject_next: int = 0
    reject_from_ns: int = 0
    duplicate_fill_every: int = 0
    reorder_fill_every: int = 0
    delay_fills_ns: int = 0
    outages: tuple[Outage, ...] = ()

    def __post_init__(self) -> None:
        for field in (
            "reject_next",
            "reject_from_ns",
            "duplicate_fill_every",
            "reorder_fill_every",
            "delay_fills_ns",
        ):
            check_ns("FaultPlan", field, getattr(self, field))
        previous: Outage | None = None
        for outage in self.outages:
            if not isinstance(outage, Outage):
                raise InvalidInputError(
                    "FaultPlan.outages", outage, "is not an Outage", "pass Outage(start_ns=...)"
                )
            if previous is not None and outage.start_ns < previous.end_ns:
                raise InvalidInputError(
                    "FaultPlan.outages",
                    outage,
                    f"starts before the previous window ends ({previous.end_ns})",
                    "sort the windows by start time and do not let them overlap",
                )
            previous = outage

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any]) -> FaultPlan:
        return decode_struct(cls, mapping)

    def outage_at(self, ts_ns: int) -> Outage | None:
        """The outage window that contains ``ts_ns``, if any."""
        for outage in self.outages:
            if outage.start_ns <= ts_ns < outage.end_ns:
                return outage
        return None


class FaultState:
    """A plan being carried out: counters and the delivery pipeline for messages."""

    __slots__ = ("_clock", "_deliver", "_held", "fills_sent", "plan", "rejected")

    def __init__(
        self, plan: FaultPlan, clock: Clock, deliver: Callable[[OrderEvent], None]
    ) -> None:
        self.plan = plan
        self._clock = clock
        self._deliver = deliver
        self._held: tuple[OrderFilled, int] | None = None
        self.rejected = 0
        self.fills_sent = 0

    def take_reject(self, ts_ns: int) -> bool:
        """True if the order reaching the venue now is one of the next N to reject."""
        if self.rejected < self.plan.reject_next and ts_ns >= self.plan.reject_from_ns:
            self.rejected += 1
            return True
        return False

    def send(self, event: OrderEvent) -> None:
        """Deliver ``event`` as the plan says."""
        if not isinstance(event, OrderFilled):
            self.release()
            self._deliver(event)
            return
        plan = self.plan
        self.fills_sent += 1
        number = self.fills_sent
        dup = plan.duplicate_fill_every
        copies = 2 if dup and number % dup == 0 else 1
        reorder = plan.reorder_fill_every
        if reorder and number % reorder == 0 and self._held is None:
            self._held = (event, copies)
            self._clock.call_at(self._clock.timestamp_ns(), self.release)
            return
        self._send_fill(event, copies)
        self.release()

    def release(self) -> None:
        """Deliver the fill held back for a swap, if any."""
        held = self._held
        if held is not None:
            self._held = None
            self._send_fill(*held)

    def _send_fill(self, fill: OrderFilled, copies: int) -> None:
        delay = self.plan.delay_fills_ns
        for _ in range(copies):
            if delay:
                at = self._clock.timestamp_ns() + delay
                late = msgspec.structs.replace(fill, ts_init=at)
                self._clock.call_at(at, partial(self._deliver, late))
            else:
                self._deliver(fill)
