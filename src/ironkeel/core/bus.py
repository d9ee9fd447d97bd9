"""The typed message bus: events are published to subscribers, commands sent to one handler.

Subscriptions are by type: a handler subscribed to a base class (``OrderEvent``)
receives every subclass. Handlers run synchronously in subscription order, so a
run is deterministic. The handler list for each concrete type is resolved once
and cached, so publishing is a dict lookup and a loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ironkeel.model.errors import InvalidInputError

__all__ = ["MessageBus"]

T = TypeVar("T")
Handler = Callable[[Any], None]


class MessageBus:
    """Publish/subscribe for events, point-to-point for commands."""

    def __init__(self) -> None:
        self._subscriptions: list[tuple[type, Handler]] = []
        self._resolved: dict[type, tuple[Handler, ...]] = {}
        self._command_handlers: dict[type, Handler] = {}
        self.published = 0

    def subscribe(self, message_type: type[T], handler: Callable[[T], None]) -> None:
        """Call ``handler(message)`` for every published message of ``message_type``."""
        self._subscriptions.append((message_type, handler))
        self._resolved.clear()

    def unsubscribe(self, message_type: type[T], handler: Callable[[T], None]) -> None:
        try:
            self._subscriptions.remove((message_type, handler))
        except ValueError:
            raise InvalidInputError(
                "handler",
                handler,
                f"is not subscribed to {message_type.__name__}",
                "check the type",
            ) from None
        self._resolved.clear()

    def publish(self, message: object) -> None:
        """Deliver ``message`` to every subscriber of its type or a base type."""
        handlers = self._resolved.get(type(message))
        if handlers is None:
            handlers = self._resolve(type(message))
        self.published += 1
        for handler in handlers:
            handler(message)

    def _resolve(self, message_type: type) -> tuple[Handler, ...]:
        handlers = tuple(h for t, h in self._subscriptions if issubclass(message_type, t))
        self._resolved[message_type] = handlers
        return handlers

    def register(self, command_type: type[T], handler: Callable[[T], None]) -> None:
        """Make ``handler`` the one receiver of ``command_type`` commands."""
        if command_type in self._command_handlers:
            raise InvalidInputError(
                "command handler",
                command_type.__name__,
                "already has a handler",
                "register exactly one handler per command type",
            )
        self._command_handlers[command_type] = handler

    def send(self, command: object) -> None:
        """Deliver ``command`` to its one handler; an unhandled command is an error."""
        handler = self._command_handlers.get(type(command))
        if handler is None:
            raise InvalidInputError(
                "command",
                type(command).__name__,
                "has no handler",
                f"register one; handled: {sorted(t.__name__ for t in self._command_handlers)}",
            )
        handler(command)
