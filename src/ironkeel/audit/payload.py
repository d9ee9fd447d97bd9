"""Canonical payload JSON: the same payload always gives the same bytes.

Object keys and struct fields are sorted; tagged structs (the platform's events)
keep their ``type`` tag. Exact values stay exact: ``Decimal``, ``Price`` and
``Quantity`` are written as decimal strings, ``Money`` as ``"<amount> <CCY>"``.
Floats are written in their shortest round-trip form, but NaN and infinities
become ``null`` (JSON has no such values): record exact numbers instead.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from ironkeel.model.errors import InvalidInputError
from ironkeel.model.values import Money, Price, Quantity

__all__ = ["Payload", "encode_payload"]

#: What ``AuditLog.append`` accepts as a payload: a JSON object or a msgspec Struct.
Payload = Mapping[str, object] | msgspec.Struct


def _exact(value: object) -> str:
    if isinstance(value, Price | Quantity | Money):
        return str(value)
    raise NotImplementedError(f"cannot write {type(value).__name__} into an audit payload")


_encode = msgspec.json.Encoder(enc_hook=_exact, order="sorted").encode


def encode_payload(payload: Payload) -> bytes:
    """The canonical UTF-8 JSON of ``payload``, or an ``InvalidInputError`` saying why not."""
    if not isinstance(payload, dict | msgspec.Struct):
        if not isinstance(payload, Mapping):
            raise InvalidInputError(
                "payload",
                payload,
                f"is a {type(payload).__name__}",
                "pass a dict with str keys or a msgspec Struct",
            )
        payload = dict(payload)
    try:
        return _encode(payload)
    except (TypeError, NotImplementedError, msgspec.EncodeError) as error:
        raise InvalidInputError(
            "payload",
            payload,
            f"cannot be written as canonical JSON ({error})",
            "use str keys and JSON values, msgspec Structs, Decimal, Price, Quantity or Money",
        ) from None
