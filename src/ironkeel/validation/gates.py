"""The validation gates: thresholds and scenario settings, defaults or a TOML file.

Every key is documented in docs/validation.md. A file names only the keys it
changes; an unknown key is refused with the closest valid one, a bad value with
the key, the value and the fix.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any, Final

import msgspec

from ironkeel.model.errors import InvalidInputError
from ironkeel.risk.config import RiskConfig, RiskConfigError, load_risk_config

__all__ = ["DEFAULT_RISK", "SCENARIOS", "Gates", "GatesError", "load_gates"]

#: The fault scenarios, in the order they run.
SCENARIOS: Final = (
    "baseline",
    "partial_fills",
    "rejects",
    "outage",
    "duplicate_fills",
    "stale_data",
    "price_gap",
)

#: Pre-trade limits the scenarios run under unless the gates name a risk file: a
#: per-strategy submit rate, leverage and a price collar. Breakers and kill switches are
#: set wide, so a scenario judges the strategy's behaviour, not its P&L.
DEFAULT_RISK: Final = """
[global]
price_collar_bps = 2500
reference_max_age_s = 86400

[strategy_defaults]
max_leverage = 5
submit_rate = 10

[breakers]
strategy_max_drawdown = 0.9
strategy_daily_loss = 0.9
portfolio_max_drawdown = 0.95
platform_max_drawdown = 0.99
stale_data_s = 864000
max_slippage_bps = 100000
"""


class GatesError(InvalidInputError):
    """The gates file or a gate value is wrong; the message names the key and the fix."""


class Gates(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Thresholds of every gate and the settings of the runs (see docs/validation.md)."""

    max_callback_ms: float = 50.0
    max_p99_ms: float = 10.0
    memory_check: bool = True
    max_memory_growth_mb: float = 16.0
    memory_samples: int = 10
    performance_bars: int = 0
    max_orders_per_second: int = 10
    allow_denials: bool = False
    scenarios: tuple[str, ...] = SCENARIOS
    scenario_bars: int = 3_000
    reject_count: int = 20
    outage_minutes: int = 30
    stale_gap_minutes: int = 60
    price_gap_pct: float = 10.0
    partial_fill_parts: int = 4
    risk: str = ""
    cash: str = "100000"
    currency: str = "USD"
    seed: int = 0

    def __post_init__(self) -> None:
        for key in ("max_callback_ms", "max_p99_ms", "max_memory_growth_mb", "price_gap_pct"):
            if not getattr(self, key) > 0:
                raise GatesError(
                    key, getattr(self, key), "must be above 0", "give a positive number"
                )
        for key in ("memory_samples", "max_orders_per_second", "scenario_bars", "reject_count",
                    "outage_minutes", "stale_gap_minutes", "partial_fill_parts"):  # fmt: skip
            if getattr(self, key) < 1:
                raise GatesError(key, getattr(self, key), "must be at least 1", "give e.g. 10")
        if self.performance_bars < 0:
            raise GatesError("performance_bars", self.performance_bars, "is negative", "0 = all")
        if self.price_gap_pct >= 100:
            raise GatesError("price_gap_pct", self.price_gap_pct, "must be below 100", "e.g. 10")
        for name in self.scenarios:
            if name not in SCENARIOS:
                close = difflib.get_close_matches(name, SCENARIOS, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"use some of {list(SCENARIOS)}"
                raise GatesError("scenarios", name, "is not a scenario", hint)

    def risk_config(self, base: Path | None = None) -> RiskConfig:
        """The risk limits of the scenarios: the ``risk`` file, else ``DEFAULT_RISK``."""
        if not self.risk:
            return load_risk_config(DEFAULT_RISK)
        path = Path(self.risk)
        if base is not None and not path.is_absolute():
            path = base / path
        try:
            return load_risk_config(path)
        except RiskConfigError as error:
            raise GatesError("risk", str(path), str(error), "fix the risk file") from None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = msgspec.to_builtins(self)
        return data


def load_gates(path: Path | str | None) -> tuple[Gates, Path | None]:
    """The gates in the TOML file at ``path`` over the defaults (None: the defaults), and
    the folder a relative ``risk`` path is read from."""
    if path is None:
        return Gates(), None
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise GatesError(
            "--gates", str(file), f"cannot be read ({error.strerror})", "check the path"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise GatesError(
            str(file), "", f"is not valid TOML ({error})", "correct the line"
        ) from None
    fields = Gates.__struct_fields__
    for key in data:
        if key not in fields:
            close = difflib.get_close_matches(key, fields, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"valid keys: {', '.join(fields)}"
            raise GatesError(f"{file}: {key}", data[key], "is not a gate", hint)
    try:
        gates = msgspec.convert(data, Gates, strict=True)
    except msgspec.ValidationError as error:
        raise GatesError(str(file), data, str(error), "give each key the documented type") from None
    except InvalidInputError as error:
        raise GatesError(f"{file}: {error.field}", error.value, error.problem, error.fix) from None
    return gates, file.parent
