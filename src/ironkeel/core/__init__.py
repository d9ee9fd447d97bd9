"""The core: the injected clock, the message bus and the deterministic event loop."""

from ironkeel.core.bus import MessageBus
from ironkeel.core.clock import Clock, LiveClock, TestClock
from ironkeel.core.digest import EventDigest
from ironkeel.core.loop import KIND_PRIORITY, EventLoop, Handler, stream_key

__all__ = [
    "KIND_PRIORITY",
    "Clock",
    "EventDigest",
    "EventLoop",
    "Handler",
    "LiveClock",
    "MessageBus",
    "TestClock",
    "stream_key",
]
