"""Backtesting: the core assembled with a test clock, replayed data and simulated venues;
the runner behind ``ironkeel backtest`` and ``ironkeel.backtest(...)``."""

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
