"""What a backtest runs: the run file (TOML) and the same thing built from CLI flags.

    seed = 1
    cash = "100000"
    currency = "USDT"
    fill_on = "next-open"        # or "close"
    fees = "maker_taker"          # see backtest.models
    slippage = "none"

    [[instruments]]               # optional: inferred from the data when absent
    symbol = "BTCUSDT"
    price_increment = "0.01"
    size_increment = "0.00001"

    [[data]]
    path = "data/btcusdt-1m.csv"  # relative to the run file
    symbol = "BTCUSDT"
    kind = "bars"                 # bars | quotes | trades

    [[strategies]]
    name = "sma"
    file = "strategies/sma_cross.py"
    params = { fast = 10, slow = 30 }
    symbols = ["BTCUSDT"]         # optional: default every symbol
    allocation = "50000"          # optional: default an equal share of the cash

Unknown keys are refused with the closest valid key.
"""

from __future__ import annotations

import difflib
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import msgspec

from ironkeel.model.errors import InvalidInputError, IronkeelError

__all__ = [
    "DataSpec",
    "InstrumentSpec",
    "RunSpec",
    "SpecError",
    "StrategySpec",
    "absolute_spec",
    "load_run_file",
    "load_spec_json",
    "write_spec_json",
]

#: The resolved run spec a backtest writes into its output folder (``ironkeel stress`` and
#: other tools read a finished run's portfolio back from it).
SPEC_FILE = "spec.json"

#: Settlement precision of common currencies; others need ``currency_precision``.
CURRENCY_PRECISION: dict[str, int] = {
    "USD": 2, "EUR": 2, "GBP": 2, "CHF": 2, "JPY": 0, "AUD": 2, "CAD": 2,
    "USDT": 8, "USDC": 8, "BTC": 8, "ETH": 8, "BUSD": 8,
}  # fmt: skip


class SpecError(IronkeelError, ValueError):
    """A run file or run flags are invalid; the message names the key and the fix."""


class _Spec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


class InstrumentSpec(_Spec, frozen=True, kw_only=True, forbid_unknown_fields=True):
    symbol: str
    price_increment: Decimal
    size_increment: Decimal
    asset_class: str = "crypto"
    multiplier: Decimal = Decimal(1)
    min_quantity: Decimal | None = None
    max_quantity: Decimal | None = None
    min_notional: Decimal | None = None
    maker_fee: Decimal = Decimal(0)
    taker_fee: Decimal = Decimal(0)


class DataSpec(_Spec, frozen=True, kw_only=True, forbid_unknown_fields=True):
    path: str
    symbol: str
    kind: Literal["bars", "quotes", "trades"] = "bars"
    timestamp_is: Literal["open", "close"] = "open"
    columns: dict[str, str] | None = None
    policy: Literal["reject", "drop", "repair"] = "reject"


class StrategySpec(_Spec, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str
    file: str
    class_name: str | None = msgspec.field(default=None, name="class")
    params: dict[str, Any] = msgspec.field(default_factory=dict)
    symbols: list[str] | None = None
    allocation: Decimal | None = None


class RunSpec(_Spec, frozen=True, kw_only=True, forbid_unknown_fields=True):
    data: list[DataSpec]
    strategies: list[StrategySpec]
    instruments: list[InstrumentSpec] = msgspec.field(default_factory=list)
    cash: Decimal = Decimal(100_000)
    currency: str = "USD"
    currency_precision: int | None = None
    venue: str = "SIM"
    seed: int = 0
    fill_on: Literal["next-open", "close"] = "next-open"
    fees: str = "maker_taker"
    slippage: str = "none"
    max_participation: Decimal | None = None
    #: A risk configuration (TOML, see docs/risk-config.md), or "default" for the default
    #: breakers with no pre-trade limits; absent: no risk engine.
    risk: str | None = None
    #: Run each strategy in its own hardened process (docs/sandbox.md), with this
    #: per-callback deadline; the outputs equal an in-process run's.
    isolated: bool = False
    deadline_ms: float = 50.0
    out: str | None = None
    base_dir: str = "."  # where relative paths point (the run file's folder)

    def resolve(self, path: str) -> Path:
        candidate = Path(path)
        return candidate if candidate.is_absolute() else Path(self.base_dir) / candidate

    def __post_init__(self) -> None:
        if self.cash <= 0:
            raise InvalidInputError("cash", self.cash, "must be positive", "give starting cash")
        if not self.data:
            raise InvalidInputError("data", [], "is empty", "add at least one [[data]] entry")
        if not self.strategies:
            raise InvalidInputError(
                "strategies", [], "is empty", "add at least one [[strategies]] entry"
            )
        names = [s.name for s in self.strategies]
        duplicate = sorted({n for n in names if names.count(n) > 1})
        if duplicate:
            raise InvalidInputError(
                "strategies.name", duplicate, "is used twice", "give each strategy its own name"
            )


_UNKNOWN = re.compile(r"unknown field `(?P<key>[^`]+)`(?: - at `(?P<at>[^`]+)`)?")


def _fields_at(at: str | None) -> list[str]:
    """The valid keys of the table a msgspec error path points at."""
    if not at:
        return list(RunSpec.__struct_encode_fields__)
    for section, cls in (
        ("$.data", DataSpec),
        ("$.strategies", StrategySpec),
        ("$.instruments", InstrumentSpec),
    ):
        if at.startswith(section):
            return list(cls.__struct_encode_fields__)
    return list(RunSpec.__struct_encode_fields__)


def decode_spec(data: dict[str, Any], source: str) -> RunSpec:
    """A RunSpec from parsed TOML/flags; errors name the key, the place and the fix."""
    try:
        return msgspec.convert(data, RunSpec, strict=False)
    except msgspec.ValidationError as error:
        if isinstance(error.__cause__, InvalidInputError):  # raised in a __post_init__
            raise SpecError(f"{source}: {error.__cause__}") from None
        message = str(error)
        match = _UNKNOWN.search(message)
        if match:
            key = match["key"]
            close = difflib.get_close_matches(key, _fields_at(match["at"]), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "remove it"
            place = match["at"] or "$"
            raise SpecError(f"{source}: unknown key {key!r} at {place}. Fix: {hint}") from None
        raise SpecError(f"{source}: {message}. Fix: correct that value") from None
    except InvalidInputError as error:
        raise SpecError(f"{source}: {error}") from None


def load_run_file(path: Path | str) -> RunSpec:
    """Read and validate a TOML run file; relative paths in it are relative to its folder."""
    file = Path(path)
    if not file.is_file():
        raise SpecError(f"{file}: no such run file. Fix: check the path")
    try:
        data = msgspec.toml.decode(file.read_bytes())
    except msgspec.DecodeError as error:
        raise SpecError(f"{file}: not valid TOML: {error}. Fix: correct the syntax") from None
    if not isinstance(data, dict):
        raise SpecError(f"{file}: expected TOML tables. Fix: see docs/run-files.md")
    data.setdefault("base_dir", str(file.parent))
    return decode_spec(data, str(file))


def absolute_spec(spec: RunSpec) -> RunSpec:
    """``spec`` with every file path made absolute and no output folder: the same run,
    readable from anywhere."""

    def absolute(path: str) -> str:
        return str(spec.resolve(path).resolve())

    return msgspec.structs.replace(
        spec,
        data=[msgspec.structs.replace(d, path=absolute(d.path)) for d in spec.data],
        strategies=[msgspec.structs.replace(s, file=absolute(s.file)) for s in spec.strategies],
        risk=spec.risk if spec.risk in (None, "default") else absolute(spec.risk),
        out=None,
        base_dir=str(Path(spec.base_dir).resolve()),
    )


def write_spec_json(spec: RunSpec, folder: Path) -> Path:
    """Write the resolved spec (paths absolute) to ``folder/spec.json``; byte-stable."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SPEC_FILE
    body = msgspec.json.format(msgspec.json.encode(absolute_spec(spec)), indent=2)
    path.write_bytes(body + b"\n")
    return path


def load_spec_json(folder: Path | str) -> RunSpec:
    """The run spec a finished backtest recorded in ``folder`` (see ``write_spec_json``)."""
    path = Path(folder) / SPEC_FILE
    if not path.is_file():
        raise SpecError(
            f"{path}: missing; {folder} is not a run folder with its spec. Fix: rerun the "
            "backtest with this version (it writes spec.json), or pass the run file (.toml)"
        )
    try:
        data = msgspec.json.decode(path.read_bytes())
    except msgspec.DecodeError as error:
        raise SpecError(f"{path}: not valid JSON: {error}. Fix: rerun the backtest") from None
    if not isinstance(data, dict):
        raise SpecError(f"{path}: expected a JSON object. Fix: rerun the backtest")
    return decode_spec(data, str(path))
