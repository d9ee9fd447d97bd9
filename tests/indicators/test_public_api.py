"""The public API of ironkeel.indicators is exactly this (a change here is a decision)."""

from __future__ import annotations

import ironkeel.indicators


def test_public_names_are_pinned() -> None:
    assert ironkeel.indicators.__all__ == [
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
    for name in ironkeel.indicators.__all__:
        assert getattr(ironkeel.indicators, name).__module__.startswith("ironkeel.indicators.")
