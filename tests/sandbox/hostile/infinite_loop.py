from ironkeel import Param, Strategy


class InfiniteLoop(Strategy):
    at: int = Param(30)

    def on_start(self):
        self.n = 0

    def on_bar(self, bar):
        self.n += 1
        while self.n >= self.at:
            self.n += 1
