"""Configuration of the simulated exchange: a frozen, keyword-only struct.

``SimConfig(...)`` is built in code; ``SimConfig.from_dict(mapping)`` decodes a
plain mapping (e.g. from TOML) and names the closest valid key when a key is
unknown.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final, TypeVar

import msgspec

from ironkeel.model.errors import InvalidInputError

__all__ = ["NANOS_PER_DAY", "SimConfig"]

NANOS_PER_DAY: Final = 86_400_000_000_000

T = TypeVar("T", bound=msgspec.Struct)


def decode_struct(cls: type[T], mapping: Mapping[str, Any]) -> T:
    """Decode ``mapping`` into ``cls``; an unknown key is named with its closest valid key."""
    fields = cls.__struct_fields__
    for key in mapping:
        if key not in fields:
            close = difflib.get_close_matches(str(key), fields, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"valid keys: {', '.join(fields)}"
            raise InvalidInputError(f"{cls.__name__}.{key}", mapping[key], "is not a key", hint)
    try:
        return msgspec.convert(dict(mapping), cls, strict=False)
    except msgspec.ValidationError as exc:
        raise InvalidInputError(
            cls.__name__, dict(mapping), str(exc), "correct the value"
        ) from None


def check_decimal(owner: str, field: str, value: object) -> Decimal:
    """``value`` if it is a finite Decimal, else an error saying how to pass it."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidInputError(
            f"{owner}.{field}",
            value,
            f"is a {type(value).__name__}, not a finite Decimal",
            f"pass Decimal('{value}') (floats are inexact) or use {owner}.from_dict",
        )
    return value


def check_ns(owner: str, field: str, value: object) -> int:
    """``value`` if it is an int >= 0 (a duration or time in ns)."""
    if type(value) is not int or value < 0:
        raise InvalidInputError(
            f"{owner}.{field}", value, "must be an int >= 0 (nanoseconds)", "pass e.g. 1_000_000"
        )
    return value


class SimConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How the simulated exchange matches orders.

    - ``fill_on_close``: a market (or marketable limit) order that arrives while
      bar t is being handled fills at bar t's close instead of bar t+1's open.
    - ``max_participation``: at most this share (0 < p <= 1) of a bar's volume,
      a trade's size, a quote's displayed size or a book level's size is filled
      by our orders; the rest keeps working. None: no cap.
    - ``session_end_ns``: when DAY orders expire, in ns after UTC midnight
      (0: at the end of the UTC day).
    """

    fill_on_close: bool = False
    max_participation: Decimal | None = None
    session_end_ns: int = 0

    def __post_init__(self) -> None:
        if type(self.fill_on_close) is not bool:
            raise InvalidInputError(
                "SimConfig.fill_on_close", self.fill_on_close, "must be a bool", "pass True/False"
            )
        share = self.max_participation
        if share is not None:
            check_decimal("SimConfig", "max_participation", share)
            if not Decimal(0) < share <= Decimal(1):
                raise InvalidInputError(
                    "SimConfig.max_participation",
                    share,
                    "must be in (0, 1]",
                    "pass e.g. Decimal('0.1') for 10% of volume, or None for no cap",
                )
        check_ns("SimConfig", "session_end_ns", self.session_end_ns)
        if self.session_end_ns >= NANOS_PER_DAY:
            raise InvalidInputError(
                "SimConfig.session_end_ns",
                self.session_end_ns,
                "is a day or more",
                "pass the time of day in ns after UTC midnight (< 86_400 s)",
            )

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any]) -> SimConfig:
        """Decode a plain mapping; decimal strings such as '0.1' are accepted."""
        return decode_struct(cls, mapping)

    def participation_cap(self, volume: int) -> int | None:
        """The lots our orders may take out of ``volume`` (floor), or None for no cap."""
        share = self.max_participation
        if share is None:
            return None
        num, den = share.as_integer_ratio()
        return volume * num // den
