"""The risk configuration (TOML), validated at load, and the controls it builds.

    [global]                       # the whole platform; per-order limits for every order
    currency = "USD"
    max_order_notional = 250000
    max_gross_exposure = 2000000   # all strategies together
    price_collar_bps = 500
    reference_max_age_s = 5

    [strategy_defaults]            # every strategy without its own value
    max_gross_exposure = 50000

    [strategies.sma-1]
    max_gross_exposure = 400000
    [strategies.sma-1.instruments."BTCUSDT.BINANCE"]
    max_position = "2.5"

    [instruments."BTCUSDT.BINANCE"]
    max_order_qty = "1.5"          # in the instrument's quantity unit (BTC)
    max_position = 10              # all strategies together

    [breakers]
    strategy_max_drawdown = 0.05

Every key, its unit and default: ``docs/risk-config.md``. A value at several levels
(global, strategy, instrument) is enforced at each: the tightest applies. Unknown keys,
negative limits, bad types and limits that could never apply fail at load with the key
path, the value and the fix (``RiskConfigError``); ``build_controls`` converts limits to
lots, ticks and money raw once, and fails the same way for what needs the instruments.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Final, TypeVar

import msgspec

from ironkeel.model.enums import AssetClass
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import InstrumentId, StrategyId
from ironkeel.model.instruments import Instrument
from ironkeel.model.values import MONEY_SCALE
from ironkeel.risk.config_checks import (
    NO_VALUE,
    NS_PER_SECOND,
    KeyPath,
    RiskConfigError,
    key_text,
    validate,
)
from ironkeel.risk.controls.assembly import Assembly, InstrumentScope, Rate, ScopeLimits
from ironkeel.risk.controls.control_set import ControlSet
from ironkeel.risk.controls.hours import ALWAYS_OPEN

__all__ = [
    "BreakerSettings",
    "GlobalLimits",
    "InstrumentLimits",
    "RiskConfig",
    "RiskConfigError",
    "StrategyDefaults",
    "StrategyInstrumentLimits",
    "StrategyLimits",
    "build_assembly",
    "build_controls",
    "load_risk_config",
]

# --- the schema ------------------------------------------------------------------------


class _Table(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


class _ScopeTable(_Table, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The keys ``[global]`` and the strategy tables share."""

    max_order_notional: Decimal | None = None
    max_gross_exposure: Decimal | None = None
    max_net_exposure: Decimal | None = None
    max_leverage: Decimal | None = None
    max_concentration: Decimal | None = None
    submit_rate: int | None = None
    submit_burst: int | None = None
    submit_per_s: Decimal | None = None
    modify_rate: int | None = None
    modify_burst: int | None = None
    modify_per_s: Decimal | None = None
    duplicate_count: int | None = None
    duplicate_window_s: Decimal | None = None


class GlobalLimits(_ScopeTable, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[global]``: the platform as a whole, and the ceiling of every per-order limit."""

    currency: str | None = None
    calendar: str | None = None
    calendar_start: dt.date = dt.date(2000, 1, 1)
    calendar_end: dt.date = dt.date(2035, 12, 31)
    reduce_only: bool = False
    price_collar_bps: Decimal | None = None
    reference_max_age_s: Decimal | None = None


class StrategyDefaults(_ScopeTable, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[strategy_defaults]``: each strategy's limits where its own table has none."""

    reduce_only: bool | None = None


class StrategyInstrumentLimits(_Table, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[strategies.NAME.instruments."SYMBOL.VENUE"]``: one strategy in one instrument."""

    max_order_qty: Decimal | None = None
    max_position: Decimal | None = None


class StrategyLimits(StrategyDefaults, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[strategies.NAME]``: one strategy (its own values replace the defaults)."""

    instruments: dict[str, StrategyInstrumentLimits] = msgspec.field(default_factory=dict)


class InstrumentLimits(_Table, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[instruments."SYMBOL.VENUE"]``: one instrument, all strategies."""

    calendar: str | None = None
    reduce_only: bool = False
    max_order_qty: Decimal | None = None
    max_order_notional: Decimal | None = None
    max_position: Decimal | None = None
    max_strategy_position: Decimal | None = None
    price_collar_bps: Decimal | None = None
    reference_max_age_s: Decimal | None = None


class BreakerSettings(_Table, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[breakers]``: drawdown breakers and their neighbours (read by the breaker code)."""

    strategy_max_drawdown: Decimal = Decimal("0.05")
    strategy_daily_loss: Decimal = Decimal("0.05")
    warn_at: Decimal = Decimal("0.8")
    portfolio_max_drawdown: Decimal = Decimal("0.10")
    platform_max_drawdown: Decimal = Decimal("0.15")
    correlation_threshold: Decimal = Decimal("0.85")
    correlation_window_s: int = 1800
    flatten_on_platform_trip: bool = True
    stale_data_s: Decimal = Decimal(60)
    max_slippage_bps: Decimal = Decimal(50)
    kill_on_data_gap: bool = False


class RiskConfig(_Table, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The whole risk configuration; constructing one validates all of it."""

    global_: GlobalLimits = msgspec.field(default_factory=GlobalLimits, name="global")
    strategy_defaults: StrategyDefaults = msgspec.field(default_factory=StrategyDefaults)
    strategies: dict[str, StrategyLimits] = msgspec.field(default_factory=dict)
    instruments: dict[str, InstrumentLimits] = msgspec.field(default_factory=dict)
    breakers: BreakerSettings = msgspec.field(default_factory=BreakerSettings)

    def __post_init__(self) -> None:
        validate(self)

    def digest(self) -> str:
        """SHA-256 of the canonical JSON (sorted keys, every default written out, numbers
        normalised: ``0.050`` and ``0.05`` are the same): equal configs, equal digests."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()

    def to_json(self) -> str:
        """The canonical JSON the digest is taken of (for the audit record)."""
        data = msgspec.to_builtins(self, builtin_types=(Decimal,))
        return json.dumps(data, sort_keys=True, separators=(",", ":"), default=_canonical)


def _canonical(value: Any) -> str:
    """A Decimal as the JSON encoder writes it: normalised, no exponent (the encoder calls
    this for the values it cannot write itself; there are no others)."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    raise TypeError(f"{type(value).__name__} in a risk configuration")  # pragma: no cover


# --- loading ---------------------------------------------------------------------------

T = TypeVar("T", bound=_Table)

#: Tables inside tables: (field, child type, is a map of named tables).
_CHILDREN: Final[dict[type[_Table], tuple[tuple[str, type[_Table], bool], ...]]] = {
    RiskConfig: (
        ("global", GlobalLimits, False),
        ("strategy_defaults", StrategyDefaults, False),
        ("strategies", StrategyLimits, True),
        ("instruments", InstrumentLimits, True),
        ("breakers", BreakerSettings, False),
    ),
    StrategyLimits: (("instruments", StrategyInstrumentLimits, True),),
}
_TABLE_NAMES: Final[dict[type[_Table], str]] = {
    GlobalLimits: "[global]",
    StrategyDefaults: "[strategy_defaults]",
    StrategyLimits: "[strategies.NAME]",
    StrategyInstrumentLimits: '[strategies.NAME.instruments."SYMBOL.VENUE"]',
    InstrumentLimits: '[instruments."SYMBOL.VENUE"]',
    BreakerSettings: "[breakers]",
}
_EXPECTED: Final = {
    "decimal": 'a number, e.g. 2.5 or "2.5"',
    "int": "a whole number, e.g. 10",
    "bool": "true or false",
    "str": 'a quoted string, e.g. "XNYS"',
    "date": "a date, e.g. 2030-12-31",
}
_TYPES: Final = {
    "int": "whole number",
    "decimal": "number",
    "float": "number",
    "str": "string",
    "bool": "boolean",
    "array": "list",
    "object": "table",
}
_VALIDATION: Final = re.compile(r"^(?P<problem>.*?)(?: - at `\$\.(?P<field>\w+)`)?$")


def load_risk_config(path_or_text: str | Path) -> RiskConfig:
    """The risk configuration in a TOML file (a ``Path``, or a one-line str ending in
    ``.toml``) or in TOML text (any other str); a ``RiskConfigError`` if it is invalid."""
    if isinstance(path_or_text, Path) or (
        "\n" not in path_or_text and path_or_text.strip().endswith(".toml")
    ):
        file = Path(path_or_text)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise RiskConfigError(
                "file", str(file), f"cannot be read ({exc.strerror})", "check the path"
            ) from None
        return _parse(text, str(file))
    return _parse(path_or_text, "<risk config>")


def _parse(text: str, source: str) -> RiskConfig:
    try:
        document = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise RiskConfigError(
            "(syntax)", NO_VALUE, f"not valid TOML ({exc})", "fix the syntax", source
        ) from None
    try:
        return _decode((), document, RiskConfig)
    except RiskConfigError as error:
        raise error.at(source) from None


def _decode(path: KeyPath, table: object, cls: type[T]) -> T:
    """``cls`` from a TOML table: unknown keys and bad values named by their key path."""
    if not isinstance(table, dict):
        raise RiskConfigError(
            key_text(path), table, "is not a table", f"write it as [{key_text(path)}]"
        )
    valid = cls.__struct_encode_fields__
    for key, value in table.items():
        if key not in valid:
            raise _unknown(path, key, value, cls)
    plain = dict(table)
    for field, child, is_map in _CHILDREN.get(cls, ()):
        if field not in table:
            continue
        if not is_map:
            plain[field] = _decode((*path, field), table[field], child)
            continue
        named = table[field]
        if not isinstance(named, dict):
            raise RiskConfigError(
                key_text((*path, field)),
                named,
                "is not a table of tables",
                f'write [{key_text((*path, field))}."NAME"] tables',
            )
        plain[field] = {n: _decode((*path, field, n), t, child) for n, t in named.items()}
    try:
        return msgspec.convert(plain, cls, strict=False)
    except msgspec.ValidationError as exc:
        if isinstance(exc.__cause__, RiskConfigError):  # raised by RiskConfig.__post_init__
            raise exc.__cause__ from None
        raise _invalid(path, table, str(exc)) from None


def _invalid(path: KeyPath, table: dict[str, Any], message: str) -> RiskConfigError:
    """A msgspec type error (``Expected `int | null`, got `str` - at `$.x```) by key path."""
    match = _VALIDATION.match(message)
    field = match["field"] if match and match["field"] else ""
    problem = match["problem"] if match else message
    types = re.match(r"Expected `(\w+)[^`]*`, got `(\w+)`", problem)
    wanted = types[1] if types else ""
    if types:
        problem = f"is a {_TYPES.get(types[2], types[2])}, not a {_TYPES.get(wanted, wanted)}"
    elif problem.startswith("Invalid decimal"):
        problem, wanted = "is not a number", "decimal"
    hint = _EXPECTED.get(wanted, "a valid value")
    return RiskConfigError(
        key_text((*path, field)) if field else key_text(path),
        table.get(field) if field else NO_VALUE,
        problem,
        f"write {hint} (see docs/risk-config.md)",
    )


def _unknown(path: KeyPath, key: str, value: Any, cls: type[_Table]) -> RiskConfigError:
    valid = list(cls.__struct_encode_fields__)
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
    homes = [
        name
        for table, name in _TABLE_NAMES.items()
        if table is not cls and key in table.__struct_encode_fields__
    ]
    if homes:
        fix = f"{key} belongs in {' or '.join(homes)}"
    elif close:
        fix = f"did you mean {close[0]!r}?"
    else:
        fix = f"remove it; the keys here are {', '.join(sorted(valid))}"
    where = _TABLE_NAMES.get(cls, "the top level")
    return RiskConfigError(key_text((*path, key)), value, f"is not a key of {where}", fix)


# --- building the controls -------------------------------------------------------------

_BPS: Final = 10_000


def build_controls(
    config: RiskConfig, instruments: Mapping[InstrumentId, Instrument] | Iterable[Instrument]
) -> ControlSet:
    """The controls of every (strategy, instrument) (``build_assembly``), named by the
    configuration's digest."""
    return build_assembly(config, instruments).control_set(config.digest())


def build_assembly(
    config: RiskConfig, instruments: Mapping[InstrumentId, Instrument] | Iterable[Instrument]
) -> Assembly:
    """The scopes of the controls, limits converted once to lots, ns, money raw and exact
    ratios. Fails (``RiskConfigError``, naming the key) on what needs the instruments: an
    off-grid quantity, a configured instrument that is not given, a non-crypto
    instrument with no calendar, money limits over another currency."""
    by_id = (
        dict(instruments) if isinstance(instruments, Mapping) else {i.id: i for i in instruments}
    )
    _check_instruments(config, by_id)
    strategies = {}
    for name, limits in config.strategies.items():
        scope = _scope(("strategies", name), _merged(limits, config.strategy_defaults))
        if limits.reduce_only is None and scope.reduce_only is not None:
            scope = dataclasses.replace(scope, reduce_only="strategy_defaults.reduce_only")
        per_instrument = {}
        for symbol, own in limits.instruments.items():
            instrument = by_id[InstrumentId.parse(symbol)]
            where = ("strategies", name, "instruments", symbol)
            per_instrument[instrument.id] = (
                _lots(instrument, where, "max_order_qty", own.max_order_qty),
                _lots(instrument, where, "max_position", own.max_position),
            )
        strategies[StrategyId(name)] = dataclasses.replace(scope, instruments=per_instrument)
    return Assembly(
        platform=_scope(("global",), config.global_),
        default=_scope(("strategy_defaults",), config.strategy_defaults),
        strategies=strategies,
        instruments={iid: _instrument(config, i) for iid, i in by_id.items()},
    )


def _scope(path: KeyPath, limits: GlobalLimits | StrategyDefaults) -> ScopeLimits:
    count, window = limits.duplicate_count, limits.duplicate_window_s
    return ScopeLimits(
        reduce_only=key_text((*path, "reduce_only")) if limits.reduce_only else None,
        max_order_notional=_raw(limits.max_order_notional),
        max_gross_exposure=_raw(limits.max_gross_exposure),
        max_net_exposure=_raw(limits.max_net_exposure),
        max_leverage=_ratio(limits.max_leverage),
        max_concentration=_ratio(limits.max_concentration),
        submit=_rate(limits.submit_rate, limits.submit_burst, limits.submit_per_s),
        modify=_rate(limits.modify_rate, limits.modify_burst, limits.modify_per_s),
        duplicate=None if count is None or window is None else (count, _ns(window)),
    )


def _instrument(config: RiskConfig, instrument: Instrument) -> InstrumentScope:
    g, symbol = config.global_, str(instrument.id)
    limits = config.instruments.get(symbol, InstrumentLimits())
    path = ("instruments", symbol)
    calendar = limits.calendar or (
        ALWAYS_OPEN if instrument.asset_class is AssetClass.CRYPTO else g.calendar
    )
    if calendar is None:
        raise RiskConfigError(
            key_text((*path, "calendar")),
            None,
            f"is needed for a {instrument.asset_class.value} instrument, and "
            "global.calendar is not set either",
            f"set {key_text((*path, 'calendar'))} (e.g. 'XNYS', or '24/7'), or global.calendar",
        )
    bps = _least(limits.price_collar_bps, g.price_collar_bps)
    age = _least(limits.reference_max_age_s, g.reference_max_age_s)
    return InstrumentScope(
        calendar=calendar,
        calendar_start=g.calendar_start,
        calendar_end=g.calendar_end,
        reduce_only=key_text((*path, "reduce_only")) if limits.reduce_only else None,
        max_order_qty=_lots(instrument, path, "max_order_qty", limits.max_order_qty),
        max_order_notional=_raw(limits.max_order_notional),
        max_position=_lots(instrument, path, "max_position", limits.max_position),
        max_strategy_position=_lots(
            instrument, path, "max_strategy_position", limits.max_strategy_position
        ),
        price_collar=None if bps is None else Fraction(bps) / _BPS,
        reference_max_age_ns=None if age is None else _ns(age),
    )


def _least(*values: Decimal | None) -> Decimal | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _raw(amount: Decimal | None) -> int | None:
    return None if amount is None else _times(amount, MONEY_SCALE)


def _times(value: Decimal, scale: int) -> int:
    """``int(value * scale)`` exactly, truncated toward zero (as ``int(Fraction)``)."""
    numerator, denominator = value.as_integer_ratio()
    product = abs(numerator) * scale // denominator
    return product if numerator >= 0 else -product


def _ratio(value: Decimal | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def _ns(seconds: Decimal) -> int:
    return _times(seconds, NS_PER_SECOND)


def _rate(rate: int | None, burst: int | None, per_s: Decimal | None) -> Rate | None:
    if rate is None:
        return None
    return Rate(rate=rate, per_ns=_ns(per_s or Decimal(1)), burst=burst or rate)


def _lots(instrument: Instrument, path: KeyPath, field: str, value: Decimal | None) -> int | None:
    if value is None:
        return None
    try:
        return instrument.lots(value, field)
    except InvalidInputError as exc:
        raise RiskConfigError(key_text((*path, field)), value, exc.problem, exc.fix) from None


_GROUPS: Final = (
    ("submit_rate", "submit_burst", "submit_per_s"),
    ("modify_rate", "modify_burst", "modify_per_s"),
    ("duplicate_count", "duplicate_window_s"),
)


def _merged(own: StrategyLimits, defaults: StrategyDefaults) -> StrategyDefaults:
    """A strategy's limits: its own value of each key, else the default (a throttle or
    the duplicate pair is taken whole from the level that sets it)."""
    values: dict[str, Any] = {}
    grouped = {field for group in _GROUPS for field in group}
    for field in StrategyDefaults.__struct_fields__:
        if field not in grouped:
            mine = getattr(own, field)
            values[field] = getattr(defaults, field) if mine is None else mine
    for group in _GROUPS:
        source = own if getattr(own, group[0]) is not None else defaults
        values.update({field: getattr(source, field) for field in group})
    return StrategyDefaults(**values)


def _check_instruments(config: RiskConfig, by_id: Mapping[InstrumentId, Instrument]) -> None:
    known = [str(i) for i in by_id]
    symbols = [(("instruments", s), s) for s in config.instruments] + [
        (("strategies", name, "instruments", s), s)
        for name, limits in config.strategies.items()
        for s in limits.instruments
    ]
    for path, symbol in symbols:
        if InstrumentId.parse(symbol) not in by_id:
            close = difflib.get_close_matches(symbol, known, n=1, cutoff=0.6)
            raise RiskConfigError(
                key_text(path),
                symbol,
                "is not one of the instruments the controls are built for",
                f"did you mean {close[0]!r}?"
                if close
                else f"remove it, or trade it (known: {', '.join(sorted(known)) or 'none'})",
            )
    if not _uses_money(config):
        return
    currencies = sorted({i.quote_currency.code for i in by_id.values()})
    wanted = config.global_.currency
    if wanted is None and len(currencies) > 1:
        raise RiskConfigError(
            "global.currency",
            None,
            f"is not set, and the instruments are quoted in {currencies}",
            "set the currency the money limits are written in",
        )
    other = [c for c in currencies if wanted is not None and c != wanted]
    if other:
        raise RiskConfigError(
            "global.currency",
            wanted,
            f"differs from the quote currency {other} of some instruments, "
            "and money limits never mix currencies",
            f"trade instruments quoted in {wanted} only, or change it",
        )


def _uses_money(config: RiskConfig) -> bool:
    fields = (
        "max_order_notional",
        "max_gross_exposure",
        "max_net_exposure",
        "max_leverage",
        "max_concentration",
    )
    tables: list[_Table] = [
        config.global_,
        config.strategy_defaults,
        *config.strategies.values(),
        *config.instruments.values(),
    ]
    return any(getattr(t, f, None) is not None for t in tables for f in fields)
