"""``LimitScaler``: a strategy's factor changes the limits in force in place. The new
limits bite, the throttles keep their buckets, the allocation bounds the exposure, and
every change is named by a digest anyone can compute from the configuration."""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction
from typing import Any

from ironkeel.model import StrategyId
from ironkeel.risk.config import load_risk_config
from ironkeel.risk.hwm import NANOS_PER_DAY
from ironkeel.risk.limits import LimitScaler
from ironkeel.risk.ticket import Ticket
from tests.risk.controls._orders import BTC, BTC_ID, SECOND, buy, view

ALPHA = StrategyId("alpha")
CONFIG = """
[strategy_defaults]
max_gross_exposure = 1000000
submit_rate = 3
submit_per_s = 3600
[strategies.alpha.instruments."BTCUSDT.SIM"]
max_order_qty = "0.010"
"""


def _scaler(text: str = CONFIG, capital: int = 10**20) -> tuple[LimitScaler, list[Any]]:
    changes: list[Any] = []
    scaler = LimitScaler(
        load_risk_config(text),
        {BTC_ID: BTC},
        capital=lambda _: capital,
        on_rebuild=lambda controls, change, ts: changes.append((controls, change, ts)),
        on_event=lambda fields, ts: None,
    )
    scaler.start([ALPHA], 0)
    return scaler, changes


def _volatile_days(scaler: LimitScaler) -> None:
    """21 calm days (+-1%, the reference volatility), then 21 days four times as wild."""
    equity = 10**12
    for day in range(43):
        move = 1 if day <= 21 else 4
        equity += equity * move // 100 * (1 if day % 2 else -1)
        scaler.on_time([equity, equity], day * NANOS_PER_DAY + 1)


def test_when_the_volatility_quadruples_then_the_order_limit_shrinks_in_place() -> None:
    scaler, changes = _scaler()
    controls = scaler.controls
    screen = view()
    assert controls.check(Ticket(buy(10, strategy=ALPHA)), screen) is None  # 10 lots pass
    _volatile_days(scaler)
    scale = scaler.scales[ALPHA]
    assert Fraction(1, 5) < scale < Fraction(3, 10)  # a quarter, up to sampling
    assert scaler.controls is controls  # the same set, its limits replaced
    denial = controls.check(Ticket(buy(10, strategy=ALPHA)), screen)
    assert denial is not None
    assert denial.code == "MAX_ORDER_QTY"
    assert controls.check(Ticket(buy(int(10 * scale), strategy=ALPHA)), screen) is None
    assert changes[-1][1]["scales"] == {"alpha": str(scale)}


def test_when_the_limits_are_replaced_then_the_throttle_keeps_its_tokens() -> None:
    scaler, _ = _scaler()
    screen = view()
    for n in range(3):  # the burst of 3 is used up (no refill: the view's time stands)
        assert scaler.controls.check(Ticket(buy(1, 1_000 + n, strategy=ALPHA)), screen) is None
    _volatile_days(scaler)
    assert scaler.scales[ALPHA] < 1
    denial = scaler.controls.check(Ticket(buy(1, 1_010, strategy=ALPHA)), screen)
    assert denial is not None
    assert denial.code == "SUBMIT_RATE"  # a rescale hands no tokens back
    later = view(now=100 * SECOND + 1_200 * SECOND)  # 20 minutes: one token (3 per hour)
    assert scaler.controls.check(Ticket(buy(1, 1_011, strategy=ALPHA)), later) is None
    assert scaler.controls.check(Ticket(buy(1, 1_012, strategy=ALPHA)), later) is not None


def test_the_digest_names_the_configuration_the_allocation_bound_and_the_factors() -> None:
    text = '[global]\nsubmit_rate = 100\n[strategies.alpha.instruments."BTCUSDT.SIM"]\n'
    text += 'max_order_qty = "0.010"\n'
    config = load_risk_config(text)
    scaler, changes = _scaler(text, capital=5_000 * 10**12)
    first = changes[0][1]
    expected = {"config": config.digest(), "exposure_caps": {"alpha": 5_000 * 10**12},
                "scales": {"alpha": "1"}}  # fmt: skip
    canonical = json.dumps(expected, sort_keys=True, separators=(",", ":"))
    assert first["controls_digest"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert first["config_digest"] == config.digest()
    # The allocation is the gross bound (no max_gross_exposure or max_leverage is set).
    screen = view()
    screen.set_equity(None, 10**20)
    big = scaler.controls.check(Ticket(buy(10, 10**7, strategy=ALPHA)), screen)  # 10,000 USD
    assert big is not None
    assert big.code == "MAX_GROSS_EXPOSURE"
    _volatile_days(scaler)
    last = changes[-1][1]
    assert last["controls_digest"] not in {c[1]["controls_digest"] for c in changes[:-1]}
    assert scaler.controls.digest == last["controls_digest"]


def test_when_nothing_scales_a_strategy_then_the_digest_is_the_configurations() -> None:
    scaler, changes = _scaler()  # max_gross_exposure set: no allocation bound
    assert changes[0][1]["controls_digest"] == load_risk_config(CONFIG).digest()
    assert scaler.scales == {ALPHA: 1}


def test_a_day_that_moves_no_scale_changes_nothing_and_one_that_does_is_recorded() -> None:
    """The limits are scaled again only when a volatility target's scale moved: calm days
    (no full window yet, then a reference being set) record no change; the first wild
    day after them records exactly one, with the factor it moved to."""
    scaler, changes = _scaler()
    equity = 10**12
    for day in range(23):  # a window of 20 returns fills, the reference is taken: scale 1
        equity += equity // 100 * (1 if day % 2 else -1)
        assert scaler.on_time([equity, equity], day * NANOS_PER_DAY + 1) is False
    assert len(changes) == 1  # the start's only
    assert scaler.scales[ALPHA] == 1
    equity += equity * 30 // 100  # a +30% day: the realized volatility rises
    assert scaler.on_time([equity, equity], 23 * NANOS_PER_DAY + 1) is True
    assert len(changes) == 2
    assert changes[-1][1]["scales"] == {"alpha": str(scaler.scales[ALPHA])}
    assert scaler.scales[ALPHA] < 1
