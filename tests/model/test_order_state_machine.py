"""Property test: random event sequences against one order, checked against a model.

Rules send every kind of order event, fills of random size (overfills, zero and
negative sizes, the wrong side included), repeated trade ids and modifies. The
harness dedupes fills by trade id as the OMS does before it calls ``Order.apply``
(the order itself does not). A small reference model, written from the
documented rules rather than from ``Order``'s code, predicts each outcome;
invariants hold after every step:

- filled <= quantity, and leaves = quantity - filled while open (0 once closed);
- a terminal state absorbs: nothing moves the order once it is closed, except a late
  fill of a CANCELED or EXPIRED order (the venue executed it before the cancel took
  effect), which is booked and leaves the order closed, or FILLED if it completes it;
- a refused event (illegal, overfill, malformed) changes nothing;
- a duplicate fill changes nothing, while applying it raw *would* count it twice.

CI runs 2,000 sequences of up to 30 events (``make unit``).
"""

from __future__ import annotations

import copy
import random
from typing import Any

from hypothesis import event as note
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from ironkeel.model import events as events_module
from ironkeel.model.enums import LiquiditySide, OrderSide, OrderStatus, OrderType
from ironkeel.model.errors import IllegalTransitionError, InvalidInputError, OverfillError
from ironkeel.model.events import (
    FillDuplicateIgnored,
    OrderAccepted,
    OrderCancelRejected,
    OrderDenied,
    OrderEvent,
    OrderFilled,
    OrderInitialized,
    OrderModifyRejected,
    OrderPendingCancel,
    OrderPendingUpdate,
    OrderRejected,
    OrderSubmitted,
    OrderTransitionRefused,
    OrderTriggered,
    OrderUpdated,
    OverfillRefused,
)
from ironkeel.model.identifiers import (
    AccountId,
    InstrumentId,
    StrategyId,
    TradeId,
    Venue,
    VenueOrderId,
    new_client_order_id,
)
from ironkeel.model.orders import FULL, PARTIAL, PREVIOUS, SAME, TRANSITIONS, Order
from ironkeel.model.values import Currency

S = OrderStatus
PENDING = (S.PENDING_UPDATE, S.PENDING_CANCEL)
VENUE = Venue("SIM")
ACCOUNT = AccountId("SIM-001")
USD = Currency("USD", 2)

#: Fields beyond the common ones, for every order event the rules send as-is.
EXTRA: dict[type[OrderEvent], dict[str, Any]] = {
    OrderDenied: {"reason_code": "MAX_NOTIONAL", "reason": "too big"},
    OrderSubmitted: {"account_id": ACCOUNT},
    OrderAccepted: {"venue_order_id": VenueOrderId("V-1"), "account_id": ACCOUNT},
    OrderRejected: {"reason": "no margin"},
    OrderModifyRejected: {"reason": "too late"},
    OrderCancelRejected: {"reason": "too late"},
    OrderTransitionRefused: {"state": "FILLED", "trigger": "OrderCanceled"},
    FillDuplicateIgnored: {"venue": VENUE, "trade_id": TradeId("T-0"), "duplicates_seen": 1},
    OverfillRefused: {"trade_id": TradeId("T-0"), "quantity": 1, "filled_qty": 1, "last_qty": 1},
    OrderInitialized: {"side": OrderSide.BUY, "order_type": OrderType.MARKET, "quantity": 1},
}
#: Every order event type except fills and updates, which have their own rules.
PLAIN_KINDS = sorted(
    (
        getattr(events_module, name)
        for name in events_module.__all__
        if issubclass(getattr(events_module, name), OrderEvent)
        and getattr(events_module, name) not in (OrderEvent, OrderFilled, OrderUpdated)
    ),
    key=lambda kind: kind.__name__,
)
#: Events that keep an order alive; drawn 6x as often as the rest, so that sequences
#: get deep into the lifecycle instead of mostly ending in an early deny or cancel.
LIFECYCLE = [
    OrderSubmitted,
    OrderAccepted,
    OrderTriggered,
    OrderPendingUpdate,
    OrderPendingCancel,
    OrderModifyRejected,
    OrderCancelRejected,
]
WEIGHTED_KINDS = LIFECYCLE * 6 + [kind for kind in PLAIN_KINDS if kind not in LIFECYCLE]
#: Ways to start: a fresh order, or one already submitted, or already working.
WARM_UPS = [[], [OrderSubmitted], [OrderSubmitted, OrderAccepted]]


def snapshot(order: Order) -> tuple[object, ...]:
    return (
        order.status,
        order.previous_status,
        order.quantity,
        order.price,
        order.filled_qty,
        order.cost,
        order.commission_raw,
        frozenset(order.trade_ids),
        order.venue_order_id,
        order.account_id,
        order.ts_last,
        len(order.history),
    )


class OrderMachine(RuleBasedStateMachine):
    """One order, a stream of venue and engine events, an OMS-style dedupe in front."""

    def __init__(self) -> None:
        super().__init__()
        self.ts = 0
        self.trades = 0
        self.applied_fills: list[OrderFilled] = []
        self.duplicates_ignored = 0
        self.refused = 0
        self.closed_as: OrderStatus | None = None

    # --- building events ----------------------------------------------------------------

    def _base(self) -> dict[str, Any]:
        self.ts += 1
        return {
            "strategy_id": StrategyId("prop"),
            "instrument_id": InstrumentId("BTCUSDT", VENUE),
            "client_order_id": self.client_order_id,
            "ts_event": self.ts,
            "ts_init": self.ts,
        }

    def _fill(self, last_qty: int, side: OrderSide, trade_id: TradeId) -> OrderFilled:
        return OrderFilled(
            **self._base(),
            venue=VENUE,
            venue_order_id=VenueOrderId("V-1"),
            account_id=ACCOUNT,
            trade_id=trade_id,
            side=side,
            last_qty=last_qty,
            last_px=1_000 + last_qty,
            liquidity_side=LiquiditySide.TAKER,
            commission_raw=3,
            commission_currency=USD,
        )

    # --- the reference model ------------------------------------------------------------

    def _expected(self, event: OrderEvent) -> tuple[set[type[Exception]], OrderStatus | None]:
        """The errors the event may raise (empty: it must apply) and the state it leads to."""
        trigger = type(event).__name__
        if isinstance(event, OrderFilled):
            trigger = FULL if self.m_filled + event.last_qty >= self.m_quantity else PARTIAL
        target = TRANSITIONS.get((self.m_status, trigger))
        if target is None:
            return {IllegalTransitionError}, None
        errors: set[type[Exception]] = set()
        if isinstance(event, OrderFilled):
            if event.last_qty <= 0 or event.side is not self.side:
                errors.add(InvalidInputError)
            if self.m_filled + event.last_qty > self.m_quantity:
                errors.add(OverfillError)
        if isinstance(event, OrderUpdated) and event.quantity <= self.m_filled:
            errors.add(InvalidInputError)
        if target == PREVIOUS:
            target = self.m_previous
        elif target == SAME:
            target = self.m_status
        assert isinstance(target, OrderStatus)
        return errors, target

    def _deliver(self, event: OrderEvent) -> None:
        """What the OMS does with one event: dedupe fills, apply, count what is refused."""
        order = self.order
        if isinstance(event, OrderFilled) and event.trade_id in order.trade_ids:
            before = snapshot(order)
            self.duplicates_ignored += 1
            assert snapshot(order) == before
            note("duplicate fill ignored")
            return
        errors, target = self._expected(event)
        before = snapshot(order)
        raised: type[Exception] | None = None
        try:
            order.apply(event)
        except (IllegalTransitionError, OverfillError, InvalidInputError) as error:
            raised = type(error)
        if raised is not None:
            assert raised in errors, f"{raised.__name__} not in {errors}"
            assert snapshot(order) == before
            self.refused += 1
            note(f"refused: {raised.__name__}")
            return
        assert not errors, f"{event!r} should have raised one of {errors}"
        assert target is not None
        if target in PENDING:
            if self.m_status not in PENDING:
                self.m_previous = self.m_status
            elif isinstance(event, OrderAccepted):
                self.m_previous = S.ACCEPTED
        if isinstance(event, OrderFilled):
            self.m_filled += event.last_qty
            self.m_cost += event.last_px * event.last_qty
            self.applied_fills.append(event)
        if isinstance(event, OrderUpdated):
            self.m_quantity = event.quantity
        self.m_status = target
        self.m_applied += 1
        note(f"reached {target.name}")

    # --- rules --------------------------------------------------------------------------

    @initialize(
        quantity=st.integers(1, 40),
        side=st.sampled_from(OrderSide),
        seed=st.integers(),
        warm_up=st.sampled_from(WARM_UPS),
    )
    def create_order(
        self, quantity: int, side: OrderSide, seed: int, warm_up: list[type[OrderEvent]]
    ) -> None:
        self.client_order_id = new_client_order_id(random.Random(seed))
        self.side = side
        init = OrderInitialized(
            **self._base(), side=side, order_type=OrderType.MARKET, quantity=quantity
        )
        self.order = Order(init)
        self.m_status = S.INITIALIZED
        self.m_previous = S.INITIALIZED
        self.m_quantity = quantity
        self.m_filled = 0
        self.m_cost = 0
        self.m_applied = 0
        for kind in warm_up:
            self.send_event(kind)

    @rule(kind=st.sampled_from(WEIGHTED_KINDS))
    def send_event(self, kind: type[OrderEvent]) -> None:
        self._deliver(kind(**self._base(), **EXTRA.get(kind, {})))

    @rule(data=st.data(), wrong_side=st.integers(0, 19))
    def send_fill(self, data: st.DataObject, wrong_side: int) -> None:
        leaves = self.order.quantity - self.order.filled_qty
        last_qty = data.draw(
            st.one_of(
                st.integers(1, max(1, leaves)),  # a partial or the completing fill
                st.integers(leaves + 1, leaves + 5),  # an overfill
                st.integers(-1, 0),  # malformed
            ),
            label="last_qty",
        )
        side = self.side.opposite if wrong_side == 0 else self.side
        self.trades += 1
        self._deliver(self._fill(last_qty, side, TradeId(f"T-{self.trades}")))

    @precondition(lambda self: self.applied_fills)
    @rule(data=st.data())
    def resend_applied_fill(self, data: st.DataObject) -> None:
        """A venue resends an execution (reconnect, replay): same trade id, maybe other size."""
        old = data.draw(st.sampled_from(self.applied_fills), label="resent")
        last_qty = data.draw(st.sampled_from([old.last_qty, 1, self.m_quantity]), label="qty")
        before = self.duplicates_ignored
        self._deliver(self._fill(last_qty, old.side, old.trade_id))
        assert self.duplicates_ignored == before + 1

    @precondition(lambda self: self.applied_fills)
    @rule()
    def raw_duplicate_would_count_twice(self) -> None:
        """Without the OMS dedupe, ``Order.apply`` would take a repeated fill again."""
        last = self.applied_fills[-1]
        errors, _ = self._expected(last)
        if errors:
            return  # the order would refuse it anyway (closed, or it would overfill)
        raw = copy.deepcopy(self.order)
        raw.apply(last)
        assert raw.filled_qty == self.order.filled_qty + last.last_qty
        assert raw.trade_ids == self.order.trade_ids

    @rule(quantity=st.integers(0, 45), price=st.none() | st.integers(1, 2_000))
    def send_modify(self, quantity: int, price: int | None) -> None:
        self._deliver(OrderUpdated(**self._base(), quantity=quantity, price=price))

    # --- invariants ---------------------------------------------------------------------

    @invariant()
    def filled_never_exceeds_quantity(self) -> None:
        assert 0 <= self.order.filled_qty <= self.order.quantity

    @invariant()
    def leaves_is_quantity_minus_filled(self) -> None:
        order = self.order
        expected = 0 if order.is_closed else order.quantity - order.filled_qty
        assert order.leaves_qty == expected

    @invariant()
    def terminal_states_absorb(self) -> None:
        status = self.order.status
        if self.closed_as is not None:
            late_fill = self.closed_as in (S.CANCELED, S.EXPIRED) and status is S.FILLED
            assert status is self.closed_as or late_fill
            if late_fill:
                self.closed_as = status
        elif status.is_terminal:
            self.closed_as = status

    @invariant()
    def order_matches_the_model(self) -> None:
        order = self.order
        assert order.status is self.m_status
        assert order.filled_qty == self.m_filled
        assert order.quantity == self.m_quantity
        assert order.cost == self.m_cost
        assert order.trade_ids == {fill.trade_id for fill in self.applied_fills}
        assert len(order.history) == 1 + self.m_applied
        assert order.history[-1].to_state is order.status
        if self.m_filled == self.m_quantity and self.m_filled:
            assert order.status is S.FILLED


TestOrderStateMachine = OrderMachine.TestCase
TestOrderStateMachine.settings = settings(max_examples=2000, stateful_step_count=30)
