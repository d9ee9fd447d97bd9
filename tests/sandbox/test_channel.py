"""The engine's end of a strategy process, against a hand-driven peer: the one-byte empty
reply, decoded replies, and every way a peer can break the contract (each kills it)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from ironkeel.sandbox import SandboxError
from ironkeel.sandbox import protocol as p
from ironkeel.sandbox.channel import Channel
from ironkeel.sandbox.codec import encoder


@pytest.fixture
def peer() -> Iterator[tuple[Channel, socket.socket, subprocess.Popen[bytes]]]:
    """A channel to a stand-in process (killed on a broken contract) and the peer's end."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    stand_in = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    channel = Channel(ours, stand_in.pid, deadline_s=0.2)
    try:
        yield channel, theirs, stand_in
    finally:
        channel.close()
        stand_in.kill()
        stand_in.wait()
        theirs.close()


def test_the_one_byte_nil_answer_is_the_empty_reply_without_decoding(peer) -> None:
    channel, theirs, _ = peer
    theirs.send(p.EMPTY_REPLY_BYTES)
    assert channel.exchange(p.Usage()) is p.EMPTY_REPLY
    assert channel.metrics.latencies.count == 1
    assert channel.metrics.errors == 0
    assert encoder().encode(p.Usage()) == theirs.recv(1024)


def test_a_reply_with_an_error_is_decoded_and_counted(peer) -> None:
    channel, theirs, _ = peer
    theirs.send(encoder().encode(p.Reply(error="ZeroDivisionError: x", location="s.py:3")))
    answer = channel.exchange(p.Usage())
    assert type(answer) is p.Reply
    assert (answer.error, answer.location) == ("ZeroDivisionError: x", "s.py:3")
    assert channel.metrics.errors == 1
    assert channel.alive


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (b"\xc3", "protocol: malformed message in answer to Usage"),  # msgpack true
        (b"\x91\x01", "protocol: malformed message in answer to Usage"),
        (b"x" * (p.MAX_MESSAGE + 1), f"protocol: a message over {p.MAX_MESSAGE} bytes"),
        (None, "deadline: no answer to Usage within 200 ms"),
        ("shut", "the strategy process died (EOF) during Usage"),
        ("closed", "the strategy process is gone ([Errno 32] Broken pipe)"),
    ],
)
def test_a_broken_answer_kills_the_process_and_says_why(peer, answer, reason) -> None:
    channel, theirs, stand_in = peer
    if answer == "shut":  # it can still read, but will never answer
        theirs.shutdown(socket.SHUT_WR)
    elif answer == "closed":
        theirs.close()
    elif answer is not None:
        theirs.send(answer)
    with pytest.raises(SandboxError, match="^" + re.escape(reason)):
        channel.exchange(p.Usage())
    assert not channel.alive
    assert channel.metrics.killed is not None
    assert channel.metrics.killed.startswith(reason)
    assert stand_in.wait(timeout=5) == -9  # SIGKILL, through the pidfd
    with pytest.raises(SandboxError, match="no longer running"):
        channel.exchange(p.Usage())


def test_hello_in_the_middle_of_a_run_is_a_protocol_error(peer) -> None:
    channel, theirs, _ = peer
    theirs.send(encoder().encode(p.Hello(pid=1, protections=[])))
    with pytest.raises(SandboxError, match="Hello in the middle of a run"):
        channel.exchange(p.Usage())
