"""Creating orders: one factory per strategy, with deterministic client order ids."""

from __future__ import annotations

import random
from typing import Final

from ironkeel.core.clock import Clock
from ironkeel.model.enums import OrderSide, OrderType, TimeInForce
from ironkeel.model.events import OrderInitialized
from ironkeel.model.identifiers import InstrumentId, StrategyId, new_client_order_id

__all__ = ["OrderFactory"]

_MARKET: Final = OrderType.MARKET


class OrderFactory:
    """Builds ``OrderInitialized`` specs stamped with the clock; ids drawn from a seeded rng."""

    def __init__(self, strategy_id: StrategyId, clock: Clock, seed: int) -> None:
        self.strategy_id = strategy_id
        self._clock = clock
        # Seeded on purpose: the same run must produce the same ids (not a security token).
        self._rng = random.Random(f"{strategy_id}:{seed}")  # noqa: S311

    def create(
        self,
        instrument_id: InstrumentId,
        side: OrderSide,
        quantity: int,
        order_type: OrderType = OrderType.MARKET,
        *,
        price: int | None = None,
        trigger_price: int | None = None,
        time_in_force: TimeInForce = TimeInForce.GTC,
        expire_time_ns: int | None = None,
        reduce_only: bool = False,
        post_only: bool = False,
        emergency: bool = False,
    ) -> OrderInitialized:
        """An order spec (quantity in lots, prices in ticks); the OMS validates it."""
        now = self._clock.timestamp_ns()
        return OrderInitialized(
            strategy_id=self.strategy_id,
            instrument_id=instrument_id,
            client_order_id=new_client_order_id(self._rng),
            side=side,
            order_type=order_type,
            quantity=quantity,
            price=price,
            trigger_price=trigger_price,
            time_in_force=time_in_force,
            expire_time_ns=expire_time_ns,
            reduce_only=reduce_only,
            post_only=post_only,
            emergency=emergency,
            ts_event=now,
            ts_init=now,
        )

    def market(
        self, instrument_id: InstrumentId, side: OrderSide, quantity: int
    ) -> OrderInitialized:
        # ``create(instrument_id, side, quantity)`` without the call: the other fields
        # keep their defaults, which are ``create``'s defaults.
        now = self._clock.timestamp_ns()
        return OrderInitialized(
            strategy_id=self.strategy_id,
            instrument_id=instrument_id,
            client_order_id=new_client_order_id(self._rng),
            side=side,
            order_type=_MARKET,
            quantity=quantity,
            ts_event=now,
            ts_init=now,
        )

    def limit(
        self,
        instrument_id: InstrumentId,
        side: OrderSide,
        quantity: int,
        price: int,
        *,
        time_in_force: TimeInForce = TimeInForce.GTC,
        post_only: bool = False,
    ) -> OrderInitialized:
        return self.create(
            instrument_id,
            side,
            quantity,
            OrderType.LIMIT,
            price=price,
            time_in_force=time_in_force,
            post_only=post_only,
        )
