"""Backtesting: the core assembled with a test clock, replayed data and simulated venues;
the runner behind ``ironkeel backtest`` and ``ironkeel.backtest(...)``."""

import sys
import types
from typing import Any

from ironkeel.backtest.api import backtest
from ironkeel.backtest.engine import BacktestEngine
from ironkeel.backtest.result import BacktestResult
from ironkeel.backtest.runner import run_backtest
from ironkeel.backtest.spec import RunSpec, SpecError, load_run_file

__all__ = [
    "BacktestEngine",
    "BacktestResult",
    "RunSpec",
    "SpecError",
    "backtest",
    "load_run_file",
    "run_backtest",
]


class _CallablePackage(types.ModuleType):
    """Once this package is imported, Python binds ``ironkeel.backtest`` to it (not to the
    function the root package exports lazily), so calling the package runs ``backtest``."""

    def __call__(self, *args: Any, **kwargs: Any) -> BacktestResult:
        return backtest(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
