"""Python-level guards inside a strategy process: early, friendly error messages only.

They are NOT the boundary (see docs/sandbox.md: in-language guards were bypassed in
every try); the kernel mechanisms in ``harden`` are. They turn the most common
mistakes -- opening a file for writing, a socket, a subprocess, importing a module
that is not allowed -- into a clear ``PermissionError`` or ``ImportError`` naming
the rule, before the kernel answers with a bare EPERM.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import FrameType, ModuleType
from typing import Any, Final

from ironkeel.sandbox.allowlist import is_allowed
from ironkeel.strategy.loader import USER_MODULE_PREFIX

__all__ = ["install_guards"]

_FORBIDDEN_EVENTS: Final = {
    "socket.__new__": "strategies have no network: the engine brings the data",
    "socket.connect": "strategies have no network: the engine brings the data",
    "subprocess.Popen": "strategies may not start processes",
    "os.system": "strategies may not start processes",
    "os.fork": "strategies may not start processes",
    "os.forkpty": "strategies may not start processes",
    "os.exec": "strategies may not start processes",
    "os.posix_spawn": "strategies may not start processes",
    "os.kill": "strategies may not signal processes",
    "ctypes.dlopen": "strategies may not load native code",
    "_thread.start_new_thread": "strategies may not start threads",
}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    reason = _FORBIDDEN_EVENTS.get(event)
    if reason is not None:
        raise PermissionError(f"sandbox: {event} refused: {reason}")
    mode = args[1] if event == "open" and len(args) > 1 else None
    if isinstance(mode, str) and any(flag in mode for flag in "wax+"):
        raise PermissionError(
            f"sandbox: open({args[0]!r}, {mode!r}) refused: strategies may not write "
            "files; log with self.log instead"
        )


class _ImportGuard(MetaPathFinder):
    """Refuses, with a reason, the import of a module not on the allow-list (only for
    modules not already loaded: the kernel protections stand behind it)."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if not is_allowed(fullname) and _from_strategy():
            raise ImportError(
                f"sandbox: import of {fullname!r} refused: not on the strategy allow-list "
                "(see docs/validation.md)",
                name=fullname,
            )
        return None


def _from_strategy() -> bool:
    """True when the import statement is in the strategy script itself (a library's own
    imports are the kernel's business, not the allow-list's)."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
        frame = frame.f_back
    if frame is None:
        return False
    return str(frame.f_globals.get("__name__", "")).startswith(USER_MODULE_PREFIX)


def install_guards() -> None:
    """Install the audit hook and the import guard (irreversible for this process)."""
    sys.meta_path.insert(0, _ImportGuard())
    sys.addaudithook(_audit)
