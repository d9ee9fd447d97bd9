from ironkeel import Param, Strategy


class Allocate(Strategy):
    at: int = Param(30)

    def on_start(self):
        self.n = 0

    def on_bar(self, bar):
        self.n += 1
        if self.n == self.at:
            self.hoard = bytearray(10 * 2**30)
