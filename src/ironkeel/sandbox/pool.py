"""Starting sandboxed strategies: the zygote, a warm standby, and the strategy handles.

``SandboxPool`` owns one zygote and keeps one hardened, idle strategy process in
reserve (the "warm standby"), so that loading a strategy -- at start or in a
rollback -- costs only sending its code, not a fork. Each process runs under its
own slot (its own uid when the engine is root).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from ironkeel.sandbox import protocol as p
from ironkeel.sandbox.handle import (
    DEFAULT_DEADLINE_S,
    START_DEADLINE_S,
    Channel,
    SandboxedStrategy,
    SandboxError,
)
from ironkeel.sandbox.harden import Limits
from ironkeel.sandbox.zygote import Zygote

__all__ = ["SandboxPool"]

#: Slots wrap around here (uids UID_BASE .. UID_BASE + SLOTS - 1).
SLOTS = 4_000


class SandboxPool:
    """Strategy processes forked from one warm zygote; ``with SandboxPool() as pool``."""

    def __init__(
        self,
        *,
        limits: Limits | None = None,
        deadline_s: float = DEFAULT_DEADLINE_S,
        standby: bool = True,
    ) -> None:
        self.zygote = Zygote(limits)
        self.deadline_s = deadline_s
        self.use_standby = standby
        self.channels: dict[str, Channel] = {}
        self._standby: Channel | None = None
        self._next_slot = 0

    def __enter__(self) -> SandboxPool:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        if not self.zygote.running:
            self.zygote.start()
        if self.use_standby and self._standby is None:
            self._standby = self._fork()

    def _fork(self) -> Channel:
        slot = self._next_slot % SLOTS
        self._next_slot += 1
        pid, sock = self.zygote.fork(slot)
        return Channel(sock, pid, deadline_s=self.deadline_s)

    def _take(self) -> Channel:
        """The warm standby (replaced by a fresh one), or a new process."""
        channel = self._standby if self._standby is not None else self._fork()
        self._standby = self._fork() if self.use_standby else None
        channel.hello()
        return channel

    def load(
        self,
        name: str,
        source: str,
        filename: str,
        *,
        params: Mapping[str, Any] | None = None,
        class_name: str | None = None,
        seed: int = 0,
    ) -> SandboxedStrategy:
        """A sandboxed strategy named ``name`` running ``source`` (errors cite
        ``filename``); raises ``SandboxError`` with file:line if it does not load."""
        channel = self._take()
        request = p.Load(
            source=source,
            filename=filename,
            class_name=class_name,
            params=dict(params or {}),
            strategy_id=name,
            seed=seed,
        )
        reply = channel.call(request, START_DEADLINE_S)
        if reply.error is not None:
            channel.kill("failed to load")
            raise SandboxError(reply.error, reply.location)
        self.channels[name] = channel
        return SandboxedStrategy(channel, reply.params or {}, name)

    def load_file(
        self,
        name: str,
        path: Path | str,
        *,
        params: Mapping[str, Any] | None = None,
        class_name: str | None = None,
        seed: int = 0,
    ) -> SandboxedStrategy:
        file = Path(path)
        try:
            source = file.read_text(encoding="utf-8")
        except OSError as error:
            raise SandboxError(f"{file}: cannot read the strategy ({error.strerror})") from None
        return self.load(name, source, str(file), params=params, class_name=class_name, seed=seed)

    def check(self) -> tuple[list[p.Protection], list[p.Protection]]:
        """What a strategy process here has in force, and what each forbidden attempt met."""
        channel = self._take()
        try:
            reply = channel.call(p.Probe(), START_DEADLINE_S)
        finally:
            channel.kill(None)
        return channel.protections, list(reply.probes or [])

    def metrics(self) -> dict[str, dict[str, Any]]:
        for channel in self.channels.values():
            if channel.alive:
                channel.sample()
        return {name: c.metrics.summary() for name, c in self.channels.items()}

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()
        if self._standby is not None:
            self._standby.close()
            self._standby = None
        self.zygote.close()
