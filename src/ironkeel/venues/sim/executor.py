"""Carrying out what the venue decided, and emitting the events that say so.

Every fill goes through ``Executor.fill``: the reduce-only cap, slippage (taker
fills only, never beyond the limit price), the fee with the per-order minimum,
the venue's net position, the trade id ("T-1", "T-2", ... per exchange) and the
``OrderFilled`` event, stamped with the clock's time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from ironkeel.core.clock import Clock
from ironkeel.model.commands import CancelOrder, ModifyOrder
from ironkeel.model.enums import LiquiditySide, OrderStatus
from ironkeel.model.events import (
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderModifyRejected,
    OrderRejected,
    OrderTriggered,
    OrderUpdated,
)
from ironkeel.model.identifiers import AccountId, TradeId, Venue, VenueOrderId, formatted_id_maker
from ironkeel.venues.sim.fees import FeeModel, order_commission_raw
from ironkeel.venues.sim.market import Market
from ironkeel.venues.sim.records import SimOrder
from ironkeel.venues.sim.slippage import NoSlippage, SlipContext, SlippageModel

__all__ = ["Executor"]

# Members read once: an enum member read through its class costs ~100 ns in CPython 3.11.
_TAKER: Final = LiquiditySide.TAKER
_ACCEPTED: Final = OrderStatus.ACCEPTED
_FILLED: Final = OrderStatus.FILLED
_PARTIALLY_FILLED: Final = OrderStatus.PARTIALLY_FILLED
_CANCELED: Final = OrderStatus.CANCELED
_EXPIRED: Final = OrderStatus.EXPIRED
_TRIGGERED: Final = OrderStatus.TRIGGERED
_REJECTED: Final = OrderStatus.REJECTED


class Executor:
    """Applies fills, triggers, cancels and expiries to venue records and emits the events."""

    __slots__ = (
        "_clock",
        "_emit",
        "_trade_id",
        "_trades",
        "account_id",
        "fees",
        "slippage",
        "venue",
    )

    def __init__(
        self,
        *,
        venue: Venue,
        account_id: AccountId,
        clock: Clock,
        fees: FeeModel,
        slippage: SlippageModel,
        emit: Callable[[OrderEvent], None],
    ) -> None:
        self.venue = venue
        self.account_id = account_id
        self._clock = clock
        self.fees = fees
        self.slippage = slippage
        self._emit = emit
        self._trades = 0
        self._trade_id = formatted_id_maker(TradeId)

    def emit_to(self, emit: Callable[[OrderEvent], None]) -> None:
        """Send the events from now on to ``emit``."""
        self._emit = emit

    def fill(  # noqa: PLR0917 - positional: CPython 3.11 inlines a call without keywords
        self,
        market: Market,
        rec: SimOrder,
        qty: int,
        px: int,
        liquidity: LiquiditySide,
        ctx: SlipContext,
    ) -> int:
        """Fill up to ``qty`` lots of ``rec`` at ``px`` (before slippage); the lots filled."""
        side = rec.side
        if rec.reduce_only:
            allowed = -market.position * side
            if allowed <= 0:
                self.close(market, rec, _CANCELED)
                return 0
            qty = min(qty, allowed)
        if liquidity is _TAKER and type(self.slippage) is not NoSlippage:  # NoSlippage: 0 ticks
            px = self._slipped(rec, px, qty, ctx)
        instrument = market.instrument
        fee = self.fees.fee_raw(instrument, liquidity, qty, px)
        minimum = market.min_fee_raw
        charge = (
            fee
            if minimum <= 0
            else order_commission_raw(fee, rec.fee_accrued_raw, rec.fee_paid_raw, minimum)
        )
        rec.fee_accrued_raw += fee
        rec.fee_paid_raw += charge
        filled = rec.filled = rec.filled + qty
        market.position += side * qty
        done = filled >= rec.quantity
        if done:
            rec.status = _FILLED
            market.working.remove(rec)
        else:
            rec.status = _PARTIALLY_FILLED
        trades = self._trades = self._trades + 1
        now = self._clock.timestamp_ns()
        venue_order_id = rec.venue_order_id
        if venue_order_id is None:  # fills happen only to accepted orders
            raise TypeError("fill of an order the venue never accepted")
        self._emit(
            OrderFilled(
                strategy_id=rec.strategy_id,
                instrument_id=rec.instrument_id,
                client_order_id=rec.client_order_id,
                venue=self.venue,
                venue_order_id=venue_order_id,
                account_id=self.account_id,
                trade_id=self._trade_id(f"T-{trades}"),
                side=side,
                last_qty=qty,
                last_px=px,
                liquidity_side=liquidity,
                commission_raw=charge,
                commission_currency=instrument.quote_currency,
                ts_event=now,
                ts_init=now,
            )
        )
        if not done and rec.reduce_only and market.position * side >= 0:
            self.close(market, rec, _CANCELED)
        return qty

    def _slipped(self, rec: SimOrder, px: int, qty: int, ctx: SlipContext) -> int:
        ticks = self.slippage.slip_ticks(rec.side, px, qty, ctx)
        if not ticks:
            return px
        slipped = px + rec.side * ticks
        limit = rec.price
        if limit is not None and (slipped - limit) * rec.side > 0:
            return limit
        return slipped

    def trigger(self, market: Market, rec: SimOrder) -> None:
        """The stop's trigger price was reached: it now works as a market or limit order."""
        rec.set_triggered()
        if rec.filled == 0:
            rec.status = _TRIGGERED
        now = self._clock.timestamp_ns()
        self._emit(
            OrderTriggered(
                strategy_id=rec.strategy_id,
                instrument_id=rec.instrument_id,
                client_order_id=rec.client_order_id,
                ts_event=now,
                ts_init=now,
            )
        )

    def accept(self, market: Market, rec: SimOrder, venue_order_id: VenueOrderId) -> None:
        """The venue took the order: it is working from now on."""
        rec.venue_order_id = venue_order_id
        rec.status = _ACCEPTED
        market.working.append(rec)
        now = self._clock.timestamp_ns()
        self._emit(
            OrderAccepted(
                strategy_id=rec.strategy_id,
                instrument_id=rec.instrument_id,
                client_order_id=rec.client_order_id,
                venue_order_id=venue_order_id,
                account_id=self.account_id,
                ts_event=now,
                ts_init=now,
            )
        )

    def reject(self, rec: SimOrder, reason: str) -> None:
        """The venue refused the new order."""
        rec.status = _REJECTED
        now = self._clock.timestamp_ns()
        self._emit(
            OrderRejected(
                strategy_id=rec.strategy_id,
                instrument_id=rec.instrument_id,
                client_order_id=rec.client_order_id,
                reason=reason,
                ts_event=now,
                ts_init=now,
            )
        )

    def updated(self, rec: SimOrder) -> None:
        """The venue applied a modify request to the order."""
        now = self._clock.timestamp_ns()
        self._emit(
            OrderUpdated(
                strategy_id=rec.strategy_id,
                instrument_id=rec.instrument_id,
                client_order_id=rec.client_order_id,
                quantity=rec.quantity,
                price=rec.price,
                trigger_price=rec.trigger_price,
                ts_event=now,
                ts_init=now,
            )
        )

    def refuse(
        self,
        event_type: type[OrderModifyRejected] | type[OrderCancelRejected],
        cmd: ModifyOrder | CancelOrder,
        reason: str,
    ) -> None:
        """The venue refused a modify or cancel request."""
        now = self._clock.timestamp_ns()
        self._emit(
            event_type(
                strategy_id=cmd.strategy_id,
                instrument_id=cmd.instrument_id,
                client_order_id=cmd.client_order_id,
                reason=reason,
                ts_event=now,
                ts_init=now,
            )
        )

    def close(self, market: Market, rec: SimOrder, status: OrderStatus) -> None:
        """Cancel (``CANCELED``) or expire (``EXPIRED``) the rest of an open order."""
        rec.status = status
        market.working.remove(rec)
        now = self._clock.timestamp_ns()
        event_type = OrderExpired if status is _EXPIRED else OrderCanceled
        self._emit(
            event_type(
                strategy_id=rec.strategy_id,
                instrument_id=rec.instrument_id,
                client_order_id=rec.client_order_id,
                ts_event=now,
                ts_init=now,
            )
        )
