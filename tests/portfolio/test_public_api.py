"""The public API of ironkeel.portfolio is exactly this (a change here is a decision)."""

from __future__ import annotations

import ironkeel.portfolio


def test_public_names_are_pinned() -> None:
    assert ironkeel.portfolio.__all__ == ["Account", "Portfolio", "Position", "StrategyLedger"]
    for name in ironkeel.portfolio.__all__:
        assert getattr(ironkeel.portfolio, name).__module__.startswith("ironkeel.portfolio.")
