"""Fixtures for the runner tests: a synthetic bar file, strategy scripts, run specs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from ironkeel.backtest import BacktestEngine, RunSpec
from ironkeel.backtest import runner as runner_module
from ironkeel.backtest.spec import decode_spec
from ironkeel.model import Bar
from tests._bars import EXAMPLES, instrument, synthetic_bars, write_bars_csv

BTC = instrument("BTCUSD", tick="0.5", lot="0.001")
ETH = instrument("ETHUSD", tick="0.01", lot="0.01")
N_BARS = 300
DECLARED = [
    {"symbol": "BTCUSD", "price_increment": "0.5", "size_increment": "0.001"},
    {"symbol": "ETHUSD", "price_increment": "0.01", "size_increment": "0.01"},
]
SMA_CROSS = str(EXAMPLES / "sma_cross.py")

# Buys 1 every ``every`` bars, and sells 1.5 on every third such bar: FIFO partial
# closes, and a position still open at the end.
STEPPER = """
    from ironkeel import Param, Strategy


    class Stepper(Strategy):
        every: int = Param(20, ge=1)

        def on_start(self):
            self.n = 0

        def on_bar(self, bar):
            self.n += 1
            if self.n % self.every:
                return
            if self.n % (3 * self.every) == 0:
                self.sell("1.5")
            else:
                self.buy("1")
"""
IDLE = """
    from ironkeel import Strategy


    class Idle(Strategy):
        pass
"""
FAILING = """
    from ironkeel import Strategy


    class Failing(Strategy):
        def on_start(self):
            self.n = 0

        def on_bar(self, bar):
            self.n += 1
            if self.n == 5:
                self.buy("1")
            if self.n == 40:
                raise RuntimeError("deliberate")
"""
FAILING_LINE = 1 + next(  # the raise, as the script is written (dedented, stripped)
    k for k, line in enumerate(dedent(FAILING).lstrip().splitlines()) if "raise" in line
)


@pytest.fixture
def btc_bars() -> list[Bar]:
    return synthetic_bars(BTC, N_BARS, seed=21)


@pytest.fixture
def btc_csv(tmp_path: Path, btc_bars: list[Bar]) -> Path:
    return write_bars_csv(tmp_path / "btcusd_1m.csv", BTC, btc_bars)


@pytest.fixture
def eth_csv(tmp_path: Path) -> Path:
    return write_bars_csv(
        tmp_path / "ethusd_1m.csv", ETH, synthetic_bars(ETH, N_BARS, seed=22, start="2000")
    )


@pytest.fixture
def script(tmp_path: Path) -> Callable[[str, str], str]:
    """Write a strategy script into the test folder; returns its path as text."""

    def write(name: str, body: str) -> str:
        path = tmp_path / f"{name}.py"
        path.write_text(dedent(body).lstrip(), encoding="utf-8")
        return str(path)

    return write


def make_spec(data: list[Path], strategies: list[dict[str, Any]], **extra: Any) -> RunSpec:
    entries = [{"path": str(p), "symbol": p.name.split("_")[0].upper()} for p in data]
    return decode_spec(
        {
            "data": entries,
            "instruments": DECLARED,
            "strategies": strategies,
            "fees": "bps:4",
            **extra,
        },
        "test",
    )


@pytest.fixture
def engines(monkeypatch: pytest.MonkeyPatch) -> list[BacktestEngine]:
    """Every BacktestEngine the runner creates, to check its outputs against the portfolio."""
    made: list[BacktestEngine] = []

    class Capturing(BacktestEngine):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            made.append(self)

    monkeypatch.setattr(runner_module, "BacktestEngine", Capturing)
    return made
