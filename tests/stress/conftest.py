"""Fixtures for the stress tests: a small run on synthetic bars (a buy-and-hold strategy and
an SMA cross, no risk engine) and short crash scenarios."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from tests._bars import EXAMPLES, instrument, synthetic_bars, write_bars_csv

BTC = instrument("BTCUSD", tick="0.5", lot="0.001")

HOLDER = """
    from decimal import Decimal

    from ironkeel import Param, Strategy


    class Holder(Strategy):
        size: Decimal = Param(Decimal(1), ge=0)

        def on_start(self):
            self.bought = False

        def on_bar(self, bar):
            if not self.bought:
                self.buy(self.size)
                self.bought = True
"""

CRASH = """
    name = "{name}"
    title = "A test crash"

    [[sources]]
    id = "made_up"
    text = "Invented for the tests"

    [paths.crypto]
    reference = "a crypto coin"
    sources = ["made_up"]
    points = [["0m", "0"], ["30m", "{low}"], ["60m", "{end}"]]
"""


def write_scenario(folder: Path, name: str, low: str = "-0.5", end: str = "-0.4") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(dedent(CRASH.format(name=name, low=low, end=end)), encoding="utf-8")
    return path


@pytest.fixture
def crash(tmp_path: Path) -> Path:
    return write_scenario(tmp_path, "test_crash")


@pytest.fixture
def run_file(tmp_path: Path) -> Path:
    """A run of 200 one-minute BTCUSD bars: 'hold' buys 1 BTC (~30,000) with 40,000; 'sma'
    trades 0.1 with 40,000; 20,000 stay unallocated."""
    folder = tmp_path / "run"
    folder.mkdir()
    write_bars_csv(folder / "btcusd_1m.csv", BTC, synthetic_bars(BTC, 200, seed=5))
    (folder / "holder.py").write_text(dedent(HOLDER).lstrip(), encoding="utf-8")
    (folder / "run.toml").write_text(
        dedent(f"""
            seed = 3
            cash = "100000"
            currency = "USD"
            fees = "bps:4"

            [[instruments]]
            symbol = "BTCUSD"
            price_increment = "0.5"
            size_increment = "0.001"

            [[data]]
            path = "btcusd_1m.csv"
            symbol = "BTCUSD"

            [[strategies]]
            name = "hold"
            file = "holder.py"
            allocation = "40000"

            [[strategies]]
            name = "sma"
            file = "{EXAMPLES / "sma_cross.py"}"
            params = {{ fast = 5, slow = 20, size = "0.1" }}
            allocation = "40000"
        """).lstrip(),
        encoding="utf-8",
    )
    return folder / "run.toml"
