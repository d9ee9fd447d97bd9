import os

from ironkeel import Param, Strategy


class Crash(Strategy):
    """Buys, then dies abruptly mid-run (no exception, no goodbye)."""

    at: int = Param(60)
    size: str = Param("0.01")

    def on_start(self):
        self.n = 0

    def on_bar(self, bar):
        self.n += 1
        if self.n == 10:
            self.buy(self.size)
        if self.n == self.at:
            os._exit(3)
