"""The engine's end of one strategy process: a request out, the answer back, a deadline.

One SOCK_SEQPACKET socket per process, msgpack both ways (``protocol``). This is the
round trip every sandboxed callback pays, so the usual case is kept to the bone
(compiled, decision 0018): encode, ``send``, one blocking ``recv_into`` with a kernel
receive timeout (no poll), and the usual answer -- an empty ``Reply``, one byte on the
wire -- recognized instead of decoded. A child that overruns, dies (EOF) or sends anything
malformed is killed through its pidfd and the call raises ``SandboxError``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import struct
import time
from typing import Any, Final

import msgspec

from ironkeel.sandbox import protocol as p
from ironkeel.sandbox.codec import encoder, engine_decoder
from ironkeel.sandbox.errors import SandboxError
from ironkeel.sandbox.latency import LatencyHistogram

__all__ = ["DEFAULT_DEADLINE_S", "START_DEADLINE_S", "Channel", "SandboxMetrics"]

#: The per-callback budget (the seeds' per-tick budget).
DEFAULT_DEADLINE_S: Final = 0.050
#: Loading a script and ``on_start`` may build indicators or read warm-up data.
START_DEADLINE_S: Final = 5.0
_CLK_TCK: Final = os.sysconf("SC_CLK_TCK")
_MSG_TRUNC: Final = int(socket.MSG_TRUNC)  # a plain int: IntFlag arithmetic costs ~1 us
_NIL: Final = p.EMPTY_REPLY_BYTES[0]


class SandboxMetrics:
    """Per-strategy figures: round-trip latency of each callback (ns), CPU time and peak
    memory of the process, errors and restarts."""

    def __init__(self) -> None:
        self.latencies = LatencyHistogram()
        self.errors = 0
        self.restarts = 0
        self.cpu_s = 0.0
        self.peak_rss_bytes = 0
        self.killed: str | None = None

    def summary(self) -> dict[str, Any]:
        latencies = self.latencies
        return {
            "callbacks": latencies.count,
            "p50_us": _us(latencies.percentile(0.50)),
            "p99_us": _us(latencies.percentile(0.99)),
            "max_us": _us(latencies.max if latencies.count else None),
            "cpu_s": round(self.cpu_s, 6),
            "peak_rss_mb": round(self.peak_rss_bytes / (1 << 20), 3),
            "errors": self.errors,
            "restarts": self.restarts,
            "killed": self.killed,
        }


def _us(ns: int | None) -> float | None:
    return None if ns is None else round(ns / 1_000, 3)


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
        self._timeout = -1.0  # the socket's receive timeout, set only when it changes
        # One receive buffer for the channel's life: a fresh 192 KiB one per message
        # would be an mmap and a munmap each time. Decoded messages copy what they keep.
        self._buffer = bytearray(p.MAX_MESSAGE)
        self._view = memoryview(self._buffer)
        self._send = sock.send
        self._recv_into = sock.recv_into
        self._encode = encoder().encode
        self._decode = engine_decoder().decode
        self.alive = True

    def hello(self, timeout_s: float = START_DEADLINE_S) -> list[p.Protection]:
        """Wait for the child's greeting (sent once it has hardened itself)."""
        message = self._answer(self._receive(timeout_s, None), None)
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
            self._send(self._encode(message))
        except OSError as error:
            raise self._broken(f"the strategy process is gone ({error})") from None
        size = self._receive(budget, message)
        self.metrics.latencies.add(time.perf_counter_ns() - started)
        if size == 1 and self._buffer[0] == _NIL:  # the usual answer (EMPTY_REPLY_BYTES)
            return p.EMPTY_REPLY
        answer = self._answer(size, message)
        if type(answer) is p.Reply:
            if answer.error is not None:
                self.metrics.errors += 1
        elif type(answer) is p.Hello:
            raise self._broken("protocol: Hello in the middle of a run")
        return answer

    def _receive(self, budget: float, message: p.ToChild | None) -> int:
        """Wait for the child's next message; its size (``message``: what it answers,
        named in errors)."""
        if budget != self._timeout:
            # A kernel receive timeout on a blocking socket: one recv per answer, no
            # poll (Python's settimeout would add a poll and two fcntl calls).
            seconds = int(budget)
            micros = max(int((budget - seconds) * 1_000_000), 1 if seconds == 0 else 0)
            self.sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", seconds, micros)
            )
            self._timeout = budget
        try:
            # MSG_TRUNC: the packet's real length, even when it did not fit the buffer.
            size: int = self._recv_into(self._buffer, 0, _MSG_TRUNC)
        except (TimeoutError, BlockingIOError):
            raise self._broken(
                f"deadline: no answer to {_what(message)} within {budget * 1000:.0f} ms"
            ) from None
        except OSError as error:
            raise self._broken(f"the strategy process is gone ({error})") from None
        if not size:
            raise self._broken(f"the strategy process died (EOF) during {_what(message)}")
        return size

    def _answer(self, size: int, message: p.ToChild | None) -> p.ToEngine:
        """The message of ``size`` bytes in the buffer, decoded and checked."""
        if size > p.MAX_MESSAGE:
            raise self._broken(f"protocol: a message over {p.MAX_MESSAGE} bytes")
        try:
            answer: p.ToEngine = self._decode(self._view[:size])
        except msgspec.DecodeError as error:
            raise self._broken(
                f"protocol: malformed message in answer to {_what(message)} ({error})"
            ) from None
        return answer

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


def _what(message: p.ToChild | None) -> str:
    return "hello" if message is None else type(message).__name__
