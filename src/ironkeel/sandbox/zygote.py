"""The warm "zygote": one process that imported everything a strategy may use, and
forks a fresh strategy process on request (~10 ms, against ~200 ms for a cold start).

The engine starts it once (``Zygote.start``) and talks to it over a private
``SOCK_SEQPACKET`` socket: each request carries the strategy's end of a new
socketpair (SCM_RIGHTS) and its slot number; the zygote forks, the child hardens
itself and serves that socket (``child.main``), and the zygote answers with the
child's pid. The zygote ignores SIGCHLD, so its children are reaped by the kernel,
and it dies with the engine (parent-death signal); children die with the zygote.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import os
import signal
import socket
import subprocess
import sys
from dataclasses import asdict

import msgspec

from ironkeel.model.errors import IronkeelError
from ironkeel.sandbox.allowlist import PRELOAD
from ironkeel.sandbox.harden import Limits

__all__ = ["SANDBOX_ENV", "Zygote", "ZygoteError", "main"]

#: The zygote's environment additions: single-threaded numeric libraries (a strategy
#: process may not start threads) and a fixed hash seed (same outputs every run).
SANDBOX_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
}


_BOOT = "import sys; from ironkeel.sandbox.zygote import main; main(int(sys.argv[1]))"


class ZygoteError(IronkeelError):
    """The zygote could not be started or could not fork a strategy process."""


class _Fork(msgspec.Struct, frozen=True):
    slot: int
    limits: dict[str, int]


class _Forked(msgspec.Struct, frozen=True):
    pid: int = 0
    error: str | None = None


class Zygote:
    """The engine's handle on the zygote process."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._sock: socket.socket | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 60.0) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {**os.environ, **SANDBOX_ENV}
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-c", _BOOT, str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        theirs.close()
        ours.settimeout(timeout_s)
        try:
            ready = ours.recv(64)
        except TimeoutError:
            self.close()
            raise ZygoteError(f"the zygote did not start within {timeout_s} s") from None
        if ready != b"ready":
            self.close()
            raise ZygoteError(f"the zygote failed to start: {ready!r}")
        self._sock = ours

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def request(self, slot: int) -> socket.socket:
        """Ask for a process for ``slot`` without waiting; ``answer`` collects its pid
        (answers come in the order of the requests)."""
        if self._sock is None:
            raise ZygoteError("the zygote is not running: call start() first")
        engine_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            request = msgspec.json.encode(_Fork(slot=slot, limits=asdict(self.limits)))
            socket.send_fds(self._sock, [request], [child_end.fileno()])
        except OSError as error:
            engine_end.close()
            raise ZygoteError(f"the zygote did not take the request: {error}") from None
        finally:
            child_end.close()
        return engine_end

    def answer(self, engine_end: socket.socket) -> int:
        """The pid of the process of the oldest unanswered request."""
        if self._sock is None:
            raise ZygoteError("the zygote is not running")
        try:
            answer = msgspec.json.decode(self._sock.recv(4096), type=_Forked)
        except (OSError, msgspec.DecodeError) as error:
            engine_end.close()
            raise ZygoteError(f"the zygote did not fork a strategy process: {error}") from None
        if answer.error is not None:
            engine_end.close()
            raise ZygoteError(f"the zygote could not fork: {answer.error}")
        return answer.pid

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait()
            self._process = None


def _preload() -> None:
    """Import what strategies may use, so a forked child never needs to read it from
    disk (after hardening it may not be able to)."""
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # optional: the allow-list names more than every machine has
            continue


def main(fd: int) -> None:
    """The zygote process: preload, then fork on every request until the engine leaves."""
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps our children
    control = socket.socket(fileno=fd)
    _preload()
    from ironkeel.sandbox import child  # noqa: PLC0415 - after the preload, on purpose

    # Everything imported so far lives as long as the process: keep it out of the cyclic
    # collector, so a child's collections scan only what the strategy made (a full
    # collection over numpy and pandas would stall a callback for milliseconds) and its
    # pages stay shared with the zygote.
    gc.freeze()
    control.send(b"ready")
    while True:
        try:
            data, fds, _flags, _addr = socket.recv_fds(control, 4096, 1)
        except OSError:
            return
        if not data:
            return
        request = msgspec.json.decode(data, type=_Fork)
        if len(fds) != 1:
            control.send(msgspec.json.encode(_Forked(error="no socket in the request")))
            continue
        try:
            pid = os.fork()
        except OSError as error:
            os.close(fds[0])
            control.send(msgspec.json.encode(_Forked(error=str(error))))
            continue
        if pid == 0:  # the strategy process
            try:
                control.close()
                child.main(fds[0], request.slot, Limits(**request.limits))
            finally:
                os._exit(70)
        os.close(fds[0])
        control.send(msgspec.json.encode(_Forked(pid=pid)))
