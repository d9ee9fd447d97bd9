"""Fixtures for the sandbox tests: a bar file and run specs with isolated strategies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ironkeel.backtest import RunSpec
from ironkeel.backtest.spec import decode_spec
from tests._bars import EXAMPLES, instrument, synthetic_bars, write_bars_csv

BTC = instrument("BTCUSD", tick="0.5", lot="0.001")
HOSTILE = Path(__file__).parent / "hostile"
SMA_CROSS = str(EXAMPLES / "sma_cross.py")
HEALTHY = {
    "name": "healthy",
    "file": SMA_CROSS,
    "params": {"fast": 5, "slow": 20, "size": "0.5"},
    "allocation": "50000",
}


@pytest.fixture(scope="module")
def bars_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bars")
    return write_bars_csv(folder / "btcusd_1m.csv", BTC, synthetic_bars(BTC, 400, seed=5))


def spec(data: Path, strategies: list[dict[str, Any]], **extra: Any) -> RunSpec:
    return decode_spec(
        {
            "data": [{"path": str(data), "symbol": "BTCUSD"}],
            "instruments": [
                {"symbol": "BTCUSD", "price_increment": "0.5", "size_increment": "0.001"}
            ],
            "strategies": strategies,
            "cash": "100000",
            "fees": "bps:4",
            # Generous: two test workers and their strategy processes share two cores.
            "deadline_ms": 5000,
            **extra,
        },
        "test",
    )
