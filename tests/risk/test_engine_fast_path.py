"""The breakers' fast path (``DrawdownBreaker.observe`` returning at once inside the band
where nothing can change, ``_refresh_fast``) changes nothing in a whole run: a backtest
with it gives the same breaker transitions, snapshots, orders, denials and equity as the
same run with every breaker's band switched off, where every evaluation takes the full
path. ``tests/risk/test_breaker_fast_path.py`` compares one breaker step by step; this
compares them as the risk engine drives them, on every bar and every fill."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ironkeel.backtest import BacktestEngine
from ironkeel.data import gbm_bars
from ironkeel.model import Money, Venue
from ironkeel.risk.config import load_risk_config
from ironkeel.strategy import load_strategy_class
from tests._bars import USD, instrument

BTC = instrument("BTCUSD", tick="0.5", lot="0.001")
SMA_CROSS = Path(__file__).resolve().parents[2] / "examples" / "strategies" / "sma_cross.py"

# Tight limits on a volatile path: the strategy breaker warns and recovers many times,
# then trips, and its daily loss rolls over UTC days (4,000 one-minute bars span three).
RISK = """
[breakers]
warn_at = "0.8"
strategy_max_drawdown = "0.03"
strategy_daily_loss = "0.02"
portfolio_max_drawdown = "0.5"
platform_max_drawdown = "0.5"
"""


def _run(*, fast: bool, seed: int) -> dict[str, Any]:
    engine = BacktestEngine(seed=1)
    engine.add_instrument(BTC)
    engine.add_venue(Venue("SIM"), [Money("1000000", USD)])
    engine.add_data(gbm_bars(BTC, 4_000, seed=seed, start_price="30000", annual_vol=1.5), "b")
    strategy = load_strategy_class(SMA_CROSS)({"fast": 5, "slow": 20, "size": "1"})
    engine.add_strategy("sma", strategy, allocation=Money("100000", USD))
    engine.record_equity(USD)
    engine.add_risk(load_risk_config(RISK), USD)
    risk = engine.risk
    assert risk is not None
    for breaker in risk.breakers.values():
        breaker._fast = fast  # off: the band stays empty, every evaluation goes the full way
    engine.run()
    return {
        "events": [(e.ts_ns, e.scope, e.from_state, e.to_state, e.reason) for e in risk.events],
        "breakers": {name: b.snapshot() for name, b in risk.breakers.items()},
        "orders": [(str(o.client_order_id), o.status, o.filled_qty) for o in engine.oms.orders()],
        "equity": engine.portfolio.equity(USD).raw,
        "denials": risk.denials,
        "banded": any(b._fast_hi > 0 for b in risk.breakers.values()),
    }


@pytest.mark.parametrize("seed", [3, 13])
def test_a_run_with_the_fast_path_equals_the_run_without_it(seed: int) -> None:
    fast, full = _run(fast=True, seed=seed), _run(fast=False, seed=seed)

    states = {to for _, _, _, to, _ in full["events"]}
    assert {"WARNING", "MONITORING", "TRIGGERED"} <= states  # the run crosses every level
    assert fast.pop("banded") and not full.pop("banded")  # the band was open, and shut
    assert fast == full
