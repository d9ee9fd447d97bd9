"""The strategy API: one base class, typed parameters, read-only views, a narrow context."""

from ironkeel.strategy.base import Strategy
from ironkeel.strategy.context import OrderRequest, StrategyContext
from ironkeel.strategy.host import SlotStatus, StrategyHost
from ironkeel.strategy.loader import StrategyLoadError, load_strategy_class
from ironkeel.strategy.params import Param, ParamSpec
from ironkeel.strategy.views import (
    Fill,
    MarketBar,
    MarketQuote,
    MarketTrade,
    OrderInfo,
    OrderUpdate,
)

__all__ = [
    "Fill",
    "MarketBar",
    "MarketQuote",
    "MarketTrade",
    "OrderInfo",
    "OrderRequest",
    "OrderUpdate",
    "Param",
    "ParamSpec",
    "SlotStatus",
    "Strategy",
    "StrategyContext",
    "StrategyHost",
    "StrategyLoadError",
    "load_strategy_class",
]
