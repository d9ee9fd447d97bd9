"""The one port every venue adapter implements: the simulated exchange, paper and live venues.

The OMS hands an adapter orders and requests; the adapter answers only through
the ``VenueEventSink`` it was connected to, with order events (accepted,
rejected, filled, canceled, expired, triggered, updated, modify/cancel
rejected). Nothing in the engine knows which kind of venue is behind the port.
"""

from __future__ import annotations

from typing import Protocol

from ironkeel.model.commands import CancelOrder, ModifyOrder
from ironkeel.model.events import OrderEvent
from ironkeel.model.identifiers import AccountId, Venue
from ironkeel.model.orders import Order

__all__ = ["VenueAdapter", "VenueEventSink"]


class VenueEventSink(Protocol):
    """Where a venue adapter delivers what happened to orders."""

    def on_venue_event(self, event: OrderEvent) -> None: ...


class VenueAdapter(Protocol):
    """A venue seen from the engine: submit, modify, cancel; answers come as events."""

    venue: Venue
    account_id: AccountId

    def connect(self, sink: VenueEventSink) -> None:
        """Send every order event from now on to ``sink``."""
        ...

    def submit(self, order: Order) -> None:
        """Send a new order (in SUBMITTED state); the adapter must not change ``order``."""
        ...

    def modify(self, command: ModifyOrder) -> None: ...

    def cancel(self, command: CancelOrder) -> None: ...
