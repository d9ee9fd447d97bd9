"""The latency model: how long a request takes to reach the simulated venue."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from ironkeel.venues.sim.config import check_ns, decode_struct

__all__ = ["LatencyModel"]


class LatencyModel(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Fixed one-way delays in ns from the engine to the venue, per kind of request.

    A request sent at ``t`` takes effect at the venue at ``t + delay`` (scheduled
    with ``clock.call_at``); a delay of 0 takes effect synchronously, inside the
    call, so its events are emitted before ``submit``/``modify``/``cancel`` return.
    Answers travel back without delay (fault injection can delay fills).
    """

    submit_ns: int = 0
    modify_ns: int = 0
    cancel_ns: int = 0

    def __post_init__(self) -> None:
        for field in ("submit_ns", "modify_ns", "cancel_ns"):
            check_ns("LatencyModel", field, getattr(self, field))

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any]) -> LatencyModel:
        return decode_struct(cls, mapping)
