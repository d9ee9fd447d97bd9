"""Typed strategy parameters, declared on the class with defaults and validated.

    class SmaCross(Strategy):
        fast: int = Param(10, ge=1, doc="fast SMA period")
        slow: int = 30
        size: Decimal = Decimal("1")

Every annotated public class attribute with a default is a parameter. Values may
come as text (``--param fast=12``) and are converted to the declared type; an
unknown name is an error that suggests the closest valid one.
"""

from __future__ import annotations

import difflib
import math
import typing
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ironkeel.model.errors import InvalidInputError

__all__ = ["Param", "ParamSpec", "parse_params", "resolve_params"]

_TYPES: tuple[type, ...] = (bool, int, float, Decimal, str)


@dataclass(frozen=True)
class Param:
    """A parameter's default and constraints (use as the class attribute's value)."""

    default: Any
    ge: float | int | Decimal | None = None
    le: float | int | Decimal | None = None
    choices: tuple[Any, ...] | None = None
    doc: str = ""


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter: name, type, default and constraints."""

    name: str
    type: type
    default: Any
    ge: Any = None
    le: Any = None
    choices: tuple[Any, ...] | None = None
    doc: str = ""

    def convert(self, value: Any, owner: str) -> Any:
        """``value`` (or its text) as this parameter's type, checked against the limits."""
        field = f"{owner}.{self.name}"
        converted = _convert(self.type, value, field)
        if self.ge is not None and converted < self.ge:
            raise InvalidInputError(field, value, f"is below the minimum {self.ge}", "raise it")
        if self.le is not None and converted > self.le:
            raise InvalidInputError(field, value, f"is above the maximum {self.le}", "lower it")
        if self.choices is not None and converted not in self.choices:
            raise InvalidInputError(
                field, value, "is not one of the allowed values", f"choose from {self.choices}"
            )
        return converted


def _convert(kind: type, value: Any, field: str) -> Any:
    if isinstance(value, str) and kind is not str:
        return _from_text(kind, value.strip(), field)
    if kind is bool:
        if isinstance(value, bool):
            return value
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif kind is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif kind is Decimal:
        if isinstance(value, Decimal):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        if isinstance(value, float) and math.isfinite(value):
            # A float here comes from a config file (TOML 0.5): its shortest repr is what
            # was written, so that is the Decimal meant (sizes are grid-checked later).
            return Decimal(repr(value))
    elif isinstance(value, kind):
        return value
    raise InvalidInputError(
        field, value, f"is a {type(value).__name__}, not {kind.__name__}", f"pass a {kind.__name__}"
    )


_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


def _from_text(kind: type, text: str, field: str) -> Any:
    value: Any = None
    try:
        if kind is bool:
            lowered = text.lower()
            value = True if lowered in _TRUE else False if lowered in _FALSE else None
        elif kind is int:
            value = int(text)
        elif kind is float:
            value = float(text)
        elif kind is Decimal:
            number = Decimal(text)
            value = number if number.is_finite() else None
    except (ValueError, InvalidOperation):
        value = None
    if value is not None:
        return value
    raise InvalidInputError(
        field, text, f"is not a valid {kind.__name__}", f"write a {kind.__name__} value"
    )


def resolve_params(cls: type) -> dict[str, ParamSpec]:
    """The parameters a Strategy subclass declares (its own and inherited), by name."""
    hints = typing.get_type_hints(cls)
    specs: dict[str, ParamSpec] = {}
    for klass in reversed(cls.__mro__):
        for name in vars(klass).get("__annotations__", {}):
            if name.startswith("_") or name not in vars(klass):
                continue
            kind = hints.get(name)
            if typing.get_origin(kind) is typing.ClassVar:
                continue
            raw = vars(klass)[name]
            declared = raw if isinstance(raw, Param) else Param(raw)
            if kind not in _TYPES:
                raise InvalidInputError(
                    f"{cls.__name__}.{name}",
                    kind,
                    "is not a supported parameter type",
                    "annotate parameters as int, float, Decimal, str or bool",
                )
            assert isinstance(kind, type)  # narrowed by the check above, for mypy
            spec = ParamSpec(
                name, kind, None, declared.ge, declared.le, declared.choices, declared.doc
            )
            default = spec.convert(declared.default, cls.__name__)
            specs[name] = ParamSpec(
                name, kind, default, declared.ge, declared.le, declared.choices, declared.doc
            )
    return specs


def parse_params(
    cls: type, given: dict[str, Any] | None, specs: dict[str, ParamSpec] | None = None
) -> dict[str, Any]:
    """Defaults overridden by ``given``; unknown names suggest the closest valid one."""
    specs = resolve_params(cls) if specs is None else specs
    values = {name: spec.default for name, spec in specs.items()}
    for name, value in (given or {}).items():
        spec = specs.get(name)
        if spec is None:
            close = difflib.get_close_matches(name, list(specs), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"valid: {sorted(specs) or 'none'}"
            raise InvalidInputError(
                f"{cls.__name__} parameter", name, "is not a parameter of this strategy", hint
            )
        values[name] = spec.convert(value, cls.__name__)
    return values
