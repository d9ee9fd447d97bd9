"""The OMS: every order enters fully or is denied; venue events apply exactly once."""

from __future__ import annotations

import pytest

from ironkeel.core import MessageBus, TestClock
from ironkeel.execution import DenialCode, OrderFactory, OrderManager
from ironkeel.model import (
    AccountId,
    AssetClass,
    CancelAllOrders,
    CancelOrder,
    Currency,
    Event,
    FillDuplicateIgnored,
    Instrument,
    InstrumentId,
    InvalidInputError,
    LiquiditySide,
    ModifyOrder,
    Order,
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderDenied,
    OrderEvent,
    OrderFilled,
    OrderModifyRejected,
    OrderSide,
    OrderStatus,
    OrderSubmitted,
    OrderTransitionRefused,
    OverfillRefused,
    StrategyId,
    SubmitOrder,
    TradeId,
    Venue,
    VenueOrderId,
)
from ironkeel.venues.port import VenueEventSink

USD = Currency("USD", 2)
SIM = Venue("SIM")
BTC = InstrumentId("BTCUSD", SIM)
STRAT = StrategyId("s1")
ACCOUNT = AccountId("SIM-001")


class RecordingVenue:
    """A minimal venue double: records requests; the test scripts its answers."""

    venue = SIM
    account_id = ACCOUNT

    def __init__(self) -> None:
        self.sink: VenueEventSink | None = None
        self.submitted: list[Order] = []
        self.modified: list[ModifyOrder] = []
        self.canceled: list[CancelOrder] = []

    def connect(self, sink: VenueEventSink) -> None:
        self.sink = sink

    def submit(self, order: Order) -> None:
        self.submitted.append(order)

    def modify(self, command: ModifyOrder) -> None:
        self.modified.append(command)

    def cancel(self, command: CancelOrder) -> None:
        self.canceled.append(command)


class Harness:
    def __init__(self) -> None:
        self.clock = TestClock(1_000)
        self.bus = MessageBus()
        self.instrument = Instrument(
            id=BTC,
            asset_class=AssetClass.CRYPTO,
            quote_currency=USD,
            price_increment="0.5",
            size_increment="0.001",
            min_quantity="0.002",
            max_quantity="10",
        )
        self.venue = RecordingVenue()
        self.oms = OrderManager(self.clock, self.bus, [self.instrument], [self.venue])
        self.events: list[Event] = []
        self.bus.subscribe(Event, self.events.append)
        self.factory = OrderFactory(STRAT, self.clock, seed=7)

    def submit(self, quantity: int = 5, instrument_id: InstrumentId = BTC) -> Order | None:
        init = self.factory.market(instrument_id, OrderSide.BUY, quantity)
        self.bus.send(SubmitOrder(order=init, ts_init=self.clock.timestamp_ns()))
        return self.oms.order(init.client_order_id)

    def venue_event(self, cls: type[OrderEvent], order: Order, **fields: object) -> None:
        assert self.venue.sink is not None
        self.venue.sink.on_venue_event(
            cls(
                strategy_id=order.strategy_id,
                instrument_id=order.instrument_id,
                client_order_id=order.client_order_id,
                ts_event=self.clock.timestamp_ns(),
                ts_init=self.clock.timestamp_ns(),
                **fields,
            )
        )

    def accept(self, order: Order) -> None:
        self.venue_event(
            OrderAccepted, order, venue_order_id=VenueOrderId("V-1"), account_id=ACCOUNT
        )

    def fill(self, order: Order, qty: int, trade_id: str = "T-1") -> None:
        self.venue_event(
            OrderFilled,
            order,
            venue=SIM,
            venue_order_id=VenueOrderId("V-1"),
            account_id=ACCOUNT,
            trade_id=TradeId(trade_id),
            side=order.side,
            last_qty=qty,
            last_px=200,
            liquidity_side=LiquiditySide.TAKER,
            commission_raw=0,
            commission_currency=USD,
        )

    def of(self, kind: type[Event]) -> list[Event]:
        return [e for e in self.events if type(e) is kind]


@pytest.fixture
def h() -> Harness:
    return Harness()


def test_when_order_is_valid_then_it_is_submitted_before_the_venue_sees_it(h: Harness) -> None:
    seen_at_venue: list[int] = []
    h.bus.subscribe(OrderSubmitted, lambda e: seen_at_venue.append(len(h.venue.submitted)))
    order = h.submit()
    assert order is not None
    assert order.status is OrderStatus.SUBMITTED
    assert h.venue.submitted == [order]
    assert seen_at_venue == [0]  # published (journaled) before the venue call


@pytest.mark.parametrize(
    ("quantity", "instrument_id", "code"),
    [
        (1, BTC, DenialCode.QUANTITY_BELOW_MIN),
        (10_001, BTC, DenialCode.QUANTITY_ABOVE_MAX),
        (0, BTC, DenialCode.INVALID_ORDER),
        (5, InstrumentId("ETHUSD", SIM), DenialCode.UNKNOWN_INSTRUMENT),
        (5, InstrumentId("BTCUSD", Venue("OTHER")), DenialCode.UNKNOWN_INSTRUMENT),
    ],
    ids=["below-min", "above-max", "zero", "unknown-instrument", "unknown-venue"],
)
def test_when_order_is_invalid_then_it_is_denied_and_never_reaches_the_venue(
    h: Harness, quantity: int, instrument_id: InstrumentId, code: str
) -> None:
    h.submit(quantity, instrument_id)
    denied = h.of(OrderDenied)
    assert len(denied) == 1
    assert denied[0].reason_code == code  # type: ignore[attr-defined]
    assert h.venue.submitted == []
    assert h.oms.open_orders() == []
    assert h.oms.denials == 1


def test_when_limits_deny_a_well_formed_order_then_it_is_kept_as_denied(h: Harness) -> None:
    order = h.submit(quantity=1)
    assert order is not None
    assert order.status is OrderStatus.DENIED
    assert [t.to_state for t in order.history] == [OrderStatus.INITIALIZED, OrderStatus.DENIED]


def test_when_client_order_id_is_reused_then_the_second_is_denied(h: Harness) -> None:
    init = h.factory.market(BTC, OrderSide.BUY, 5)
    h.bus.send(SubmitOrder(order=init, ts_init=1_000))
    h.bus.send(SubmitOrder(order=init, ts_init=1_000))
    assert len(h.venue.submitted) == 1
    assert h.of(OrderDenied)[0].reason_code == DenialCode.DUPLICATE_CLIENT_ORDER_ID  # type: ignore[attr-defined]
    order = h.oms.order(init.client_order_id)
    assert order is not None
    assert order.status is OrderStatus.SUBMITTED


def test_when_a_fill_arrives_twice_then_it_is_applied_once_and_counted(h: Harness) -> None:
    order = h.submit(quantity=5)
    assert order is not None
    h.accept(order)
    h.fill(order, 2, "T-9")
    h.fill(order, 2, "T-9")
    assert order.filled_qty == 2
    assert order.status is OrderStatus.PARTIALLY_FILLED
    assert h.oms.duplicate_fills == 1
    assert len(h.of(OrderFilled)) == 1
    ignored = h.of(FillDuplicateIgnored)
    assert len(ignored) == 1
    assert ignored[0].duplicates_seen == 1


def test_when_a_fill_would_overfill_then_it_is_refused_with_an_alert(h: Harness) -> None:
    order = h.submit(quantity=5)
    assert order is not None
    h.accept(order)
    h.fill(order, 4, "T-1")
    h.fill(order, 2, "T-2")
    assert order.filled_qty == 4
    assert h.oms.overfills == 1
    alert = h.of(OverfillRefused)
    assert len(alert) == 1
    assert alert[0].last_qty == 2
    h.fill(order, 1, "T-2")  # the refused trade id was not burnt: the venue may resend it
    assert order.status is OrderStatus.FILLED
    assert h.oms.open_orders() == []


def test_when_an_event_is_illegal_then_it_is_refused_and_published(h: Harness) -> None:
    order = h.submit()
    assert order is not None
    h.venue_event(OrderCanceled, order)
    h.accept(order)  # CANCELED is terminal: acceptance afterwards is illegal
    assert order.status is OrderStatus.CANCELED
    refused = h.of(OrderTransitionRefused)
    assert len(refused) == 1
    assert refused[0].state == "CANCELED"
    assert refused[0].trigger == "OrderAccepted"
    assert h.oms.refused_transitions == 1


def test_when_venue_reports_an_unknown_order_then_it_is_refused(h: Harness) -> None:
    stranger = Order(h.factory.market(BTC, OrderSide.SELL, 5))
    h.accept(stranger)
    assert h.of(OrderTransitionRefused)[0].state == "UNKNOWN"  # type: ignore[attr-defined]


def test_when_cancelled_then_pending_cancel_until_the_venue_confirms(h: Harness) -> None:
    order = h.submit()
    assert order is not None
    h.accept(order)
    h.bus.send(
        CancelOrder(
            strategy_id=STRAT,
            instrument_id=BTC,
            client_order_id=order.client_order_id,
            ts_init=1_000,
        )
    )
    assert order.status is OrderStatus.PENDING_CANCEL
    assert len(h.venue.canceled) == 1
    h.venue_event(OrderCanceled, order)
    assert order.status is OrderStatus.CANCELED
    assert h.oms.open_orders() == []


def test_when_modify_or_cancel_targets_a_closed_order_then_it_is_rejected(h: Harness) -> None:
    order = h.submit()
    assert order is not None
    h.venue_event(OrderCanceled, order)
    ref = {"strategy_id": STRAT, "instrument_id": BTC, "client_order_id": order.client_order_id}
    h.bus.send(ModifyOrder(**ref, quantity=7, ts_init=1_000))
    h.bus.send(CancelOrder(**ref, ts_init=1_000))
    assert "CANCELED" in h.of(OrderModifyRejected)[0].reason  # type: ignore[attr-defined]
    assert "CANCELED" in h.of(OrderCancelRejected)[0].reason  # type: ignore[attr-defined]
    assert h.venue.modified == []
    assert h.venue.canceled == []


def test_when_cancel_all_then_every_open_order_of_the_strategy_is_cancelled(h: Harness) -> None:
    orders = [h.submit() for _ in range(3)]
    h.bus.send(CancelAllOrders(strategy_id=STRAT, ts_init=1_000))
    assert [c.client_order_id for c in h.venue.canceled] == [
        o.client_order_id for o in orders if o is not None
    ]
    assert all(o is not None and o.status is OrderStatus.PENDING_CANCEL for o in orders)


def test_when_the_same_seed_is_used_then_order_ids_repeat() -> None:
    first, second = Harness(), Harness()
    assert first.factory.market(BTC, OrderSide.BUY, 5).client_order_id == (
        second.factory.market(BTC, OrderSide.BUY, 5).client_order_id
    )


def test_market_is_create_with_its_defaults() -> None:
    first, second = Harness(), Harness()
    assert first.factory.market(BTC, OrderSide.SELL, 5) == second.factory.create(
        BTC, OrderSide.SELL, 5
    )


def test_when_a_fill_is_malformed_then_its_trade_id_is_not_burnt(h: Harness) -> None:
    order = h.submit(quantity=5)
    assert order is not None
    h.accept(order)
    with pytest.raises(InvalidInputError):
        h.fill(order, 0, "T-3")  # raised out of the OMS, nothing applied
    h.fill(order, 5, "T-3")  # the venue resends it corrected: applied once
    assert order.status is OrderStatus.FILLED
    assert h.oms.duplicate_fills == 0
    assert len(h.of(OrderFilled)) == 1
