"""The node's control socket: how ``ironkeel deploy``/``rollback`` reach a running node.

A Unix stream socket (mode 0600: only its owner may talk to it), one JSON command per
connection and one JSON answer. A thread accepts connections and queues the commands;
the node's own loop carries them out between two market events (never while an event
is being handled), and the answer goes back on the same connection.
"""

from __future__ import annotations

import contextlib
import os
import queue
import socket
import threading
from pathlib import Path
from typing import Any, Literal

import msgspec

from ironkeel.model.errors import IronkeelError

__all__ = ["Answer", "Command", "ControlServer", "NodeNotRunningError", "Pending", "send"]

#: The largest command or answer accepted (bytes).
MAX_BYTES = 64 * 1024


class NodeNotRunningError(IronkeelError):
    """No node answers on the control socket."""


class Command(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``status``; ``swap`` NAME to registry version VERSION; ``stop`` the node."""

    op: Literal["status", "swap", "stop"]
    name: str | None = None
    version: int | None = None
    operator: str = ""
    reason: str = ""


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    ok: bool
    message: str = ""
    data: dict[str, Any] = msgspec.field(default_factory=dict)


class Pending:
    """A command waiting for the node's loop, and the way back to its sender."""

    def __init__(self, command: Command) -> None:
        self.command = command
        self._done = threading.Event()
        self.answer = Answer(ok=False, message="the node stopped before answering")

    def reply(self, answer: Answer) -> None:
        self.answer = answer
        self._done.set()

    def wait(self, timeout_s: float) -> Answer:
        if not self._done.wait(timeout_s):
            return Answer(ok=False, message=f"the node did not answer within {timeout_s} s")
        return self.answer


class ControlServer:
    """Accepts commands on ``path`` in a thread; ``poll`` hands them to the node's loop."""

    def __init__(self, path: Path, *, answer_timeout_s: float = 60.0) -> None:
        self.path = path
        self.answer_timeout_s = answer_timeout_s
        self._queue: queue.Queue[Pending] = queue.Queue()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._closing = threading.Event()

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            try:
                send(self.path, Command(op="status"), timeout_s=1.0)
            except NodeNotRunningError:
                self.path.unlink()  # a stale socket from a node that died
            else:
                raise IronkeelError(
                    f"{self.path}: another node is running on this control socket. "
                    "Fix: stop it, or give this node its own --control path"
                )
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            server.bind(str(self.path))
        finally:
            os.umask(old)
        server.listen(8)
        server.settimeout(0.2)
        self._sock = server
        self._thread = threading.Thread(target=self._accept, name="ironkeel-control", daemon=True)
        self._thread.start()

    def poll(self, timeout_s: float = 0.0) -> list[Pending]:
        """The commands that arrived (waiting up to ``timeout_s`` for the first)."""
        found: list[Pending] = []
        if timeout_s <= 0 and self._queue.empty():
            return found  # the usual case between two items: no exception raised per item
        try:
            found.append(self._queue.get(timeout=timeout_s) if timeout_s > 0 else
                         self._queue.get_nowait())  # fmt: skip
        except queue.Empty:
            return found
        while True:
            try:
                found.append(self._queue.get_nowait())
            except queue.Empty:
                return found

    def close(self) -> None:
        self._closing.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        while True:  # nobody will carry these out any more
            try:
                self._queue.get_nowait().reply(Answer(ok=False, message="the node stopped"))
            except queue.Empty:
                return

    def _accept(self) -> None:
        assert self._sock is not None
        while not self._closing.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5.0)
            try:
                data = _read(conn)
                command = msgspec.json.decode(data, type=Command)
            except (OSError, msgspec.DecodeError, ValueError) as error:
                answer = Answer(ok=False, message=f"bad command: {error}")
            else:
                pending = Pending(command)
                self._queue.put(pending)
                answer = pending.wait(self.answer_timeout_s)
            with contextlib.suppress(OSError):
                conn.sendall(msgspec.json.encode(answer))
                conn.shutdown(socket.SHUT_WR)


def _read(conn: socket.socket) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = conn.recv(4096)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BYTES:
            raise ValueError(f"more than {MAX_BYTES} bytes")
        chunks.append(chunk)


def send(path: Path, command: Command, *, timeout_s: float = 60.0) -> Answer:
    """Send ``command`` to the node on ``path`` and return its answer."""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(timeout_s)
    try:
        client.connect(str(path))
    except (FileNotFoundError, ConnectionRefusedError) as error:
        client.close()
        raise NodeNotRunningError(f"{path}: no node is running there ({error.strerror})") from None
    with client:
        client.sendall(msgspec.json.encode(command))
        client.shutdown(socket.SHUT_WR)
        try:
            data = _read(client)
        except (OSError, ValueError) as error:
            raise NodeNotRunningError(f"{path}: the node did not answer ({error})") from None
    try:
        return msgspec.json.decode(data, type=Answer)
    except msgspec.DecodeError as error:
        raise NodeNotRunningError(f"{path}: the node's answer is malformed ({error})") from None
