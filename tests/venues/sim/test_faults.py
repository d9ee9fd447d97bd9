"""Fault injection: rejected orders, duplicated / reordered / delayed fills, outages."""

from __future__ import annotations

import pytest

from ironkeel.model import InvalidInputError, OrderFilled, OrderRejected, TimeInForce
from ironkeel.venues.sim import FaultPlan, Outage

from ._factories import (
    BUY,
    T0,
    cancel_cmd,
    exchange,
    limit,
    modify_cmd,
    order,
    quote,
    run_steps,
    snapshot,
)

SEC = 1_000_000_000
BOOK = snapshot(bids=[(99, 3)], asks=[(101, 3), (102, 4), (103, 5)])


def trade_ids(events: list[object]) -> list[str]:
    return [str(e.trade_id) for e in events if isinstance(e, OrderFilled)]


def test_reject_next_n_orders() -> None:
    ex, rec, clock = exchange(faults=FaultPlan(reject_next=2))

    run_steps(ex, rec, clock, [quote(99, 101), order(BUY, 1), order(BUY, 1), order(BUY, 1)])

    assert rec.kinds() == ["OrderRejected", "OrderRejected", "OrderAccepted", "OrderFilled"]
    assert {e.reason for e in rec.of(OrderRejected)} == {"fault injection: order rejected"}


def test_reject_next_n_orders_from_a_time() -> None:
    ex, rec, clock = exchange(faults=FaultPlan(reject_next=1, reject_from_ns=T0 + 2 * SEC))

    run_steps(ex, rec, clock, [quote(99, 101), order(BUY, 1), order(BUY, 1), order(BUY, 1)])

    assert rec.kinds() == [
        "OrderAccepted",
        "OrderFilled",
        "OrderRejected",
        "OrderAccepted",
        "OrderFilled",
    ]


def test_duplicate_fill_is_delivered_twice_with_the_same_trade_id() -> None:
    ex, rec, clock = exchange(faults=FaultPlan(duplicate_fill_every=1))
    o = order(BUY, 2)

    run_steps(ex, rec, clock, [quote(99, 101), o])

    assert trade_ids(rec.events) == ["T-1", "T-1"]
    assert rec.fills[0] is rec.fills[1]
    assert rec.orders[o.client_order_id].filled_qty == 2  # the recorder, like the OMS, dedups


@pytest.mark.parametrize(
    ("every", "expected"),
    [
        pytest.param(1, ["T-2", "T-1", "T-3"], id="every-fill"),
        pytest.param(2, ["T-1", "T-3", "T-2"], id="every-second-fill"),
    ],
)
def test_reorder_swaps_consecutive_fills(every: int, expected: list[str]) -> None:
    ex, rec, clock = exchange(faults=FaultPlan(reorder_fill_every=every))

    run_steps(ex, rec, clock, [BOOK, order(BUY, 10)])
    clock.advance_to(T0 + 10 * SEC)  # a fill held for a swap is released when the clock moves

    assert trade_ids(rec.events) == expected
    assert rec.refused == []


def test_held_fill_is_released_before_any_other_message() -> None:
    ex, rec, clock = exchange(faults=FaultPlan(reorder_fill_every=1))

    run_steps(ex, rec, clock, [BOOK, limit(BUY, 10, 101, tif=TimeInForce.IOC)])

    assert rec.kinds() == ["OrderAccepted", "OrderFilled", "OrderCanceled"]


def test_delayed_fill_arrives_later_with_delivery_time_as_ts_init() -> None:
    delay = 500_000
    ex, rec, clock = exchange(faults=FaultPlan(delay_fills_ns=delay))

    run_steps(ex, rec, clock, [quote(99, 101), order(BUY, 1)])
    assert rec.kinds() == ["OrderAccepted"]
    clock.advance_to(T0 + 2 * SEC)

    (fill,) = rec.fills
    assert fill.ts_event == T0 + SEC
    assert fill.ts_init == T0 + SEC + delay


def test_outage_reject_mode_rejects_every_request() -> None:
    outage = Outage(start_ns=T0 + 2 * SEC, end_ns=T0 + 3 * SEC, mode="reject")
    ex, rec, clock = exchange(faults=FaultPlan(outages=(outage,)))
    resting = limit(BUY, 1, 90)
    run_steps(ex, rec, clock, [quote(99, 101), resting])

    clock.advance_to(T0 + 2 * SEC)
    ex.submit(order(BUY, 1))
    ex.modify(modify_cmd(resting, price=91))
    ex.cancel(cancel_cmd(resting))
    clock.advance_to(T0 + 3 * SEC)
    ex.cancel(cancel_cmd(resting))

    assert rec.kinds() == [
        "OrderAccepted",
        "OrderRejected",
        "OrderModifyRejected",
        "OrderCancelRejected",
        "OrderCanceled",
    ]
    assert {e.reason for e in rec.events[1:4]} == {"venue outage"}


def test_outage_drop_mode_answers_nothing_and_matches_nothing() -> None:
    outage = Outage(start_ns=T0 + 2 * SEC, end_ns=T0 + 4 * SEC, mode="drop")
    ex, rec, clock = exchange(faults=FaultPlan(outages=(outage,)))
    resting = limit(BUY, 1, 100)
    run_steps(ex, rec, clock, [quote(99, 101), resting])

    clock.advance_to(T0 + 2 * SEC)
    ex.submit(order(BUY, 1))
    ex.cancel(cancel_cmd(resting))
    ex.on_quote(quote(98, 99))  # would fill the resting buy, but the venue is down
    assert rec.kinds() == ["OrderAccepted"]

    clock.advance_to(T0 + 4 * SEC)
    ex.on_quote(quote(98, 99))
    assert rec.kinds() == ["OrderAccepted", "OrderFilled"]


@pytest.mark.parametrize(
    ("build", "field"),
    [
        pytest.param(
            lambda: FaultPlan(reject_next=-1), "FaultPlan.reject_next", id="negative-count"
        ),
        pytest.param(
            lambda: FaultPlan(delay_fills_ns=1.5), "FaultPlan.delay_fills_ns", id="float-delay"
        ),
        pytest.param(lambda: Outage(start_ns=5, end_ns=5), "Outage.end_ns", id="empty-window"),
        pytest.param(
            lambda: Outage(start_ns=1, end_ns=5, mode="explode"), "Outage.mode", id="bad-mode"
        ),
        pytest.param(
            lambda: FaultPlan(outages=(Outage(start_ns=1, end_ns=5), Outage(start_ns=4, end_ns=8))),
            "FaultPlan.outages",
            id="overlapping-windows",
        ),
        pytest.param(
            lambda: FaultPlan.from_dict({"reject_nxt": 1}), "FaultPlan.reject_nxt", id="unknown-key"
        ),
    ],
)
def test_fault_plan_validation(build: object, field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        build()  # type: ignore[operator]

    assert info.value.field == field


def test_unknown_key_names_the_closest_one() -> None:
    with pytest.raises(InvalidInputError, match="did you mean 'reject_next'"):
        FaultPlan.from_dict({"reject_nxt": 1})


def test_fault_plan_from_dict_decodes_outages() -> None:
    plan = FaultPlan.from_dict({"outages": [{"start_ns": 1, "end_ns": 2, "mode": "drop"}]})

    assert plan.outage_at(1) == Outage(start_ns=1, end_ns=2, mode="drop")
    assert plan.outage_at(2) is None
