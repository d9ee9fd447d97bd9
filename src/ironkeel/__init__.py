"""ironkeel: run many custom trading strategies safely, on one exact, deterministic code path.

The two names most users need::

    from ironkeel import Strategy, backtest
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ironkeel import _native

# Before any other ironkeel import: the compiled build, or the sources when it is
# missing, stale or switched off (IRONKEEL_NATIVE=0); docs/decisions/0015.
_native.activate()

from ironkeel.strategy import Param, Strategy  # noqa: E402

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
