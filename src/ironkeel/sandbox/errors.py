"""The error a sandboxed strategy's handle raises (in a module of its own: the channel
that raises it is compiled, and a compiled class cannot derive from ``IronkeelError``)."""

from __future__ import annotations

from ironkeel.model.errors import IronkeelError

__all__ = ["SandboxError"]


class SandboxError(IronkeelError):
    """A sandboxed strategy broke its contract: it overran its deadline, died, sent a
    malformed message, or raised inside a hook (``location`` is file:line)."""

    def __init__(self, message: str, location: str | None = None) -> None:
        super().__init__(message)
        self.location = location
