"""A running SHA-256 over every event published on the bus: two runs are the same run
exactly when their digests are equal."""

from __future__ import annotations

import hashlib

import msgspec

from ironkeel.core.bus import MessageBus
from ironkeel.model.events import Event

__all__ = ["EventDigest"]


class EventDigest:
    """Subscribes to every event and hashes its msgpack encoding, in publication order."""

    def __init__(self, bus: MessageBus) -> None:
        self._hash = hashlib.sha256()
        self._encode = msgspec.msgpack.Encoder().encode
        self.count = 0
        bus.subscribe(Event, self._on_event)

    def _on_event(self, event: Event) -> None:
        self._hash.update(self._encode(event))
        self.count += 1

    def hexdigest(self) -> str:
        return self._hash.hexdigest()
