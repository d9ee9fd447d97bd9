import re

from ironkeel import Param, Strategy


class CHang(Strategy):
    at: int = Param(30)

    def on_start(self):
        self.n = 0

    def on_bar(self, bar):
        self.n += 1
        if self.n == self.at:
            re.match(r"(a+)+$", "a" * 64 + "b")  # catastrophic backtracking, inside C
