import os
import signal

from ironkeel import Param, Strategy


class Killer(Strategy):
    """Tries to kill every other process it can name (the other strategies included)."""

    at: int = Param(30)

    def on_start(self):
        self.n = 0

    def on_bar(self, bar):
        self.n += 1
        if self.n == self.at:
            for pid in range(os.getpid() - 64, os.getpid() + 64):
                if pid > 1 and pid != os.getpid():
                    os.kill(pid, signal.SIGKILL)
