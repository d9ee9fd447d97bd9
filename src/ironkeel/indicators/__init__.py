"""Technical indicators, incremental: O(1) per update, floats (analytics, never money).

Every indicator follows one contract (``Indicator``):

- a constructor with validated parameters (InvalidInputError for a period < 1, ...);
- ``update(...)`` with plain floats: ``x`` for the one-series indicators (a close, a
  spread, another indicator's value), ``high, low, close`` (ATR, Stochastic),
  ``high, low, close, volume`` (VWAP, RollingVWAP) or ``close, volume`` (OBV);
- ``value`` (the main output; multi-output ones also have named ones: MACD ``macd``,
  ``signal``, ``histogram``; Bollinger ``middle``, ``upper``, ``lower``; Stochastic ``k``,
  ``d``), every output ``math.nan`` until ``ready``;
- ``ready``, True after ``warmup`` accepted updates; ``count``, the accepted updates;
- ``reset()``, back to the state right after construction.

Outputs are plain attributes (no property call on the hot path), read-only by convention.
NaN policy: ``update`` rejects NaN and ±inf with InvalidInputError naming the indicator
and the argument (a missing bar must be dropped or filled by the caller: a NaN would
otherwise poison a running sum for good); the rejected update changes nothing. Bars with
``low > high`` and negative volumes are rejected the same way.
"""

from ironkeel.indicators._base import Indicator
from ironkeel.indicators.moving import EMA, SMA, WMA
from ironkeel.indicators.oscillators import MACD, RSI, Stochastic
from ironkeel.indicators.volatility import ATR, Bollinger, RollingStd, ZScore
from ironkeel.indicators.volume import OBV, VWAP, RollingVWAP

__all__ = [
    "ATR",
    "EMA",
    "MACD",
    "OBV",
    "RSI",
    "SMA",
    "VWAP",
    "WMA",
    "Bollinger",
    "Indicator",
    "RollingStd",
    "RollingVWAP",
    "Stochastic",
    "ZScore",
]
