"""``ironkeel.backtest(...)``: the Python mirror of ``ironkeel backtest`` for notebooks."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from ironkeel.backtest.models import parse_fees, parse_slippage
from ironkeel.backtest.result import BacktestResult
from ironkeel.backtest.runner import (
    Plan,
    Progress,
    StrategyPlan,
    currency_of,
    execute,
    plan_from_spec,
    symbol_of,
)
from ironkeel.backtest.spec import decode_spec
from ironkeel.model.errors import InvalidInputError
from ironkeel.model.instruments import Instrument
from ironkeel.strategy.base import Strategy

__all__ = ["backtest"]


def backtest(
    strategy: str | Path | type[Strategy] | Strategy,
    data: str | Path | Sequence[str | Path] | Sequence[Any],
    *,
    symbol: str | None = None,
    instrument: Instrument | None = None,
    cash: Decimal | int | str = 100_000,
    currency: str = "USD",
    params: dict[str, Any] | None = None,
    fees: str = "maker_taker",
    slippage: str = "none",
    fill_on: str = "next-open",
    seed: int = 0,
    out: str | Path | None = None,
    progress: Progress | None = None,
) -> BacktestResult:
    """Backtest one strategy and return the result (DataFrames via ``result.trades()`` ...).

    ``strategy`` is a script path, a Strategy subclass or an instance; ``data`` is one
    or more file paths, or a list of model ``Bar`` objects together with ``instrument``.
    The figures equal those of the CLI with the same inputs.
    """
    if isinstance(strategy, (str, Path)) and _is_files(data):
        files = [data] if isinstance(data, (str, Path)) else list(data)
        spec = decode_spec(
            {
                "data": [{"path": str(f), "symbol": symbol or symbol_of(f)} for f in files],
                "strategies": [
                    {"name": Path(strategy).stem, "file": str(strategy), "params": params or {}}
                ],
                "cash": str(cash),
                "currency": currency,
                "fees": fees,
                "slippage": slippage,
                "fill_on": fill_on,
                "seed": seed,
            },
            "backtest()",
        )
        if instrument is not None:
            raise InvalidInputError(
                "instrument", str(instrument.id), "is only for in-memory data", "drop it"
            )
        return _finish(execute(plan_from_spec(spec), progress=progress), out)
    return _finish(
        _in_memory(
            strategy,
            data,
            instrument=instrument,
            cash=cash,
            currency=currency,
            params=params,
            fees=fees,
            slippage=slippage,
            fill_on=fill_on,
            seed=seed,
            progress=progress,
        ),
        out,
    )


def _is_files(data: object) -> bool:
    if isinstance(data, (str, Path)):
        return True
    return isinstance(data, Sequence) and all(isinstance(d, (str, Path)) for d in data)


def _in_memory(
    strategy: str | Path | type[Strategy] | Strategy,
    data: Any,
    *,
    instrument: Instrument | None,
    cash: Decimal | int | str,
    currency: str,
    params: dict[str, Any] | None,
    fees: str,
    slippage: str,
    fill_on: str,
    seed: int,
    progress: Progress | None,
) -> BacktestResult:
    if instrument is None:
        raise InvalidInputError(
            "instrument", None, "is needed with in-memory data", "pass instrument=Instrument(...)"
        )
    items = list(data)
    if not items:
        raise InvalidInputError("data", [], "is empty", "pass at least one bar")
    if isinstance(strategy, Strategy):
        instance = strategy
    elif isinstance(strategy, type) and issubclass(strategy, Strategy):
        instance = strategy(params)
    else:
        from ironkeel.strategy.loader import load_strategy_class  # noqa: PLC0415

        instance = load_strategy_class(strategy)(params)
    name = type(instance).__name__
    plan = Plan(
        instruments=[instrument],
        streams=[("data", items)],
        strategies=[StrategyPlan(name, instance, (instrument.id,), None, name)],
        currency=currency_of(currency),
        cash=Decimal(str(cash)),
        venue=instrument.id.venue,
        seed=seed,
        fill_on_close=fill_on == "close",
        fees=parse_fees(fees),
        slippage=parse_slippage(slippage),
    )
    return execute(plan, progress=progress)


def _finish(result: BacktestResult, out: str | Path | None) -> BacktestResult:
    if out is not None:
        result.write(out)
    return result
