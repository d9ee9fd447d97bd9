"""Fixtures for the node tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests._bars import synthetic_bars, write_bars_csv
from tests.sandbox.conftest import BTC


@pytest.fixture
def bars_csv(tmp_path: Path) -> Path:
    return write_bars_csv(tmp_path / "btcusd_1m.csv", BTC, synthetic_bars(BTC, 400, seed=5))
