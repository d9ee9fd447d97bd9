"""Risk latency: the per-order pre-trade check with ten controls active, the drawdown
breaker's evaluation, and the rolling high-water mark with a 252-session window.

Latency rows carry ``p50_us`` and ``p99_us`` (perf_counter_ns around each call; the
timer's own cost, ~0.1 µs, is included). Targets from the issue: pre-trade p99 <= 10 µs,
breaker evaluation p99 <= 5 µs, rolling HWM < 100 µs.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import pandas as pd

from benchmarks._report import emit
from ironkeel.model import (
    AssetClass,
    Currency,
    Instrument,
    InstrumentId,
    OrderInitialized,
    OrderSide,
    OrderType,
    StrategyId,
    Venue,
    new_client_order_id,
)
from ironkeel.risk.breaker import DrawdownBreaker
from ironkeel.risk.config import build_controls, load_risk_config
from ironkeel.risk.hwm import NANOS_PER_DAY, RollingHighWaterMark
from ironkeel.risk.ticket import Ticket
from ironkeel.risk.view import StaticView

N = 100_000
U = 10**12
SECOND = 1_000_000_000
USD = Currency("USD", 2)
AAPL = Instrument(
    id=InstrumentId("AAPL", Venue("XNAS")),
    asset_class=AssetClass.EQUITY,
    quote_currency=USD,
    price_increment="0.01",
    size_increment="1",
)
ALPHA = StrategyId("alpha")
CONFIG = """
[global]
calendar = "XNYS"
calendar_start = 2020-01-01
calendar_end = 2030-12-31
max_order_notional = 100000
price_collar_bps = 500
reference_max_age_s = 5
duplicate_count = 3
duplicate_window_s = 1
[strategies.alpha]
max_gross_exposure = 10000000
max_leverage = 4
submit_rate = 1000000000
[instruments."AAPL.XNAS"]
max_order_qty = 1000
max_position = 100000
max_strategy_position = 50000
"""


def _quantiles(samples: list[int]) -> dict[str, float]:
    samples.sort()
    at = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))]  # noqa: E731
    return {"p50_us": round(at(0.5) / 1000, 3), "p99_us": round(at(0.99) / 1000, 3),
            "max_us": round(samples[-1] / 1000, 3)}  # fmt: skip


def _timed(calls: list[Callable[[], object]]) -> list[int]:
    clock = time.perf_counter_ns
    samples = []
    for call in calls:
        start = clock()
        call()
        samples.append(clock() - start)
    return samples


def pre_trade() -> None:
    now = pd.Timestamp("2024-11-27 15:00", tz="UTC").value
    controls = build_controls(load_risk_config(CONFIG), [AAPL])
    kinds = [type(c).__name__ for c in controls.controls(ALPHA, AAPL.id)]
    view = StaticView([AAPL], now_ns=now)
    view.set_reference(AAPL.id, 23_000, now - 1_000_000)
    view.set_position(ALPHA, AAPL.id, 1_200)
    view.set_equity(ALPHA, 5_000_000 * U)
    view.set_exposure(ALPHA, gross=276_000 * U, net=276_000 * U)
    rng = random.Random(1)

    def make(price: int, ts: int) -> OrderInitialized:
        return OrderInitialized(
            strategy_id=ALPHA, instrument_id=AAPL.id, client_order_id=new_client_order_id(rng),
            side=OrderSide.BUY, order_type=OrderType.LIMIT, quantity=100, price=price,
            ts_event=ts, ts_init=ts,
        )  # fmt: skip

    for n in range(32):  # 8 recent orders inside the duplicate window, 24 older
        view.add_working(make(22_900 - n, now - (500_000_000 if n >= 24 else 2 * SECOND) + n))
    orders = [make(23_000 + rng.randint(-50, 50), now) for _ in range(N)]
    check = controls.check
    for order in orders[:5_000]:
        if check(Ticket(order), view) is not None:
            raise SystemExit("the benchmark order must pass every control")
    # As the engine does per order: the order's Ticket, then the controls (decision 0021).
    samples = _timed([lambda o=o: check(Ticket(o), view) for o in orders])
    emit("risk_pre_trade_check_10_controls", orders=N, controls=len(kinds),
         **_quantiles(samples), target_p99_us=10)  # fmt: skip


def breaker() -> None:
    rng = random.Random(7)
    capital = 1_000_000 * U
    equities = [capital + rng.randint(-20_000, 20_000) * U for _ in range(N)]
    step = NANOS_PER_DAY * 300 // N
    breakers = {
        "risk_breaker_evaluate": DrawdownBreaker("s", level="strategy", capital_raw=capital),
        "risk_breaker_evaluate_rolling_hwm_252": DrawdownBreaker(
            "s", level="strategy", capital_raw=capital, hwm=RollingHighWaterMark(252)
        ),
    }
    for name, subject in breakers.items():
        evaluate = subject.evaluate
        samples = _timed(
            [lambda e=e, t=i * step, f=evaluate: f(e, t) for i, e in enumerate(equities)]
        )
        emit(name, evaluations=N, **_quantiles(samples), target_p99_us=5)
    hwm = RollingHighWaterMark(252)
    equity = 10**18
    calls = []
    for i in range(N):
        equity += rng.randint(-(10**15), 10**15)
        calls.append(lambda e=equity, t=i * (NANOS_PER_DAY // 50): hwm.update(e, t))
    emit("risk_rolling_hwm_252_update", updates=N, **_quantiles(_timed(calls)),
         target_p99_us=100)  # fmt: skip


def main() -> None:
    pre_trade()
    breaker()


if __name__ == "__main__":
    main()
