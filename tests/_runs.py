"""A small finished run folder for the report tests: two strategies on synthetic
one-minute bars (three days), a risk engine (so risk_events.csv has rows), and
optionally a stress.json as ``ironkeel stress`` writes it."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

from ironkeel.backtest import run_backtest
from ironkeel.backtest.spec import load_run_file
from tests._bars import EXAMPLES, instrument, synthetic_bars, write_bars_csv

BTC = instrument("BTCUSD", tick="0.5", lot="0.001")
N_BARS = 4_320
STRESS = {
    "threshold": 0.25,
    "scenarios": [
        {"name": "covid_2020", "title": "COVID crash 2020", "total_drawdown": 0.31,
         "breached": True, "strategies": {"fast": {"drawdown": 0.12, "return": -0.08}}},
        {"name": "flash_2010", "total_drawdown": 0.05},  # optional keys left out
    ],
    "recommendations": [{"strategy": "fast", "action": "pause", "reason": "deepest loss"}],
}  # fmt: skip


def make_run(folder: Path, *, stress: bool = False, slippage: str = "fixed_bps:1") -> Path:
    """Run the backtest into ``folder/out`` and return that run folder."""
    write_bars_csv(folder / "btcusd_1m.csv", BTC, synthetic_bars(BTC, N_BARS, seed=5))
    run = folder / "run.toml"
    run.write_text(
        dedent(
            f"""
            seed = 3
            cash = "100000"
            slippage = "{slippage}"
            risk = "default"
            out = "out"

            [[instruments]]
            symbol = "BTCUSD"
            price_increment = "0.5"
            size_increment = "0.001"

            [[data]]
            path = "btcusd_1m.csv"
            symbol = "BTCUSD"

            [[strategies]]
            name = "fast"
            file = "{EXAMPLES / "sma_cross.py"}"
            params = {{ fast = 5, slow = 20, size = "0.5" }}

            [[strategies]]
            name = "slow"
            file = "{EXAMPLES / "sma_cross.py"}"
            params = {{ fast = 30, slow = 120, size = "0.5" }}
            """
        ),
        encoding="utf-8",
    )
    run_backtest(load_run_file(run))
    out = folder / "out"
    if stress:
        (out / "stress.json").write_text(json.dumps(STRESS), encoding="utf-8")
    return out
