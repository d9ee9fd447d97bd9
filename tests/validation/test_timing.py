"""The hook recorder: latency quantiles, callbacks over the limit, the fill ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ironkeel.model.enums import LiquiditySide, OrderSide
from ironkeel.model.identifiers import ClientOrderId, InstrumentId, Venue
from ironkeel.model.values import Currency, Money
from ironkeel.strategy import Fill, Strategy
from ironkeel.validation.pipeline import memory_growth_mb
from ironkeel.validation.timing import HookRecorder, _rank

IID = InstrumentId("X", Venue("SIM"))


class Quiet(Strategy):
    pass


def _fill(trade: str, side: OrderSide, qty: str) -> Fill:
    return Fill(
        instrument_id=IID,
        client_order_id=ClientOrderId("00000000-0000-4000-8000-000000000001"),
        side=side,
        quantity=Decimal(qty),
        price=Decimal(100),
        commission=Money(0, Currency("USD", 2)),
        liquidity_side=LiquiditySide.TAKER,
        trade_id=trade,
        ts=0,
    )


def test_nearest_rank_quantiles() -> None:
    values = list(range(1, 101))
    assert (_rank(values, 0.5), _rank(values, 0.99), _rank(values, 1.0)) == (50, 99, 100)
    assert _rank([7], 0.99) == 7


def test_when_hooks_run_then_each_is_timed_and_calls_over_the_limit_are_kept() -> None:
    strategy = Quiet()
    recorder = HookRecorder(limit_ms=1e-9, now=lambda: 42)  # every call is "slow"
    recorder.instrument(strategy)
    for _ in range(5):
        strategy.on_bar(None)  # type: ignore[arg-type]
    strategy.on_stop()
    stats = {s.hook: s for s in recorder.stats()}
    assert stats["on_bar"].calls == 5
    assert stats["on_bar"].p50_ms <= stats["on_bar"].p99_ms <= stats["on_bar"].max_ms
    assert set(stats) == {"on_bar", "on_stop"}
    assert recorder.slow_count == 6
    assert recorder.slow[0].hook == "on_bar"
    assert recorder.slow[0].ts_ns == 42


def test_when_fills_arrive_then_the_ledger_is_signed_and_repeats_are_counted() -> None:
    strategy = Quiet()
    recorder = HookRecorder(limit_ms=50)
    recorder.instrument(strategy)
    strategy.on_fill(_fill("T-1", OrderSide.BUY, "1.5"))
    strategy.on_fill(_fill("T-2", OrderSide.SELL, "0.5"))
    strategy.on_fill(_fill("T-2", OrderSide.SELL, "0.5"))
    assert recorder.ledger == {str(IID): Decimal("1.0")}
    assert recorder.repeated_fills == 1


def test_when_a_hook_raises_then_its_time_is_still_recorded() -> None:
    class Raising(Strategy):
        def on_bar(self, bar: object) -> None:
            raise KeyError("x")

    strategy = Raising()
    recorder = HookRecorder(limit_ms=50)
    recorder.instrument(strategy)
    with pytest.raises(KeyError):
        strategy.on_bar(None)  # type: ignore[arg-type]
    assert recorder.stats()[0].calls == 1


def test_memory_growth_is_the_sustained_rise_after_the_warm_up() -> None:
    mb = 2**20
    flat = [5 * mb] * 10
    assert memory_growth_mb(flat) == 0.0
    rising = [k * mb for k in range(10)]
    assert memory_growth_mb(rising) == 5.5  # lowest of 8, 9 minus median of 2, 3
    spike = [mb] * 9 + [50 * mb]
    assert memory_growth_mb(spike) == 0.0  # one high sample is not sustained growth
    assert memory_growth_mb([1, 2, 3]) == 0.0
