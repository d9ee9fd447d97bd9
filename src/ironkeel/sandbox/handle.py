"""The engine's side of a sandboxed strategy: one handle the host calls like any strategy.

``SandboxedStrategy`` is a ``Strategy`` whose hooks forward to a strategy process
and apply what it asked for through the real context (so every check, the risk
engine included, sees the same orders as from an in-process strategy). The host
cannot tell the two apart: that is the "one interface, two hosts" of the design.

Every request has a deadline (default 50 ms; a longer one for loading and
``on_start``). A child that overruns, dies (EOF), or answers with anything but a
well-formed ``Reply`` is killed, and the hook raises ``SandboxError``: the host
then disables the strategy, cancels its orders and flattens it through the
emergency flow, exactly as for an exception inside an in-process strategy.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Any, Final

import msgspec

from ironkeel.model.book import OrderBook
from ironkeel.model.data import BarType
from ironkeel.model.errors import InvalidInputError, IronkeelError, StateError
from ironkeel.model.events import TimeEvent
from ironkeel.model.identifiers import ClientOrderId, InstrumentId
from ironkeel.sandbox import protocol as p
from ironkeel.sandbox.codec import encoder, engine_decoder, instrument_spec
from ironkeel.sandbox.latency import LatencyHistogram
from ironkeel.strategy.base import Strategy
from ironkeel.strategy.views import Fill, MarketBar, MarketQuote, MarketTrade, OrderUpdate

__all__ = [
    "DEFAULT_DEADLINE_S",
    "START_DEADLINE_S",
    "Channel",
    "SandboxError",
    "SandboxMetrics",
    "SandboxedStrategy",
]

#: The per-callback budget (the seeds' per-tick budget).
DEFAULT_DEADLINE_S: Final = 0.050
#: Loading a script and ``on_start`` may build indicators or read warm-up data.
START_DEADLINE_S: Final = 5.0
_CLK_TCK: Final = os.sysconf("SC_CLK_TCK")
_MSG_TRUNC: Final = int(socket.MSG_TRUNC)  # a plain int: IntFlag arithmetic costs ~1 us
_PAGE: Final = os.sysconf("SC_PAGE_SIZE")


class SandboxError(IronkeelError):
    """A sandboxed strategy broke its contract: it overran its deadline, died, sent a
    malformed message, or raised inside a hook (``location`` is file:line)."""

    def __init__(self, message: str, location: str | None = None) -> None:
        super().__init__(message)
        self.location = location


@dataclass
class SandboxMetrics:
    """Per-strategy figures: round-trip latency of each callback (ns), CPU time and peak
    memory of the process, errors and restarts."""

    latencies: LatencyHistogram = field(default_factory=LatencyHistogram)
    errors: int = 0
    restarts: int = 0
    cpu_s: float = 0.0
    peak_rss_bytes: int = 0
    killed: str | None = None

    def summary(self) -> dict[str, Any]:
        latencies = self.latencies

        def us(ns: int | None) -> float | None:
            return None if ns is None else round(ns / 1_000, 3)

        return {
            "callbacks": latencies.count,
            "p50_us": us(latencies.percentile(0.50)),
            "p99_us": us(latencies.percentile(0.99)),
            "max_us": us(latencies.max if latencies.count else None),
            "cpu_s": round(self.cpu_s, 6),
            "peak_rss_mb": round(self.peak_rss_bytes / (1 << 20), 3),
            "errors": self.errors,
            "restarts": self.restarts,
            "killed": self.killed,
        }


class Channel:
    """The engine's end of one strategy process: requests with a deadline, and the kill."""

    def __init__(
        self, sock: socket.socket, pid: int, *, deadline_s: float = DEFAULT_DEADLINE_S
    ) -> None:
        self.sock = sock
        self.pid = pid
        self.deadline_s = deadline_s
        self.metrics = SandboxMetrics()
        self.protections: list[p.Protection] = []
        self._pidfd: int | None = None
        try:
            self._pidfd = os.pidfd_open(pid)
        except OSError:  # already gone: the first receive will see EOF
            self._pidfd = None
        self._timeout: float | None = None  # the socket's, set only when it changes
        # One receive buffer for the channel's life: a fresh 192 KiB one per message
        # would be an mmap and a munmap each time. Decoded messages copy what they keep.
        self._buffer = bytearray(p.MAX_MESSAGE)
        self._view = memoryview(self._buffer)
        self._buffers = [self._buffer]
        self._encode = encoder().encode
        self._decode = engine_decoder().decode
        self.alive = True

    def hello(self, timeout_s: float = START_DEADLINE_S) -> list[p.Protection]:
        """Wait for the child's greeting (sent once it has hardened itself)."""
        message = self._receive(timeout_s, None)
        if type(message) is not p.Hello:
            raise self._broken("protocol: the first message was not Hello")
        self.protections = list(message.protections)
        return self.protections

    def call(self, request: p.ToChild, timeout_s: float | None = None) -> p.Reply:
        """Send one request and wait for its ``Reply`` (for requests that act on nothing:
        Load, Probe)."""
        message = self.exchange(request, timeout_s)
        if type(message) is not p.Reply:
            raise self._broken("protocol: expected a Reply")
        return message

    def exchange(self, message: p.ToChild, timeout_s: float | None = None) -> p.ToEngine:
        """Send ``message`` and wait, at most ``timeout_s``, for the child's next message
        (an ``Act`` or the ``Reply``)."""
        if not self.alive:
            raise SandboxError(f"strategy process {self.pid} is no longer running")
        budget = self.deadline_s if timeout_s is None else timeout_s
        started = time.perf_counter_ns()
        try:
            self.sock.send(self._encode(message))
        except OSError as error:
            raise self._broken(f"the strategy process is gone ({error})") from None
        answer = self._receive(budget, message)
        self.metrics.latencies.add(time.perf_counter_ns() - started)
        if type(answer) is p.Reply and answer.error is not None:
            self.metrics.errors += 1
        elif type(answer) is p.Hello:
            raise self._broken("protocol: Hello in the middle of a run")
        return answer

    def _receive(self, budget: float, message: p.ToChild | None) -> p.ToEngine:
        """The child's next message (``message``: what it answers, named in errors)."""
        if budget != self._timeout:
            # A kernel receive timeout on a blocking socket: one recvmsg per answer, no
            # poll (Python's settimeout would add a poll and two fcntl calls).
            seconds = int(budget)
            micros = max(int((budget - seconds) * 1_000_000), 1 if seconds == 0 else 0)
            self.sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", seconds, micros)
            )
            self._timeout = budget
        try:
            size, _anc, flags, _addr = self.sock.recvmsg_into(self._buffers)
        except (TimeoutError, BlockingIOError):
            raise self._broken(
                f"deadline: no answer to {_what(message)} within {budget * 1000:.0f} ms"
            ) from None
        except OSError as error:
            raise self._broken(f"the strategy process is gone ({error})") from None
        if not size:
            raise self._broken(f"the strategy process died (EOF) during {_what(message)}")
        if flags & _MSG_TRUNC:
            raise self._broken(f"protocol: a message over {p.MAX_MESSAGE} bytes")
        try:
            return self._decode(self._view[:size])
        except msgspec.DecodeError as error:
            raise self._broken(f"protocol: malformed message ({error})") from None

    def _broken(self, reason: str) -> SandboxError:
        self.kill(reason)
        return SandboxError(reason)

    def sample(self) -> None:
        """Read the process's CPU time and peak memory from /proc (while it lives)."""
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{self.pid}/status", "rb") as handle:
                status = handle.read().decode()
        except OSError:
            return
        self.metrics.cpu_s = (int(fields[11]) + int(fields[12])) / _CLK_TCK
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                self.metrics.peak_rss_bytes = int(line.split()[1]) * 1024

    def kill(self, reason: str | None = None) -> None:
        """SIGKILL the process (through its pidfd: never another process reusing the pid)."""
        if not self.alive:
            return
        self.sample()
        self.alive = False
        if reason is not None:
            self.metrics.killed = reason
        if self._pidfd is not None:
            with contextlib.suppress(OSError):  # already exited
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            os.close(self._pidfd)
            self._pidfd = None
        self.sock.close()

    def close(self) -> None:
        """End the process at the end of a run (it has answered ``Stop`` by then)."""
        self.kill(None)


class SandboxedStrategy(Strategy):
    """A strategy that lives in another process; the host drives it like any other."""

    def __init__(self, channel: Channel, params: dict[str, Any], name: str) -> None:
        super().__init__(None)
        self.params = dict(params)
        self.channel = channel
        self.name = name
        self._dirty = True  # open orders changed since the last request
        self._timers: set[str] = set()  # the timers the strategy set (cancelled on a swap)
        self._index: dict[InstrumentId, int] = {}  # instrument -> position (OnBar.index)
        self._bar_types: dict[int, BarType] = {}  # the last bar type sent per index

    def replace(self, channel: Channel) -> Channel:
        """Hand this strategy over to ``channel`` (a process already running the new
        version): cancel the old version's timers, start the new one on the current state
        (positions, open orders and equity carry over; the script rebuilds the rest in
        ``on_start``), and return the old channel for the caller to kill. If the new
        version fails to start, the old one stays in place and ``SandboxError`` is raised."""
        old = self.channel
        for name in sorted(self._timers):
            self.ctx.cancel_timer(name)
        self._timers.clear()
        self.channel = channel
        self._dirty = True
        try:
            self.on_start()
        except SandboxError:
            self.channel = old
            channel.kill("the new version failed to start")
            raise
        return old

    # --- hooks: forward, then apply ------------------------------------------------------

    def on_start(self) -> None:
        ctx = self.ctx
        self._index = {instrument.id: k for k, instrument in enumerate(ctx.instruments)}
        self._bar_types = {}
        request = p.Start(
            state=self._state(),
            instruments=[instrument_spec(i) for i in ctx.instruments],
            currency=ctx.equity(None).currency,
        )
        self._call(request, START_DEADLINE_S)

    def on_bar(self, bar: MarketBar) -> None:
        raw = bar.raw
        bar_type: BarType | None = raw.bar_type
        index = self._index.get(raw.bar_type.instrument_id, 0)
        sent = self._bar_types.get(index)
        if sent is raw.bar_type or sent == raw.bar_type:
            bar_type = None  # the child has it
        else:
            self._bar_types[index] = raw.bar_type
        self._call(
            p.OnBar(
                self._state(), bar_type, bar.open, bar.high, bar.low, bar.close, bar.volume,
                raw.open, raw.high, raw.low, raw.close, raw.volume, raw.ts_event, raw.ts_init,
                index,
            )
        )  # fmt: skip

    def on_quote(self, quote: MarketQuote) -> None:
        self._call(p.OnQuote(self._state(), quote))

    def on_trade(self, trade: MarketTrade) -> None:
        self._call(p.OnTrade(self._state(), trade))

    def on_book(self, book: OrderBook) -> None:
        request = p.OnBook(
            self._state(), book.instrument_id, list(book.bids()), list(book.asks()),
            book.last_update_id or 0,
        )  # fmt: skip
        self._call(request)

    def on_order(self, update: OrderUpdate) -> None:
        self._dirty = True
        event = update.raw
        self._call(p.OnOrder(self._state(), update.status.value, update.reason, event))  # type: ignore[arg-type]

    def on_fill(self, fill: Fill) -> None:
        self._dirty = True
        self._call(p.OnFill(self._state(), fill))

    def on_timer(self, event: TimeEvent) -> None:
        self._call(p.OnTimer(self._state(), event))

    def on_stop(self) -> None:
        self._call(p.Stop(self._state()), START_DEADLINE_S)

    def heap_bytes(self) -> int:
        """The bytes the strategy process has allocated now (``protocol.Usage``)."""
        reply = self.channel.call(p.Usage())
        value = None if reply.params is None else reply.params.get("heap_bytes")
        return value if isinstance(value, int) else 0

    def inspect(self, name: str) -> Any:
        """One allowed attribute of the strategy in the child (``protocol.INSPECTABLE``),
        as plain data, or None."""
        reply = self.channel.call(p.Inspect(name))
        return None if reply.params is None else reply.params.get(name)

    # --- internals ----------------------------------------------------------------------

    def _call(self, request: p.Request, timeout_s: float | None = None) -> None:
        """One hook, run in the child: serve its actions until its ``Reply``."""
        message = self.channel.exchange(request, timeout_s)
        while type(message) is p.Act:
            self._write(message.logs)
            result = self._act(message.action)
            message = self.channel.exchange(result, timeout_s)
        reply: p.Reply = message  # type: ignore[assignment]
        self._write(reply.logs)
        if reply.error is not None:
            raise SandboxError(reply.error, reply.location)

    def _state(self) -> p.State:
        ctx = self.ctx
        orders = None
        if self._dirty:
            orders = ctx.open_orders(None)
            self._dirty = False
        return p.State(
            ts=ctx.now_ns(),
            positions=[ctx.position_lots(i.id) for i in ctx.instruments],
            equity=ctx.equity(None).raw,
            cash=ctx.cash(None).raw,
            orders=orders,
        )

    def _write(self, logs: list[p.Log]) -> None:
        for line in logs:
            self.ctx.log.log(_level(line.level), "%s", line.message)

    def _act(self, action: p.Action) -> p.Result:
        """Apply one action through the real context; the error it raises goes back to
        the strategy, as it would in-process."""
        ctx = self.ctx
        kind = type(action)
        order_id = None
        try:
            if kind is p.Submit:
                self._dirty = True
                order_id = ctx.submit(action.request).value  # type: ignore[union-attr]
            elif kind is p.Cancel:
                self._dirty = True
                ctx.cancel(ClientOrderId(action.client_order_id))  # type: ignore[union-attr]
            elif kind is p.CancelAll:
                self._dirty = True
                ctx.cancel_all(action.instrument_id)  # type: ignore[union-attr]
            elif kind is p.Modify:
                self._dirty = True
                m: p.Modify = action  # type: ignore[assignment]
                ctx.modify(ClientOrderId(m.client_order_id), m.quantity, m.price, m.trigger_price)
            elif kind is p.SetTimer:
                t: p.SetTimer = action  # type: ignore[assignment]
                ctx.set_timer(t.name, t.interval_ns, t.start_ns)
                self._timers.add(t.name)
            elif kind is p.SetAlarm:
                ctx.set_alarm(action.name, action.ts_ns)  # type: ignore[union-attr]
                self._timers.add(action.name)  # type: ignore[union-attr]
            elif kind is p.CancelTimer:
                ctx.cancel_timer(action.name)  # type: ignore[union-attr]
                self._timers.discard(action.name)  # type: ignore[union-attr]
        except (InvalidInputError, StateError) as error:
            return p.Result(self._state(), error=str(error), error_kind=type(error).__name__)
        except Exception as error:
            self.channel.kill(f"engine error while applying {kind.__name__}: {error}")
            raise
        return p.Result(self._state(), client_order_id=order_id)


def _what(message: p.ToChild | None) -> str:
    return "hello" if message is None else type(message).__name__


def _level(level: int) -> int:
    """A log level a strategy may use (DEBUG..CRITICAL); anything else is WARNING."""
    return level if level in (10, 20, 30, 40, 50) else 30
