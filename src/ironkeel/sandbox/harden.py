"""What a strategy process does to itself before it loads any strategy code.

The boundary is the operating system (see docs/sandbox.md): descriptors closed,
resource limits, a uid of its own, an empty network namespace, Landlock (read-only
runtime, no TCP, no signals out of the sandbox) and a seccomp deny list. Each step
reports a ``Protection``: active, or not and why (non-root, an older kernel), so a
missing mechanism degrades with a clear warning instead of failing silently.

Order matters: the network namespace and the Landlock ruleset are set up while the
process is still root, then it drops to its own uid, sets the per-uid process limit,
sets no-new-privileges and finally loads the seccomp filter, which forbids most of
what the earlier steps needed.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import resource
import signal
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from ironkeel.sandbox.protocol import Protection

__all__ = ["UID_BASE", "Limits", "harden", "read_only_paths"]

#: Sandbox slot n runs as uid/gid UID_BASE + n (only when the engine runs as root).
UID_BASE: Final = 61_000

_PR_SET_PDEATHSIG: Final = 1
_PR_SET_NO_NEW_PRIVS: Final = 38
_CLONE_NEWNET: Final = 0x40000000
_SYS_LANDLOCK_CREATE_RULESET: Final = 444
_SYS_LANDLOCK_ADD_RULE: Final = 445
_SYS_LANDLOCK_RESTRICT_SELF: Final = 446
_LANDLOCK_CREATE_RULESET_VERSION: Final = 1
_LANDLOCK_RULE_PATH_BENEATH: Final = 1
_O_PATH: Final = 0o10000000

# Landlock file-system rights by the ABI that introduced them.
_FS_EXECUTE, _FS_WRITE_FILE, _FS_READ_FILE, _FS_READ_DIR = 1, 2, 4, 8
_FS_ABI1: Final = (1 << 13) - 1  # execute .. make_sym
_FS_REFER, _FS_TRUNCATE, _FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_NET_BIND_TCP, _NET_CONNECT_TCP = 1, 2
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1, 2

#: Syscalls a strategy never needs: network, processes, exec, tracing, signals to
#: others, sleeping, file changes, namespaces and kernel interfaces.
DENIED_SYSCALLS: Final = (
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
    "execve", "execveat", "fork", "vfork", "clone", "clone3",
    "ptrace", "process_vm_readv", "process_vm_writev",
    "kill", "tkill", "tgkill", "pidfd_open", "pidfd_send_signal", "pidfd_getfd",
    "nanosleep", "clock_nanosleep", "select", "pselect6", "poll", "ppoll",
    "unlink", "unlinkat", "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir",
    "truncate", "link", "linkat", "symlink", "symlinkat", "chmod", "fchmod", "fchmodat",
    "chown", "fchown", "fchownat", "lchown", "mknod", "mknodat", "creat", "openat2",
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot",
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "keyctl", "add_key",
    "init_module", "finit_module", "delete_module", "kexec_load", "reboot",
)  # fmt: skip


@dataclass(frozen=True)
class Limits:
    """Resource limits of one strategy process (rlimits; cgroups are not available here).

    ``cpu_seconds`` is cumulative over the process's life: a backstop behind the
    engine's per-callback deadline, not a budget per call."""

    address_space_bytes: int = 2 << 30
    open_files: int = 32
    file_size_bytes: int = 0
    cpu_seconds: int = 3_600
    processes: int = 1


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> int:
    if result < 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")
    return result


def read_only_paths() -> list[str]:
    """What the strategy may read: the Python runtime, the virtual environment and the
    system libraries it links, and time-zone data. Nothing else (not /etc, not /home)."""
    candidates = [
        sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
        *sys.path, "/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/share/zoneinfo",
    ]  # fmt: skip
    seen: list[str] = []
    for path in candidates:
        if path and os.path.isdir(path) and path not in seen:
            seen.append(path)
    return seen


def harden(channel_fd: int, slot: int, limits: Limits) -> list[Protection]:
    """Apply every protection to this (freshly forked) process; return what is active."""
    libc = _libc()
    return [
        _step("parent death signal", lambda: _pdeathsig(libc)),
        _step("descriptors", lambda: _close_descriptors(channel_fd)),
        _step("network namespace", lambda: _netns(libc)),
        _step("rlimits", lambda: _rlimits(limits)),
        _step("landlock", lambda: _landlock(libc, read_only_paths())),
        _step("own uid", lambda: _switch_uid(slot)),
        _step("process limit", lambda: _process_limit(limits)),
        _step("no new privileges", lambda: _no_new_privs(libc)),
        _step("seccomp", _seccomp),
    ]


def _step(name: str, action: object) -> Protection:
    try:
        detail = action()  # type: ignore[operator]
    except (OSError, ValueError, ImportError, AttributeError) as error:
        return Protection(name=name, active=False, detail=f"not active: {error}")
    if isinstance(detail, tuple):
        active, text = detail
        return Protection(name=name, active=bool(active), detail=str(text))
    return Protection(name=name, active=True, detail=str(detail))


def _pdeathsig(libc: ctypes.CDLL) -> str:
    _check(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")
    return "killed when the zygote dies"


def _close_descriptors(keep: int) -> str:
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    top = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    top = 65_536 if top == resource.RLIM_INFINITY or top > 65_536 else top
    os.closerange(3, keep)
    os.closerange(keep + 1, top)
    return f"only the IPC socket (fd {keep}) and /dev/null on 0-2 remain"


def _netns(libc: ctypes.CDLL) -> tuple[bool, str]:
    if os.geteuid() != 0:
        return False, "not active: needs root (or a user namespace); network stays reachable"
    _check(libc.unshare(_CLONE_NEWNET), "unshare(CLONE_NEWNET)")
    return True, "own network namespace: no interface but a downed loopback"


def _rlimits(limits: Limits) -> str:
    pairs = (
        (resource.RLIMIT_AS, limits.address_space_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_FSIZE, limits.file_size_bytes),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
    )
    for which, value in pairs:
        resource.setrlimit(which, (value, value))
    return (
        f"address space {limits.address_space_bytes >> 20} MiB, {limits.open_files} files, "
        f"file size {limits.file_size_bytes}, no core, cpu {limits.cpu_seconds} s"
    )


def _switch_uid(slot: int) -> tuple[bool, str]:
    if os.geteuid() != 0:
        return False, f"not active: not root; runs as uid {os.geteuid()}"
    uid = UID_BASE + slot
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    return True, f"uid/gid {uid}"


def _process_limit(limits: Limits) -> tuple[bool, str]:
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    if os.geteuid() == 0:
        return False, "not active: root ignores RLIMIT_NPROC (needs the own-uid step)"
    return True, f"{limits.processes} process(es) for uid {os.geteuid()}"


def _no_new_privs(libc: ctypes.CDLL) -> str:
    _check(libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
    return "set"


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0: unavailable)."""
    libc = _libc()
    abi = libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, None, 0, _LANDLOCK_CREATE_RULESET_VERSION)
    return max(int(abi), 0)


def _landlock(libc: ctypes.CDLL, readable: Iterable[str]) -> tuple[bool, str]:
    abi = landlock_abi()
    if abi < 1:
        return False, "not active: the kernel has no Landlock"
    fs = _FS_ABI1 | (_FS_REFER if abi >= 2 else 0) | (_FS_TRUNCATE if abi >= 3 else 0)
    fs |= _FS_IOCTL_DEV if abi >= 5 else 0
    net = (_NET_BIND_TCP | _NET_CONNECT_TCP) if abi >= 4 else 0
    scoped = (_SCOPE_ABSTRACT_UNIX | _SCOPE_SIGNAL) if abi >= 6 else 0
    attr = _RulesetAttr(fs, net, scoped)
    size = 8 if abi < 4 else (16 if abi < 6 else 24)
    ruleset = _check(
        libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), size, 0),
        "landlock_create_ruleset",
    )
    try:
        allowed = _FS_READ_FILE | _FS_READ_DIR | _FS_EXECUTE
        granted = []
        for path in readable:
            fd = os.open(path, _O_PATH | os.O_CLOEXEC)
            try:
                rule = _PathBeneathAttr(allowed, fd)
                _check(
                    libc.syscall(
                        _SYS_LANDLOCK_ADD_RULE, ruleset, _LANDLOCK_RULE_PATH_BENEATH,
                        ctypes.byref(rule), 0,
                    ),
                    f"landlock_add_rule({path})",
                )  # fmt: skip
                granted.append(path)
            finally:
                os.close(fd)
        if os.geteuid() != 0:  # restrict_self needs no_new_privs or CAP_SYS_ADMIN
            _check(libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
        _check(libc.syscall(_SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    parts = [f"ABI {abi}", f"read-only: {len(granted)} runtime paths, no writes anywhere"]
    parts.append("no TCP bind/connect" if net else "TCP not covered (ABI < 4)")
    parts.append("no signals out of the sandbox" if scoped else "signals not scoped (ABI < 6)")
    return True, "; ".join(parts)


def _seccomp() -> str:
    import pyseccomp  # noqa: PLC0415 - needs libseccomp at run time, only in the child

    deny = pyseccomp.ERRNO(errno.EPERM)
    syscall_filter = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    with contextlib.suppress(ValueError, OSError, RuntimeError, AttributeError):
        # A binary tree of syscall numbers instead of a linear list: every syscall the
        # strategy process makes runs this filter (libseccomp >= 2.5).
        syscall_filter.set_attr(pyseccomp.Attr.CTL_OPTIMIZE, 2)
    skipped = []
    for name in DENIED_SYSCALLS:
        try:
            syscall_filter.add_rule(deny, name)
        except (ValueError, OSError, RuntimeError):
            skipped.append(name)
    write_flags = ((os.O_ACCMODE, os.O_WRONLY), (os.O_ACCMODE, os.O_RDWR), (os.O_CREAT,) * 2)
    for mask, value in write_flags:
        syscall_filter.add_rule(deny, "openat", pyseccomp.Arg(2, pyseccomp.MASKED_EQ, mask, value))
        syscall_filter.add_rule(deny, "open", pyseccomp.Arg(1, pyseccomp.MASKED_EQ, mask, value))
    syscall_filter.load()
    denied = len(DENIED_SYSCALLS) - len(skipped)
    note = f" ({', '.join(skipped)} unknown here)" if skipped else ""
    return f"{denied} syscalls denied with EPERM, open for writing denied{note}"
