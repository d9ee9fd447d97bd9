"""Series shared by the analytics tests: a seeded random walk of one-minute equity."""

from __future__ import annotations

import numpy as np
import pytest

MINUTE = 60 * 1_000_000_000
START = 1_640_995_200 * 1_000_000_000  # 2022-01-01T00:00Z


@pytest.fixture
def walk() -> tuple[np.ndarray, np.ndarray]:
    """(ts_ns, equity): 5,000 one-minute points of a seeded geometric random walk."""
    rng = np.random.default_rng(42)
    r = rng.normal(0.00002, 0.001, 4_999)
    equity = 100_000.0 * np.concatenate(([1.0], np.cumprod(1.0 + r)))
    ts = START + MINUTE * np.arange(equity.size, dtype=np.int64)
    return ts, equity
