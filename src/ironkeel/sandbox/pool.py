"""Starting sandboxed strategies: the zygote, a warm standby, and the strategy handles.

``SandboxPool`` owns one zygote and keeps one hardened, idle strategy process in
reserve (the "warm standby"), so that loading a strategy -- at start or in a
rollback -- costs only sending its code, not a fork. Each process runs under its
own slot (its own uid when the engine is root).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from ironkeel.sandbox import protocol as p
from ironkeel.sandbox.channel import DEFAULT_DEADLINE_S, START_DEADLINE_S, Channel
from ironkeel.sandbox.errors import SandboxError
from ironkeel.sandbox.handle import SandboxedStrategy
from ironkeel.sandbox.harden import Limits
from ironkeel.sandbox.zygote import Zygote

__all__ = ["SandboxPool"]

log = logging.getLogger("ironkeel.sandbox")


def _current_cpu() -> int:
    """The CPU this thread last ran on (field 39 of /proc/thread-self/stat)."""
    try:
        with open("/proc/thread-self/stat", "rb") as handle:
            return int(handle.read().rsplit(b")", 1)[1].split()[36])
    except (OSError, ValueError, IndexError):
        return -1


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
        pin: bool = True,
    ) -> None:
        self.zygote = Zygote(limits)
        self.pin = pin
        self._affinity: set[int] | None = None
        self._warned = False
        self.deadline_s = deadline_s
        self.use_standby = standby
        self.channels: dict[str, Channel] = {}
        self._standby: socket.socket | None = None  # asked of the zygote, not collected
        self._ready: Channel | None = None  # a standby that has said hello
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
            self._pin()
            self.zygote.start()
        self._refill()

    def _slot(self) -> int:
        slot = self._next_slot % SLOTS
        self._next_slot += 1
        return slot

    def _fork(self) -> Channel:
        """A new process, now (the standby, if one was asked for, is collected first)."""
        standby = self._collect()
        sock = self.zygote.request(self._slot())
        channel = Channel(sock, self.zygote.answer(sock), deadline_s=self.deadline_s)
        if standby is not None:
            standby.close()
        return channel

    def _collect(self) -> Channel | None:
        if self._standby is None:
            return None
        sock, self._standby = self._standby, None
        return Channel(sock, self.zygote.answer(sock), deadline_s=self.deadline_s)

    def _take(self) -> Channel:
        """The warm standby, or a new process (call ``_refill`` once the work is done: the
        next standby is then forked and hardened while the engine goes on)."""
        if self._ready is not None:
            channel, self._ready = self._ready, None
            return channel
        channel = self._collect() or self._fork()
        self._warn(channel.hello())
        return channel

    def _warn(self, protections: list[p.Protection]) -> None:
        """Say once per pool which protections this machine does not give (non-root, an
        older kernel): the sandbox degrades, it does not pretend."""
        missing = [f"{x.name} ({x.detail})" for x in protections if not x.active]
        if missing and not self._warned:
            self._warned = True
            log.warning(
                "sandbox: not active on this machine: %s; see `ironkeel sandbox check`",
                "; ".join(missing),
            )

    def warm(self) -> None:
        """Wait until the standby is hardened and ready (a node calls this when idle, so a
        swap finds it ready; the swap benchmark measures that steady state)."""
        if self._ready is None:
            if self._standby is None:
                self._refill()
            channel = self._collect()
            if channel is not None:
                self._warn(channel.hello())
                self._ready = channel

    def _refill(self) -> None:
        if self.use_standby and self._standby is None and self._ready is None:
            self._standby = self.zygote.request(self._slot())

    def _loaded(  # noqa: PLR0917 - private; mirrors Load's fields
        self,
        name: str,
        source: str,
        filename: str,
        params: Mapping[str, Any] | None,
        class_name: str | None,
        seed: int,
        *,
        refill: bool = True,
    ) -> tuple[Channel, dict[str, Any]]:
        """A process with the strategy loaded, and its parsed parameters."""
        channel = self._take()
        request = p.Load(
            source=source,
            filename=filename,
            class_name=class_name,
            params=dict(params or {}),
            strategy_id=name,
            seed=seed,
        )
        try:
            reply = channel.call(request, START_DEADLINE_S)
        finally:
            if refill:
                self._refill()
        if reply.error is not None:
            channel.kill("failed to load")
            raise SandboxError(reply.error, reply.location)
        return channel, reply.params or {}

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
        channel, parsed = self._loaded(name, source, filename, params, class_name, seed)
        previous = self.channels.get(name)
        if previous is not None:  # a name loaded again (validation's replays): end the old one
            previous.close()
        self.channels[name] = channel
        return SandboxedStrategy(channel, parsed, name)

    def swap(
        self,
        strategy: SandboxedStrategy,
        source: str,
        filename: str,
        *,
        params: Mapping[str, Any] | None = None,
        class_name: str | None = None,
        seed: int = 0,
    ) -> None:
        """Swap a running strategy to new code without touching the others: the warm
        standby loads it, the new version starts on the current state, then the old
        process is killed. On any failure the old version keeps running (SandboxError)."""
        try:
            channel, parsed = self._loaded(
                strategy.name, source, filename, params, class_name, seed, refill=False
            )
            old = strategy.replace(channel)
        except BaseException:
            self._refill()
            raise
        strategy.params = parsed
        channel.metrics.restarts = old.metrics.restarts + 1
        old.kill(None)
        self.channels[strategy.name] = channel
        # Last: the zygote forks the next standby on this CPU, after the swap is done.
        self._refill()

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
            self._refill()
        return channel.protections, list(reply.probes or [])

    def metrics(self) -> dict[str, dict[str, Any]]:
        for channel in self.channels.values():
            if channel.alive:
                channel.sample()
        return {name: c.metrics.summary() for name, c in self.channels.items()}

    def close(self) -> None:
        for channel in self.channels.values():
            channel.close()
        standby = self._collect() if self.zygote.running else None
        for spare in (standby, self._ready):
            if spare is not None:
                spare.close()
        self._ready = None
        if self._standby is not None:
            self._standby.close()
            self._standby = None
        self.zygote.close()
        if self._affinity is not None:
            os.sched_setaffinity(0, self._affinity)
            self._affinity = None

    def _pin(self) -> None:
        """Run this thread, the zygote and every strategy process on one CPU: the protocol
        is a synchronous ping-pong, and a wake-up on the same core costs a context switch
        where one across cores (from an idle core) costs ~100 us. The CPU is the one this
        thread runs on now; the previous affinity comes back at ``close``."""
        if not self.pin:
            return
        allowed = os.sched_getaffinity(0)
        if len(allowed) < 2:
            return
        cpu = _current_cpu()
        if cpu not in allowed:
            cpu = min(allowed)
        self._affinity = allowed
        os.sched_setaffinity(0, {cpu})
