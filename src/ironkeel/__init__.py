"""ironkeel: run many custom trading strategies safely, on one exact, deterministic code path.

The two names most users need::

    from ironkeel import Strategy, backtest
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ironkeel.strategy import Param, Strategy

if TYPE_CHECKING:
    from ironkeel.backtest import BacktestResult, backtest

__version__ = "0.1.0"

__all__ = ["BacktestResult", "Param", "Strategy", "__version__", "backtest"]


def __getattr__(name: str) -> Any:
    # The backtest runner pulls in pandas; import it only when asked for.
    if name in ("backtest", "BacktestResult"):
        import ironkeel.backtest as runner  # noqa: PLC0415

        return getattr(runner, name)
    raise AttributeError(f"module 'ironkeel' has no attribute {name!r}")
