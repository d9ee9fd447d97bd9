"""Backtesting: the core assembled with a test clock, replayed data and simulated venues."""

from ironkeel.backtest.engine import BacktestEngine

__all__ = ["BacktestEngine"]
