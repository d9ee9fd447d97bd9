"""The exchange as an adapter: intake checks, TIF expiry, modify/cancel, ids, timing."""

from __future__ import annotations

import pytest

from ironkeel.core.clock import TestClock
from ironkeel.model import (
    InstrumentId,
    InvalidInputError,
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderExpired,
    OrderModifyRejected,
    OrderRejected,
    OrderStatus,
    OrderUpdated,
    StateError,
    TimeInForce,
    Venue,
)
from ironkeel.venues.port import VenueAdapter
from ironkeel.venues.sim import LatencyModel, SimConfig, SimulatedExchange

from ._factories import (
    ABC,
    ACCOUNT,
    BUY,
    MAKER,
    SELL,
    SIM,
    T0,
    TAKER,
    cancel_cmd,
    exchange,
    instrument,
    limit,
    modify_cmd,
    order,
    quote,
    run_steps,
    stop,
    stop_limit,
    submit,
)

HOUR = 3_600_000_000_000
DAY = 24 * HOUR


def reasons(rec: object) -> list[str]:
    return [e.reason for e in rec.of(OrderRejected)]  # type: ignore[attr-defined]


def test_the_exchange_is_a_venue_adapter() -> None:
    ex, _, _ = exchange()

    adapter: VenueAdapter = ex
    assert adapter.venue == SIM
    assert adapter.account_id == ACCOUNT


@pytest.mark.parametrize(
    ("spec", "o", "needle"),
    [
        pytest.param(
            {},
            order(BUY, 5, instrument_id=InstrumentId("XYZ", SIM)),
            "not listed",
            id="unknown-instrument",
        ),
        pytest.param(
            {"min_quantity": 10}, order(BUY, 5), "below the minimum", id="below-min-quantity"
        ),
        pytest.param(
            {"max_quantity": 10}, order(BUY, 50), "above the maximum", id="above-max-quantity"
        ),
        pytest.param(
            {"min_notional": 1000}, limit(BUY, 5, 100), "notional", id="below-min-notional"
        ),
        pytest.param(
            {}, order(SELL, 5, reduce_only=True), "reduce-only", id="reduce-only-when-flat"
        ),
    ],
)
def test_when_order_breaks_a_venue_rule_then_rejected_with_reason(
    spec: dict[str, object], o: object, needle: str
) -> None:
    ex, rec, clock = exchange(instruments=[instrument(**spec)])

    run_steps(ex, rec, clock, [quote(99, 101), o])

    assert rec.kinds() == ["OrderRejected"]
    assert needle in reasons(rec)[0]
    assert rec.orders[o.client_order_id].status is OrderStatus.REJECTED  # type: ignore[attr-defined]


def test_when_order_submitted_then_oms_order_is_not_mutated_by_the_venue() -> None:
    ex, rec, clock = exchange()
    o = order(BUY, 5)
    ex_orders = dict(rec.orders)

    clock.advance_to(T0)
    ex.on_quote(quote(99, 101))
    ex.submit(o)  # not tracked: the recorder does not apply events to it

    assert ex_orders == {}
    assert o.status is OrderStatus.SUBMITTED
    assert o.filled_qty == 0
    assert rec.kinds() == ["OrderAccepted", "OrderFilled"]


def test_when_same_client_order_id_submitted_twice_then_second_rejected() -> None:
    ex, rec, clock = exchange()
    o = limit(BUY, 5, 90)

    run_steps(ex, rec, clock, [quote(99, 101), o])
    ex.submit(o)

    assert rec.kinds() == ["OrderAccepted", "OrderRejected"]
    assert "duplicate" in reasons(rec)[0]
    assert len(ex.open_orders()) == 1


def test_ids_are_deterministic_per_exchange() -> None:
    ex, rec, clock = exchange()

    run_steps(ex, rec, clock, [quote(99, 101), order(BUY, 1), order(BUY, 1)])

    assert [str(e.venue_order_id) for e in rec.of(OrderAccepted)] == ["V-1", "V-2"]
    assert [str(f.trade_id) for f in rec.fills] == ["T-1", "T-2"]


def test_events_are_stamped_with_venue_time() -> None:
    ex, rec, clock = exchange(latency=LatencyModel(submit_ns=250))
    clock.advance_to(T0)
    ex.on_quote(quote(99, 101))
    submit(ex, rec, order(BUY, 1))

    assert rec.events == []  # nothing before the latency has passed
    clock.advance_to(T0 + 1_000)

    assert {(e.ts_event, e.ts_init) for e in rec.events} == {(T0 + 250, T0 + 250)}


def test_when_latency_is_zero_then_events_arrive_inside_submit() -> None:
    ex, rec, clock = exchange()
    clock.advance_to(T0)
    ex.on_quote(quote(99, 101))

    submit(ex, rec, order(BUY, 1))

    assert rec.kinds() == ["OrderAccepted", "OrderFilled"]


def test_reduce_only_fill_is_capped_at_position_and_rest_canceled() -> None:
    ex, rec, clock = exchange()
    closing = order(SELL, 8, reduce_only=True)

    fills = run_steps(ex, rec, clock, [quote(99, 101), order(BUY, 5), closing])

    assert fills == [(101, 5, TAKER), (99, 5, TAKER)]
    assert rec.kinds()[-2:] == ["OrderFilled", "OrderCanceled"]
    assert ex.position(ABC) == 0
    assert rec.orders[closing.client_order_id].status is OrderStatus.CANCELED


def test_when_position_closed_by_another_order_then_reduce_only_is_canceled() -> None:
    ex, rec, clock = exchange()
    closing = limit(SELL, 5, 105, reduce_only=True)

    run_steps(
        ex, rec, clock, [quote(99, 101), order(BUY, 5), closing, order(SELL, 5), quote(105, 106)]
    )

    assert ex.position(ABC) == 0
    assert rec.orders[closing.client_order_id].status is OrderStatus.CANCELED


def test_day_order_expires_at_end_of_utc_day() -> None:
    ex, rec, clock = exchange()
    o = limit(BUY, 5, 90, tif=TimeInForce.DAY)

    run_steps(ex, rec, clock, [quote(99, 101), o])
    clock.advance_to(T0 + DAY - 1)
    assert rec.of(OrderExpired) == []
    clock.advance_to(T0 + DAY)

    expired = rec.of(OrderExpired)
    assert [e.ts_event for e in expired] == [T0 + DAY]
    assert rec.orders[o.client_order_id].status is OrderStatus.EXPIRED
    assert ex.open_orders() == ()


def test_day_order_expires_at_configured_session_end() -> None:
    ex, rec, clock = exchange(config=SimConfig(session_end_ns=21 * HOUR))
    o = limit(BUY, 5, 90, tif=TimeInForce.DAY)

    run_steps(ex, rec, clock, [quote(99, 101), o])
    clock.advance_to(T0 + DAY)

    assert [e.ts_event for e in rec.of(OrderExpired)] == [T0 + 21 * HOUR]


def test_gtd_order_expires_at_its_expire_time() -> None:
    ex, rec, clock = exchange()
    o = limit(BUY, 5, 90, tif=TimeInForce.GTD, expire=T0 + 5 * HOUR)

    run_steps(ex, rec, clock, [quote(99, 101), o])
    clock.advance_to(T0 + DAY)

    assert [e.ts_event for e in rec.of(OrderExpired)] == [T0 + 5 * HOUR]


def test_filled_day_order_does_not_expire() -> None:
    ex, rec, clock = exchange()

    run_steps(ex, rec, clock, [quote(99, 101), limit(BUY, 5, 101, tif=TimeInForce.DAY)])
    clock.advance_to(T0 + 2 * DAY)

    assert rec.of(OrderExpired) == []


def test_modify_price_to_marketable_fills_at_touch() -> None:
    ex, rec, clock = exchange()
    o = limit(BUY, 5, 95)
    run_steps(ex, rec, clock, [quote(99, 101), o])

    ex.modify(modify_cmd(o, price=101))

    updated = rec.of(OrderUpdated)
    assert [(u.quantity, u.price) for u in updated] == [(5, 101)]
    assert [(f.last_px, f.liquidity_side) for f in rec.fills] == [(101, TAKER)]


def test_modify_quantity_keeps_filled_part() -> None:
    ex, rec, clock = exchange()
    o = limit(BUY, 10, 100)
    run_steps(ex, rec, clock, [quote(99, 101), o, quote(99, 100, ask_size=4)])

    ex.modify(modify_cmd(o, quantity=6))
    ex.on_quote(quote(99, 100, ask_size=10))

    tracked = rec.orders[o.client_order_id]
    assert tracked.quantity == 6
    assert tracked.status is OrderStatus.FILLED
    assert [(f.last_px, f.last_qty, f.liquidity_side) for f in rec.fills] == [
        (100, 4, MAKER),
        (100, 2, MAKER),
    ]


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        pytest.param({"quantity": 3}, "already filled", id="quantity-at-or-below-filled"),
        pytest.param({"trigger_price": 90}, "no trigger price", id="trigger-on-limit"),
        pytest.param({"price": 102}, "post-only", id="post-only-would-take"),
    ],
)
def test_when_modify_is_invalid_then_modify_rejected(fields: dict[str, int], needle: str) -> None:
    ex, rec, clock = exchange()
    o = limit(BUY, 10, 100, post_only=True)
    run_steps(ex, rec, clock, [quote(99, 101), o, quote(99, 100, ask_size=3)])

    ex.modify(modify_cmd(o, **fields))

    rejected = rec.of(OrderModifyRejected)
    assert len(rejected) == 1
    assert needle in rejected[0].reason


def test_cancel_then_cancel_again_is_rejected_as_closed() -> None:
    ex, rec, clock = exchange()
    o = limit(BUY, 5, 90)
    run_steps(ex, rec, clock, [quote(99, 101), o])

    ex.cancel(cancel_cmd(o))
    ex.cancel(cancel_cmd(o))
    ex.modify(modify_cmd(o, price=91))

    assert rec.kinds() == [
        "OrderAccepted",
        "OrderCanceled",
        "OrderCancelRejected",
        "OrderModifyRejected",
    ]
    assert "already canceled" in rec.of(OrderCancelRejected)[0].reason
    assert rec.orders[o.client_order_id].status is OrderStatus.CANCELED


def test_cancel_or_modify_of_unknown_order_is_rejected() -> None:
    ex, rec, _ = exchange()
    stranger = limit(BUY, 5, 90)

    ex.cancel(cancel_cmd(stranger))
    ex.modify(modify_cmd(stranger, price=91))

    assert "unknown order" in rec.of(OrderCancelRejected)[0].reason
    assert "unknown order" in rec.of(OrderModifyRejected)[0].reason


def test_cancel_latency_lets_a_fill_happen_first() -> None:
    ex, rec, clock = exchange(latency=LatencyModel(cancel_ns=2_000_000_000))
    o = limit(BUY, 5, 100)
    run_steps(ex, rec, clock, [quote(99, 101), o])

    ex.cancel(cancel_cmd(o))
    clock.advance_to(T0 + 2_000_000_000)
    ex.on_quote(quote(99, 100))
    clock.advance_to(T0 + 4_000_000_000)

    assert rec.kinds() == ["OrderAccepted", "OrderFilled", "OrderCancelRejected"]
    assert rec.of(OrderCanceled) == []
    assert rec.refused == [("FILLED", "OrderCancelRejected")]  # the OMS turns this into an alert


def test_when_not_connected_then_emitting_is_a_state_error() -> None:
    ex = SimulatedExchange(SIM, ACCOUNT, TestClock(T0), [instrument()])
    ex.on_quote(quote(99, 101))

    with pytest.raises(StateError, match="connect"):
        ex.submit(order(BUY, 1))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param({"instruments": []}, "instruments", id="no-instruments"),
        pytest.param(
            {"instruments": [instrument(id=InstrumentId("ABC", Venue("OTHER")))]},
            "instruments",
            id="other-venue",
        ),
        pytest.param(
            {"instruments": [instrument(), instrument()]}, "instruments", id="listed-twice"
        ),
        pytest.param({"config": {"fill_on_close": True}}, "config", id="config-not-a-simconfig"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs: dict[str, object], field: str) -> None:
    spec: dict[str, object] = {"instruments": [instrument()]}
    spec.update(kwargs)
    instruments = spec.pop("instruments")

    with pytest.raises(InvalidInputError) as info:
        SimulatedExchange(SIM, ACCOUNT, TestClock(T0), instruments, **spec)  # type: ignore[arg-type]

    assert field in info.value.field


def test_data_for_unlisted_instrument_is_an_error() -> None:
    ex, _, _ = exchange()

    with pytest.raises(InvalidInputError, match="not listed"):
        ex.on_quote(quote(99, 101).__class__(InstrumentId("XYZ", SIM), 99, 101, 1, 1, T0, T0))


def test_gtd_order_arriving_after_its_expire_time_is_rejected() -> None:
    ex, rec, clock = exchange(latency=LatencyModel(submit_ns=200))
    clock.advance_to(T0)
    submit(ex, rec, limit(BUY, 5, 90, tif=TimeInForce.GTD, expire=T0 + 100))

    clock.advance_to(T0 + 300)

    assert rec.kinds() == ["OrderRejected"]
    assert "GTD" in reasons(rec)[0]


def test_modify_stop_trigger_then_refused_once_triggered() -> None:
    ex, rec, clock = exchange()
    o = stop_limit(BUY, 5, 105, 110)
    run_steps(ex, rec, clock, [quote(99, 101), o])

    ex.modify(modify_cmd(o, trigger_price=103))
    ex.on_quote(quote(102, 103, ask_size=2))
    ex.modify(modify_cmd(o, trigger_price=104))

    assert [(u.trigger_price, u.price) for u in rec.of(OrderUpdated)] == [(103, 110)]
    assert "already triggered" in rec.of(OrderModifyRejected)[0].reason
    assert [(f.last_px, f.last_qty) for f in rec.fills] == [(103, 2)]


def test_stop_with_ioc_gets_one_chance_after_trigger() -> None:
    ex, rec, clock = exchange()
    o = stop(BUY, 5, 103, tif=TimeInForce.IOC)

    fills = run_steps(
        ex, rec, clock, [quote(99, 101), o, quote(100, 102), quote(102, 103, ask_size=2)]
    )

    assert fills == [(103, 2, TAKER)]
    assert rec.kinds()[-3:] == ["OrderTriggered", "OrderFilled", "OrderCanceled"]
    assert rec.refused == []
