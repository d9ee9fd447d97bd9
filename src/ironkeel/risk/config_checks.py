"""The checks a risk configuration passes on its own, at load (``validate``, called when a
``RiskConfig`` is constructed), and the error that names the key path, the value and the
fix (``RiskConfigError``). What needs the instruments is checked when the controls are
built (``config.build_controls``)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final

import msgspec

from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import InstrumentId, StrategyId
from ironkeel.model.values import MONEY_SCALE
from ironkeel.risk.controls.hours import calendar_names
from ironkeel.risk.view import RECENT_ORDERS

if TYPE_CHECKING:
    from ironkeel.risk.config import GlobalLimits, RiskConfig, StrategyDefaults

__all__ = ["NO_VALUE", "NS_PER_SECOND", "KeyPath", "RiskConfigError", "key_text", "validate"]

KeyPath = tuple[str, ...]

NO_VALUE: Final = object()


class RiskConfigError(InvalidInputError):
    """A risk configuration is invalid: ``key`` is the key path (``strategies.sma.x``)."""

    def __init__(
        self,
        key: str,
        value: Any,
        problem: str,
        fix: str,
        source: str = "<risk config>",
    ) -> None:
        super().__init__(key, value, problem, fix)
        self.key = key
        self.source = source
        where = key if value is NO_VALUE else f"{key} = {_show(value)}"
        self.args = (f"{source}: {where}: {problem}. Fix: {fix}",)

    def at(self, source: str) -> RiskConfigError:
        """The same error, naming the file it came from."""
        return RiskConfigError(self.key, self.value, self.problem, self.fix, source)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int | dt.date):
        return str(value)
    if value is None:
        return "(not set)"
    return repr(value)


def key_text(path: KeyPath) -> str:
    """A key path as TOML writes it: dotted, a part quoted when it is not a bare key."""
    return ".".join(p if re.fullmatch(r"[A-Za-z0-9_-]+", p) else f'"{p}"' for p in path)


_MONEY: Final = frozenset({"max_order_notional", "max_gross_exposure", "max_net_exposure"})
_POSITIVE: Final = frozenset(
    {
        "max_order_qty", "max_position", "max_strategy_position", "max_leverage",
        "max_concentration", "price_collar_bps", "max_slippage_bps",
        "submit_rate", "submit_burst", "modify_rate", "modify_burst", "correlation_window_s",
    }
)  # fmt: skip
_SECONDS: Final = frozenset(
    {"reference_max_age_s", "submit_per_s", "modify_per_s", "duplicate_window_s", "stale_data_s"}
)
_FRACTIONS: Final = frozenset(
    {
        "strategy_max_drawdown", "strategy_daily_loss", "portfolio_max_drawdown",
        "platform_max_drawdown", "correlation_threshold",
    }
)  # fmt: skip
NS_PER_SECOND: Final = 10**9


def validate(config: RiskConfig) -> None:
    """Every check a configuration must pass on its own (``RiskConfig.__post_init__``)."""
    g = config.global_
    _check_table(("global",), g)
    if g.calendar_end <= g.calendar_start:
        raise RiskConfigError(
            "global.calendar_end",
            g.calendar_end,
            f"is not after global.calendar_start {g.calendar_start}",
            "make the range cover every date you trade",
        )
    if g.price_collar_bps is not None and g.reference_max_age_s is None:
        raise RiskConfigError(
            "global.price_collar_bps",
            g.price_collar_bps,
            "needs a fresh reference price, but global.reference_max_age_s is not set",
            "set global.reference_max_age_s, e.g. 5",
        )
    _validate_strategies(config)
    _validate_instruments(config)
    _check_table(("breakers",), config.breakers)


def _validate_strategies(config: RiskConfig) -> None:
    levels: list[tuple[KeyPath, StrategyDefaults]] = [
        (("strategy_defaults",), config.strategy_defaults)
    ]
    for name, strategy in config.strategies.items():
        _name(("strategies", name), name, StrategyId, "sma-1")
        levels.append((("strategies", name), strategy))
    for path, level in levels:
        _check_table(path, level)
        _check_strategy_against_global(path, level, config.global_)
    for name, strategy in config.strategies.items():
        for symbol, limits in strategy.instruments.items():
            path = ("strategies", name, "instruments", symbol)
            _name(path, symbol, InstrumentId.parse, "BTCUSDT.BINANCE")
            _check_table(path, limits)
            common = config.instruments.get(symbol)  # None: no instrument-wide limits
            for field, bound in (
                ("max_order_qty", "max_order_qty"),
                ("max_position", "max_strategy_position"),
            ):
                _never(
                    path,
                    field,
                    getattr(limits, field),
                    ("instruments", symbol, bound),
                    None if common is None else getattr(common, bound),
                )


def _validate_instruments(config: RiskConfig) -> None:
    g = config.global_
    for symbol, limits in config.instruments.items():
        path = ("instruments", symbol)
        _name(path, symbol, InstrumentId.parse, "BTCUSDT.BINANCE")
        _check_table(path, limits)
        _never(
            path,
            "max_order_notional",
            limits.max_order_notional,
            ("global", "max_order_notional"),
            g.max_order_notional,
        )
        if (
            limits.price_collar_bps is not None
            and (limits.reference_max_age_s or g.reference_max_age_s) is None
        ):
            raise RiskConfigError(
                key_text((*path, "price_collar_bps")),
                limits.price_collar_bps,
                "needs a fresh reference price, but no reference_max_age_s "
                "is set here or in [global]",
                "set reference_max_age_s, e.g. 5",
            )


def _name(path: KeyPath, name: str, make: Any, example: str) -> None:
    try:
        make(name)
    except InvalidInputError as exc:
        raise RiskConfigError(
            key_text(path),
            name,
            f"is not a valid name ({exc.problem})",
            f"use a name such as {example!r}",
        ) from None


def _check_table(path: KeyPath, table: msgspec.Struct) -> None:
    """Each value on its own, then the pairs of keys of one table that go together."""
    for field in table.__struct_fields__:
        value = getattr(table, field)
        if value is not None and not isinstance(value, bool | dict):
            _check_value((*path, field), field, value)
    _together(path, table, "submit_rate", ("submit_burst", "submit_per_s"))
    _together(path, table, "modify_rate", ("modify_burst", "modify_per_s"))
    count = getattr(table, "duplicate_count", None)
    window = getattr(table, "duplicate_window_s", None)
    if (count is None) != (window is None):
        missing = "duplicate_window_s" if window is None else "duplicate_count"
        raise RiskConfigError(
            key_text((*path, missing)),
            None,
            "must be set with its pair",
            "set both duplicate_count and duplicate_window_s, or neither",
        )
    for low, high in (
        ("max_net_exposure", "max_gross_exposure"),
        ("max_concentration", "max_leverage"),
    ):
        _never(path, low, getattr(table, low, None), (*path, high), getattr(table, high, None))


def _check_value(path: KeyPath, field: str, value: Any) -> None:
    problem = _value_problem(field, value)
    if problem is not None:
        raise RiskConfigError(key_text(path), value, *problem)


def _value_problem(field: str, value: Any) -> tuple[str, str] | None:
    """What is wrong with one value on its own, and the fix (None: nothing). The key is
    spelled out only for an error (most configurations have none)."""
    if isinstance(value, Decimal) and not value.is_finite():
        return "is not a finite number", "write a finite number"
    if field in _MONEY or field in _POSITIVE or field in _SECONDS:
        if value <= 0:
            return (
                "must be positive",
                (
                    "write a value > 0; to let positions only shrink, set "
                    "reduce_only = true instead of a zero limit"
                ),
            )
        if field in _MONEY and MONEY_SCALE % value.as_integer_ratio()[1]:
            return "has more than 12 decimals", "round it"
        if field in _SECONDS and NS_PER_SECOND % value.as_integer_ratio()[1]:
            return "is not a whole number of ns", "round it"
    elif field in _FRACTIONS and not 0 < value <= 1:
        return "must be a fraction above 0 and at most 1 (100%)", "write a fraction: 0.05 is 5%"
    elif field == "warn_at" and not 0 < value < 1:
        return (
            "must be above 0 and below 1: it is the share of a limit at which to warn",
            "write e.g. 0.8 (warn at 80%)",
        )
    elif field == "duplicate_count" and not 2 <= value <= RECENT_ORDERS:
        return (
            (
                f"must be from 2 (one order is no duplicate) to {RECENT_ORDERS} (the engine "
                f"keeps each strategy's last {RECENT_ORDERS} orders to compare with)"
            ),
            "write 2 to deny any repeat within the window",
        )
    elif field == "calendar" and value not in calendar_names():
        close = difflib.get_close_matches(value, calendar_names(), n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return (
            "is not a known exchange calendar",
            f"{hint}use '24/7' or an exchange_calendars name such as 'XNYS'",
        )
    elif field == "currency" and not re.fullmatch(r"[A-Z0-9]{2,10}", value):
        return "is not a currency code", "write e.g. 'USD'"
    return None


def _together(path: KeyPath, table: msgspec.Struct, main: str, dependents: tuple[str, ...]) -> None:
    if getattr(table, main, None) is not None:
        return
    for dependent in dependents:
        value = getattr(table, dependent, None)
        if value is not None:
            raise RiskConfigError(
                key_text((*path, dependent)),
                value,
                f"is set but {main} is not",
                f"set {main} too, or remove {dependent}",
            )


def _never(path: KeyPath, field: str, value: Any, other: KeyPath, bound: Any) -> None:
    """A limit above another one that always applies as well can never bind: a mistake."""
    if value is not None and bound is not None and value > bound:
        raise RiskConfigError(
            key_text((*path, field)),
            value,
            f"is above {key_text(other)} = {bound}, which applies as well, so it can never bind",
            f"lower it to at most {bound}, or remove it",
        )


def _check_strategy_against_global(path: KeyPath, s: StrategyDefaults, g: GlobalLimits) -> None:
    for field in ("max_order_notional", "max_gross_exposure", "duplicate_count"):
        _never(path, field, getattr(s, field), ("global", field), getattr(g, field))
    for kind in ("submit", "modify"):
        rate, global_rate = getattr(s, f"{kind}_rate"), getattr(g, f"{kind}_rate")
        if rate is None or global_rate is None:
            continue
        per = getattr(s, f"{kind}_per_s") or Decimal(1)
        global_per = getattr(g, f"{kind}_per_s") or Decimal(1)
        burst = getattr(s, f"{kind}_burst") or rate
        if Fraction(rate) / Fraction(per) > Fraction(global_rate) / Fraction(global_per) and (
            burst >= (getattr(g, f"{kind}_burst") or global_rate)
        ):
            raise RiskConfigError(
                key_text((*path, f"{kind}_rate")),
                rate,
                f"allows more than global.{kind}_rate = {global_rate} per "
                f"{global_per} s, which applies as well, so it can never bind",
                "lower it, or remove it",
            )
