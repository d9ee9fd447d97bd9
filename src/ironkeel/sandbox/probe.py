"""Inside a hardened strategy process: try each forbidden thing and report what stopped it.

``ironkeel sandbox check`` runs these in a real sandboxed child, so the report says
what is in force on this machine, not what the code intends.
"""

from __future__ import annotations

import os
import resource
import socket
import time
from collections.abc import Callable

from ironkeel.sandbox.protocol import Protection

__all__ = ["run_probes"]


def _write_file() -> object:
    target = "/tmp/ironkeel-sandbox-probe"  # noqa: S108 - the write must be refused
    fd = os.open(target, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    return fd


def _read_passwd() -> object:
    with open("/etc/passwd") as handle:
        return handle.read(10)


def _tcp() -> object:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as conn:
        conn.settimeout(0.05)
        conn.connect(("127.0.0.1", 9))
        return conn


def _fork() -> object:
    pid = os.fork()
    if pid == 0:  # the probe got through: leave at once
        os._exit(0)
    return pid


def _exec() -> object:
    return os.posix_spawn("/bin/true", ["/bin/true"], {})


def _signal_parent() -> object:
    os.kill(os.getppid(), 0)
    return "signalled"


def _sleep() -> object:
    time.sleep(0.001)
    return "slept"


def _allocate() -> object:
    soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    size = 10 << 30 if soft == resource.RLIM_INFINITY else soft + (1 << 20)
    block = bytearray(size)
    return len(block)


PROBES: dict[str, Callable[[], object]] = {
    "write a file": _write_file,
    "read /etc/passwd": _read_passwd,
    "tcp to 127.0.0.1": _tcp,
    "fork": _fork,
    "spawn a program": _exec,
    "signal another process": _signal_parent,
    "sleep": _sleep,
    "allocate 10 GB": _allocate,
}


def run_probes() -> list[Protection]:
    """One entry per probe: ``active`` True when the attempt was stopped."""
    results = []
    for name, probe in PROBES.items():
        try:
            probe()
        except Exception as error:
            detail = f"blocked: {type(error).__name__}: {error}"
            results.append(Protection(name=name, active=True, detail=detail))
        else:
            results.append(Protection(name=name, active=False, detail="NOT blocked"))
    return results
