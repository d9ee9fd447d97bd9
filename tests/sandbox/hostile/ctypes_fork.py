import ctypes

from ironkeel import Param, Strategy


class CtypesFork(Strategy):
    """Calls libc's fork through the interpreter's already-open symbol table: no
    dlopen, so only the kernel (seccomp, the process limit) stands in the way."""

    at: int = Param(30)

    def on_start(self):
        self.n = 0

    def on_bar(self, bar):
        self.n += 1
        if self.n == self.at:
            pid = ctypes.pythonapi.fork()
            if pid == 0:
                ctypes.pythonapi._exit(0)
            raise RuntimeError(f"fork through ctypes returned {pid}")
